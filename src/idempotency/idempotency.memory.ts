/**
 * In-memory idempotency store (single instance). A pending claim holds a promise that concurrent
 * repeats await, so two identical requests racing each other cause one upstream write.
 * Time is injectable (`now`) so the 24 h TTL is testable in milliseconds.
 */
import { LRUCache } from "lru-cache";
import { idempotencyStoreKey } from "./idempotency.key.js";
import {
  IDEMPOTENCY_DEFAULTS,
  type IdempotencyClaim,
  type IdempotencyRecord,
  type IdempotencyScope,
  type IdempotencyStore,
} from "./idempotency.types.js";

export interface MemoryIdempotencyStoreOptions {
  ttlMs?: number;
  pendingTtlMs?: number;
  waitTimeoutMs?: number;
  maxEntries?: number;
  now?: () => number;
}

type Entry =
  | { state: "pending"; fingerprint: string; settled: Promise<void>; settle: () => void; expiresAtMs: number; token: object }
  | (IdempotencyRecord & { expiresAtMs: number });

export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const ttlMs = options.ttlMs ?? IDEMPOTENCY_DEFAULTS.ttlMs;
  const pendingTtlMs = options.pendingTtlMs ?? IDEMPOTENCY_DEFAULTS.pendingTtlMs;
  const waitTimeoutMs = options.waitTimeoutMs ?? IDEMPOTENCY_DEFAULTS.waitTimeoutMs;
  const now = options.now ?? Date.now;
  // A size of 1 per entry instead of `max`: lru-cache would preallocate its index arrays for
  // `maxEntries` keys at start-up (cache/resource-cache.ts explains); the same LRU eviction.
  const entries = new LRUCache<string, Entry>({ maxSize: options.maxEntries ?? IDEMPOTENCY_DEFAULTS.maxEntries, sizeCalculation: () => 1 });

  const live = (storeKey: string): Entry | undefined => {
    const entry = entries.get(storeKey);
    if (entry && entry.expiresAtMs <= now()) {
      entries.delete(storeKey);
      if (entry.state === "pending") entry.settle();
      return undefined;
    }
    return entry;
  };

  async function begin(scope: IdempotencyScope, fingerprint: string): Promise<IdempotencyClaim> {
    const storeKey = idempotencyStoreKey(scope);
    const waitUntil = now() + waitTimeoutMs;
    for (;;) {
      const entry = live(storeKey);
      if (!entry) break;
      if (entry.fingerprint !== fingerprint) return { kind: "mismatch" };
      if (entry.state === "done") return { kind: "replay", result: structuredClone(entry.result) };
      if (entry.state === "unknown") return { kind: "unknown", message: entry.message };
      const remaining = waitUntil - now();
      if (remaining <= 0) return { kind: "in_progress" };
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        entry.settled.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), remaining);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) return { kind: "in_progress" };
    }

    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const token = {};
    entries.set(storeKey, { state: "pending", fingerprint, settled, settle, expiresAtMs: now() + pendingTtlMs, token });
    // Only the holder of this claim may settle it (a claim that outlived pendingTtlMs lost the key).
    const ours = () => {
      const current = entries.get(storeKey);
      return current?.state === "pending" && current.token === token;
    };
    return {
      kind: "proceed",
      claim: {
        async complete(result) {
          if (ours()) entries.set(storeKey, { state: "done", fingerprint, result: structuredClone(result), expiresAtMs: now() + ttlMs });
          settle();
        },
        async release() {
          if (ours()) entries.delete(storeKey);
          settle();
        },
        async markUnknown(message) {
          if (ours()) entries.set(storeKey, { state: "unknown", fingerprint, message, expiresAtMs: now() + ttlMs });
          settle();
        },
      },
    };
  }

  return {
    kind: "memory",
    begin,
    async close() {
      for (const entry of entries.values()) if (entry.state === "pending") entry.settle();
      entries.clear();
    },
  };
}
