/**
 * Pure helpers of the idempotency store: validating the `Idempotency-Key` header, the store key
 * derived from caller + location + key, and the fingerprint of operation + arguments.
 */
import { createHash } from "node:crypto";
import type { IdempotencyScope } from "./idempotency.types.js";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** Visible ASCII, no spaces: what UUIDs, ULIDs and the IETF draft's examples use. */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

export type ParsedIdempotencyKey =
  | { ok: true; key: string | undefined }
  | { ok: false; expected: string; received: string };

/** Validates the header value (absent = no idempotency). A repeated header (array) is refused. */
export function parseIdempotencyKey(header: string | readonly string[] | undefined): ParsedIdempotencyKey {
  const expected = `1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters without spaces, e.g. a UUID`;
  if (header === undefined) return { ok: true, key: undefined };
  if (typeof header !== "string") {
    if (header.length === 1 && typeof header[0] === "string") return parseIdempotencyKey(header[0]);
    return { ok: false, expected: `${expected}, sent once`, received: `${header.length} header values` };
  }
  const key = header.trim();
  if (key.length === 0) return { ok: false, expected, received: "an empty value" };
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH) return { ok: false, expected, received: `${key.length} characters` };
  if (!KEY_PATTERN.test(key)) return { ok: false, expected, received: "spaces or non-ASCII characters" };
  return { ok: true, key };
}

/** A fixed-length store key: the raw header never becomes a Redis key (length, odd bytes, privacy). */
export function idempotencyStoreKey(scope: IdempotencyScope): string {
  return createHash("sha256").update(`${scope.subject}\u0000${scope.locationId}\u0000${scope.key}`).digest("hex");
}

/** JSON with sorted object keys and Dates as ISO strings; `undefined` members dropped. */
export function stableStringify(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : stableStringify(v))).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Hash of the operation name and its (coerced) arguments. */
export function idempotencyFingerprint(operation: string, args: unknown): string {
  return createHash("sha256").update(operation).update("\u0000").update(stableStringify(args)).digest("hex");
}
