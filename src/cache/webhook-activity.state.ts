/**
 * Whether a location's webhooks are flowing: a signed delivery for it was accepted within the last
 * `windowMs` (WEBHOOK_FLOWING_WINDOW_MS). While they flow, what HighLevel announces by webhook
 * (the registry's `webhookCoverage`) stays current in the cache without asking the upstream, so
 * the resource cache may keep it far longer than CACHE_TTL_MS (resource-cache.ts), and answers
 * say so in `extensions.freshness` (freshness.compute.ts). Silence cannot be told apart from a
 * broken delivery, so a location without a delivery for `windowMs` is treated as not flowing.
 *
 * With several instances a delivery reaches one of them: `seen` also writes the time to Redis
 * (`<prefix>webhooks:seen:<locationId>`, at most once per `shareEveryMs` per location, expiring
 * with the window), and `flowing` refreshes its memory from there in the background (at most once
 * per `shareEveryMs` per location), so every instance agrees within seconds. Redis is best effort:
 * unreachable, an instance judges by the deliveries it took itself.
 */
import type { Redis } from "ioredis";

export interface WebhookActivityOptions {
  /** How long after a delivery a location counts as flowing, ms. */
  windowMs: number;
  /** Shared through Redis (REDIS_URL): the process's command connection and the key prefix. */
  redis?: { command: () => Pick<Redis, "get" | "set">; keyPrefix: string };
  /** How often a location's time is written to or read from Redis at most, ms. Default 5_000. */
  shareEveryMs?: number;
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
}

export interface WebhookActivity {
  /** A signed delivery for `locationId` was accepted now. */
  seen(locationId: string): void;
  /** True while the location's last delivery is younger than the window. */
  flowing(locationId: string): boolean;
  /** The last delivery known for the location (epoch ms), if any. */
  lastSeenAt(locationId: string): number | undefined;
}

export function createWebhookActivity(options: WebhookActivityOptions): WebhookActivity {
  const { windowMs, redis } = options;
  const now = options.now ?? Date.now;
  const shareEveryMs = options.shareEveryMs ?? 5_000;
  const last = new Map<string, number>();
  const written = new Map<string, number>();
  const read = new Map<string, number>();
  const key = (locationId: string) => `${redis?.keyPrefix ?? ""}webhooks:seen:${locationId}`;
  const note = (locationId: string, at: number) => {
    if (at > (last.get(locationId) ?? -Infinity)) last.set(locationId, at);
  };

  const refresh = (locationId: string, at: number) => {
    if (!redis || at - (read.get(locationId) ?? -Infinity) < shareEveryMs) return;
    read.set(locationId, at);
    redis
      .command()
      .get(key(locationId))
      .then((value) => {
        const seenAt = Number(value);
        if (value !== null && Number.isFinite(seenAt)) note(locationId, seenAt);
      })
      .catch(() => undefined);
  };

  return {
    seen(locationId) {
      const at = now();
      note(locationId, at);
      if (!redis || windowMs <= 0 || at - (written.get(locationId) ?? -Infinity) < shareEveryMs) return;
      written.set(locationId, at);
      redis.command().set(key(locationId), String(at), "PX", windowMs).catch(() => undefined);
    },
    flowing(locationId) {
      if (windowMs <= 0) return false;
      const at = now();
      refresh(locationId, at);
      const seenAt = last.get(locationId);
      return seenAt !== undefined && at - seenAt < windowMs;
    },
    lastSeenAt: (locationId) => last.get(locationId),
  };
}
