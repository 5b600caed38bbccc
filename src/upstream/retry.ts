/**
 * The retry middleware: repeats upstream calls that failed for a passing reason.
 *
 * - Only idempotent calls (GET, PUT, DELETE: `request.idempotent`) are retried after a 429, a 5xx,
 *   a timeout or a connection error.
 * - POST is never retried once it may have reached the upstream: not after any HTTP answer, nor
 *   after a timeout (`outcomeUnknown`). The one exception is a connection error whose
 *   `outcomeUnknown` is false (e.g. ECONNREFUSED: the request was surely never sent), which is as
 *   safe to repeat as a GET.
 * - Delays: exponential backoff with full jitter (`random() × min(maxDelayMs, baseDelayMs × 2^(n−1))`,
 *   AWS Architecture Blog "Exponential Backoff And Jitter"), but the upstream's hints win:
 *   `Retry-After` (seconds or an HTTP date) and, on a 429, `X-RateLimit-Interval-Milliseconds`
 *   (HighLevel documents no Retry-After). A hint longer than `maxHintMs` is not waited for: the last
 *   answer goes back to the caller instead.
 * - Each attempt is a new request object with `attempt` incremented; it passes the inner
 *   middlewares again (the rate governor counts every attempt).
 */
import { isUpstreamError } from "./upstream.error.js";
import { systemClock, type Clock } from "./governance.clock.js";
import { callHook, headerText, mergePolicy, parseRetryAfterMs } from "./governance.common.js";
import { parseRateLimitHeaders } from "./rate-governor.js";
import type { UpstreamMiddleware, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";

export interface RetryPolicy {
  /** Total tries including the first. Default 3. */
  attempts: number;
  /** Backoff base, ms. Default 200. */
  baseDelayMs: number;
  /** Backoff cap, ms. Default 10_000. */
  maxDelayMs: number;
  /** Longest upstream hint we are willing to wait, ms. Default 60_000. */
  maxHintMs: number;
  /** HTTP statuses worth another try. Default 429 and every 5xx except 501 and 505. */
  retryableStatuses: (status: number) => boolean;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 3,
  baseDelayMs: 200, // 0.2 seconds
  maxDelayMs: 10_000, // 10 seconds
  maxHintMs: 60_000, // 1 minute
  retryableStatuses: (status: number) => status === 429 || (status >= 500 && status !== 501 && status !== 505),
});

export interface RetryHooks {
  /** Before each retry's wait. */
  retry?(event: {
    locationId: string;
    method: string;
    route: string;
    /** The attempt that is about to start (2 = first retry). */
    attempt: number;
    delayMs: number;
    /** `status` = an HTTP answer, otherwise the transport failure's reason. */
    cause: "status" | "timeout" | "connection";
    status?: number;
    /** Where the delay came from. */
    delaySource: "retry-after" | "rate-limit-interval" | "backoff";
  }): void;
}

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Uniform [0, 1): injectable so tests can pin the jitter. Default Math.random. */
  random?: () => number;
  hooks?: RetryHooks;
}

export { parseRetryAfterMs } from "./governance.common.js";

/** The delay the upstream asks for, when it asks. */
export function upstreamDelayMs(
  response: UpstreamResponse,
  now: number,
): { delayMs: number; source: "retry-after" | "rate-limit-interval" } | undefined {
  const retryAfter = parseRetryAfterMs(headerText(response.headers, "retry-after"), now);
  if (retryAfter !== undefined) return { delayMs: retryAfter, source: "retry-after" };
  if (response.status === 429) {
    const interval = parseRateLimitHeaders(response.headers).intervalMs;
    if (interval !== undefined && interval > 0) return { delayMs: interval, source: "rate-limit-interval" };
  }
  return undefined;
}

export function backoffDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.floor(random() * ceiling);
}

export function resolveRetryPolicy(policy: Partial<RetryPolicy> = {}): RetryPolicy {
  const merged = mergePolicy<RetryPolicy>(DEFAULT_RETRY_POLICY, policy);
  if (!(Number.isInteger(merged.attempts) && merged.attempts >= 1)) {
    throw new RangeError(`retry policy attempts: expected an integer >= 1, received ${String(merged.attempts)}`);
  }
  return merged;
}

type Outcome = { response: UpstreamResponse } | { error: unknown };

export function createRetryMiddleware(options: RetryOptions = {}): UpstreamMiddleware {
  const policy = resolveRetryPolicy(options.policy);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const hooks = options.hooks ?? {};

  /** Why and after how long to try again, or undefined to stop with this outcome. */
  function plan(
    request: UpstreamRequest,
    outcome: Outcome,
  ): { delayMs: number; cause: "status" | "timeout" | "connection"; status?: number; source: "retry-after" | "rate-limit-interval" | "backoff" } | undefined {
    if ("response" in outcome) {
      const { status } = outcome.response;
      // Any HTTP answer means the request reached the upstream: never repeat a POST.
      if (!request.idempotent || !policy.retryableStatuses(status)) return undefined;
      const hint = upstreamDelayMs(outcome.response, clock.now());
      if (hint) {
        if (hint.delayMs > policy.maxHintMs) return undefined;
        return { delayMs: hint.delayMs, cause: "status", status, source: hint.source };
      }
      return { delayMs: backoffDelayMs(policy, request.attempt, random), cause: "status", status, source: "backoff" };
    }
    const { error } = outcome;
    if (!isUpstreamError(error)) return undefined;
    if (error.reason !== "timeout" && error.reason !== "connection") return undefined;
    // A POST may be repeated only when it surely never left (connection refused before sending).
    if (!request.idempotent && (error.reason !== "connection" || error.outcomeUnknown)) return undefined;
    return { delayMs: backoffDelayMs(policy, request.attempt, random), cause: error.reason, source: "backoff" };
  }

  return (next) => async (first) => {
    let request = first;
    for (;;) {
      let outcome: Outcome;
      try {
        outcome = { response: await next(request) };
      } catch (error) {
        outcome = { error };
      }
      const retry = request.attempt < policy.attempts && !request.signal?.aborted ? plan(request, outcome) : undefined;
      if (!retry || (request.deadlineAt !== undefined && clock.now() + retry.delayMs > request.deadlineAt)) {
        if ("response" in outcome) return outcome.response;
        throw outcome.error;
      }
      const attempt = request.attempt + 1;
      callHook(hooks.retry, {
        locationId: request.locationId,
        method: request.method,
        route: request.route,
        attempt,
        delayMs: retry.delayMs,
        cause: retry.cause,
        status: retry.status,
        delaySource: retry.source,
      });
      await clock.sleep(retry.delayMs, request.signal);
      request = { ...request, attempt };
    }
  };
}
