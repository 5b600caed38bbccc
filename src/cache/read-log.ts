/**
 * What one operation read from the resource cache: every key its loaders loaded or peeked, with
 * the value they got (`undefined` for a failed load) and when that value was fetched from the
 * upstream (the answer's freshness, src/cache/freshness.compute.ts). The response cache (server/pipeline/
 * response-cache.ts) tags a stored answer with these keys, so a change to any of them, announced
 * through the cache's one change path, evicts exactly the answers that used it; the values tell it
 * when a clock-dependent answer (overdue tasks, the next appointment) changes by itself.
 * One log per operation (or per subscription event); never shared between requests.
 */
import type { ResourceCache } from "./resource-cache.js";
import type { ResourceKey } from "./resource-key.js";

/** One read: the key, the value (undefined: the load failed) and when that value was fetched (cache clock ms). */
export type Read = readonly [key: ResourceKey, value: unknown, fetchedAt?: number];

export interface ReadLog {
  record(key: ResourceKey, value: unknown, fetchedAt?: number): void;
  /** Every read so far, in order (a key read twice appears twice). */
  reads(): ReadonlyArray<Read>;
  /** Forgets every read (the operation's answer is out; see GatewayContext.release); arrays `reads()` returned before keep theirs. */
  clear(): void;
}

export function createReadLog(): ReadLog {
  let log: Read[] = [];
  return {
    record: (key, value, fetchedAt) => void log.push(fetchedAt === undefined ? [key, value] : [key, value, fetchedAt]),
    reads: () => log,
    // A new array: one `reads()` already handed out stays as it was.
    clear: () => void (log = []),
  };
}

/** The reads a loader set makes of the shared cache (`fetchedAt` and `now`: for the answer's freshness). */
export type CacheReads = Pick<ResourceCache, "load" | "peek"> & Partial<Pick<ResourceCache, "fetchedAt" | "now" | "lookup">>;

/** When the value just read for `key` was fetched: the cached entry's time, else now (a value that was not stored). */
const fetchedAtOf = (cache: CacheReads, key: ResourceKey): number | undefined => cache.fetchedAt?.(key) ?? cache.now?.();

/** `cache`, with every load, lookup and peek recorded in `log`. */
export function recordingReads(cache: CacheReads, log: ReadLog): CacheReads {
  const lookup = cache.lookup?.bind(cache);
  return {
    // A lookup is recorded as the load it stands for: the value and its fetch time, or a failed read.
    ...(lookup && {
      lookup: <T>(key: ResourceKey) => {
        const found = lookup<T>(key);
        if (found) log.record(key, "value" in found ? found.value : undefined, "value" in found ? found.fetchedAt : undefined);
        return found;
      },
    }),
    load: <T>(key: ResourceKey, fetch: () => Promise<T>, options?: { bypass?: boolean; ttlMs?: number }) =>
      cache.load<T>(key, fetch, options).then(
        (value) => {
          log.record(key, value, fetchedAtOf(cache, key));
          return value;
        },
        (error: unknown) => {
          log.record(key, undefined);
          throw error;
        },
      ),
    peek: <T>(key: ResourceKey) => {
      const value = cache.peek<T>(key);
      if (value !== undefined) log.record(key, value, fetchedAtOf(cache, key));
      return value;
    },
  };
}
