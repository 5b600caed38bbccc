/**
 * The circuit breaker: one per location. After `failureThreshold` consecutive failures (a 5xx
 * answer, a timeout or a connection error; never a 4xx or 429, which prove the upstream is up)
 * the circuit opens and calls fail fast with `UPSTREAM_UNAVAILABLE` (reason `circuit_open`)
 * without reaching the upstream. After `resetMs` ONE call is let through as a half-open probe:
 * its success closes the circuit, its failure opens it for another `resetMs`. Calls arriving while
 * the probe is under way fail fast too.
 *
 * It sits outermost (see governance.ts), so it counts what the caller experienced after retries.
 * `state(locationId)` / `snapshot()` feed `/readyz` and metrics. Knows no GraphQL.
 */
import { UpstreamError, isUpstreamError } from "./upstream.error.js";
import { systemClock, type Clock } from "./governance.clock.js";
import { callHook, mergePolicy } from "./governance.common.js";
import type { UpstreamMiddleware, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerPolicy {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold: number;
  /** How long the circuit stays open before a half-open probe, ms. Default 10_000. */
  resetMs: number;
}

export const DEFAULT_BREAKER_POLICY: Readonly<BreakerPolicy> = Object.freeze({
  failureThreshold: 5,
  resetMs: 10_000, // 10 seconds
});

export interface BreakerHooks {
  /** Whenever a location's circuit changes state. */
  breakerState?(event: { locationId: string; state: BreakerState; previous: BreakerState }): void;
  /** A call refused without reaching the upstream. */
  breakerRejected?(event: { locationId: string }): void;
}

export interface BreakerOptions {
  policy?: Partial<BreakerPolicy>;
  clock?: Clock;
  hooks?: BreakerHooks;
}

export interface LocationBreakerSnapshot {
  locationId: string;
  state: BreakerState;
  consecutiveFailures: number;
  /** Epoch ms when an open circuit admits its probe; undefined unless open. */
  retryAt: number | undefined;
}

export interface CircuitBreaker {
  middleware: UpstreamMiddleware;
  state(locationId: string): BreakerState;
  snapshot(): LocationBreakerSnapshot[];
  /** Closes every circuit (operator action, tests). */
  reset(): void;
}

interface Circuit {
  state: BreakerState;
  failures: number;
  openedAt: number;
  probing: boolean;
}

/** A failure of the upstream itself (not of our request). */
export function isBreakerFailure(outcome: { response?: UpstreamResponse; error?: unknown }): boolean {
  if (outcome.response) return outcome.response.status >= 500;
  return isUpstreamError(outcome.error) && (outcome.error.reason === "timeout" || outcome.error.reason === "connection");
}

export function createCircuitBreaker(options: BreakerOptions = {}): CircuitBreaker {
  const policy = mergePolicy<BreakerPolicy>(DEFAULT_BREAKER_POLICY, options.policy);
  if (!(Number.isInteger(policy.failureThreshold) && policy.failureThreshold >= 1)) {
    throw new RangeError(`breaker failureThreshold: expected an integer >= 1, received ${String(policy.failureThreshold)}`);
  }
  const clock = options.clock ?? systemClock;
  const hooks = options.hooks ?? {};
  const circuits = new Map<string, Circuit>();

  function circuitOf(locationId: string): Circuit {
    let circuit = circuits.get(locationId);
    if (!circuit) {
      circuit = { state: "closed", failures: 0, openedAt: 0, probing: false };
      circuits.set(locationId, circuit);
    }
    return circuit;
  }

  function transition(locationId: string, circuit: Circuit, state: BreakerState) {
    if (circuit.state === state) return;
    const previous = circuit.state;
    circuit.state = state;
    callHook(hooks.breakerState, { locationId, state, previous });
  }

  /** The state as a caller would see it now (an open circuit past resetMs is ready to probe). */
  function currentState(locationId: string): BreakerState {
    const circuit = circuits.get(locationId);
    if (!circuit) return "closed";
    if (circuit.state === "open" && clock.now() - circuit.openedAt >= policy.resetMs) return "half_open";
    return circuit.state;
  }

  function refuse(request: UpstreamRequest, circuit: Circuit): UpstreamError {
    callHook(hooks.breakerRejected, { locationId: request.locationId });
    const retryAfterMs = Math.max(0, circuit.openedAt + policy.resetMs - clock.now());
    return new UpstreamError({
      code: "UPSTREAM_UNAVAILABLE",
      reason: "circuit_open",
      message:
        `Upstream unavailable for location ${request.locationId}: circuit open after ` +
        `${policy.failureThreshold} consecutive failures; next probe in ${retryAfterMs} ms`,
      method: request.method,
      route: request.route,
      retryAfterMs,
    });
  }

  function record(locationId: string, circuit: Circuit, failed: boolean, probe: boolean) {
    if (probe) circuit.probing = false;
    if (!failed) {
      circuit.failures = 0;
      transition(locationId, circuit, "closed");
      return;
    }
    circuit.failures += 1;
    if (probe || circuit.failures >= policy.failureThreshold) {
      circuit.openedAt = clock.now();
      transition(locationId, circuit, "open");
    }
  }

  const middleware: UpstreamMiddleware = (next) => async (request) => {
    const { locationId } = request;
    const circuit = circuitOf(locationId);
    let probe = false;
    if (circuit.state !== "closed") {
      const ready = circuit.state === "open" && clock.now() - circuit.openedAt >= policy.resetMs;
      if (!ready || circuit.probing) throw refuse(request, circuit);
      probe = true;
      circuit.probing = true;
      transition(locationId, circuit, "half_open");
    }
    let response: UpstreamResponse;
    try {
      response = await next(request);
    } catch (error) {
      if (isBreakerFailure({ error })) {
        record(locationId, circuit, true, probe);
      } else if (probe) {
        // Neither success nor failure (our own rate limit, an abort): let the next call probe.
        circuit.probing = false;
        transition(locationId, circuit, "open");
      }
      throw error;
    }
    // A 429 proves the upstream is up; a 5xx does not.
    record(locationId, circuit, isBreakerFailure({ response }), probe);
    return response;
  };

  return {
    middleware,
    state: currentState,
    snapshot: () =>
      [...circuits.entries()].map(([locationId, circuit]) => ({
        locationId,
        state: currentState(locationId),
        consecutiveFailures: circuit.failures,
        retryAt: circuit.state === "open" ? circuit.openedAt + policy.resetMs : undefined,
      })),
    reset() {
      for (const [locationId, circuit] of circuits) {
        circuit.failures = 0;
        circuit.probing = false;
        transition(locationId, circuit, "closed");
      }
    },
  };
}
