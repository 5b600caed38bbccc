/**
 * Public surface of the idempotency store. `createIdempotencyStore` picks Redis when a client is
 * given (REDIS_URL set), memory otherwise.
 */
import type { Redis } from "ioredis";
import { createMemoryIdempotencyStore, type MemoryIdempotencyStoreOptions } from "./idempotency.memory.js";
import { createRedisIdempotencyStore } from "./idempotency.redis.js";
import type { IdempotencyStore } from "./idempotency.types.js";

export * from "./idempotency.types.js";
export * from "./idempotency.key.js";
export { createMemoryIdempotencyStore } from "./idempotency.memory.js";
export { createRedisIdempotencyStore } from "./idempotency.redis.js";

export interface IdempotencyStoreOptions extends MemoryIdempotencyStoreOptions {
  /** When set, keys live in Redis under `keyPrefix`. */
  redis?: Redis;
  keyPrefix?: string;
  ownsClient?: boolean;
}

export function createIdempotencyStore(options: IdempotencyStoreOptions = {}): IdempotencyStore {
  if (options.redis) {
    return createRedisIdempotencyStore({
      redis: options.redis,
      keyPrefix: options.keyPrefix ?? "cgw:",
      ownsClient: options.ownsClient,
      ttlMs: options.ttlMs,
      pendingTtlMs: options.pendingTtlMs,
      waitTimeoutMs: options.waitTimeoutMs,
    });
  }
  return createMemoryIdempotencyStore(options);
}
