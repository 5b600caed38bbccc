/**
 * Keeps every instance's resource cache in step (multi-instance mode): each local change of the
 * shared cache (`onInvalidate`: a key written or deleted, a contact evicted, lists invalidated)
 * is published on one Redis channel, and every other instance applies the same eviction through
 * the cache's one change path, `applyChange(…, { origin: "remote" })`. Which per-contact kinds a
 * message may name comes from the cache's resource registry (src/upstream/resources.ts). A written value is not shipped: the other instances evict that key and load
 * it again on demand. Echo loops are avoided twice: remote changes are never re-broadcast, and an
 * instance ignores messages carrying its own origin id.
 * Publishing is best effort (an outage loses invalidations; entries still expire by TTL).
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CacheChange, InvalidationEvent, PerContactListKind, ResourceCache, ResourceKey } from "../cache/index.js";

/** The slice of the cache this module drives. */
export type InvalidatableCache = Pick<ResourceCache, "onInvalidate" | "applyChange" | "registry">;

export type InvalidationMessage =
  | { origin: string; type: "key"; key: ResourceKey }
  | { origin: string; type: "contact"; locationId: string; contactId: string }
  | { origin: string; type: "lists"; locationId: string }
  | { origin: string; type: "kind"; locationId: string; kind: PerContactListKind }
  | { origin: string; type: "location"; locationId: string }
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
    case "delete":
    case "set": // the value is not shipped: the other instances drop the key and load it on demand
      return { origin, type: "key", key: event.key };
    case "contact":
      return { origin, type: "contact", locationId: event.locationId, contactId: event.contactId };
    case "lists":
      return { origin, type: "lists", locationId: event.locationId };
    case "kind":
      return { origin, type: "kind", locationId: event.locationId, kind: event.kind };
    case "location":
      return { origin, type: "location", locationId: event.locationId };
    case "clear":
      return { origin, type: "clear" };
  }
}

/** The change a message asks for, or undefined for one this instance cannot apply (a kind its registry lacks). */
export function changeOfMessage(registry: InvalidatableCache["registry"], message: InvalidationMessage): CacheChange | undefined {
  switch (message.type) {
    case "key":
      return registry.kinds.includes(message.key.kind) ? { type: "delete", key: message.key } : undefined;
    case "contact":
      return { type: "contact", locationId: message.locationId, contactId: message.contactId };
    case "lists":
      return { type: "lists", locationId: message.locationId };
    case "kind":
      return registry.isListKind(message.kind) ? { type: "kind", locationId: message.locationId, kind: message.kind } : undefined;
    case "location":
      return { type: "location", locationId: message.locationId };
    case "clear":
      return { type: "clear" };
  }
}

export function applyInvalidationMessage(cache: InvalidatableCache, message: InvalidationMessage): void {
  const change = changeOfMessage(cache.registry, message);
  if (change) cache.applyChange(change, { origin: "remote" });
}

const isString = (v: unknown): v is string => typeof v === "string";

/** A well-formed message (another instance's, or anything else on the channel: checked, never trusted). */
function isMessage(v: unknown): v is InvalidationMessage {
  if (typeof v !== "object" || v === null) return false;
  const m = v as Record<string, unknown>;
  if (!isString(m["origin"])) return false;
  switch (m["type"]) {
    case "key": {
      const key = m["key"] as Record<string, unknown> | null | undefined;
      return typeof key === "object" && key !== null && isString(key["locationId"]) && isString(key["kind"]) && isString(key["id"]) &&
        (key["contactId"] === undefined || isString(key["contactId"]));
    }
    case "contact":
      return isString(m["locationId"]) && isString(m["contactId"]);
    case "lists":
    case "location":
      return isString(m["locationId"]);
    case "kind":
      return isString(m["locationId"]) && isString(m["kind"]);
    case "clear":
      return true;
    default:
      return false;
  }
}

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
