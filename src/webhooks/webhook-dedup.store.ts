/**
 * Remembers `webhookId`s so that a re-delivered webhook (HighLevel re-sends the same payload up to
 * six times, ten minutes apart) is published once only (README, "Live events"). Ids are kept at least as long
 * as the replay window for `timestamp`; past it, the timestamp check rejects the delivery anyway.
 *
 * Two stores with one interface: in memory (one instance) and Redis (`SET key 1 NX PX ttl`, shared
 * by every instance). A Redis failure is thrown to the caller, which answers 429 so HighLevel retries.
 */
import type { Redis } from "ioredis";

export type ClaimResult = "new" | "duplicate";

export interface WebhookDedupStore {
  /** Atomically records `webhookId`; "duplicate" when it was already recorded and not expired. */
  claim(webhookId: string): Promise<ClaimResult>;
  /** Forgets `webhookId` (after a claimed delivery could not be published, so the retry is not lost). */
  release(webhookId: string): Promise<void>;
}

export interface MemoryDedupStoreOptions {
  /** How long an id is remembered (≥ the replay window). */
  ttlMs: number;
  /** Most ids kept; beyond it the oldest are forgotten first. Default: unbounded. */
  maxEntries?: number;
  /** Injectable clock (tests). */
  now?: () => number;
}

export function createMemoryDedupStore(options: MemoryDedupStoreOptions): WebhookDedupStore {
  const { ttlMs, now = Date.now, maxEntries = Number.POSITIVE_INFINITY } = options;
  // Insertion order == expiry order (fixed ttl), so sweeping from the front is enough.
  const expiresAt = new Map<string, number>();

  function sweep(t: number): void {
    for (const [id, exp] of expiresAt) {
      if (exp > t) break;
      expiresAt.delete(id);
    }
  }

  return {
    async claim(webhookId) {
      const t = now();
      sweep(t);
      const exp = expiresAt.get(webhookId);
      if (exp !== undefined && exp > t) return "duplicate";
      expiresAt.delete(webhookId);
      expiresAt.set(webhookId, t + ttlMs);
      if (expiresAt.size > maxEntries) expiresAt.delete(expiresAt.keys().next().value!);
      return "new";
    },
    async release(webhookId) {
      expiresAt.delete(webhookId);
    },
  };
}

export interface RedisDedupStoreOptions {
  /** A command client (not one in subscriber mode). Prefer `enableOfflineQueue: false` so outages fail fast. */
  redis: Redis;
  /** Shared key prefix of this deployment (config.redis.keyPrefix), e.g. "cgw:". */
  keyPrefix: string;
  ttlMs: number;
}

export function createRedisDedupStore(options: RedisDedupStoreOptions): WebhookDedupStore {
  const { redis, keyPrefix, ttlMs } = options;
  const key = (id: string) => `${keyPrefix}webhook:${id}`;
  return {
    async claim(webhookId) {
      const reply = await redis.set(key(webhookId), "1", "PX", ttlMs, "NX");
      return reply === "OK" ? "new" : "duplicate";
    },
    async release(webhookId) {
      await redis.del(key(webhookId));
    },
  };
}
