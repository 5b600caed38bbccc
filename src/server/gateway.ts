/**
 * The composition root: builds everything once, in order — infrastructure (logger, the process's
 * Redis connections (src/redis/: one command, one subscriber), metrics, credentials, rate governance), upstream client, cache, loaders, write services, then the
 * features (which return what they contribute and never assign into shared objects), the schema,
 * the operation pipeline (pipeline/) and its two transport adapters — and ONE `http.Server`
 * (express 5) carrying
 *   - feature raw-body routes (webhooks) — before any body parser,
 *   - `GET /healthz`,
 *   - `GET /graphql` from a browser → the self-contained GraphiQL sandbox,
 *   - feature routes (`/readyz`, `/metrics`, `/oauth/*`, `/dashboard`),
 *   - `POST /graphql` → Apollo Server 5 (`express.json()` first), the HTTP adapter of the pipeline;
 *     a response-cache hit is answered in front of express (pipeline/apollo.adapter.ts
 *     `storedAnswerListener`),
 *   - graphql-ws on the same path, the pipeline's WebSocket adapter, disposed from an Apollo
 *     `drainServer` hook (one http server for both, so graphql-ws and webhooks share the port:
 *     `startStandaloneServer` would own its own).
 * Features meet here and nowhere else. To wire a feature in, add its factory to
 * `BUILT_IN_FEATURES` and, for upstream middlewares, to `builtInUpstreamMiddlewares`.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import express, { type ErrorRequestHandler } from "express";
import type { GraphQLSchema } from "graphql";
import type { Logger } from "pino";
import { authenticateCaller, type CallerAuth } from "../auth/index.js";
import { createResourceCache, type ResourceCache } from "../cache/index.js";
import type { Config } from "../config/config.js";
import { buildGatewaySchema, createGatewayContext } from "../graphql/index.js";
import { createWriteEngine, createWriteServices, writeFeature } from "../graphql/write/index-write.js";
import type { GatewayContext, GatewayServices } from "../graphql/index.js";
import { createPerEventSubscribe } from "../graphql/event/index.js";
import { createFieldMappingState } from "./field-mapping.state.js";
import { createBulkRouteMemory, createCalendarListMemory, createFieldDefinitionsRefresh, createLoaderFactory } from "../loaders/index.js";
import { createLogger } from "../observability/logger.js";
import { createOpsRuntime } from "../observability/ops.runtime.js";
import { createRedisConnections, type RedisConnections } from "../redis/index.js";
import { createRedisSharedCache } from "../cache/resource-cache.redis.js";
import { createWebhookActivity, type WebhookActivity } from "../cache/webhook-activity.state.js";
import { createRevalidation } from "../loaders/revalidation.runner.js";
import { createWarmUp, type WarmUp } from "../loaders/warm-up.runner.js";
import { createBackgroundBudget } from "../upstream/background-budget.js";
import { freshnessAt, freshnessBasis, type FreshnessBasis } from "../cache/freshness.compute.js";
import { APPOINTMENTS, DEFAULT_RESOURCE_REGISTRY, type PerContactResource } from "../upstream/resources.js";
import { loadWeightsFor, type LoadWeights } from "../graphql/limits/index.js";
import {
  ContactsClient,
  createGovernanceRuntime,
  createOperationDeadline,
  credentialsFromConfig,
  type CredentialProvider,
  type Governance,
  type UpstreamMiddleware,
} from "../upstream/index.js";
import type { GatewayFeature, GatewayFeatureFactory, GatewayInternals } from "./gateway.feature.js";
import {
  apolloPipelineOptions,
  apolloHttpHandler,
  apolloPipelinePlugin,
  createHttpAnswers,
  checkHttpRequest,
  serveStoredAnswers,
  storedAnswerListener,
  createOperationPipeline,
  createResponseCache,
  createWebSocketAdapter,
  type ResponseExtension,
  withExtensions,
  GRAPHQL_BODY_LIMIT_BYTES,
  GRAPHQL_BODY_LIMIT_TEXT,
} from "./pipeline/index.js";
import { renderSandboxPage, wantsHtml, type SandboxOptions } from "./sandbox.page.js";
import { eventsFeature } from "./events.feature.js";
import { dashboardFeature } from "./dashboard/dashboard.feature.js";

export type { GatewayFeature, GatewayFeatureFactory, GatewayInternals } from "./gateway.feature.js";

/**
 * Features every gateway runs, in mount order. One line per feature (EVENTS, OPS, GOV, WRITE,
 * BENCH add theirs here).
 */
const BUILT_IN_FEATURES: readonly GatewayFeatureFactory[] = [writeFeature, dashboardFeature];

/** Upstream middlewares every gateway runs, outermost first: breaker → retry → rate governor (upstream/governance.ts). */
function builtInUpstreamMiddlewares(governance: Pick<Governance, "middlewares">): UpstreamMiddleware[] {
  return [...governance.middlewares];
}

export const GRAPHQL_PATH = "/graphql";

/** The background budget's lanes (upstream/background-budget.ts). */
const REVALIDATION_LANE = "revalidation";
const WARM_UP_LANE = "warmUp";

export interface GatewayOptions {
  config: Config;
  /** Default: a pino logger at `config.logLevel` on stdout. */
  logger?: Logger;
  /** Default: the single location of CONTACTS_API_TOKEN + CONTACTS_LOCATION_ID. */
  credentials?: CredentialProvider;
  /** Overrides `config.upstream.baseUrl` (demo mode and tests: the simulator's URL). */
  upstreamBaseUrl?: string;
  /** Overrides `config.auth.jwtSecret` (demo mode generates one). */
  jwtSecret?: string;
  /** Extra upstream middlewares, after the built-in ones (outermost first). */
  upstreamMiddlewares?: readonly UpstreamMiddleware[];
  /** Extra features, after the built-in ones. */
  features?: readonly GatewayFeatureFactory[];
  /** Skip the built-in features (unit-style tests of the read path only). Default false. */
  withoutBuiltInFeatures?: boolean;
  /** Sandbox page options, or `false` to serve no sandbox. */
  sandbox?: SandboxOptions | false;
  /** Also collect Node process metrics (CPU, memory, event loop, GC) on /metrics. Default false (tests); `npm start` turns it on. */
  processMetrics?: boolean;
  /** Injected cache (e.g. to share one between gateways in a test); default: one from `config.cache`. */
  cache?: ResourceCache;
  /** Injected webhook activity (tests with an injected clock); default: one from `config.webhooks`, shared through Redis. */
  webhookActivity?: WebhookActivity;
  /** The clock (epoch ms) for answers that depend on it (overdue, next appointment) and their caching. Default `Date.now`. */
  clock?: () => number;
  /**
   * Webhook public keys trusted besides HighLevel's (config). Demo mode only: the embedded
   * simulator's keys, so its signed demo webhooks are accepted. Never set for a real upstream.
   */
  trustedWebhookKeys?: { ed25519PublicKeyPem?: string; rsaPublicKeyPem?: string };
}

/** What callers of `createGateway` use (main.ts, the tests, the benchmarks). */
export interface Gateway {
  /** `http://127.0.0.1:<port>` (the host it listens on; 127.0.0.1 for wildcard binds). */
  readonly url: string;
  /** `ws://…/graphql`. */
  readonly wsUrl: string;
  readonly port: number;
  readonly config: Config;
  /** The executable schema (drift tests print it). */
  readonly schema: GraphQLSchema;
  /** The shared resource cache (tests inspect and clear it). */
  readonly cache: ResourceCache;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdFrom(header: unknown): string {
  return typeof header === "string" && REQUEST_ID.test(header) ? header : randomUUID();
}

function listenHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** The one feature contributing `key`, or undefined; two are a wiring mistake. */
function single<K extends "pubSub" | "events" | "announce">(features: readonly GatewayFeature[], key: K): GatewayFeature[K] | undefined {
  const providing = features.filter((f) => f[key] !== undefined);
  if (providing.length > 1) {
    throw new Error(`createGateway: expected at most one feature with ${key}, received ${providing.map((f) => f.name).join(", ")}`);
  }
  return providing[0]?.[key];
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const baseUrl = options.upstreamBaseUrl ?? config.upstream.baseUrl;
  if (!baseUrl) {
    throw new Error("createGateway: expected an upstream base URL (CONTACTS_API_URL or options.upstreamBaseUrl), received none");
  }
  const jwtSecret = options.jwtSecret ?? config.auth.jwtSecret;
  if (!jwtSecret || jwtSecret.length < 32) {
    throw new Error("createGateway: expected AUTH_JWT_SECRET (at least 32 characters) or options.jwtSecret");
  }
  // Infrastructure first. With REDIS_URL: the process's Redis connections, one command and one
  // subscriber connection handed to every Redis user below and closed last. The command connection
  // has no offline queue, so the users that read at start (stored credentials) wait for it here.
  let redis: RedisConnections | undefined;
  if (config.redis.url) {
    redis = createRedisConnections({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, logger: logger.child({ component: "redis" }) });
    redis.command();
    if (!(await redis.waitReady(5_000))) {
      logger.warn("redis not reachable at start: the rate budget is this instance's own and webhooks answer 429 until it is back");
    }
  }
  try {
    return await assemble(options, { config, logger, baseUrl, jwtSecret, redis });
  } catch (error) {
    await redis?.close();
    throw error;
  }
}

interface Infrastructure {
  config: Config;
  logger: Logger;
  baseUrl: string;
  jwtSecret: string;
  redis: RedisConnections | undefined;
}

async function assemble(options: GatewayOptions, infra: Infrastructure): Promise<Gateway> {
  const { config, logger, baseUrl, jwtSecret, redis } = infra;
  // Operations next (metrics, OAuth locations from the encrypted credential store next to the
  // environment's static one, /readyz, /metrics, /oauth/*): the client needs its credentials and middleware.
  // The warm-up (built once the loaders are): installs trigger it, /readyz reports it.
  let warmUp: WarmUp | undefined;
  // The field mapping checked against each location's definitions (start-up line, /readyz).
  const mappingState = config.fieldMapping ? createFieldMappingState({ mapping: config.fieldMapping, logger }) : undefined;
  const ops = await createOpsRuntime({
    config,
    onInstalled: (locationId) => void warmUp?.warm(locationId),
    readinessProgress: () =>
      warmUp || mappingState
        ? { ...(warmUp ? { warmUp: warmUp.progress() } : {}), ...(mappingState ? { fieldMapping: mappingState.progress() } : {}) }
        : undefined,
    logger,
    upstreamBaseUrl: baseUrl,
    staticCredentials: credentialsFromConfig(config.upstream),
    ...(redis ? { redis: redis.command() } : {}),
    processMetrics: options.processMetrics ?? false,
  });
  const credentials = options.credentials ?? ops.credentials;
  if (!credentials) {
    await ops.close();
    throw new Error(
      "createGateway: expected upstream credentials (CONTACTS_API_TOKEN + CONTACTS_LOCATION_ID, or options.credentials)",
    );
  }

  // Rate budget (shared through Redis when configured), retries and the circuit breaker; their
  // state and events feed /metrics and /readyz.
  const governance = await createGovernanceRuntime({
    config,
    logger: logger.child({ component: "rate-governor" }),
    hooks: ops.metrics.governanceHooks,
    ...(redis ? { redis: redis.command() } : {}),
  });
  ops.metrics.setSources(governance.metricsSources());

  // Background work (revalidation of what webhooks keep current, warm-up) takes at most its share
  // of each location's interval budget: its calls wait in the first middleware (upstream/background-budget.ts).
  const background = createBackgroundBudget({
    burst: config.rateLimit.burst,
    intervalMs: config.rateLimit.intervalMs,
    lanes: { [REVALIDATION_LANE]: config.cache.revalidateBudgetPercent, [WARM_UP_LANE]: config.warmUp.budgetPercent },
  });

  // The write path's services; its traceId capture sits innermost in the upstream chain (audit lines).
  const write = createWriteServices({ config, logger, ...(redis ? { redis: redis.command() } : {}) });
  const client = new ContactsClient({
    baseUrl,
    version: config.upstream.version,
    credentials,
    middlewares: [background.middleware, ...builtInUpstreamMiddlewares(governance), ...(options.upstreamMiddlewares ?? []), write.traceCapture.middleware, ops.metricsMiddleware],
    connectTimeoutMs: config.upstream.connectTimeoutMs,
    headersTimeoutMs: config.upstream.headersTimeoutMs,
    bodyTimeoutMs: config.upstream.bodyTimeoutMs,
    logger: logger.child({ component: "upstream" }),
  });
  // Whether each location's webhooks flow (a signed delivery within WEBHOOK_FLOWING_WINDOW_MS, shared
  // through Redis): what they announce stays current in the cache, and answers say so.
  const webhookActivity =
    options.webhookActivity ??
    createWebhookActivity({
      windowMs: config.webhooks.flowingWindowMs,
      ...(redis ? { redis: { command: () => redis.command(), keyPrefix: config.redis.keyPrefix } } : {}),
    });
  // The resource cache; with REDIS_URL its shared tier in Redis, so every instance (and a
  // restarted one) serves what any instance loaded. While a location's webhooks flow, what they
  // announce is kept CACHE_WEBHOOK_TTL_MS and revalidated in the background (stale-while-revalidate).
  const cache =
    options.cache ??
    createResourceCache({
      ttlMs: config.cache.ttlMs,
      maxEntries: config.cache.maxEntries,
      webhookKept: {
        ttlMs: config.cache.webhookTtlMs,
        revalidateAfterMs: config.cache.revalidateAfterMs,
        flowing: (locationId) => webhookActivity.flowing(locationId),
      },
      ...(redis && config.cache.sharedTtlMs > 0
        ? {
            shared: createRedisSharedCache({
              redis: () => redis.command(),
              keyPrefix: config.redis.keyPrefix,
              ttlMs: config.cache.sharedTtlMs,
              maxTtlMs: config.cache.webhookTtlMs,
              registry: DEFAULT_RESOURCE_REGISTRY,
              onError: (error) => logger.warn({ err: error }, "shared cache: Redis unavailable, reading from the upstream"),
            }),
          }
        : {}),
    });
  // Tasks of many contacts in one call, and their appointments through the location's calendars
  // (remembered CACHE_CALENDARS_TTL_MS), where the location's credential allows it (loaders/bulk-route.memory.ts).
  const bulkRoutes = createBulkRouteMemory({ grantedScopes: (locationId) => credentials.grantedScopes(locationId) });
  const calendars = createCalendarListMemory({ ttlMs: config.cache.calendarsTtlMs });
  // The cost stage's load weights per set of bulk-readable resources (few sets: computed once each).
  const weightsBySet = new Map<string, LoadWeights>();
  const loadWeightsOf = (inBulk: readonly PerContactResource[]): LoadWeights => {
    const id = inBulk.map((r) => r.kind).join(",");
    let weights = weightsBySet.get(id);
    if (!weights) weightsBySet.set(id, (weights = loadWeightsFor(cache.registry, (r) => inBulk.includes(r))));
    return weights;
  };
  const createLoaders = createLoaderFactory({ client, cache, bulkRoutes, calendars, searchPageTtlMs: config.cache.searchTtlMs, now: options.clock ?? Date.now });

  // After start and after an install: each served location's newest contacts with their relations,
  // within the warm-up lane's share of the budget, so the first dashboard is warm.
  warmUp = createWarmUp({
    createLoaders: (locationId) => createLoaders(locationId),
    servedLocations: () => credentials.locations(),
    budget: background,
    lane: WARM_UP_LANE,
    contacts: config.warmUp.contacts,
    pageSizes: config.warmUp.pageSizes,
    resources: cache.registry.perContact,
    bulkUsable: (locationId, resource) => bulkRoutes.usable(locationId, resource),
    onError: (error, locationId) => logger.debug({ err: error, locationId }, "warm-up read failed; the first real read will fetch it"),
  });
  // Every served location's custom-field definitions, read again on a schedule (typed custom
  // fields, filters by key); on demand through Query.customFieldDefinitions(refresh: true).
  const fieldDefinitions = createFieldDefinitionsRefresh({
    createLoaders: (locationId) => createLoaders(locationId),
    locations: () => credentials.locations(),
    intervalMs: config.cache.fieldDefinitionsRefreshMs,
    onRefreshed: (locationId, outcome) => {
      if ("error" in outcome && !mappingState) logger.warn({ err: outcome.error, locationId }, "custom-field definitions: refresh failed; the cached ones stay until they expire");
      mappingState?.record(locationId, outcome);
    },
  });
  fieldDefinitions.start();
  // With a field mapping, every location is checked at start-up (one line per problem).
  if (mappingState) void fieldDefinitions.refreshAll();

  // Stale entries served (kept current by webhooks) are fetched again in the background, within
  // the revalidation lane's share of the budget; tasks through the bulk route.
  const revalidation = createRevalidation({
    cache,
    client,
    bulkRoutes,
    calendars,
    budget: background,
    lane: REVALIDATION_LANE,
    onError: (error) => logger.debug({ err: error }, "background revalidation failed; the cached value stays until it expires"),
  });

  // HighLevel's AppUninstall: the location's credentials go (stored tokens deleted), its cached data
  // goes (a "location" change, which the invalidation broadcast carries to every instance, where the
  // listener below closes that instance's sockets too), and its callers' sockets close with 4403.
  // Its callers are refused from then on (no credentials: FORBIDDEN unknown_location).
  let closeLocationSockets: ((locationId: string) => void) | undefined;
  const appLifecycle: GatewayInternals["appLifecycle"] = async ({ action, locationId }) => {
    if (action !== "uninstall") return; // logged and counted by the intake
    await credentials.revoke?.(locationId);
    cache.applyChange({ type: "location", locationId });
  };
  // Another instance applied a change to a location's appointments (its webhook may name a calendar
  // created since this instance listed them; the broadcast ships no values): list them again.
  const stopCalendarListener = cache.onInvalidate((change) => {
    if (!change.remote) return;
    if ((change.type === "set" || change.type === "delete") && change.key.kind === APPOINTMENTS.kind) calendars.forget(change.key.locationId);
    else if ((change.type === "kind" && change.kind === APPOINTMENTS.kind) || change.type === "location") calendars.forget(change.locationId);
  });
  const stopUninstallListener = cache.onInvalidate((change) => {
    if (change.type !== "location") return;
    // Another instance took the uninstall: forget the credential here too (its memory copy).
    if (change.remote) void Promise.resolve(credentials.revoke?.(change.locationId)).catch(() => undefined);
    closeLocationSockets?.(change.locationId);
  });

  const internals: GatewayInternals = Object.freeze({
    config,
    logger,
    credentials,
    cache,
    write,
    appLifecycle,
    webhookActivity,
    appointmentCalendarSeen: (locationId: string, calendarId: string) => calendars.noteCalendar(locationId, calendarId),
    metrics: ops.metrics,
    ...(redis ? { redis } : {}),
    // Demo mode prefills the sandbox's headers; the dashboard page prefills the same token.
    ...(options.sandbox && options.sandbox.defaultHeaders?.["Authorization"]
      ? { demoAuthorization: options.sandbox.defaultHeaders["Authorization"] }
      : {}),
  });
  const builtIns = [ops.feature, eventsFeature({ extraTrustedKeys: options.trustedWebhookKeys }), ...BUILT_IN_FEATURES];
  const factories = [...(options.withoutBuiltInFeatures ? [] : builtIns), ...(options.features ?? [])];
  const features: GatewayFeature[] = [];
  for (const factory of factories) features.push(await factory(internals));

  const pubSub = single(features, "pubSub");
  const events = single(features, "events");
  const announce = single(features, "announce");
  // What resolvers reach through the context, built once from the contributions and never changed.
  const now = options.clock ?? Date.now;
  const services: GatewayServices = Object.freeze({
    logger,
    now,
    createLoaders,
    ...(config.fieldMapping ? { fieldMapping: config.fieldMapping } : {}),
    // The write path alone holds the client, the cache's change path and the credentials' scopes
    // (a port, not the provider: resolvers never see a token).
    writes: createWriteEngine({
      client,
      cache,
      credentials: { grantedScopes: (locationId: string) => credentials.grantedScopes(locationId) },
      write,
      ...(announce ? { announce } : {}),
    }),
    ...(events ? { events: { subscribe: (locationId: string) => events.subscribe(locationId) } } : {}),
  });
  const schema = await buildGatewaySchema({
    resolvers: features.flatMap((f) => f.resolvers ?? []),
    ...(pubSub ? { pubSub } : {}),
    ...(config.fieldMapping ? { fieldMapping: config.fieldMapping } : {}),
  });

  const authenticate = (authorization: unknown): Promise<CallerAuth> =>
    authenticateCaller(authorization, { secret: jwtSecret, credentials });
  // One deadline per operation (and per subscription event): queue waits, retries and answers
  // of all its upstream calls fit in OPERATION_DEADLINE_MS (upstream/deadline.ts).
  const createContext = (auth: CallerAuth, requestId?: string, headers?: GatewayContext["headers"]): GatewayContext =>
    createGatewayContext({
      auth,
      services,
      requestId: requestId ?? randomUUID(),
      ...(headers ? { headers } : {}),
      // Its caller (`sub`) shares the location's budget fairly with the other callers of its class.
      deadline: createOperationDeadline(config.operationDeadlineMs, Date.now, { caller: auth.status === "authenticated" ? auth.viewer.subject : undefined }),
    });

  // The response cache stage, for every read operation: evicted by every change the resource cache
  // announces (webhooks, mutations, other instances' invalidations) to exactly the answers that
  // read what changed, and by the clock where an answer depends on it. Its TTL (half the resource
  // cache's, at most 60 s) is only a backstop for missed webhooks; off when the resource cache is
  // (CACHE_TTL_MS=0).
  const responseCache = createResponseCache({
    ttlMs: Math.min(Math.floor(config.cache.ttlMs / 2), 60_000),
    maxBytes: config.cache.responseMaxBytes,
    registry: cache.registry,
    now,
  });
  const stopInvalidations = cache.onInvalidate(responseCache.onChange);
  // Every answer that read upstream data says how old the oldest of it is and whether webhooks keep
  // it current (src/cache/freshness.compute.ts); a stored answer keeps the basis, its hits the age now.
  const freshness: ResponseExtension<FreshnessBasis> = {
    name: "freshness",
    executed({ viewer, reads }) {
      const log = reads.reads();
      if (!viewer || log.length === 0) return undefined;
      const basis = freshnessBasis(log, cache.registry.coverageOf);
      return { value: freshnessAt(basis, cache.now(), webhookActivity.flowing(viewer.locationId)), kept: basis };
    },
    stored: (viewer, basis) => (basis ? freshnessAt(basis, cache.now(), webhookActivity.flowing(viewer.locationId)) : undefined),
  };
  // Every answer says what it cost upstream: the cost stage's estimate (cold, worst case), the calls
  // the rate governor granted it (each attempt; 0 for a response-cache hit) and what is left of
  // its location's budget, this interval and today (as this instance last saw it).
  const costOf = (viewer: { locationId: string }, estimated: number | undefined, actual: number) => {
    const budget = governance.governor.budgetOf(viewer.locationId);
    return {
      ...(estimated !== undefined ? { estimated } : {}),
      actual,
      budget: { intervalRemaining: budget.remaining, dailyRemaining: budget.dailyRemaining },
    };
  };
  const cost: ResponseExtension<{ estimated?: number }> = {
    name: "cost",
    executed({ viewer, context, estimated }) {
      if (!viewer) return undefined;
      const actual = (context as GatewayContext).upstreamCalls();
      return { value: costOf(viewer, estimated, actual), kept: estimated !== undefined ? { estimated } : {} };
    },
    stored: (viewer, kept) => costOf(viewer, kept?.estimated, 0),
  };
  const pipeline = createOperationPipeline({
    schema,
    config,
    audit: write.audit,
    responseCache,
    extensions: [freshness, cost],
    limits: { onFragmentVisit: () => ops.metrics.recordCostFragmentVisit() },
    // A location that cannot use a bulk read (its credential lacks the scope, or the route failed
    // lately: loaders/bulk-route.memory.ts) is estimated at a call per contact for that relation.
    loadWeights: (locationId) => loadWeightsOf(cache.registry.perContact.filter((r) => r.bulk && bulkRoutes.usable(locationId, r))),
    onMasked: (error) => logger.error({ err: error }, "unexpected error masked as INTERNAL_SERVER_ERROR"),
    execution: {
      compileOnRun: config.execution.compileOnRun,
      // graphql-scalars' JSON (schema/schema.graphql) passes a value through: search filters compile.
      passThroughScalar: "JSON",
      // Its message's first line only (a module path, no stack).
      onLoadError: (error) => logger.warn({ reason: error.message.split("\n", 1)[0] }, "graphql-jit could not be loaded: every operation executes with graphql-js"),
    },
  });

  // Node's defaults hold a slow client for minutes (requestTimeout 300 s); set every timeout
  // deliberately, and check them every second rather than every 30 s.
  const httpServer = http.createServer({
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, config.http.headersTimeoutMs),
  });

  // graphql-ws on the same server and path: the pipeline's WebSocket adapter.
  closeLocationSockets = (locationId) => {
    const closed = ws.closeLocation(locationId, "the app was uninstalled from this location");
    if (closed > 0) logger.info({ locationId, closed }, "graphql-ws sockets closed: app uninstalled");
  };
  const ws = createWebSocketAdapter({
    pipeline,
    httpServer,
    path: GRAPHQL_PATH,
    limits: config.websocket,
    logger,
    authenticate,
    createContext: (auth) => createContext(auth),
    // graphql-ws builds the context once per subscribe: execute every event with a fresh one
    // (fresh loaders over the shared cache): graphql-ws builds it once per subscribe, not per event.
    subscribe: createPerEventSubscribe(
      (ctx) => {
        const c = ctx as GatewayContext;
        const perEvent = createContext(c.auth, c.requestId, c.headers);
        perEvent.setOperationType("subscription");
        return perEvent;
      },
      // Same caller identity, operation and variables: one execution per event for all of them.
      (ctx) => {
        const v = (ctx as GatewayContext).viewer;
        return v ? JSON.stringify([v.locationId, [...v.scopes].sort(), v.subject ?? null]) : undefined;
      },
      // Each event's answer carries its per-answer extensions (freshness of what it resolved).
      (result, ctx) => {
        const c = ctx as GatewayContext;
        return withExtensions(result, pipeline.executedExtensions({ viewer: c.viewer, reads: c.reads, context: c }).values);
      },
    ),
  });
  ops.metrics.setSources({
    activeSubscriptions: () => ws.stats().operations,
    webSockets: () => ws.stats(),
    responseCache: () => responseCache.stats(),
    execution: () => pipeline.executionStats(),
  });

  const drainWebSockets: ApolloServerPlugin<GatewayContext> = {
    async serverWillStart() {
      return {
        async drainServer() {
          await ws.dispose();
        },
      };
    },
  };

  const httpAnswers = createHttpAnswers();
  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    ...apolloPipelineOptions(pipeline),
    logger: logger.child({ component: "apollo" }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      drainWebSockets,
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      // Federation inline traces apply to subgraphs only (this schema is not one); disabling the
      // plugin explicitly keeps Apollo from loading it and its protobuf encoder at start (~1.3 MB RSS).
      ApolloServerPluginInlineTraceDisabled(),
      apolloPipelinePlugin(pipeline, httpAnswers),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable("x-powered-by");
  // No ETags: GraphQL answers are POST responses (never revalidated) and the SHA-1 over every body
  // was measurable CPU on the hot path; the static pages set their own caching headers.
  app.disable("etag");
  for (const feature of features) feature.rawRoutes?.(app);

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  if (options.sandbox !== false) {
    // Kept gzipped (~9 MB of HTML, compressed once on the first visit, off the event loop): a
    // process holds a fraction of it for its lifetime, and browsers take it as it is stored. A
    // client that does not accept gzip (rare: curl without --compressed) gets it inflated per visit.
    let page: Promise<Buffer> | undefined;
    const sandboxOptions = options.sandbox ?? {};
    const headers = {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      vary: "accept-encoding",
      // Everything the page needs is inline; nothing may load from elsewhere.
      "content-security-policy":
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline';" +
        " img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'",
      "x-content-type-options": "nosniff",
    };
    app.get(GRAPHQL_PATH, (req, res, next) => {
      if (!wantsHtml(req.headers.accept)) return next();
      page ??= promisify(gzip)(Buffer.from(renderSandboxPage({ ...sandboxOptions, endpoint: GRAPHQL_PATH }), "utf8"));
      const gzipped = page;
      const acceptsGzip = req.acceptsEncodings("gzip", "identity") === "gzip";
      (async () => {
        const body = acceptsGzip ? await gzipped : await promisify(gunzip)(await gzipped);
        res.status(200).set(acceptsGzip ? { ...headers, "content-encoding": "gzip" } : headers).send(body);
      })().catch(next);
    });
  }

  for (const feature of features) feature.routes?.(app);

  // A POST whose token the stored-answer listener already verified (an answer was stored for the
  // operation, not for this caller) is not verified again; weak: it goes with its request. (A POST
  // the listener leaves to express, e.g. a gzip body, is verified by serveStoredAnswers and again here.)
  const verified = new WeakMap<http.IncomingMessage, CallerAuth>();
  const graphqlHandler = apolloHttpHandler(apollo, httpAnswers, async (req) =>
    createContext(verified.get(req) ?? (await authenticate(req.headers.authorization)), requestIdFrom(req.headers["x-request-id"]), req.headers),
  );
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: GRAPHQL_BODY_LIMIT_BYTES }),
    checkHttpRequest(pipeline),
    serveStoredAnswers(pipeline, authenticate),
    graphqlHandler,
  );

  app.use((_req, res) => {
    res.status(404).json({ error: "not_found", message: "No such route" });
  });
  /** The status and body of an error an HTTP route did not answer itself (body parser, unexpected). */
  const httpError = (error: { status?: unknown; type?: unknown } | undefined): { status: number; body: unknown } => {
    const status = typeof error?.status === "number" && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, "unhandled error in an HTTP route");
    const message =
      error?.type === "entity.parse.failed"
        ? "The request body is not valid JSON"
        : error?.type === "entity.too.large"
          ? `The request body is too large: expected a JSON body of at most ${GRAPHQL_BODY_LIMIT_TEXT}`
          : status === 500
            ? "Internal server error"
            : "Bad request";
    return { status, body: { errors: [{ message, extensions: { code: status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_USER_INPUT" } }] } };
  };
  /** An error no route answered itself, with express or without: its status and JSON body; an answer already begun is cut off. */
  const writeHttpError = (error: Parameters<typeof httpError>[0], res: http.ServerResponse) => {
    if (res.headersSent) return void res.destroy();
    const { status, body } = httpError(error);
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) }).end(text);
  };
  const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => writeHttpError(error, res);
  app.use(errorHandler);
  // A POST to GRAPHQL_PATH with a JSON body is taken before express (the same stages, without its
  // router and body parser): a response-cache hit answered there, a miss handed to Apollo; every
  // other request goes to express as it arrived or with its body read.
  httpServer.on(
    "request",
    storedAnswerListener(pipeline, authenticate, {
      path: GRAPHQL_PATH,
      limitBytes: GRAPHQL_BODY_LIMIT_BYTES,
      next: (req, res) => app(req, res),
      onBodyError: writeHttpError,
      // As through express: an error the handler did not answer itself is answered as errorHandler does.
      missed: (req, res, auth) => {
        if (auth) verified.set(req, auth);
        void graphqlHandler(req, res).catch((error: unknown) => writeHttpError(error as Parameters<typeof httpError>[0], res));
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = listenHost(config.host);
  const url = `http://${host}:${port}`;
  const wsUrl = `ws://${host}:${port}${GRAPHQL_PATH}`;
  for (const feature of features) await feature.onListening?.({ url, wsUrl, port });
  void warmUp.start().catch((error: unknown) => logger.warn({ err: error }, "warm-up failed"));
  logger.info({ url, graphql: `${url}${GRAPHQL_PATH}` }, "gateway listening");

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await apollo.stop(); // drains graphql-ws and the http server (grace: SHUTDOWN_GRACE_MS)
      stopInvalidations();
      stopUninstallListener();
      stopCalendarListener();
      revalidation.stop();
      fieldDefinitions.stop();
      for (const feature of [...features].reverse()) {
        try {
          await feature.close?.();
        } catch (error) {
          logger.error({ err: error, feature: feature.name }, "feature failed to close");
        }
      }
      await client.close();
      await governance.close();
      await ops.close();
      await redis?.close();
    })());

  return Object.freeze({ url, wsUrl, port, config, schema, cache, close });
}
