/**
 * The two Redis connections the events layer needs in multi-instance mode (REDIS_URL):
 * - `command`: PUBLISH, webhook de-duplication (`SET NX PX`). No offline queue and one retry per
 *   command, so an outage fails the call at once and the intake can answer 429 (HighLevel retries).
 * - `subscriber`: subscriber mode for event fan-out and cache-invalidation broadcast. Waits for
 *   Redis indefinitely and re-subscribes after every reconnect, so subscriptions resume by themselves.
 * Both reconnect forever with a capped backoff. Connection errors are logged once per outage.
 */
import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import type { Logger } from "pino";

export interface EventRedisClientsOptions {
  url: string;
  logger?: Logger;
  /** Upper bound of the reconnect backoff. */
  maxReconnectDelayMs?: number;
  connectTimeoutMs?: number;
}

export interface EventRedisClients {
  command: Redis;
  subscriber: Redis;
  /** Resolves when both connections are ready, or after `timeoutMs` (returns whether they are). */
  waitReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createEventRedisClients(options: EventRedisClientsOptions): EventRedisClients {
  const { url, logger, maxReconnectDelayMs = 1_000, connectTimeoutMs = 2_000 } = options;
  const retryStrategy = (times: number) => Math.min(50 * 2 ** Math.min(times, 10), maxReconnectDelayMs);
  // ioredis is loaded here, with REDIS_URL only (synchronously: it is CommonJS), so a single-instance
  // gateway never loads it.
  const { Redis } = createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
  const command = new Redis(url, {
    connectionName: "cgw-events-command",
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: connectTimeoutMs,
    retryStrategy,
  });
  const subscriber = new Redis(url, {
    connectionName: "cgw-events-subscriber",
    maxRetriesPerRequest: null,
    autoResubscribe: true,
    connectTimeout: connectTimeoutMs,
    retryStrategy,
  });
  for (const [name, client] of [
    ["command", command],
    ["subscriber", subscriber],
  ] as const) {
    let down = false;
    client.on("error", (err: Error) => {
      if (down) return;
      down = true;
      logger?.warn({ connection: name, error: err.message }, "events redis connection lost; reconnecting");
    });
    client.on("ready", () => {
      if (down) logger?.info({ connection: name }, "events redis connection restored");
      down = false;
    });
  }

  const ready = (client: Redis) =>
    client.status === "ready"
      ? Promise.resolve()
      : new Promise<void>((resolve) => client.once("ready", () => resolve()));

  return {
    command,
    subscriber,
    async waitReady(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
      });
      const result = await Promise.race([Promise.all([ready(command), ready(subscriber)]).then(() => true), timeout]);
      clearTimeout(timer);
      return result;
    },
    async close() {
      // QUIT when connected (lets queued commands finish); otherwise, or if QUIT stalls, drop the
      // connection: a QUIT queued during an outage would wait for Redis forever.
      await Promise.all(
        [command, subscriber].map(async (c) => {
          if (c.status !== "ready") return c.disconnect();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            c.quit().catch(() => undefined),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, 1_000);
              timer.unref();
            }),
          ]);
          clearTimeout(timer);
          c.disconnect();
        }),
      );
    },
  };
}
