/**
 * The pub/sub that carries accepted `ContactEvent`s to `contactEvents` subscribers, one topic per
 * location (`<prefix>contactEvents:<locationId>`), so a subscriber only ever receives events of
 * the location it subscribed to.
 *
 * - memory (one instance): `createPubSub()` from @graphql-yoga/subscription.
 * - redis (REDIS_URL): the same `createPubSub` over `createRedisEventTarget` and two ioredis
 *   clients, so an event accepted by any instance reaches subscribers on every instance.
 *   `publish` goes straight to the command client and is awaited, so a Redis outage surfaces as an
 *   error (→ the intake answers 429) instead of an unhandled rejection inside the event target.
 *   The subscriber client re-subscribes by itself after a reconnect (ioredis `autoResubscribe`),
 *   and waits for Redis without giving up (`maxRetriesPerRequest: null`), so open subscriptions
 *   resume when Redis returns.
 */
import { setMaxListeners } from "node:events";
import { createPubSub } from "@graphql-yoga/subscription";
import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import type { Redis } from "ioredis";
import type { ContactEvent } from "./contact-event.types.js";

export interface ContactEventBus {
  readonly mode: "memory" | "redis";
  /** Resolves once the event is handed to every instance's subscribers; rejects when it cannot be. */
  publish(event: ContactEvent): Promise<void>;
  /** Every event of one location, from now on, until the iterator is returned. */
  subscribe(locationId: string): AsyncIterableIterator<ContactEvent>;
}

type Topics = { contactEvents: [locationId: string, event: ContactEvent] };

/** One instance: events stay in this process. */
export function createMemoryEventBus(): ContactEventBus {
  // One listener per open subscription: hundreds per location are normal, not a leak.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubsub = createPubSub<Topics>({ eventTarget });
  return {
    mode: "memory",
    async publish(event) {
      pubsub.publish("contactEvents", event.locationId, event);
    },
    subscribe(locationId) {
      return pubsub.subscribe("contactEvents", locationId) as AsyncIterableIterator<ContactEvent>;
    },
  };
}

export interface RedisEventBusOptions {
  /** Command client: used to PUBLISH (should fail fast: `enableOfflineQueue: false`). */
  publishClient: Redis;
  /** Dedicated subscriber-mode client (`maxRetriesPerRequest: null`, `autoResubscribe` on). */
  subscribeClient: Redis;
  /** Deployment key prefix (config.redis.keyPrefix); also prefixes channels so deployments do not mix. */
  keyPrefix: string;
}

/** Channel of one location's events (exported for tests and operators). */
export const contactEventsChannel = (keyPrefix: string, locationId: string): string =>
  `${keyPrefix}contactEvents:${locationId}`;

export function createRedisEventBus(options: RedisEventBusOptions): ContactEventBus {
  const { publishClient, subscribeClient, keyPrefix } = options;
  const routingKey = `${keyPrefix}contactEvents`;
  const pubsub = createPubSub<Record<string, [locationId: string, event: ContactEvent]>>({
    eventTarget: createRedisEventTarget({ publishClient, subscribeClient: withoutUnhandledRejections(subscribeClient) }),
  });
  return {
    mode: "redis",
    async publish(event) {
      await publishClient.publish(contactEventsChannel(keyPrefix, event.locationId), JSON.stringify(event));
    },
    subscribe(locationId) {
      return pubsub.subscribe(routingKey, locationId) as AsyncIterableIterator<ContactEvent>;
    },
  };
}

/**
 * The event target fires SUBSCRIBE/UNSUBSCRIBE without awaiting them. They normally wait out an
 * outage (no retry limit on the subscriber), but a client closed while Redis is away rejects its
 * queued commands: catch those here instead of letting an unhandled rejection end the process.
 */
function withoutUnhandledRejections(client: Redis): Redis {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "subscribe" || property === "unsubscribe") {
        return (...channels: string[]) => (target[property] as (...c: string[]) => Promise<unknown>).apply(target, channels).catch(() => undefined);
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
