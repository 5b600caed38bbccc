/**
 * The share of each location's interval budget that background work may use (warm-up,
 * revalidation of what webhooks keep current), so it never crowds out the callers: work run in a
 * lane (`run(lane, fn)`) has every upstream call it makes, however deep (loaders, bulk pages,
 * the cache's single-flight), wait in the `middleware` for one of the lane's slots of its
 * location. A lane has `floor(burst × percent / 100)` slots (at least 1); a slot is taken when a
 * call starts and given back one interval after the call ended, so in ANY window of one interval
 * the upstream receives at most that many of the lane's calls.
 * The lane travels with the work through AsyncLocalStorage (node:async_hooks), not through
 * arguments, so the client, loaders and cache need no parameter for it; calls outside `run` pass
 * straight through. Knows no GraphQL.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { UpstreamMiddleware } from "./pipeline.types.js";

export interface BackgroundBudgetOptions {
  /** The location's interval budget (RATE_LIMIT_BURST) and its interval (RATE_LIMIT_INTERVAL_MS). */
  burst: number;
  intervalMs: number;
  /** Lanes and their share of the budget, percent (e.g. `{ warmUp: 30, revalidation: 10 }`). */
  lanes: Readonly<Record<string, number>>;
  /** Injectable timers (tests). */
  setTimeout?: (fn: () => void, ms: number) => unknown;
}

export interface LaneStats {
  /** Calls started in the lane, all locations. */
  calls: number;
  /** Calls waiting for a slot now. */
  waiting: number;
}

export interface BackgroundBudget {
  /** Runs `fn` in `lane`: its upstream calls take the lane's slots. */
  run<T>(lane: string, fn: () => Promise<T>): Promise<T>;
  /** The lane the current async context runs in, if any. */
  currentLane(): string | undefined;
  /** Slots per location of a lane. */
  slots(lane: string): number;
  /** Free slots of a lane in a location now (a lane's work may start without waiting). */
  free(lane: string, locationId: string): number;
  /**
   * Resolves once at least `n` slots (at most all of them) of a lane in a location are free: work
   * that starts its reads only then never waits in the middleware, so nothing an interactive
   * caller might join (the cache's single-flight) sits in a background queue.
   */
  whenFree(lane: string, locationId: string, n: number): Promise<void>;
  /** Goes first in the upstream chain. */
  readonly middleware: UpstreamMiddleware;
  stats(): Record<string, LaneStats>;
}

interface LaneState {
  busy: number;
  waiters: Array<() => void>;
  /** `whenFree` callers: resolved when enough slots are free. */
  watchers: Array<{ n: number; resolve: () => void }>;
}

export function createBackgroundBudget(options: BackgroundBudgetOptions): BackgroundBudget {
  const { burst, intervalMs } = options;
  const later = options.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms).unref());
  const context = new AsyncLocalStorage<string>();
  const slotsOf = new Map<string, number>();
  for (const [lane, percent] of Object.entries(options.lanes)) {
    if (!(percent > 0 && percent <= 100)) throw new TypeError(`background budget: lane ${lane}: expected a percentage in (0, 100], received ${percent}`);
    slotsOf.set(lane, Math.max(1, Math.floor((burst * percent) / 100)));
  }
  const states = new Map<string, LaneState>();
  const counters = new Map<string, { calls: number }>();
  const stateOf = (lane: string, locationId: string): LaneState => {
    const key = `${lane}\u0000${locationId}`;
    let state = states.get(key);
    if (!state) states.set(key, (state = { busy: 0, waiters: [], watchers: [] }));
    return state;
  };

  const acquire = (lane: string, locationId: string): Promise<void> => {
    const state = stateOf(lane, locationId);
    if (state.busy < slotsOf.get(lane)!) {
      state.busy += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => state.waiters.push(resolve));
  };
  const release = (lane: string, locationId: string) => {
    later(() => {
      const state = stateOf(lane, locationId);
      const next = state.waiters.shift();
      if (next) next(); // the slot passes on
      else state.busy -= 1;
      const free = slotsOf.get(lane)! - state.busy;
      state.watchers = state.watchers.filter((w) => (w.n <= free ? (w.resolve(), false) : true));
    }, intervalMs);
  };

  return {
    run: (lane, fn) => {
      if (!slotsOf.has(lane)) throw new TypeError(`background budget: unknown lane ${JSON.stringify(lane)}`);
      return context.run(lane, fn);
    },
    currentLane: () => context.getStore(),
    slots: (lane) => slotsOf.get(lane) ?? 0,
    free: (lane, locationId) => {
      const state = stateOf(lane, locationId);
      return Math.max(0, (slotsOf.get(lane) ?? 0) - state.busy);
    },
    whenFree(lane, locationId, n) {
      const slots = slotsOf.get(lane);
      if (slots === undefined) throw new TypeError(`background budget: unknown lane ${JSON.stringify(lane)}`);
      const state = stateOf(lane, locationId);
      const wanted = Math.min(Math.max(1, n), slots);
      if (slots - state.busy >= wanted && state.waiters.length === 0) return Promise.resolve();
      return new Promise((resolve) => state.watchers.push({ n: wanted, resolve }));
    },
    middleware: (next) => async (request) => {
      const lane = context.getStore();
      if (lane === undefined) return next(request);
      await acquire(lane, request.locationId);
      request.lane ??= "background"; // the rate governor's lowest class (rate-governor.ts)
      let counter = counters.get(lane);
      if (!counter) counters.set(lane, (counter = { calls: 0 }));
      counter.calls += 1;
      try {
        return await next(request);
      } finally {
        release(lane, request.locationId);
      }
    },
    stats() {
      const out: Record<string, LaneStats> = {};
      for (const lane of slotsOf.keys()) {
        let waiting = 0;
        for (const [key, state] of states) if (key.startsWith(`${lane}\u0000`)) waiting += state.waiters.length;
        out[lane] = { calls: counters.get(lane)?.calls ?? 0, waiting };
      }
      return out;
    },
  };
}
