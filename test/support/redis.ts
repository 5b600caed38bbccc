// Redis helpers shared by every test that touches the real Redis on 127.0.0.1:6379: a unique key
// prefix per run, and the deletion of exactly the keys under it (SCAN + DEL, never FLUSHALL/FLUSHDB).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const TEST_REDIS_URL = "redis://127.0.0.1:6379";

/** A prefix no other run uses, e.g. `test:write:<uuid>:`. */
export function uniqueRedisPrefix(area: string): string {
  return `test:${area}:${randomUUID()}:`;
}

/** Deletes every key that starts with `prefix`; returns how many were deleted. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  if (prefix.length < 5) throw new Error(`deleteKeysWithPrefix: expected a unique test prefix, received ${JSON.stringify(prefix)}`);
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}

/** A unique prefix and the cleanup of exactly its keys, on a short-lived connection of its own. */
export function redisTestPrefix(area: string): { prefix: string; cleanup(): Promise<number> } {
  const prefix = uniqueRedisPrefix(area);
  return {
    prefix,
    async cleanup() {
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        return await deleteKeysWithPrefix(redis, prefix);
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    },
  };
}
