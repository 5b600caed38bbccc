/**
 * The multi-instance credential backend: one Redis hash `<prefix>credentials` whose fields are
 * location ids and whose values are encrypted envelopes (JSON). Every instance reads and writes
 * the same hash, so a token refreshed by one instance is seen by all. The Redis connection is
 * passed in (the composition root owns it) and is not closed here.
 */
import type { Redis } from "ioredis";
import type { CredentialBackend, CredentialEnvelope } from "./credential.types.js";

export interface RedisCredentialBackendOptions {
  redis: Redis;
  /** config.redis.keyPrefix, e.g. `cgw:`. */
  keyPrefix: string;
}

export function credentialsHashKey(keyPrefix: string): string {
  return `${keyPrefix}credentials`;
}

export function createRedisCredentialBackend(options: RedisCredentialBackendOptions): CredentialBackend {
  const { redis } = options;
  const hashKey = credentialsHashKey(options.keyPrefix);
  const parse = (locationId: string, raw: string): CredentialEnvelope => {
    try {
      return JSON.parse(raw) as CredentialEnvelope;
    } catch {
      throw new Error(`credential hash ${hashKey} field ${locationId}: expected an envelope as JSON, received unparsable text`);
    }
  };
  return {
    kind: "redis",
    async get(locationId) {
      const raw = await redis.hget(hashKey, locationId);
      return raw === null ? undefined : parse(locationId, raw);
    },
    async set(locationId, envelope) {
      await redis.hset(hashKey, locationId, JSON.stringify(envelope));
    },
    async delete(locationId) {
      await redis.hdel(hashKey, locationId);
    },
    async entries() {
      const all = await redis.hgetall(hashKey);
      return new Map(Object.entries(all).map(([locationId, raw]) => [locationId, parse(locationId, raw)]));
    },
    async close() {},
  };
}
