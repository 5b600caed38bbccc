/**
 * The gateway's Prometheus metrics, in a per-gateway `Registry` (never prom-client's global one:
 * several gateways run in one test process). Areas report through small hooks instead of importing
 * prom-client: the upstream metrics middleware (metrics.middleware.ts), `recordWebhookEvent`,
 * `recordTokenRefresh`, and pull-style sources (`setSources`) read at scrape time for cache
 * counters, active subscriptions, the rate governor's budgets and breaker states.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type BreakerStateName = "closed" | "half_open" | "open";

/** Pull-style sources, read on every scrape. Each is optional. */
export interface MetricsSources {
  /** Cache hit/miss totals, by cache name (e.g. `{ contact: {hits, misses}, tasks: {…} }`) or one total. */
  cacheStats?: () => Record<string, { hits: number; misses: number }> | { hits: number; misses: number };
  /** Open graphql-ws subscriptions. */
  activeSubscriptions?: () => number;
  /** Remaining rate budget per location as the governor sees it. */
  rateBudgets?: () => Iterable<{ locationId: string; window: "burst" | "daily"; remaining: number; limit?: number }>;
  /** Circuit breaker states, by breaker name (e.g. the location or "upstream"). */
  breakerStates?: () => Iterable<{ name: string; state: BreakerStateName }>;
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
  locationId?: string;
  /** Lower-cased response headers (for the X-RateLimit-* budget). */
  headers?: Record<string, string | string[] | undefined>;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  observeUpstream(observation: UpstreamObservation): void;
  recordWebhookEvent(type: string, outcome: string): void;
  recordTokenRefresh(outcome: string): void;
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

  const upstreamRequests = new Counter({
    name: `${prefix}upstream_requests_total`,
    help: "HTTP calls made to the Contacts API, by route template and status (each retry counts).",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: `${prefix}upstream_request_duration_seconds`,
    help: "Latency of Contacts API calls, by route template and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const observedBudget = new Map<string, { locationId: string; window: "burst" | "daily"; remaining: number; limit?: number }>();
  new Gauge({
    name: `${prefix}upstream_rate_limit_remaining`,
    help: "Remaining upstream rate budget per location and window (burst = per interval, daily).",
    labelNames: ["location_id", "window"] as const,
    registers,
    collect() {
      this.reset();
      const merged = new Map(observedBudget);
      for (const b of sources.rateBudgets?.() ?? []) merged.set(`${b.locationId}|${b.window}`, b);
      for (const b of merged.values()) this.set({ location_id: b.locationId, window: b.window }, b.remaining);
    },
  });
  new Gauge({
    name: `${prefix}upstream_rate_limit_max`,
    help: "Upstream rate limit per location and window, as last reported.",
    labelNames: ["location_id", "window"] as const,
    registers,
    collect() {
      this.reset();
      const merged = new Map(observedBudget);
      for (const b of sources.rateBudgets?.() ?? []) merged.set(`${b.locationId}|${b.window}`, b);
      for (const b of merged.values()) if (b.limit !== undefined) this.set({ location_id: b.locationId, window: b.window }, b.limit);
    },
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
  const webhookEvents = new Counter({
    name: `${prefix}webhook_events_total`,
    help: "Webhook deliveries by event type and outcome (accepted, duplicate, ignored, rejected, …).",
    labelNames: ["type", "outcome"] as const,
    registers,
  });
  new Gauge({
    name: `${prefix}subscriptions_active`,
    help: "Open GraphQL subscriptions.",
    registers,
    collect() {
      this.set(sources.activeSubscriptions?.() ?? 0);
    },
  });
  const tokenRefreshes = new Counter({
    name: `${prefix}token_refreshes_total`,
    help: "OAuth token refreshes that reached the token endpoint, by outcome.",
    labelNames: ["outcome"] as const,
    registers,
  });
  new Gauge({
    name: `${prefix}breaker_state`,
    help: "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
    labelNames: ["name"] as const,
    registers,
    collect() {
      this.reset();
      for (const b of sources.breakerStates?.() ?? []) this.set({ name: b.name }, BREAKER_VALUE[b.state] ?? 0);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    observeUpstream(o) {
      const labels = { method: o.method, route: o.route, status: String(o.status) };
      upstreamRequests.inc(labels);
      upstreamDuration.observe(labels, o.durationMs / 1000);
      if (o.locationId && o.headers) {
        const num = (name: string) => {
          const raw = o.headers![name];
          const value = Number(Array.isArray(raw) ? raw[0] : raw);
          return raw === undefined || !Number.isFinite(value) ? undefined : value;
        };
        const burst = num("x-ratelimit-remaining");
        if (burst !== undefined) {
          const max = num("x-ratelimit-max");
          observedBudget.set(`${o.locationId}|burst`, { locationId: o.locationId, window: "burst", remaining: burst, ...(max !== undefined ? { limit: max } : {}) });
        }
        const daily = num("x-ratelimit-daily-remaining");
        if (daily !== undefined) {
          const max = num("x-ratelimit-limit-daily");
          observedBudget.set(`${o.locationId}|daily`, { locationId: o.locationId, window: "daily", remaining: daily, ...(max !== undefined ? { limit: max } : {}) });
        }
      }
    },
    recordWebhookEvent(type, outcome) {
      webhookEvents.inc({ type, outcome });
    },
    recordTokenRefresh(outcome) {
      tokenRefreshes.inc({ outcome });
    },
    setSources(next) {
      Object.assign(sources, next);
    },
    sources,
    render: () => registry.metrics(),
  };
}
