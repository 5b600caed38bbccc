/**
 * Vocabulary of the idempotency store: a mutation request may carry an
 * `Idempotency-Key` header; a repeat with the same key, caller and arguments within the TTL
 * (24 h) gets the first result without another upstream write, the same key with different
 * arguments is refused, and a concurrent repeat waits for the first one's result instead of
 * writing twice. Two implementations: memory (one instance) and Redis (`SET NX`, several instances).
 */

/** Who is asking with which key. The store key is derived from all three (a key is private to its caller and location). */
export interface IdempotencyScope {
  /** The caller's JWT `sub` (empty string when the token has none). */
  subject: string;
  locationId: string;
  /** The `Idempotency-Key` header value, already validated. */
  key: string;
}

/** What a finished first attempt left behind. */
export type IdempotencyRecord =
  | { state: "done"; fingerprint: string; result: unknown }
  /** The first attempt's write may or may not have happened (timeout after sending): never replayed blindly. */
  | { state: "unknown"; fingerprint: string; message: string };

/** The answer of `begin`. */
export type IdempotencyClaim =
  /** First time (or the previous holder failed without writing): do the write, then settle the claim. */
  | { kind: "proceed"; claim: IdempotencyPendingClaim }
  /** Same key, same arguments, already done: answer this result without writing. */
  | { kind: "replay"; result: unknown }
  /** Same key, different operation or arguments. */
  | { kind: "mismatch" }
  /** Same key and arguments, but the first attempt's outcome is unknown. */
  | { kind: "unknown"; message: string }
  /** Another request with this key is still running after the wait limit. */
  | { kind: "in_progress" };

export interface IdempotencyPendingClaim {
  /** Store the result (JSON-serialisable) for repeats within the TTL. */
  complete(result: unknown): Promise<void>;
  /** The write did not happen (a definite failure): free the key so a repeat may try again. */
  release(): Promise<void>;
  /** The write may have happened: repeats get `unknown` with this message until the TTL ends. */
  markUnknown(message: string): Promise<void>;
}

export interface IdempotencyStore {
  readonly kind: "memory" | "redis";
  begin(scope: IdempotencyScope, fingerprint: string): Promise<IdempotencyClaim>;
  close(): Promise<void>;
}

export const IDEMPOTENCY_DEFAULTS = {
  /** How long a finished key is remembered: 24 hours (README "Mutations"). */
  ttlMs: 24 * 60 * 60 * 1000,
  /** How long a pending claim may live before a crashed holder's key is freed: 2 minutes. */
  pendingTtlMs: 2 * 60 * 1000,
  /** How long a concurrent repeat waits for the first attempt: 30 seconds. */
  waitTimeoutMs: 30_000,
  /** Redis: poll interval while another instance holds the key: 50 ms. */
  pollIntervalMs: 50,
  /** Memory: most keys kept (least recently used dropped first). */
  maxEntries: 100_000,
} as const;
