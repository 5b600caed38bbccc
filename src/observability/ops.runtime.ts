/**
 * The operations side of one gateway, assembled for the composition root:
 * - the metrics registry and the upstream metrics middleware (innermost: one count per HTTP call);
 * - upstream credentials: the environment's static location plus every OAuth location in the
 *   encrypted credential store (with a Redis refresh lock when REDIS_URL is set);
 * - a gateway feature (structurally a `GatewayFeature`; nothing here imports server/) mounting
 *   `GET /readyz` (location ids only for a bearer of METRICS_TOKEN), `GET /metrics` (behind
 *   METRICS_TOKEN when set), `GET /oauth/install` and `GET /oauth/callback`, wiring the
 *   cache counters into the metrics, and closing the store (not the Redis connection: the
 *   composition root owns it, src/redis/).
 * Created before the upstream client (the client needs the credentials and the middleware).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Express } from "express";
import type { Redis } from "ioredis";
import type { Config } from "../config/index.js";
import { createGatewayCredentials, type GatewayCredentials } from "../credentials/credentials.setup.js";
import type { CredentialProvider, UpstreamMiddleware } from "../upstream/index.js";
import type { Logger } from "./logger.js";
import { createGatewayMetrics, type GatewayMetrics } from "./metrics.js";
import { createMetricsMiddleware } from "./metrics.middleware.js";
import { createReadinessCheck, createReadinessHandler, type ReadinessCheck } from "./readiness.js";

export interface OpsRuntimeOptions {
  config: Config;
  logger: Logger;
  /** The upstream actually used (the simulator's URL in demo mode and tests). */
  upstreamBaseUrl: string;
  /** The environment's one-location provider (CONTACTS_API_TOKEN + CONTACTS_LOCATION_ID), if any. */
  staticCredentials?: CredentialProvider;
  /** The process's Redis command connection when REDIS_URL is set (src/redis/; not closed here). */
  redis?: Redis;
  /** Collect Node process metrics too (CPU, memory, event loop, GC). Default false (tests); `npm start` turns it on. */
  processMetrics?: boolean;
  /** Readiness cache, ms. Default 2_000. */
  readinessCacheMs?: number;
  /** A location was installed through the OAuth callback (the gateway warms it). */
  onInstalled?: (locationId: string) => void;
  /** Progress of background work `/readyz` reports without waiting for it (the warm-up). */
  readinessProgress?: () => Record<string, unknown> | undefined;
}

export interface OpsRuntime {
  readonly metrics: GatewayMetrics;
  /** Static + stored OAuth locations; `undefined` when neither is configured. */
  readonly credentials: CredentialProvider | undefined;
  readonly gatewayCredentials: GatewayCredentials;
  readonly readiness: ReadinessCheck;
  /** Put LAST in the upstream middleware list. */
  readonly metricsMiddleware: UpstreamMiddleware;
  /** The ops gateway feature factory (routes + close). */
  feature(internals: { cache?: { stats(): { hits: number; misses: number } }; credentials?: CredentialProvider }): {
    name: string;
    routes(app: Express): void;
    close(): Promise<void>;
  };
  close(): Promise<void>;
}

/** Whether `authorization` is `Bearer <token>` (compared in constant time); false when no token is configured. */
export function bearerOf(authorization: string | string[] | undefined, token: string | undefined): boolean {
  if (token === undefined || typeof authorization !== "string") return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return false;
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

export async function createOpsRuntime(options: OpsRuntimeOptions): Promise<OpsRuntime> {
  const { config, logger } = options;
  const metricsToken = config.ops.metricsToken;
  const metrics = createGatewayMetrics({ processMetrics: options.processMetrics ?? false });
  const redis = options.redis;

  const gatewayCredentials = createGatewayCredentials({
    config,
    upstreamBaseUrl: options.upstreamBaseUrl,
    ...(options.staticCredentials ? { staticProvider: options.staticCredentials } : {}),
    ...(redis ? { redis } : {}),
    logger: logger.child({ component: "credentials" }),
    onRefresh: (event) => metrics.recordTokenRefresh(event.outcome),
    ...(options.onInstalled ? { onInstalled: options.onInstalled } : {}),
  });
  await gatewayCredentials.start();
  // The provider the client actually uses (the gateway may be given its own: demo mode, tests).
  let served: CredentialProvider | undefined = gatewayCredentials.provider;
  const readiness = createReadinessCheck({
    upstreamBaseUrl: options.upstreamBaseUrl,
    ...(redis ? { redis } : {}),
    breakerStates: () => metrics.sources.breakerStates?.() ?? [],
    servedLocations: async () => (served ? served.locations() : []),
    cacheMs: options.readinessCacheMs ?? 2_000,
  });

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await gatewayCredentials.close();
    })());

  return {
    metrics,
    credentials: gatewayCredentials.provider,
    gatewayCredentials,
    readiness,
    metricsMiddleware: createMetricsMiddleware({ metrics }),
    feature(internals) {
      served = internals.credentials ?? served;
      if (internals.cache && !metrics.sources.cacheStats) {
        const cache = internals.cache;
        metrics.setSources({ cacheStats: () => cache.stats() });
      }
      return {
        name: "ops",
        routes(app) {
          app.get(
            "/readyz",
            createReadinessHandler(readiness, {
              showLocations: (req) => bearerOf(req.headers.authorization, metricsToken),
              ...(options.readinessProgress ? { progress: options.readinessProgress } : {}),
            }),
          );
          app.get("/metrics", async (req, res) => {
            if (metricsToken !== undefined && !bearerOf(req.headers.authorization, metricsToken)) {
              res
                .status(401)
                .set({ "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" })
                .json({ error: "unauthorized", message: "GET /metrics: expected the header Authorization: Bearer <METRICS_TOKEN>" });
              return;
            }
            res.setHeader("content-type", metrics.contentType);
            res.setHeader("cache-control", "no-store");
            res.send(await metrics.render());
          });
          app.use(gatewayCredentials.router);
        },
        close,
      };
    },
    close,
  };
}
