/** The shared resource cache: keys, single-flight loads, invalidation. */
export { ResourceCache, createResourceCache } from "./resource-cache.js";
export type { ResourceCacheOptions, ChangeOptions, InvalidationEvent, InvalidationListener, CacheStats, PerContactListKind } from "./resource-cache.js";
export { keys as cacheKeys, serializeKey, RESOURCE_KINDS, CONTACT_RELATION_KINDS, LIST_KINDS } from "./resource-key.js";
export type { ResourceKey, ResourceKind } from "./resource-key.js";
