/** Public surface of live events: the vocabulary, the pub/sub, applying events to the cache, and the invalidation broadcast. */
export * from "./contact-event.types.js";
export { createMemoryEventBus, createRedisEventBus, contactEventsChannel } from "./event-bus.js";
export type { ContactEventBus, RedisEventBusOptions } from "./event-bus.js";
export { createEventCacheApplier } from "./event-cache.apply.js";
export type { EventCacheApplier, EventCacheApplierOptions, EventCacheTarget } from "./event-cache.apply.js";
export { createCacheInvalidationBroadcast, invalidationChannel, applyInvalidationMessage, toInvalidationMessage } from "./cache-invalidation.broadcast.js";
export type { CacheInvalidationBroadcast, CacheInvalidationBroadcastOptions, InvalidationMessage, InvalidatableCache } from "./cache-invalidation.broadcast.js";
