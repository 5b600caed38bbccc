/**
 * Redis idempotency store (several gateway instances share keys). A claim is `SET key pending NX PX`;
 * the winner writes upstream and replaces the value with the result (`done`, 24 h TTL). A repeat on
 * any instance that finds `pending` polls until the value changes, so two instances never write
 * twice for one key. Only the claim's holder (a random owner token) may settle or free it: a
 * compare-and-set script guards against a holder that outlived its pending TTL.
 * Keys: `<keyPrefix>idem:<sha256(subject, location, key)>`; nothing else is written.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { idempotencyStoreKey } from "./idempotency.key.js";
import {
  IDEMPOTENCY_DEFAULTS,
  type IdempotencyClaim,
  type IdempotencyScope,
  type IdempotencyStore,
} from "./idempotency.types.js";

export interface RedisIdempotencyStoreOptions {
  /** A connected ioredis client (not closed by this store unless `ownsClient`). */
  redis: Redis;
  /** Prefix of every key (config `redis.keyPrefix`, e.g. `cgw:`). */
  keyPrefix: string;
  /** Close the client in `close()`. Default false. */
  ownsClient?: boolean;
  ttlMs?: number;
  pendingTtlMs?: number;
  waitTimeoutMs?: number;
  pollIntervalMs?: number;
}

interface StoredValue {
  state: "pending" | "done" | "unknown";
  fingerprint: string;
  owner?: string;
  result?: unknown;
  message?: string;
}

/** Replace (SET PX) or delete the key only while it still holds our pending claim. */
const SETTLE_SCRIPT = `
local current = redis.call("GET", KEYS[1])
if not current then return 0 end
local ok, decoded = pcall(cjson.decode, current)
if not ok or decoded.owner ~= ARGV[1] or decoded.state ~= "pending" then return 0 end
if ARGV[2] == "" then
  redis.call("DEL", KEYS[1])
else
  redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
end
return 1
`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRedisIdempotencyStore(options: RedisIdempotencyStoreOptions): IdempotencyStore {
  const { redis } = options;
  const ttlMs = options.ttlMs ?? IDEMPOTENCY_DEFAULTS.ttlMs;
  const pendingTtlMs = options.pendingTtlMs ?? IDEMPOTENCY_DEFAULTS.pendingTtlMs;
  const waitTimeoutMs = options.waitTimeoutMs ?? IDEMPOTENCY_DEFAULTS.waitTimeoutMs;
  const pollIntervalMs = options.pollIntervalMs ?? IDEMPOTENCY_DEFAULTS.pollIntervalMs;

  const settle = (key: string, owner: string, value: StoredValue | undefined) =>
    redis.eval(SETTLE_SCRIPT, 1, key, owner, value ? JSON.stringify(value) : "", String(ttlMs));

  async function begin(scope: IdempotencyScope, fingerprint: string): Promise<IdempotencyClaim> {
    const key = `${options.keyPrefix}idem:${idempotencyStoreKey(scope)}`;
    const owner = randomUUID();
    const pending = JSON.stringify({ state: "pending", fingerprint, owner } satisfies StoredValue);
    const waitUntil = Date.now() + waitTimeoutMs;
    for (;;) {
      const claimed = await redis.set(key, pending, "PX", pendingTtlMs, "NX");
      if (claimed === "OK") break;
      const raw = await redis.get(key);
      if (raw === null) continue; // freed between SET and GET: try to claim again
      let stored: StoredValue;
      try {
        stored = JSON.parse(raw) as StoredValue;
      } catch {
        return { kind: "in_progress" };
      }
      if (stored.fingerprint !== fingerprint) return { kind: "mismatch" };
      if (stored.state === "done") return { kind: "replay", result: stored.result };
      if (stored.state === "unknown") return { kind: "unknown", message: stored.message ?? "" };
      if (Date.now() >= waitUntil) return { kind: "in_progress" };
      await sleep(pollIntervalMs);
    }
    return {
      kind: "proceed",
      claim: {
        async complete(result) {
          await settle(key, owner, { state: "done", fingerprint, result });
        },
        async release() {
          await settle(key, owner, undefined);
        },
        async markUnknown(message) {
          await settle(key, owner, { state: "unknown", fingerprint, message });
        },
      },
    };
  }

  return {
    kind: "redis",
    begin,
    async close() {
      if (!options.ownsClient) return;
      // A lazy client that never connected has nothing to quit (quit would connect first).
      if (redis.status === "wait" || redis.status === "end") redis.disconnect();
      else await redis.quit().catch(() => redis.disconnect());
    },
  };
}
