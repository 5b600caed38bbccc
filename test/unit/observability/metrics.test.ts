// Gateway metrics: per-gateway registry, the upstream middleware's counts/latency, pull sources,
// the governance hooks driven by the real governance chain (fake clock), process metrics opt-in.
import { describe, expect, it } from "vitest";
import { register as globalRegistry } from "prom-client";
import { loadConfig } from "../../../src/config/config.js";
import { createGatewayMetrics } from "../../../src/observability/metrics.js";
import { createMetricsMiddleware } from "../../../src/observability/metrics.middleware.js";
import { UpstreamError, compose, createGovernanceMiddlewares, type UpstreamRequest, type UpstreamResponse } from "../../../src/upstream/index.js";
import { parsePrometheusText } from "../../support/ops-prometheus.js";
import { createFakeClock } from "../upstream/governance.fake-clock.js";

const req = (route: string, path: string): UpstreamRequest => ({
  method: "GET",
  route,
  path,
  locationId: "loc1",
  priority: "read",
  idempotent: true,
  attempt: 1,
});

describe("gateway metrics", () => {
  it("counts upstream calls by route and status, with latency; the rate budget never comes from raw headers", async () => {
    const metrics = createGatewayMetrics();
    let t = 0;
    const handler = createMetricsMiddleware({ metrics, now: () => t })(async (r) => {
      t += 50;
      if (r.path.includes("boom")) {
        throw new UpstreamError({ code: "UPSTREAM_UNAVAILABLE", reason: "connection", message: "reset", method: "GET", route: r.route });
      }
      return {
        status: r.path.includes("missing") ? 400 : 200,
        headers: { "x-ratelimit-remaining": "97", "x-ratelimit-max": "100", "x-ratelimit-daily-remaining": "199990", "x-ratelimit-limit-daily": "200000" },
        body: {},
        durationMs: 50,
      };
    });
    await handler(req("/contacts/:contactId", "/contacts/a"));
    await handler(req("/contacts/:contactId", "/contacts/b"));
    await handler(req("/contacts/:contactId", "/contacts/missing"));
    await handler(req("/contacts/:contactId/tasks", "/contacts/a/tasks"));
    await expect(handler(req("/contacts/:contactId/notes", "/contacts/boom/notes"))).rejects.toThrow();

    const parsed = parsePrometheusText(await metrics.render());
    expect(parsed.types.get("cgw_upstream_requests_total")).toBe("counter");
    expect(parsed.value("cgw_upstream_requests_total")).toBe(5);
    expect(parsed.value("cgw_upstream_requests_total", { route: "/contacts/:contactId", status: "200" })).toBe(2);
    expect(parsed.value("cgw_upstream_requests_total", { route: "/contacts/:contactId", status: "400" })).toBe(1);
    expect(parsed.value("cgw_upstream_requests_total", { route: "/contacts/:contactId/notes", status: "error" })).toBe(1);
    expect(parsed.value("cgw_upstream_request_duration_seconds_count", { route: "/contacts/:contactId" })).toBe(3);
    expect(parsed.value("cgw_upstream_request_duration_seconds_sum", { route: "/contacts/:contactId", status: "200" })).toBeCloseTo(0.1);
    // Only the rate governor's view (a pull source) feeds the budget gauges.
    expect(parsed.samples.filter((x) => x.name.startsWith("cgw_upstream_rate_limit_"))).toEqual([]);
    expect(await globalRegistry.metrics()).not.toContain("cgw_upstream_requests_total");
  });

  it("reads cache, subscription, governor, breaker, response-cache and execution sources at scrape time; records webhooks and refreshes", async () => {
    const metrics = createGatewayMetrics();
    let hits = 3;
    metrics.setSources({
      cacheStats: () => ({ contact: { hits, misses: 2 } }),
      activeSubscriptions: () => 4,
      rateBudgets: () => [{ locationId: "loc2", window: "burst", remaining: 12, limit: 100 }],
      breakerStates: () => [{ locationId: "loc2", state: "open" }],
      responseCache: () => ({ hits: hits + 4, misses: 5, stores: 6, evictions: 7, capacityEvictions: 5, size: 8, bytes: 4096, memory: { reused: 2, allocated: 3 } }),
      execution: () => ({ compiled: 9, compiledExecutions: hits * 2 }),
    });
    metrics.recordWebhookEvent("ContactCreate", "accepted");
    metrics.recordWebhookEvent("ContactCreate", "accepted");
    metrics.recordWebhookEvent("ContactCreate", "duplicate");
    metrics.recordTokenRefresh("refreshed");
    let parsed = parsePrometheusText(await metrics.render());
    expect(parsed.value("cgw_cache_hits_total", { cache: "contact" })).toBe(3);
    expect(parsed.value("cgw_cache_misses_total", { cache: "contact" })).toBe(2);
    expect(parsed.value("cgw_subscriptions_active")).toBe(4);
    expect(parsed.value("cgw_upstream_rate_limit_remaining", { location_id: "loc2" })).toBe(12);
    expect(parsed.value("cgw_upstream_rate_limit_max", { location_id: "loc2" })).toBe(100);
    expect(parsed.value("cgw_breaker_state", { location_id: "loc2" })).toBe(2);
    expect(parsed.value("cgw_webhook_events_total", { type: "ContactCreate", outcome: "accepted" })).toBe(2);
    expect(parsed.value("cgw_token_refreshes_total", { outcome: "refreshed" })).toBe(1);
    expect(parsed.value("cgw_response_cache_hits_total")).toBe(7);
    expect(parsed.value("cgw_response_cache_evictions_total")).toBe(7);
    expect(parsed.value("cgw_response_cache_entries")).toBe(8);
    expect(parsed.value("cgw_response_cache_bytes")).toBe(4096);
    expect(parsed.value("cgw_response_cache_capacity_evictions_total")).toBe(5);
    expect(parsed.value("cgw_response_cache_buffers_reused_total")).toBe(2);
    expect(parsed.value("cgw_response_cache_buffers_allocated_total")).toBe(3);
    expect(parsed.value("cgw_operations_compiled_total")).toBe(9);
    expect(parsed.value("cgw_compiled_executions_total")).toBe(6);
    hits = 10;
    parsed = parsePrometheusText(await metrics.render());
    expect(parsed.value("cgw_cache_hits_total", { cache: "contact" })).toBe(10);
    expect(parsed.value("cgw_response_cache_hits_total")).toBe(14);
    expect(parsed.value("cgw_compiled_executions_total")).toBe(20);
  });

  it("turns the governance chain's events into counters and gauges per location", async () => {
    const metrics = createGatewayMetrics();
    const config = loadConfig({ RATE_LIMIT_BURST: "2", RATE_LIMIT_INTERVAL_MS: "1000", RATE_LIMIT_MAX_WAIT_MS: "2000", BREAKER_FAILURE_THRESHOLD: "1", UPSTREAM_RETRY_ATTEMPTS: "2" });
    const clock = createFakeClock();
    const governance = createGovernanceMiddlewares({ config, clock, random: () => 0.5, hooks: metrics.governanceHooks });
    metrics.setSources({
      rateBudgets: () => governance.governor.snapshot().map((r) => ({ locationId: r.locationId, window: "burst" as const, remaining: r.remaining, limit: r.limit })),
      breakerStates: () => governance.breaker.snapshot(),
    });
    const script: UpstreamResponse[] = [];
    const handler = compose(governance.middlewares, async () => script.shift() ?? { status: 200, headers: {}, body: {}, durationMs: 1 });
    const call = (locationId: string, priority: "read" | "write" = "read") =>
      handler({ method: "GET", route: "/contacts/:contactId", path: "/contacts/c1", locationId, priority, idempotent: true, attempt: 1 });
    const scrape = async () => parsePrometheusText(await metrics.render());

    // locQ: burst 2 → limit 1 per window: the second call queues until the window has passed.
    const first = call("locQ");
    const queued = call("locQ");
    await clock.settle();
    const waiting = await scrape();
    expect(waiting.value("cgw_upstream_queue_length", { location_id: "locQ" })).toBe(1);
    expect(waiting.value("cgw_upstream_rate_limit_remaining", { location_id: "locQ", window: "burst" })).toBe(0);
    await clock.advance(5_000);
    expect([(await first).status, (await queued).status]).toEqual([200, 200]);

    // locR: the third call would wait two windows (~2.2 s), past RATE_LIMIT_MAX_WAIT_MS: refused by the governor.
    const calls = [call("locR"), call("locR"), call("locR").catch((error: unknown) => error)];
    await clock.advance(5_000);
    expect(await calls[2]).toMatchObject({ code: "UPSTREAM_RATE_LIMITED" });
    await Promise.all(calls);

    // locA: a 429 answer, retried once after the drained window.
    script.push({ status: 429, headers: {}, body: {}, durationMs: 1 });
    const limited = call("locA");
    await clock.advance(5_000);
    expect((await limited).status).toBe(200);

    // locB: a 503 answered twice opens its circuit (threshold 1); the next call fails fast.
    script.push({ status: 503, headers: {}, body: {}, durationMs: 1 }, { status: 503, headers: {}, body: {}, durationMs: 1 });
    const failing = call("locB");
    await clock.advance(5_000);
    expect((await failing).status).toBe(503);
    await expect(call("locB")).rejects.toMatchObject({ code: "UPSTREAM_UNAVAILABLE", reason: "circuit_open" });

    const parsed = await scrape();
    expect(parsed.value("cgw_upstream_queue_length", { location_id: "locQ" })).toBe(0);
    expect(parsed.value("cgw_upstream_retries_total", { route: "/contacts/:contactId", reason: "429" })).toBe(1);
    expect(parsed.value("cgw_upstream_retries_total", { route: "/contacts/:contactId", reason: "503" })).toBe(1);
    expect(parsed.value("cgw_upstream_429_responses_total", { location_id: "locA" })).toBe(1);
    expect(parsed.value("cgw_rate_governor_rejections_total", { location_id: "locR", priority: "query" })).toBe(1);
    expect(parsed.value("cgw_rate_governor_rejections_total")).toBe(1);
    expect(parsed.value("cgw_breaker_rejections_total", { location_id: "locB" })).toBe(1);
    expect(parsed.value("cgw_breaker_rejections_total", { location_id: "locA" })).toBe(0);
    expect(parsed.value("cgw_breaker_transitions_total", { location_id: "locB", state: "open" })).toBe(1);
    expect(parsed.value("cgw_breaker_state", { location_id: "locB" })).toBe(2);
    expect(parsed.value("cgw_breaker_state", { location_id: "locA" })).toBe(0);
    expect(parsed.value("cgw_upstream_rate_limit_max", { location_id: "locA", window: "burst" })).toBe(1);
    // Seconds after its last call, locQ's budget has aged back to the whole window (it read 0 while the call queued).
    expect(parsed.value("cgw_upstream_rate_limit_remaining", { location_id: "locQ", window: "burst" })).toBe(1);
    for (const type of ["cgw_upstream_retries_total", "cgw_rate_governor_rejections_total", "cgw_breaker_rejections_total", "cgw_upstream_429_responses_total"]) {
      expect(parsed.types.get(type), type).toBe("counter");
    }
    expect(parsed.types.get("cgw_upstream_queue_length")).toBe("gauge");
  });

  it("collects Node process metrics only when asked (npm start), never by default (tests)", async () => {
    const off = parsePrometheusText(await createGatewayMetrics().render());
    expect(off.samples.some((x) => x.name.startsWith("cgw_process_") || x.name.startsWith("cgw_nodejs_"))).toBe(false);
    const on = parsePrometheusText(await createGatewayMetrics({ processMetrics: true }).render());
    expect(on.samples.some((x) => x.name === "cgw_process_cpu_user_seconds_total")).toBe(true);
  });

  it("the parser refuses malformed exposition text", () => {
    expect(() => parsePrometheusText("metric{a=b} 1\n")).toThrow(/bad labels|expected/);
    expect(() => parsePrometheusText("metric one\n")).toThrow(/bad value|expected/);
  });
});
