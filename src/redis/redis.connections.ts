/**
 * The process's Redis connections (REDIS_URL): at most ONE command connection and ONE subscriber
 * connection, each created on first use and named with `CLIENT SETNAME` (`cgw:<keyPrefix>:cmd`,
 * `cgw:<keyPrefix>:sub`) so an operator can count them with `CLIENT LIST`. Every Redis user (rate
 * budget, credential store and refresh lock, idempotency store, event bus, webhook de-duplication,
 * cache-invalidation broadcast, readiness, doctor) is handed one of these two; nothing else opens
 * a Redis connection (test/unit/architecture.test.ts).
 * - command: no offline queue and one retry per command, so an outage fails a call at once (the
 *   webhook intake answers 429, the rate governor falls back to its own budget, readiness says so).
 *   Callers that need it at start wait with `waitReady`.
 * - subscriber: subscriber mode; waits for Redis indefinitely and re-subscribes after a reconnect
 *   (ioredis `autoResubscribe`), so subscriptions resume by themselves.
 * Both reconnect forever with a capped backoff (unless `reconnect: false`, the doctor's one-shot
 * check); a lost connection is logged once per outage. ioredis is loaded on first use only
 * (synchronously: it is CommonJS), so a single-instance gateway never loads it.
 */
import { createRequire } from "node:module";
import type { Redis } from "ioredis";

/** The slice of a logger used here (pino's `Logger` fits). */
export interface RedisConnectionsLogger {
  warn(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
}

export interface RedisConnectionsOptions {
  /** `redis://` or `rediss://` URL (config.redis.url). */
  url: string;
  /** config.redis.keyPrefix: part of the connection names, so two deployments on one Redis are told apart. */
  keyPrefix: string;
  logger?: RedisConnectionsLogger;
  /** Upper bound of the reconnect backoff. Default 1_000 ms. */
  maxReconnectDelayMs?: number;
  /** Default 2_000 ms. */
  connectTimeoutMs?: number;
  /** Reconnect after a lost connection. Default true; `false` for one-shot checks (doctor). */
  reconnect?: boolean;
}

export type RedisConnectionRole = "command" | "subscriber";

export interface RedisConnections {
  readonly keyPrefix: string;
  /** The names set with CLIENT SETNAME. */
  readonly names: Readonly<Record<RedisConnectionRole, string>>;
  /** The command connection, created on the first call. */
  command(): Redis;
  /** The subscriber-mode connection, created on the first call. */
  subscriber(): Redis;
  /** The roles opened so far. */
  opened(): RedisConnectionRole[];
  /**
   * Resolves true once every connection opened so far is ready, or false after `timeoutMs`
   * (never rejects).
   */
  waitReady(timeoutMs: number): Promise<boolean>;
  /** QUITs (or drops, when Redis is away or QUIT stalls) every opened connection. Idempotent. */
  close(): Promise<void>;
}

/** CLIENT SETNAME accepts no spaces or newlines: anything outside printable ASCII becomes `_`. */
export function redisConnectionName(keyPrefix: string, role: RedisConnectionRole): string {
  return `cgw:${keyPrefix.replace(/[^!-~]/g, "_")}:${role === "command" ? "cmd" : "sub"}`;
}

export function createRedisConnections(options: RedisConnectionsOptions): RedisConnections {
  const { url, keyPrefix, logger, maxReconnectDelayMs = 1_000, connectTimeoutMs = 2_000, reconnect = true } = options;
  const names = Object.freeze({
    command: redisConnectionName(keyPrefix, "command"),
    subscriber: redisConnectionName(keyPrefix, "subscriber"),
  });
  const retryStrategy = reconnect
    ? (times: number) => Math.min(50 * 2 ** Math.min(times, 10), maxReconnectDelayMs)
    : () => null;
  const open = new Map<RedisConnectionRole, Redis>();
  let closing: Promise<void> | undefined;

  function create(role: RedisConnectionRole): Redis {
    const existing = open.get(role);
    if (existing) return existing;
    if (closing) throw new Error(`Redis connections: expected an open factory, received a request for the ${role} connection after close()`);
    const { Redis } = createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
    const client =
      role === "command"
        ? new Redis(url, {
            connectionName: names.command,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            connectTimeout: connectTimeoutMs,
            retryStrategy,
          })
        : new Redis(url, {
            connectionName: names.subscriber,
            maxRetriesPerRequest: null,
            autoResubscribe: true,
            connectTimeout: connectTimeoutMs,
            retryStrategy,
          });
    let down = false;
    client.on("error", (error: Error) => {
      if (down) return;
      down = true;
      logger?.warn({ connection: role, error: error.message }, "redis connection lost; reconnecting");
    });
    client.on("ready", () => {
      if (down) logger?.info({ connection: role }, "redis connection restored");
      down = false;
    });
    open.set(role, client);
    return client;
  }

  // Ready, or given up for good ("end": closed, or no reconnect after a failure).
  const ready = (client: Redis) =>
    client.status === "ready"
      ? Promise.resolve(true)
      : client.status === "end"
        ? Promise.resolve(false)
        : new Promise<boolean>((resolve) => {
            client.once("ready", () => resolve(true));
            client.once("end", () => resolve(false));
          });

  return {
    keyPrefix,
    names,
    command: () => create("command"),
    subscriber: () => create("subscriber"),
    opened: () => [...open.keys()],
    async waitReady(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
      });
      const result = await Promise.race([Promise.all([...open.values()].map(ready)).then((all) => all.every(Boolean)), timeout]);
      clearTimeout(timer);
      return result;
    },
    close() {
      // QUIT when connected (lets sent commands finish); otherwise, or if QUIT stalls, drop the
      // connection: a QUIT queued during an outage would wait for Redis forever.
      return (closing ??= Promise.all(
        [...open.values()].map(async (client) => {
          if (client.status !== "ready") return client.disconnect();
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            client.quit().catch(() => undefined),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, 1_000);
              timer.unref();
            }),
          ]);
          clearTimeout(timer);
          client.disconnect();
        }),
      ).then(() => undefined));
    },
  };
}
