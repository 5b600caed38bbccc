// Gateway metrics: per-gateway registry, the upstream middleware's counts/latency/budget, pull sources.
import { describe, expect, it } from "vitest";
import { register as globalRegistry } from "prom-client";
import { createGatewayMetrics } from "../../../src/observability/metrics.js";
import { createMetricsMiddleware } from "../../../src/observability/metrics.middleware.js";
import type { UpstreamRequest } from "../../../src/upstream/pipeline.types.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";
import { parsePrometheusText } from "../../support/ops-prometheus.js";

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
  it("counts upstream calls by route and status, with latency and the rate budget from the headers", async () => {
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
    expect(parsed.value("cgw_upstream_rate_limit_remaining", { location_id: "loc1", window: "burst" })).toBe(97);
    expect(parsed.value("cgw_upstream_rate_limit_remaining", { location_id: "loc1", window: "daily" })).toBe(199990);
    expect(await globalRegistry.metrics()).not.toContain("cgw_upstream_requests_total");
  });

  it("reads cache, subscription, governor and breaker sources at scrape time; records webhooks and refreshes", async () => {
    const metrics = createGatewayMetrics();
    let hits = 3;
    metrics.setSources({
      cacheStats: () => ({ contact: { hits, misses: 2 } }),
      activeSubscriptions: () => 4,
      rateBudgets: () => [{ locationId: "loc2", window: "burst", remaining: 12, limit: 100 }],
      breakerStates: () => [{ name: "loc2", state: "open" }],
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
    expect(parsed.value("cgw_breaker_state", { name: "loc2" })).toBe(2);
    expect(parsed.value("cgw_webhook_events_total", { type: "ContactCreate", outcome: "accepted" })).toBe(2);
    expect(parsed.value("cgw_token_refreshes_total", { outcome: "refreshed" })).toBe(1);
    hits = 10;
    parsed = parsePrometheusText(await metrics.render());
    expect(parsed.value("cgw_cache_hits_total", { cache: "contact" })).toBe(10);
  });

  it("the parser refuses malformed exposition text", () => {
    expect(() => parsePrometheusText("metric{a=b} 1\n")).toThrow(/bad labels|expected/);
    expect(() => parsePrometheusText("metric one\n")).toThrow(/bad value|expected/);
  });
});
