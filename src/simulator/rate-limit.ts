/**
 * HighLevel-style rate limiting per (token, location): a fixed burst window (default 100 requests
 * per 10 s) and a daily budget (default 200,000 per UTC day), reported through the five
 * `X-RateLimit-*` headers on every response. Time comes from the injected clock.
 */
import type { RateLimitOptions } from "./simulator.types.js";

export const DEFAULT_RATE_LIMIT = { burst: 100, intervalMs: 10_000, daily: 200_000 } as const;

/**
 * What the headers advertise when limiting is lifted (`rateLimit: false`): a budget no test or
 * benchmark reaches, so a client that trusts the headers (our rate governor does) is not held back
 * by numbers the simulator does not enforce.
 */
export const LIFTED_RATE_LIMIT = { burst: 1_000_000, intervalMs: 10_000, daily: 1_000_000_000 } as const;

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

interface Counter {
  windowStartMs: number;
  inWindow: number;
  day: number;
  inDay: number;
}

export class RateLimiter {
  private limits: Required<RateLimitOptions> | false;
  private readonly counters = new Map<string, Counter>();

  constructor(
    options: RateLimitOptions | false | undefined,
    private readonly now: () => number,
  ) {
    this.limits = resolve(options);
  }

  set(options: RateLimitOptions | false): void {
    this.limits = resolve(options);
    this.counters.clear();
  }

  /** Count one request for `key` (when `consume`) and say whether it may proceed. */
  check(key: string | undefined, consume: boolean): RateDecision {
    const limits = this.limits || LIFTED_RATE_LIMIT;
    const nowMs = this.now();
    const day = Math.floor(nowMs / 86_400_000);
    let counter = key ? this.counters.get(key) : undefined;
    if (key && !counter) {
      counter = { windowStartMs: nowMs, inWindow: 0, day, inDay: 0 };
      this.counters.set(key, counter);
    }
    if (counter) {
      if (nowMs - counter.windowStartMs >= limits.intervalMs) {
        counter.windowStartMs = nowMs;
        counter.inWindow = 0;
      }
      if (counter.day !== day) {
        counter.day = day;
        counter.inDay = 0;
      }
    }
    let allowed = true;
    if (counter && consume && this.limits) {
      if (counter.inWindow >= limits.burst || counter.inDay >= limits.daily) allowed = false;
      else {
        counter.inWindow++;
        counter.inDay++;
      }
    } else if (counter && consume) {
      counter.inWindow++;
      counter.inDay++;
    }
    const used = counter?.inWindow ?? 0;
    const usedDay = counter?.inDay ?? 0;
    return {
      allowed,
      headers: {
        "X-RateLimit-Limit-Daily": String(limits.daily),
        "X-RateLimit-Daily-Remaining": String(Math.max(0, limits.daily - usedDay)),
        "X-RateLimit-Interval-Milliseconds": String(limits.intervalMs),
        "X-RateLimit-Max": String(limits.burst),
        "X-RateLimit-Remaining": String(Math.max(0, limits.burst - used)),
      },
    };
  }
}

function resolve(options: RateLimitOptions | false | undefined): Required<RateLimitOptions> | false {
  if (options === false) return false;
  const out = {
    burst: options?.burst ?? DEFAULT_RATE_LIMIT.burst,
    intervalMs: options?.intervalMs ?? DEFAULT_RATE_LIMIT.intervalMs,
    daily: options?.daily ?? DEFAULT_RATE_LIMIT.daily,
  };
  for (const [name, value] of Object.entries(out)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`rateLimit.${name}: expected a positive integer, received ${String(value)}`);
    }
  }
  return out;
}
