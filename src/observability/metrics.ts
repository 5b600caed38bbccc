/**
 * The gateway's Prometheus metrics, in a per-gateway `Registry` (never prom-client's global one:
 * several gateways run in one test process). Areas report through small hooks instead of importing
 * prom-client: the upstream metrics middleware (metrics.middleware.ts), `recordWebhookEvent`,
 * `recordTokenRefresh`, `governanceHooks` (queue, retries, rejections, 429s, breaker events of
 * upstream/governance.ts), and pull-style sources (`setSources`) read at scrape time for cache
 * counters, active subscriptions, the rate governor's budgets and breaker states.
 *
 * Label values are route templates, location ids, status codes and closed lists: never a path
 * with ids, a token or an error message (cardinality and secrecy).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { BreakerState, GovernanceHooks } from "../upstream/index.js";

export type BreakerStateName = BreakerState;

/** Pull-style sources, read on every scrape. Each is optional. */
export interface MetricsSources {
  /** Cache hit/miss totals, by cache name (e.g. `{ contact: {hits, misses}, tasks: {…} }`) or one total. */
  cacheStats?: () => Record<string, { hits: number; misses: number }> | { hits: number; misses: number };
  /** Open graphql-ws subscriptions. */
  activeSubscriptions?: () => number;
  /** graphql-ws sockets, operations, callers, their caps and refusals by cap. */
  webSockets?: () => {
    sockets: number;
    operations: number;
    callers: number;
    limits: { maxSubscriptionsPerSocket: number; maxSubscriptionsPerCaller: number; maxSocketsPerCaller: number };
    refusals: Readonly<Record<string, number>>;
  };
  /** The response cache stage of the operation pipeline. */
  responseCache?: () => { hits: number; misses: number; stores: number; evictions: number; capacityEvictions: number; size: number; bytes: number; memory: { reused: number; allocated: number } };
  /** Stage 9 of the operation pipeline: operations compiled, executions that ran compiled (server/pipeline/execution.runner.ts). */
  execution?: () => { compiled: number; compiledExecutions: number };
  /** Remaining rate budget per location and window as the rate governor sees it, with its effective limit. */
  rateBudgets?: () => Iterable<{ locationId: string; window: "burst" | "daily"; remaining: number; limit?: number }>;
  /** Circuit breaker state per location. */
  breakerStates?: () => Iterable<{ locationId: string; state: BreakerStateName }>;
}

export interface GatewayMetricsOptions {
  /** Metric name prefix. Default `cgw_`. */
  prefix?: string;
  /** Also collect Node process metrics (CPU, memory, event loop). Default false (tests); main turns it on. */
  processMetrics?: boolean;
}

export interface UpstreamObservation {
  method: string;
  route: string;
  /** HTTP status, or `error` when no response arrived. */
  status: number | "error";
  durationMs: number;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  observeUpstream(observation: UpstreamObservation): void;
  recordWebhookEvent(type: string, outcome: string): void;
  recordTokenRefresh(outcome: string): void;
  /** One walk of a named fragment by the upstream-cost estimate (graphql/limits/query-cost.estimate.ts). */
  recordCostFragmentVisit(): void;
  /** Pass to `createGovernanceRuntime({ hooks })`: queue length, retries, rejections, 429s, breaker events. */
  readonly governanceHooks: GovernanceHooks;
  /** Adds or replaces pull sources (areas call this as they start). */
  setSources(sources: MetricsSources): void;
  /** The sources set so far (readiness reads `breakerStates` from here too). */
  readonly sources: Readonly<MetricsSources>;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
}

const BREAKER_VALUE: Record<BreakerStateName, number> = { closed: 0, half_open: 1, open: 2 };

export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const prefix = options.prefix ?? "cgw_";
  const registry = new Registry();
  const registers = [registry];
  const sources: MetricsSources = {};
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix });

  // Counted per call in a Map (one string key) and folded into the counter when it is read: this
  // runs for every upstream call, and prom-client hashes and validates the label set on every inc.
  // The label objects are kept and reused for the histogram too (one shape, no allocation per call).
  const upstreamCounts = new Map<string, { labels: { method: string; route: string; status: string }; count: number }>();
  new Counter({
    name: `${prefix}upstream_requests_total`,
    help: "HTTP calls made to the Contacts API, by route template and status (each retry counts).",
    labelNames: ["method", "route", "status"] as const,
    registers,
    collect() {
      this.reset();
      for (const { labels, count } of upstreamCounts.values()) this.inc(labels, count);
    },
  });
  const upstreamDuration = new Histogram({
    name: `${prefix}upstream_request_duration_seconds`,
    help: "Latency of Contacts API calls, by route template and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  // The rate governor's own view (it folds every response's X-RateLimit-* headers in and may only
  // get stricter than them), not the raw headers: what decides whether calls queue.
  const budgetGauge = (name: string, help: string, value: (b: { remaining: number; limit?: number }) => number | undefined) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: ["location_id", "window"] as const,
      registers,
      collect() {
        this.reset();
        for (const b of sources.rateBudgets?.() ?? []) {
          const v = value(b);
          if (v !== undefined) this.set({ location_id: b.locationId, window: b.window }, v);
        }
      },
    });
  budgetGauge(
    "upstream_rate_limit_remaining",
    "Upstream rate budget left per location and window (burst = per interval, daily), as the rate governor sees it.",
    (b) => b.remaining,
  );
  budgetGauge(
    "upstream_rate_limit_max",
    "The rate governor's effective limit per location and window (configured, less the safety margin, never above the upstream's headers).",
    (b) => b.limit,
  );
  const queueLength = new Gauge({
    name: `${prefix}upstream_queue_length`,
    help: "Upstream calls waiting in the location's queue (for a concurrency slot or rate budget), per location.",
    labelNames: ["location_id"] as const,
    registers,
  });
  const retries = new Counter({
    name: `${prefix}upstream_retries_total`,
    help: "Upstream calls repeated, by route template and reason (the HTTP status, timeout or connection).",
    labelNames: ["method", "route", "reason"] as const,
    registers,
  });
  const governorRejections = new Counter({
    name: `${prefix}rate_governor_rejections_total`,
    help: "Calls refused with UPSTREAM_RATE_LIMITED because their wait for budget would pass their deadline, per location and priority class (mutation, query, subscription, background).",
    labelNames: ["location_id", "priority"] as const,
    registers,
  });
  const upstream429 = new Counter({
    name: `${prefix}upstream_429_responses_total`,
    help: "Upstream answers 429 Too Many Requests despite the rate governor, per location.",
    labelNames: ["location_id"] as const,
    registers,
  });
  const budgetStoreErrors = new Counter({
    name: `${prefix}rate_budget_store_errors_total`,
    help: "Failed operations of the shared (Redis) rate budget store; meanwhile each instance keeps its own budget.",
    registers,
  });
  const cacheCounter = (kind: "hits" | "misses") =>
    new Counter({
      name: `${prefix}cache_${kind}_total`,
      help: `Resource cache ${kind === "hits" ? "hits" : "misses"}, by cache.`,
      labelNames: ["cache"] as const,
      registers,
      collect() {
        const stats = sources.cacheStats?.();
        if (!stats) return;
        this.reset();
        const byName: Record<string, { hits: number; misses: number }> =
          typeof (stats as { hits?: unknown }).hits === "number"
            ? { all: stats as { hits: number; misses: number } }
            : (stats as Record<string, { hits: number; misses: number }>);
        for (const [cache, s] of Object.entries(byName)) this.inc({ cache }, s[kind]);
      },
    });
  cacheCounter("hits");
  cacheCounter("misses");
  /** A gauge that reads its value from a source at scrape time (0 until that source is set). */
  const sourcedGauge = (name: string, help: string, read: () => number | undefined) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        this.set(read() ?? 0);
      },
    });
  const webhookEvents = new Counter({
    name: `${prefix}webhook_events_total`,
    help: "Webhook deliveries by event type and outcome (accepted, duplicate, ignored, rejected, …).",
    labelNames: ["type", "outcome"] as const,
    registers,
  });
  sourcedGauge("subscriptions_active", "Open GraphQL subscriptions.", () => sources.activeSubscriptions?.());
  sourcedGauge("websocket_sockets_open", "Open, authenticated graphql-ws sockets.", () => sources.webSockets?.().sockets);
  sourcedGauge("websocket_callers", "Callers (token `sub`) with at least one open graphql-ws socket.", () => sources.webSockets?.().callers);
  new Gauge({
    name: `${prefix}websocket_limit`,
    help: "graphql-ws caps (WS_MAX_*): subscriptions per socket, subscriptions per caller, sockets per caller.",
    labelNames: ["kind"] as const,
    registers,
    collect() {
      const limits = sources.webSockets?.().limits;
      if (!limits) return;
      this.set({ kind: "subscriptionsPerSocket" }, limits.maxSubscriptionsPerSocket);
      this.set({ kind: "subscriptionsPerCaller" }, limits.maxSubscriptionsPerCaller);
      this.set({ kind: "socketsPerCaller" }, limits.maxSocketsPerCaller);
    },
  });
  new Counter({
    name: `${prefix}websocket_refusals_total`,
    help: "graphql-ws operations or sockets refused by a cap, and frames over the size limit before connection_ack, by kind.",
    labelNames: ["kind"] as const,
    registers,
    collect() {
      const refusals = sources.webSockets?.().refusals;
      if (!refusals) return;
      this.reset();
      for (const [kind, n] of Object.entries(refusals)) this.inc({ kind }, n);
    },
  });
  /** A counter that mirrors a running total a source keeps (nothing until that source is set). */
  const sourcedCounter = (name: string, help: string, read: () => number | undefined) =>
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        const total = read();
        if (total === undefined) return;
        this.reset();
        this.inc(total);
      },
    });
  const responseCacheCounter = (kind: "hits" | "misses" | "stores" | "evictions") =>
    sourcedCounter(`response_cache_${kind}_total`, `Response cache stage of the operation pipeline: ${kind}.`, () => sources.responseCache?.()[kind]);
  responseCacheCounter("hits");
  responseCacheCounter("misses");
  responseCacheCounter("stores");
  responseCacheCounter("evictions");
  sourcedGauge("response_cache_entries", "Responses held by the response cache stage.", () => sources.responseCache?.().size);
  sourcedGauge("response_cache_bytes", "Bytes the response cache stage's stored answers are charged (RESPONSE_CACHE_MAX_MB bounds them).", () => sources.responseCache?.().bytes);
  sourcedCounter(
    "response_cache_buffers_reused_total",
    "Stored answers written into memory a dropped answer held before (src/server/pipeline/answer-bytes.ts).",
    () => sources.responseCache?.().memory.reused,
  );
  sourcedCounter(
    "response_cache_capacity_evictions_total",
    "Stored answers dropped, least recently used first, to make room (the entry limit or RESPONSE_CACHE_MAX_MB).",
    () => sources.responseCache?.().capacityEvictions,
  );
  sourcedCounter("response_cache_buffers_allocated_total", "Stored answers for which new memory was allocated.", () => sources.responseCache?.().memory.allocated);
  sourcedCounter("operations_compiled_total", "Query operations compiled with graphql-jit (on their COMPILE_ON_RUN-th execution).", () => sources.execution?.().compiled);
  sourcedCounter("compiled_executions_total", "Operation executions that ran a compiled query instead of graphql-js's execute.", () => sources.execution?.().compiledExecutions);
  const fragmentVisits = new Counter({
    name: `${prefix}query_cost_fragment_visits_total`,
    help: "Named fragments walked by the upstream-cost estimate (each fragment once per context it is spread in).",
    registers,
  });
  const tokenRefreshes = new Counter({
    name: `${prefix}token_refreshes_total`,
    help: "OAuth token refreshes that reached the token endpoint, by outcome.",
    labelNames: ["outcome"] as const,
    registers,
  });
  new Gauge({
    name: `${prefix}breaker_state`,
    help: "Circuit breaker state per location: 0 closed, 1 half-open (an open circuit ready to probe), 2 open.",
    labelNames: ["location_id"] as const,
    registers,
    collect() {
      this.reset();
      for (const b of sources.breakerStates?.() ?? []) this.set({ location_id: b.locationId }, BREAKER_VALUE[b.state] ?? 0);
    },
  });
  const breakerRejections = new Counter({
    name: `${prefix}breaker_rejections_total`,
    help: "Calls failed fast with UPSTREAM_UNAVAILABLE by an open circuit (no upstream call), per location.",
    labelNames: ["location_id"] as const,
    registers,
  });
  const breakerTransitions = new Counter({
    name: `${prefix}breaker_transitions_total`,
    help: "Circuit breaker state changes per location, by the state entered.",
    labelNames: ["location_id", "state"] as const,
    registers,
  });

  const lastQueueLength = new Map<string, number>();
  const governanceHooks: GovernanceHooks = {
    // Reported twice per upstream call (queued, granted): the gauge is only set when the value changes.
    queueLength: (e) => {
      if (lastQueueLength.get(e.locationId) === e.length) return;
      lastQueueLength.set(e.locationId, e.length);
      queueLength.set({ location_id: e.locationId }, e.length);
    },
    retry: (e) => retries.inc({ method: e.method, route: e.route, reason: e.cause === "status" ? String(e.status) : e.cause }),
    rejected: (e) => governorRejections.inc({ location_id: e.locationId, priority: e.priority }),
    upstreamRateLimited: (e) => upstream429.inc({ location_id: e.locationId }),
    breakerRejected: (e) => breakerRejections.inc({ location_id: e.locationId }),
    breakerState: (e) => breakerTransitions.inc({ location_id: e.locationId, state: e.state }),
    storeError: () => budgetStoreErrors.inc(),
    // `budget` is not needed: the remaining-budget gauges read the governor's snapshot at scrape time.
  };

  return {
    registry,
    contentType: registry.contentType,
    observeUpstream(o) {
      const status = String(o.status);
      const key = `${o.method} ${o.route} ${status}`;
      let entry = upstreamCounts.get(key);
      if (entry === undefined) {
        entry = { labels: { method: o.method, route: o.route, status }, count: 0 };
        upstreamCounts.set(key, entry);
      }
      entry.count += 1;
      upstreamDuration.observe(entry.labels, o.durationMs / 1000);
    },
    recordWebhookEvent(type, outcome) {
      webhookEvents.inc({ type, outcome });
    },
    recordTokenRefresh(outcome) {
      tokenRefreshes.inc({ outcome });
    },
    recordCostFragmentVisit() {
      fragmentVisits.inc();
    },
    governanceHooks,
    setSources(next) {
      Object.assign(sources, next);
    },
    sources,
    render: () => registry.metrics(),
  };
}
