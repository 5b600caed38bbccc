/**
 * An operation's deadline: one point in time after which none of its upstream work is worth
 * doing — waiting for a slot in the location's queue, a retry's backoff, or an answer still on the
 * wire. It travels with every call of the operation (`CallOptions.deadline`, or a client bound with
 * `ContactsClient.withDeadline`): the call's `deadlineAt` lets the rate governor and the retry
 * middleware decline work that could not finish in time, and its `signal` aborts what is pending
 * when the time is up. The caller then gets `UPSTREAM_UNAVAILABLE` (reason `deadline`) saying so;
 * a rate budget that cannot be had in time stays `UPSTREAM_RATE_LIMITED` with its `retryAfterMs`.
 * The signal's timer is created on first use only (an operation answered from the cache costs none).
 * It also says who runs the operation and how urgent it is (`caller`, `lane`: the rate governor's
 * fairness and priority class) and counts the upstream calls the governor granted it
 * (`upstreamCalls`: what `extensions.cost` reports as actual).
 */
import { setMaxListeners } from "node:events";
import { UpstreamError, isUpstreamError } from "./upstream.error.js";
import type { RequestLane, UpstreamRequest } from "./pipeline.types.js";

export interface OperationDeadline {
  /** Epoch ms. */
  readonly at: number;
  /** The configured budget (OPERATION_DEADLINE_MS), for messages. */
  readonly ms: number;
  /** Aborts when the deadline passes (created on first read). */
  readonly signal: AbortSignal;
  expired(): boolean;
  /** Who runs the operation (the caller token's `sub`), when known. */
  readonly caller: string | undefined;
  /** Its priority class; set once the operation's type is known (default `query`). */
  lane: RequestLane;
  /** Upstream calls granted to the operation so far (each attempt of a retried call counts). */
  readonly upstreamCalls: number;
  /** The rate governor granted one of its calls. */
  countCall(): void;
}

export interface OperationDeadlineOptions {
  caller?: string | undefined;
  lane?: RequestLane;
}

export function createOperationDeadline(ms: number, now: () => number = Date.now, options: OperationDeadlineOptions = {}): OperationDeadline {
  const at = now() + ms;
  let signal: AbortSignal | undefined;
  let calls = 0;
  return {
    at,
    ms,
    caller: options.caller,
    lane: options.lane ?? "query",
    get upstreamCalls() {
      return calls;
    },
    countCall: () => void (calls += 1),
    get signal() {
      if (!signal) {
        signal = AbortSignal.timeout(Math.max(0, at - now()));
        // One listener per pending call of the operation (a page's 50 per-contact reads wait on it
        // at once), each removed when its call settles (http.transport.ts, rate-governor.ts,
        // governance.clock.ts, contacts.client.ts): node's default warning at 11 would be noise.
        setMaxListeners(0, signal);
      }
      return signal;
    },
    expired: () => now() >= at || (signal?.aborted ?? false),
  };
}

/** The error a call gets once its operation's deadline has passed (`cause`: what was cut short). */
export function deadlineExceeded(request: Pick<UpstreamRequest, "method" | "route" | "idempotent">, deadline: OperationDeadline, cause?: unknown): UpstreamError {
  return new UpstreamError({
    code: "UPSTREAM_UNAVAILABLE",
    reason: "deadline",
    message: `${request.method} ${request.route}: the operation's deadline of ${deadline.ms} ms (OPERATION_DEADLINE_MS) passed before the Contacts API answered; its pending upstream work was abandoned`,
    method: request.method,
    route: request.route,
    // A write already on the wire when the deadline hit may have happened.
    outcomeUnknown: isUpstreamError(cause) ? cause.outcomeUnknown : false,
    ...(cause !== undefined ? { cause } : {}),
  });
}
