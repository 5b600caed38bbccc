/**
 * Locks that serialise token refreshes of one location. HighLevel refresh tokens are single use:
 * two concurrent refreshes with the same token make one of them fail and can strand the location.
 * - `createLocalRefreshLock`: one process (file store); a promise chain per location.
 * - `createRedisRefreshLock`: several instances; `SET key token NX PX ttl`, released by a Lua script
 *   that deletes the key only if it still holds our token (a lock that expired and was taken by
 *   another instance is never released by us). Waiters poll until they get the lock, then the
 *   caller re-reads the store (someone else probably refreshed already).
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { RefreshLock } from "./credential.types.js";

export function createLocalRefreshLock(): RefreshLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock(locationId, fn) {
      const previous = tails.get(locationId) ?? Promise.resolve();
      const run = previous.catch(() => undefined).then(fn);
      const tail = run.catch(() => undefined);
      tails.set(locationId, tail);
      try {
        return await run;
      } finally {
        if (tails.get(locationId) === tail) tails.delete(locationId);
      }
    },
  };
}

const RELEASE_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export class RefreshLockTimeoutError extends Error {
  override readonly name = "RefreshLockTimeoutError";
}

export interface RedisRefreshLockOptions {
  redis: Redis;
  keyPrefix: string;
  /** Lock lifetime; must exceed a token request's timeout. Default 30 s. */
  lockTtlMs?: number;
  /** How long a waiter waits for the lock before giving up. Default 35 s. */
  waitTimeoutMs?: number;
  /** Poll interval while waiting. Default 25 ms. */
  pollIntervalMs?: number;
}

export function refreshLockKey(keyPrefix: string, locationId: string): string {
  return `${keyPrefix}credentials:lock:${locationId}`;
}

export function createRedisRefreshLock(options: RedisRefreshLockOptions): RefreshLock {
  const { redis } = options;
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const waitTimeoutMs = options.waitTimeoutMs ?? 35_000;
  const pollIntervalMs = options.pollIntervalMs ?? 25;
  // Within the process, waiters queue locally first so only one of them polls Redis.
  const local = createLocalRefreshLock();

  return {
    withLock(locationId, fn) {
      return local.withLock(locationId, async () => {
        const key = refreshLockKey(options.keyPrefix, locationId);
        const token = randomBytes(16).toString("hex");
        const giveUpAt = Date.now() + waitTimeoutMs;
        for (;;) {
          const ok = await redis.set(key, token, "PX", lockTtlMs, "NX");
          if (ok === "OK") break;
          if (Date.now() >= giveUpAt) {
            throw new RefreshLockTimeoutError(
              `token refresh lock for location ${locationId} still held by another instance after ${waitTimeoutMs} ms`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
        }
        try {
          return await fn();
        } finally {
          await redis.eval(RELEASE_SCRIPT, 1, key, token).catch(() => undefined);
        }
      });
    },
  };
}
