/**
 * A manual clock for the governance unit tests: `sleep` registers a timer, `advance(ms)` moves time
 * forward firing due timers in order and letting the awakened code run before the next one.
 */
import type { Clock } from "../../../src/upstream/governance.clock.js";

interface Timer {
  at: number;
  seq: number;
  resolve(): void;
}

export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run without moving time. */
  settle(): Promise<void>;
  /** Durations passed to sleep(), in call order. */
  sleeps: number[];
  pendingTimers(): number;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createFakeClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)): FakeClock {
  let now = start;
  let seq = 0;
  let timers: Timer[] = [];
  const sleeps: number[] = [];

  async function settle() {
    for (let i = 0; i < 5; i++) await turn();
  }

  return {
    now: () => now,
    sleeps,
    pendingTimers: () => timers.length,
    sleep(ms, signal) {
      sleeps.push(ms);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, resolve };
        timers.push(timer);
        signal?.addEventListener(
          "abort",
          () => {
            timers = timers.filter((t) => t !== timer);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    settle,
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        const due = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.resolve();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}
