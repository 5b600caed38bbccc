/**
 * Upstream governance, assembled: the circuit breaker, the retry policy and the rate governor (the
 * one per-location queue: UPSTREAM_CONCURRENCY calls in flight and the rate budget, for every call)
 * as one ordered middleware list for `ContactsClient({ middlewares })` (outermost first), plus a
 * snapshot API for `/readyz` and metrics. The order and why:
 *
 *   breaker → retry → rate governor → (credentials, transport…)
 *
 * - the breaker is outermost: an open circuit refuses a call before it retries or queues, and it
 *   counts what the caller experienced (one failure per call, after retries);
 * - every retry attempt passes the rate governor again, so retries spend budget like any call and
 *   wait behind it, and a 429 drains the window before the retry's own wait;
 * - the governor is innermost, so the moment a slot is granted is as close as possible to the
 *   moment the request leaves.
 *
 * Metric hooks are plain callbacks (no prom-client here); the operations side wires them.
 */
import type { Redis } from "ioredis";
import type { Config } from "../config/config.js";
import { createCircuitBreaker, type BreakerHooks, type BreakerState, type CircuitBreaker, type LocationBreakerSnapshot } from "./breaker.js";
import { systemClock, type Clock } from "./governance.clock.js";
import { callHook } from "./governance.common.js";
import type { UpstreamMiddleware } from "./pipeline.types.js";
import {
  createMemoryBudgetStore,
  createRateGovernor,
  type LocationRateSnapshot,
  type RateGovernor,
  type RateGovernorHooks,
  withFallbackStore,
} from "./rate-governor.js";
import { createRedisBudgetStore } from "./rate-governor.redis.js";
import { createRetryMiddleware, type RetryHooks } from "./retry.js";

export type GovernanceHooks = RateGovernorHooks & RetryHooks & BreakerHooks & {
  /** The Redis budget store failed; this instance falls back to its own in-memory budget meanwhile. */
  storeError?(event: { error: unknown }): void;
};

/** The configuration governance reads: rate budget, retries, breaker, Redis, and the per-location concurrency. */
export type GovernanceConfig = Pick<Config, "rateLimit" | "retry" | "breaker" | "redis"> & {
  upstream: Pick<Config["upstream"], "concurrencyPerLocation">;
};

export interface GovernanceOptions {
  config: GovernanceConfig;
  /** Shares the rate budget of each location across instances. Absent = in-memory budget. */
  redis?: Redis;
  clock?: Clock;
  /** Uniform [0, 1) for retry jitter. Default Math.random. */
  random?: () => number;
  hooks?: GovernanceHooks;
}

export interface LocationGovernanceSnapshot extends LocationRateSnapshot {
  breaker: BreakerState;
  consecutiveFailures: number;
}

export interface Governance {
  /** Outermost first: pass to the ContactsClient before the credentials/transport. */
  middlewares: UpstreamMiddleware[];
  breaker: CircuitBreaker;
  governor: RateGovernor;
  /** Breaker state of one location (`closed` when never used). */
  breakerState(locationId: string): BreakerState;
  /** Everything known per location, for /readyz, metrics and the doctor. */
  snapshot(): LocationGovernanceSnapshot[];
}

export function createGovernanceMiddlewares(options: GovernanceOptions): Governance {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const hooks = options.hooks ?? {};
  const storeError = (error: unknown) => callHook(hooks.storeError, { error });
  const memory = createMemoryBudgetStore({ clock });
  const store = options.redis
    ? withFallbackStore(createRedisBudgetStore({ redis: options.redis, keyPrefix: config.redis.keyPrefix }), memory, storeError)
    : memory;

  const breaker = createCircuitBreaker({ policy: config.breaker, clock, hooks });
  const retry = createRetryMiddleware({ policy: config.retry, clock, random: options.random, hooks });
  const governor = createRateGovernor({
    policy: { ...config.rateLimit, concurrency: config.upstream.concurrencyPerLocation },
    store,
    clock,
    hooks,
    onStoreError: storeError,
  });

  function snapshot(): LocationGovernanceSnapshot[] {
    const breakers = new Map<string, LocationBreakerSnapshot>(breaker.snapshot().map((b) => [b.locationId, b]));
    const rows = governor.snapshot().map((rate) => {
      const b = breakers.get(rate.locationId);
      breakers.delete(rate.locationId);
      return { ...rate, breaker: b?.state ?? ("closed" as const), consecutiveFailures: b?.consecutiveFailures ?? 0 };
    });
    for (const b of breakers.values()) {
      const limits = governor.limitsFor(b.locationId);
      rows.push({
        locationId: b.locationId,
        remaining: limits.limit,
        dailyRemaining: limits.dailyLimit,
        queueLength: 0,
        inFlight: 0,
        limit: limits.limit,
        windowMs: limits.windowMs,
        dailyLimit: limits.dailyLimit,
        breaker: b.state,
        consecutiveFailures: b.consecutiveFailures,
      });
    }
    return rows;
  }

  return {
    middlewares: [breaker.middleware, retry, governor.middleware],
    breaker,
    governor,
    breakerState: (locationId) => breaker.state(locationId),
    snapshot,
  };
}

/** Pull-style metric sources in the shape the metrics registry reads (no prom-client here). */
export interface GovernanceMetricsSources {
  rateBudgets(): Iterable<{ locationId: string; window: "burst" | "daily"; remaining: number; limit?: number }>;
  breakerStates(): Iterable<{ locationId: string; state: BreakerState }>;
}

export interface GovernanceRuntime extends Governance {
  metricsSources(): GovernanceMetricsSources;
  close(): Promise<void>;
}

export interface GovernanceRuntimeOptions extends Omit<GovernanceOptions, "config"> {
  config: GovernanceConfig;
  /** Warnings (Redis budget store unreachable: falling back to this instance's own budget). */
  logger?: { warn(object: Record<string, unknown>, message: string): void };
}

/**
 * The composition root's entry. With `redis` (the process's command connection, owned and closed
 * by the composition root) the budget is shared through Redis. Commands fail fast while Redis is
 * away (no offline queue): the governor then falls back to a per-instance budget and says so
 * through `hooks.storeError` and the logger (rate-limited).
 */
export async function createGovernanceRuntime(options: GovernanceRuntimeOptions): Promise<GovernanceRuntime> {
  const { logger } = options;
  let lastWarnAt = 0;
  const governance = createGovernanceMiddlewares({
    ...options,
    hooks: {
      ...options.hooks,
      storeError: (event) => {
        options.hooks?.storeError?.(event);
        const now = Date.now();
        if (now - lastWarnAt < 10_000) return;
        lastWarnAt = now;
        logger?.warn({ err: event.error }, "rate budget: Redis store failed, using this instance's own budget meanwhile");
      },
    },
  });
  return {
    ...governance,
    metricsSources: () => ({
      rateBudgets: () =>
        governance.governor.snapshot().flatMap((s) => [
          { locationId: s.locationId, window: "burst" as const, remaining: s.remaining, limit: s.limit },
          { locationId: s.locationId, window: "daily" as const, remaining: s.dailyRemaining, limit: s.dailyLimit },
        ]),
      breakerStates: () => governance.breaker.snapshot().map((b) => ({ locationId: b.locationId, state: b.state })),
    }),
    async close() {},
  };
}
