/** The shared resource cache: keys, single-flight loads, one `applyChange` for every change, and the changes of a write. */
export { ResourceCache, createResourceCache } from "./resource-cache.js";
export type {
  CacheChange,
  CacheStats,
  ChangeOptions,
  ChangeOrigin,
  InvalidationEvent,
  InvalidationListener,
  PerContactListKind,
  ResourceCacheOptions,
} from "./resource-cache.js";
export { keys as cacheKeys, serializeKey } from "./resource-key.js";
export type { ResourceKey, ResourceKind } from "./resource-key.js";
export { writeChanges } from "./write-changes.js";
export { createReadLog, recordingReads } from "./read-log.js";
export type { CacheReads, ReadLog } from "./read-log.js";
