/**
 * Assembles live events for one gateway from its config, so the composition root only mounts the
 * route and hands the bus to GraphQL:
 * - single instance (no REDIS_URL): memory pub/sub, memory de-duplication;
 * - multi-instance (REDIS_URL, the process's two connections passed in as `redis`): Redis pub/sub fan-out, de-duplication shared in Redis
 *   (`<prefix>webhook:<id>`, SET NX PX), cache-invalidation broadcast to every instance.
 * Trusted keys are HighLevel's (config.webhooks, overridable by env) plus, only when the caller
 * passes them, extra keys (demo mode trusts the embedded simulator's keys; nothing else should).
 */
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { ResourceCache } from "../cache/index.js";
import { createCacheInvalidationBroadcast, type CacheInvalidationBroadcast } from "../events/cache-invalidation.broadcast.js";
import { createEventCacheApplier } from "../events/event-cache.apply.js";
import { createMemoryEventBus, createRedisEventBus, type ContactEventBus } from "../events/event-bus.js";
import type { ContactEvent } from "../events/contact-event.types.js";
import { createMemoryEchoStore, createRedisEchoStore, type EventEchoStore } from "../events/event-echo.store.js";
import { createTaskRevalidation } from "../events/task-update.emitter.js";
import type { RedisConnections } from "../redis/index.js";
import { createMemoryDedupStore, createRedisDedupStore } from "./webhook-dedup.store.js";
import { createWebhookIntake, type WebhookOutcome } from "./webhook.intake.js";
import { createWebhookRoute, type WebhookRequestHandler } from "./webhook.route.js";
import { createWebhookSignatureVerifier } from "./webhook-signature.verify.js";

export interface LiveEventsOptions {
  config: Pick<Config, "webhooks" | "redis">;
  cache: ResourceCache;
  /**
   * The process's Redis connections when REDIS_URL is set (src/redis/, owned and closed by the
   * composition root): the command one publishes and de-duplicates, the subscriber one listens.
   */
  redis?: Pick<RedisConnections, "command" | "subscriber" | "waitReady">;
  logger?: Logger;
  /** Additional trusted public keys (demo mode: the embedded simulator's). */
  extraTrustedKeys?: { ed25519PublicKeyPem?: string; rsaPublicKeyPem?: string };
  /** Metrics hook (e.g. `metrics.recordWebhookEvent`). */
  onWebhookOutcome?: (type: string, outcome: WebhookOutcome) => void;
  /** A signed, new delivery for a location was accepted (src/cache/webhook-activity.state.ts: its webhooks flow), with its event. */
  onDelivery?: (locationId: string, event: ContactEvent) => void;
  /** AppInstall / AppUninstall of a location (the composition root purges an uninstalled one). */
  onAppLifecycle?: (change: { action: "install" | "uninstall"; locationId: string }) => Promise<void>;
  now?: () => number;
}

export interface LiveEvents {
  readonly bus: ContactEventBus;
  /**
   * Publishes the gateway's own announcement of a write (source GATEWAY) unless HighLevel's webhook
   * for the same change was delivered first; the webhook that follows it is then not delivered again.
   */
  announce(event: ContactEvent): Promise<void>;
  /** `POST /webhooks/highlevel`: mount before any JSON body parser. */
  readonly webhookRoute: WebhookRequestHandler;
  /** Starts the invalidation broadcast; waits up to `redisReadyTimeoutMs` for Redis (never fails on it). */
  start(options?: { redisReadyTimeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
}

export function createLiveEvents(options: LiveEventsOptions): LiveEvents {
  const { config, cache, logger, extraTrustedKeys, onWebhookOutcome, now } = options;
  const log = logger?.child({ component: "webhooks" });
  const verifier = createWebhookSignatureVerifier({
    ed25519PublicKeyPems: [config.webhooks.ed25519PublicKeyPem, ...(extraTrustedKeys?.ed25519PublicKeyPem ? [extraTrustedKeys.ed25519PublicKeyPem] : [])],
    rsaPublicKeyPems: [config.webhooks.rsaPublicKeyPem, ...(extraTrustedKeys?.rsaPublicKeyPem ? [extraTrustedKeys.rsaPublicKeyPem] : [])],
  });
  // Ids are kept a little longer than the replay window, so nothing in the window is forgotten;
  // ids of deliveries without a timestamp (no age check) far longer (webhook.intake.ts).
  const dedupTtlMs = config.webhooks.replayWindowMs + 10 * 60_000;
  const untimedTtlMs = Math.max(config.webhooks.untimedDedupMs, dedupTtlMs);

  const { redis } = options;
  let bus: ContactEventBus;
  let broadcast: CacheInvalidationBroadcast | undefined;
  let dedup;
  let untimedDedup;
  let echoes: EventEchoStore;
  if (redis) {
    const command = redis.command();
    const subscriber = redis.subscriber();
    bus = createRedisEventBus({ publishClient: command, subscribeClient: subscriber, keyPrefix: config.redis.keyPrefix });
    dedup = createRedisDedupStore({ redis: command, keyPrefix: config.redis.keyPrefix, ttlMs: dedupTtlMs });
    untimedDedup = createRedisDedupStore({ redis: command, keyPrefix: config.redis.keyPrefix, ttlMs: untimedTtlMs });
    echoes = createRedisEchoStore({ redis: command, keyPrefix: config.redis.keyPrefix });
    broadcast = createCacheInvalidationBroadcast({
      cache,
      publishClient: command,
      subscribeClient: subscriber,
      keyPrefix: config.redis.keyPrefix,
      ...(log ? { logger: log } : {}),
    });
  } else {
    bus = createMemoryEventBus();
    dedup = createMemoryDedupStore({ ttlMs: dedupTtlMs, ...(now ? { now } : {}) });
    // One instance without Redis: kept in memory only (lost on restart; README says so), bounded.
    untimedDedup = createMemoryDedupStore({ ttlMs: untimedTtlMs, maxEntries: 100_000, ...(now ? { now } : {}) });
    echoes = createMemoryEchoStore(now ? { now } : {});
  }

  // Orders late/out-of-order deliveries against newer cached state; deletions are remembered for
  // as long as a late retry can still be accepted.
  const applier = createEventCacheApplier({ cache, tombstoneTtlMs: config.webhooks.replayWindowMs, ...(now ? { now } : {}) });
  const intake = createWebhookIntake({
    verifier,
    dedup,
    untimedDedup,
    replayWindowMs: config.webhooks.replayWindowMs,
    applyToCache: (event) => {
      options.onDelivery?.(event.locationId, event);
      return applier.apply(event);
    },
    // A webhook the gateway already announced (its own write) is applied but not delivered again.
    publish: async (event) => {
      if ((await echoes.claim("webhook", event)) === "echo") return;
      await bus.publish(event);
    },
    ...(log ? { logger: log } : {}),
    ...(now ? { now } : {}),
    ...(onWebhookOutcome ? { onOutcome: onWebhookOutcome } : {}),
    ...(options.onAppLifecycle ? { onLifecycle: options.onAppLifecycle } : {}),
  });
  // HighLevel sends no TaskUpdate: edits made there are found when a task list is fetched again.
  const taskRevalidation = createTaskRevalidation({
    cache,
    publish: (event) => bus.publish(event),
    claimOnce: (id) => dedup.claim(id),
    ...(now ? { now } : {}),
    onError: (err) => log?.warn({ err }, "derived TASK_UPDATE not published"),
  });
  const webhookRoute = createWebhookRoute({ intake, maxBodyBytes: config.webhooks.maxBodyBytes, ...(log ? { logger: log } : {}) });

  return {
    bus,
    webhookRoute,
    async announce(event) {
      const gatewayEvent: ContactEvent = { ...event, source: "GATEWAY" };
      if ((await echoes.claim("gateway", gatewayEvent)) === "echo") return;
      await bus.publish(gatewayEvent);
    },
    async start({ redisReadyTimeoutMs = 5_000 } = {}) {
      if (!redis) return;
      if (!(await redis.waitReady(redisReadyTimeoutMs))) {
        log?.warn("redis not reachable yet: webhooks answer 429 until it is; subscriptions resume when it is");
      }
      // SUBSCRIBE is queued while Redis is away (the subscriber client keeps an offline queue).
      void broadcast?.start().catch((err: Error) => log?.warn({ error: err.message }, "cache invalidation broadcast not started"));
    },
    async close() {
      taskRevalidation.stop();
      applier.close();
      await broadcast?.stop().catch(() => undefined);
    },
  };
}
