/**
 * The one error type of the upstream client. Every failure of a Contacts API call becomes an
 * `UpstreamError` with a code from one closed list (README, "Architecture") and a finer `reason`.
 * It never carries a token: only method, route template, status, the upstream's message and traceId.
 */

/** Codes shared with the GraphQL layer (README, "Architecture": errors carry `extensions.code`). */
export type UpstreamErrorCode =
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "CONFLICT"
  | "UPSTREAM_RATE_LIMITED"
  | "UPSTREAM_UNAVAILABLE"
  | "UPSTREAM_ERROR";

/** Why, in more detail than the code. */
export type UpstreamErrorReason =
  | "not_found" // 400 "Contact with id X not found" (observed), 404
  | "invalid_token" // 401 "Invalid token…": our upstream credential is bad or expired
  | "missing_scope" // 401 "The token is not authorized for this scope."
  | "missing_version" // 401 "version header was not found." / "version header is invalid"
  | "location_forbidden" // 403 "The token does not have access to this location."
  | "duplicate_contact" // 400 "This location does not allow duplicated contacts." (meta.contactId)
  | "validation" // 422 (message array) or another 400
  | "rate_limited" // 429 from the upstream, or our own governor's deadline passed
  | "server_error" // 5xx
  | "timeout" // connect/headers/body timeout
  | "deadline" // the operation's deadline passed (OPERATION_DEADLINE_MS): its pending work abandoned
  | "connection" // reset, refused, DNS…
  | "circuit_open" // breaker open: failing fast
  | "no_credentials" // the gateway holds no credential for that location
  | "unexpected"; // a 2xx we could not parse, an unknown status

export interface UpstreamErrorOptions {
  code: UpstreamErrorCode;
  reason: UpstreamErrorReason;
  message: string;
  /** HTTP status, absent for transport failures. */
  status?: number;
  method: string;
  /** The route template, e.g. `/contacts/:contactId/tasks` (never the concrete path with ids). */
  route: string;
  /** The upstream's own message(s), when it sent any. */
  upstreamMessages?: string[];
  traceId?: string;
  /** For `duplicate_contact`: the existing contact's id (`meta.contactId`). */
  existingContactId?: string;
  /** For rate limiting: how long the caller should expect to wait. */
  retryAfterMs?: number;
  /**
   * True when a non-idempotent request may have reached the upstream before it failed
   * (timeout after the request was sent): the write may have happened.
   */
  outcomeUnknown?: boolean;
  cause?: unknown;
}

export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  readonly code: UpstreamErrorCode;
  readonly reason: UpstreamErrorReason;
  readonly status: number | undefined;
  readonly method: string;
  readonly route: string;
  readonly upstreamMessages: string[];
  readonly traceId: string | undefined;
  readonly existingContactId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly outcomeUnknown: boolean;

  constructor(options: UpstreamErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.reason = options.reason;
    this.status = options.status;
    this.method = options.method;
    this.route = options.route;
    this.upstreamMessages = options.upstreamMessages ?? [];
    this.traceId = options.traceId;
    this.existingContactId = options.existingContactId;
    this.retryAfterMs = options.retryAfterMs;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }

  /** A log-safe summary (no token can be in here: tokens are never put into an UpstreamError). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      reason: this.reason,
      status: this.status,
      method: this.method,
      route: this.route,
      message: this.message,
      upstreamMessages: this.upstreamMessages,
      traceId: this.traceId,
      outcomeUnknown: this.outcomeUnknown || undefined,
    };
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}
