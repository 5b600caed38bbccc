/**
 * Keeps every instance's resource cache in step (multi-instance mode): each local invalidation of
 * the shared cache (`onInvalidate`: a key written or deleted, a contact evicted, lists invalidated)
 * is published on one Redis channel, and every other instance applies the same eviction with
 * `{ remote: true }`. A written value is not shipped: the other instances evict that key and load
 * it again on demand. Echo loops are avoided twice: remote changes are never re-broadcast, and an
 * instance ignores messages carrying its own origin id.
 * Publishing is best effort (an outage loses invalidations; entries still expire by TTL).
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { InvalidationEvent, PerContactListKind, ResourceCache, ResourceKey } from "../cache/index.js";

/** The slice of the cache this module drives. */
export type InvalidatableCache = Pick<ResourceCache, "onInvalidate" | "delete" | "evictContact" | "invalidateLists" | "invalidateKind" | "clear">;

const PER_CONTACT_LIST_KINDS: readonly string[] = ["tasks", "notes", "appointments"];

export type InvalidationMessage =
  | { origin: string; type: "key"; key: ResourceKey }
  | { origin: string; type: "contact"; locationId: string; contactId: string }
  | { origin: string; type: "lists"; locationId: string }
  | { origin: string; type: "kind"; locationId: string; kind: PerContactListKind }
  | { origin: string; type: "clear" };

export interface CacheInvalidationBroadcastOptions {
  cache: InvalidatableCache;
  publishClient: Redis;
  /** Subscriber-mode client (may be shared with the event bus). */
  subscribeClient: Redis;
  keyPrefix: string;
  logger?: Logger;
  /** Identifies this instance in messages (default: a random UUID). */
  instanceId?: string;
}

export interface CacheInvalidationBroadcast {
  readonly channel: string;
  readonly instanceId: string;
  /** Subscribes to the channel; resolves once the subscription is registered (or queued while Redis is down). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const invalidationChannel = (keyPrefix: string): string => `${keyPrefix}cache-invalidation`;

export function toInvalidationMessage(origin: string, event: InvalidationEvent): InvalidationMessage {
  switch (event.type) {
    case "key":
    case "set":
      return { origin, type: "key", key: event.key };
    case "contact":
      return { origin, type: "contact", locationId: event.locationId, contactId: event.contactId };
    case "lists":
      return { origin, type: "lists", locationId: event.locationId };
    case "kind":
      return { origin, type: "kind", locationId: event.locationId, kind: event.kind };
    case "clear":
      return { origin, type: "clear" };
  }
}

export function applyInvalidationMessage(cache: InvalidatableCache, message: InvalidationMessage): void {
  const remote = { remote: true };
  switch (message.type) {
    case "key":
      cache.delete(message.key, remote);
      return;
    case "contact":
      cache.evictContact(message.locationId, message.contactId, remote);
      return;
    case "lists":
      cache.invalidateLists(message.locationId, remote);
      return;
    case "kind":
      if (PER_CONTACT_LIST_KINDS.includes(message.kind)) cache.invalidateKind(message.locationId, message.kind, remote);
      return;
    case "clear":
      cache.clear(remote);
      return;
  }
}

const isMessage = (v: unknown): v is InvalidationMessage =>
  typeof v === "object" && v !== null && typeof (v as { origin?: unknown }).origin === "string" &&
  ["key", "contact", "lists", "kind", "clear"].includes(String((v as { type?: unknown }).type));

export function createCacheInvalidationBroadcast(options: CacheInvalidationBroadcastOptions): CacheInvalidationBroadcast {
  const { cache, publishClient, subscribeClient, keyPrefix, logger } = options;
  const instanceId = options.instanceId ?? randomUUID();
  const channel = invalidationChannel(keyPrefix);
  let unsubscribeCache: (() => void) | undefined;

  const onMessage = (from: string, text: string) => {
    if (from !== channel) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!isMessage(message) || message.origin === instanceId) return;
    applyInvalidationMessage(cache, message);
  };

  return {
    channel,
    instanceId,
    async start() {
      subscribeClient.on("message", onMessage);
      unsubscribeCache = cache.onInvalidate((event) => {
        if (event.remote) return; // applied on behalf of another instance: do not echo
        publishClient.publish(channel, JSON.stringify(toInvalidationMessage(instanceId, event))).catch((err: Error) => {
          logger?.warn({ error: err.message }, "cache invalidation broadcast failed; other instances rely on TTL");
        });
      });
      await subscribeClient.subscribe(channel);
    },
    async stop() {
      unsubscribeCache?.();
      subscribeClient.off("message", onMessage);
      // Not awaited: during an outage the UNSUBSCRIBE would wait for Redis (closing the client ends it anyway).
      void subscribeClient.unsubscribe(channel).catch(() => undefined);
    },
  };
}
