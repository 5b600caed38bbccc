/**
 * What one operation read from the resource cache: every key its loaders loaded or peeked, with
 * the value they got (`undefined` for a failed load). The response cache (server/pipeline/
 * response-cache.ts) tags a stored answer with these keys, so a change to any of them, announced
 * through the cache's one change path, evicts exactly the answers that used it; the values tell it
 * when a clock-dependent answer (overdue tasks, the next appointment) changes by itself.
 * One log per operation (or per subscription event); never shared between requests.
 */
import type { ResourceCache } from "./resource-cache.js";
import type { ResourceKey } from "./resource-key.js";

export interface ReadLog {
  record(key: ResourceKey, value: unknown): void;
  /** Every read so far, in order (a key read twice appears twice). */
  reads(): ReadonlyArray<readonly [ResourceKey, unknown]>;
}

export function createReadLog(): ReadLog {
  const log: Array<readonly [ResourceKey, unknown]> = [];
  return {
    record: (key, value) => void log.push([key, value]),
    reads: () => log,
  };
}

/** The reads a loader set makes of the shared cache. */
export type CacheReads = Pick<ResourceCache, "load" | "peek">;

/** `cache`, with every load and peek recorded in `log`. */
export function recordingReads(cache: CacheReads, log: ReadLog): CacheReads {
  return {
    load: <T>(key: ResourceKey, fetch: () => Promise<T>, options?: { bypass?: boolean; ttlMs?: number }) =>
      cache.load<T>(key, fetch, options).then(
        (value) => {
          log.record(key, value);
          return value;
        },
        (error: unknown) => {
          log.record(key, undefined);
          throw error;
        },
      ),
    peek: <T>(key: ResourceKey) => {
      const value = cache.peek<T>(key);
      if (value !== undefined) log.record(key, value);
      return value;
    },
  };
}
