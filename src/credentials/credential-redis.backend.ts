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

// Compare-and-set on one hash field: replace only if the stored envelope still has the expected IV.
const REPLACE_IF_SCRIPT = `
local current = redis.call("HGET", KEYS[1], ARGV[1])
if not current then return 0 end
local ok, decoded = pcall(cjson.decode, current)
if not ok or decoded.iv ~= ARGV[2] then return 0 end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[3])
return 1`;

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
    async replaceIf(locationId, expectedIv, envelope) {
      const written = await redis.eval(REPLACE_IF_SCRIPT, 1, hashKey, locationId, expectedIv, JSON.stringify(envelope));
      return written === 1;
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
