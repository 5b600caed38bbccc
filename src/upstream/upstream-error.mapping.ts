/**
 * Turns a non-2xx Contacts API response into an `UpstreamError`, following the observed behaviour
 * in FACTS.md: a missing contact is a 400 "Contact with id X not found" (NOT_FOUND, not a generic
 * bad request); 401 is overloaded (bad token, missing scope, missing Version); a duplicate contact
 * is a 400 with `meta.contactId`; 422 carries a `message` array. A POST (the one non-idempotent
 * method) answered 500, 502 or 504 may have been carried out before the failure: its outcome is
 * unknown, so nothing may repeat it blindly (the Idempotency-Key rules in README "Mutations").
 */
import type { HttpMethod, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";
import { UpstreamError, type UpstreamErrorCode, type UpstreamErrorReason } from "./upstream.error.js";

/** 5xx answers after which a non-idempotent write may or may not have happened (503 means "not processed"). */
const OUTCOME_UNKNOWN_STATUSES: ReadonlySet<number> = new Set([500, 502, 504]);

export function scopeForMethod(method: HttpMethod | string): string {
  return method === "GET" ? "contacts.readonly" : "contacts.write";
}


/** Milliseconds the upstream asks us to wait: `Retry-After` (seconds or date), else the rate-limit interval on a 429. */
export function retryAfterFromHeaders(headers: UpstreamResponse["headers"], status: number, now = Date.now()): number | undefined {
  const retryAfter = headerValue(headers, "retry-after");
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (status === 429) {
    const interval = Number(headerValue(headers, "x-ratelimit-interval-milliseconds"));
    if (Number.isFinite(interval) && interval > 0) return interval;
  }
  return undefined;
}

export function headerValue(headers: UpstreamResponse["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function errorFromResponse(request: Pick<UpstreamRequest, "method" | "route"> & Partial<Pick<UpstreamRequest, "scope" | "idempotent">>, response: UpstreamResponse): UpstreamError {
  const body = (response.body && typeof response.body === "object" ? response.body : {}) as Record<string, unknown>;
  const messages = toMessages(body.message ?? (typeof response.body === "string" ? response.body : undefined));
  const traceId = typeof body.traceId === "string" ? body.traceId : undefined;
  const joined = messages.join("; ");
  const status = response.status;
  const base = { status, method: request.method, route: request.route, upstreamMessages: messages, traceId };
  const make = (code: UpstreamErrorCode, reason: UpstreamErrorReason, summary: string, extra: Partial<ConstructorParameters<typeof UpstreamError>[0]> = {}) =>
    new UpstreamError({ ...base, code, reason, message: `${request.method} ${request.route}: ${summary}`, ...extra });

  if (status === 400 && /not found/i.test(joined)) return make("NOT_FOUND", "not_found", joined);
  // NestJS answers an unserved route with 404 "Cannot GET /path": that is a wrong base URL or
  // route, not a missing resource (which HighLevel answers with a 400), and must not read as null.
  if (status === 404 && /^Cannot [A-Z]+ \//.test(joined)) {
    return make("UPSTREAM_ERROR", "unexpected", "the upstream does not serve this route (404): check CONTACTS_API_URL");
  }
  if (status === 404) return make("NOT_FOUND", "not_found", joined || "not found");
  if (status === 400 && /duplicat/i.test(joined)) {
    const meta = (body.meta ?? {}) as Record<string, unknown>;
    const existing = typeof meta.contactId === "string" ? meta.contactId : undefined;
    return make("CONFLICT", "duplicate_contact", joined, { existingContactId: existing });
  }
  if (status === 400 || status === 422) return make("BAD_USER_INPUT", "validation", joined || "the upstream rejected the request");
  if (status === 401) {
    if (/not authorized for this scope/i.test(joined)) {
      return make("FORBIDDEN", "missing_scope", `the upstream credential lacks the ${request.scope ?? scopeForMethod(request.method)} scope`);
    }
    if (/version header/i.test(joined)) return make("UPSTREAM_ERROR", "missing_version", joined);
    return make("UPSTREAM_ERROR", "invalid_token", "the upstream rejected the gateway's credential (invalid or expired token)");
  }
  if (status === 403) return make("FORBIDDEN", "location_forbidden", joined || "the upstream credential has no access to this location");
  if (status === 429) {
    return make("UPSTREAM_RATE_LIMITED", "rate_limited", "the upstream rate limit was reached", {
      retryAfterMs: retryAfterFromHeaders(response.headers, status),
    });
  }
  if (status >= 500) {
    return make("UPSTREAM_ERROR", "server_error", `upstream answered ${status}${joined ? ` (${joined})` : ""}`, {
      outcomeUnknown: request.method === "POST" && request.idempotent !== true && OUTCOME_UNKNOWN_STATUSES.has(status),
    });
  }
  return make("UPSTREAM_ERROR", "unexpected", `unexpected upstream status ${status}`);
}

function toMessages(message: unknown): string[] {
  if (Array.isArray(message)) return message.map(String);
  if (typeof message === "string" && message.length > 0) return [message.slice(0, 1000)];
  return [];
}
