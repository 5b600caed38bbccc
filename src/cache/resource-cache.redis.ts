/**
 * The resource cache's shared tier in Redis (with REDIS_URL): every instance reads and fills the
 * same per-location entries, so a new or restarted instance serves a location another instance
 * has loaded without upstream calls.
 *
 * - A value lives under `<prefix>rc:v:<key>` as `<generations>\n<fetchedAt>\n<json>` (fetchedAt:
 *   epoch ms the value was read from the upstream, for the answers' freshness), with a TTL
 *   (CACHE_SHARED_TTL_MS, or longer for what webhooks keep current: `store`'s `ttlMs`). The generations are those of the groups a key belongs to: everything
 *   (`clear`), its location (`location`: the app was uninstalled), its contact (`contact`), its
 *   location's list pages (`lists`), its list kind (`kind`). Evicting a group is one INCR of its generation key; a value stored under older
 *   generations is a miss from then on. Deleting a key is a DEL; a `set` writes through.
 * - A value loaded after a miss is stored only if no generation moved since the miss (one Lua
 *   script compares and sets atomically): an invalidation during the upstream call wins.
 * - Best effort: every read answers within `timeoutMs` (a miss when Redis is slow or away), and
 *   writes are fire-and-forget. Values are the upstream's plain JSON objects.
 * Sizing: each entry is one upstream object or list (≈0.3–5 KB); with 100 calls per 10 s per
 * location the set grows slowly, and the TTL bounds it. Run Redis with `maxmemory` and
 * `maxmemory-policy allkeys-lru` (or volatile-lru) when it also holds other data (README).
 */
import type { Redis } from "ioredis";
import type { ResourceRegistry } from "../upstream/resources.js";
import { PAGE_KINDS } from "../upstream/resources.js";
import type { CacheChange, SharedCacheTier, SharedEntryMeta } from "./resource-cache.js";
import { serializeKey, type ResourceKey } from "./resource-key.js";

export interface RedisSharedCacheOptions {
  /** The process's command connection (src/redis/redis.connections.ts). */
  redis: () => Redis;
  /** config.redis.keyPrefix. */
  keyPrefix: string;
  /** Lifetime of a shared entry, ms. */
  ttlMs: number;
  /** The longest lifetime `store` may ask for (`keptMs`: CACHE_WEBHOOK_TTL_MS), ms. Default `ttlMs`. */
  maxTtlMs?: number;
  registry: Pick<ResourceRegistry, "isListKind">;
  /** A read slower than this is a miss. Default 250 ms. */
  timeoutMs?: number;
  /** Told once per failure burst (never with values). */
  onError?: (error: unknown) => void;
}

/** Compare-and-set: store ARGV[2] only if the generations (KEYS[2..]) still read ARGV[1] ('' = any). */
const STORE = `
local g = redis.call('MGET', unpack(KEYS, 2, #KEYS))
for i = 1, #g do if not g[i] then g[i] = '0' end end
local now = cjson.encode(g)
if ARGV[1] ~= '' and ARGV[1] ~= now then return 0 end
redis.call('SET', KEYS[1], now .. '\\n' .. ARGV[2], 'PX', ARGV[3])
return 1`;

export function createRedisSharedCache(options: RedisSharedCacheOptions): SharedCacheTier {
  const { keyPrefix, ttlMs, registry, onError } = options;
  const timeoutMs = options.timeoutMs ?? 250;
  // Outlives every value stored under it (values of webhook-kept kinds may live `maxTtlMs`).
  const generationTtlMs = Math.max(ttlMs, options.maxTtlMs ?? 0) * 2;
  const valueKey = (key: ResourceKey) => `${keyPrefix}rc:v:${serializeKey(key)}`;
  const gen = {
    all: () => `${keyPrefix}rc:g:all`,
    location: (locationId: string) => `${keyPrefix}rc:g:l:${locationId}`,
    contact: (locationId: string, contactId: string) => `${keyPrefix}rc:g:c:${locationId}\u0000${contactId}`,
    pages: (locationId: string) => `${keyPrefix}rc:g:p:${locationId}`,
    kind: (locationId: string, kind: string) => `${keyPrefix}rc:g:k:${locationId}\u0000${kind}`,
  };
  const generationsOf = (key: ResourceKey): string[] => {
    const list = [gen.all(), gen.location(key.locationId)];
    if (key.contactId !== undefined) list.push(gen.contact(key.locationId, key.contactId));
    if (PAGE_KINDS.includes(key.kind)) list.push(gen.pages(key.locationId));
    if (registry.isListKind(key.kind)) list.push(gen.kind(key.locationId, key.kind));
    return list;
  };
  let failing = false;
  const failed = (error: unknown) => {
    if (!failing) onError?.(error);
    failing = true;
  };
  const ok = () => {
    failing = false;
  };

  const write = (key: ResourceKey, value: unknown, expected: string, meta: SharedEntryMeta | undefined) => {
    // A shorter lifetime (a short-lived kind) caps the tier's; what webhooks keep current lives longer.
    let lifetimeMs = Math.min(ttlMs, meta?.ttlMs ?? Infinity);
    if (meta?.keptMs !== undefined) lifetimeMs = Math.max(lifetimeMs, meta.keptMs);
    if (lifetimeMs <= 0) return;
    let payload: string;
    try {
      payload = JSON.stringify(value);
    } catch {
      return; // not JSON: never shared
    }
    if (payload === undefined) return;
    const keys = [valueKey(key), ...generationsOf(key)];
    const fetchedAt = Math.round(meta?.fetchedAt ?? Date.now());
    options
      .redis()
      .eval(STORE, keys.length, ...keys, expected, `${fetchedAt}\n${payload}`, String(lifetimeMs))
      .then(ok, failed);
  };
  const bump = (key: string) => {
    options.redis().multi().incr(key).pexpire(key, generationTtlMs).exec().then(ok, failed);
  };

  return {
    async get(key) {
      const keys = [valueKey(key), ...generationsOf(key)];
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const found = await Promise.race([
          options.redis().mget(...keys),
          new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), timeoutMs);
          }),
        ]);
        if (!found) return { hit: false, token: undefined };
        ok();
        const generations = JSON.stringify(found.slice(1).map((g) => g ?? "0"));
        const stored = found[0];
        if (stored) {
          const newline = stored.indexOf("\n");
          const second = newline > 0 ? stored.indexOf("\n", newline + 1) : -1;
          const fetchedAt = second > 0 ? Number(stored.slice(newline + 1, second)) : Number.NaN;
          if (Number.isFinite(fetchedAt) && stored.slice(0, newline) === generations) {
            return { hit: true, value: JSON.parse(stored.slice(second + 1)) as unknown, fetchedAt, token: generations };
          }
        }
        return { hit: false, token: generations };
      } catch (error) {
        failed(error);
        return { hit: false, token: undefined };
      } finally {
        clearTimeout(timer);
      }
    },

    store(key, value, token, meta) {
      // Without a token (the miss could not read the generations) nothing proves the value current.
      if (typeof token === "string") write(key, value, token, meta);
    },

    apply(change: CacheChange, meta) {
      switch (change.type) {
        case "set":
          write(change.key, change.value, "", change.ttlMs === undefined ? meta : { ...meta, fetchedAt: meta?.fetchedAt ?? Date.now(), ttlMs: change.ttlMs });
          break;
        case "delete":
          options.redis().del(valueKey(change.key)).then(ok, failed);
          break;
        case "contact":
          bump(gen.contact(change.locationId, change.contactId));
          break;
        case "lists":
          bump(gen.pages(change.locationId));
          break;
        case "kind":
          bump(gen.kind(change.locationId, change.kind));
          break;
        case "location": // the app was uninstalled there
          bump(gen.location(change.locationId));
          break;
        case "clear":
          bump(gen.all());
          break;
      }
    },
  };
}
