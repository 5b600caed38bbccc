// /metrics and /readyz on a real gateway against the simulator: the exposition parses as Prometheus
// text and counts a query's upstream calls exactly as the simulator logged them; readiness reports
// the upstream, Redis and breaker states: degraded (200) while some locations' circuits are open,
// 503 with a reason when not ready.
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_LOCATION_ID } from "../../src/simulator/index.js";
import type { Gateway } from "../../src/server/index.js";
import { LOCATION_A, LOCATION_B, TEST_JWT_SECRET, startStack, useStack } from "../support/harness.js";
import { collect, wsClient } from "../support/events-subscriber.js";
import { parsePrometheusText } from "../support/ops-prometheus.js";
import { freePort, startOpsGateway } from "../support/ops-stack.js";

const stack = useStack({ trustSimulatorWebhooks: true });

async function scrape(url: string) {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe("/metrics", () => {
  it("parses as Prometheus text and counts a query's upstream calls by route, as the simulator saw them", async () => {
    const s = stack();
    const contactId = s.sim.data.listContacts(DEMO_LOCATION_ID)[3]!.id;
    const before = await scrape(s.gateway.url);
    const mark = s.sim.requests.length;
    const res = await s.gql(
      `query($id: ID!) { contact(id: $id) { id tasks { id } notes { id } appointments { id } } }`,
      { id: contactId },
      await s.tokenFor(),
    );
    expect(res.body.errors).toBeUndefined();
    const after = await scrape(s.gateway.url);
    const upstream = s.sim.requests.slice(mark);
    expect(upstream.length).toBeGreaterThanOrEqual(4);

    const delta = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
    expect(delta("cgw_upstream_requests_total")).toBe(upstream.length);
    for (const route of new Set(upstream.map((r) => r.route))) {
      const count = upstream.filter((r) => r.route === route).length;
      expect(delta("cgw_upstream_requests_total", { route, method: "GET", status: "200" }), route).toBe(count);
      expect(delta("cgw_upstream_request_duration_seconds_count", { route }), route).toBe(count);
    }
    expect(after.types.get("cgw_upstream_request_duration_seconds")).toBe("histogram");
    expect(after.value("cgw_upstream_rate_limit_remaining", { location_id: DEMO_LOCATION_ID, window: "daily" })).toBeGreaterThan(0);
    // A second identical query is served from the cache: no new upstream call, the hit counter moves.
    const again = await s.gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: contactId }, await s.tokenFor());
    expect(again.body.errors).toBeUndefined();
    const third = await scrape(s.gateway.url);
    expect(third.value("cgw_upstream_requests_total")).toBe(after.value("cgw_upstream_requests_total"));
    expect(third.value("cgw_cache_hits_total")).toBeGreaterThan(after.value("cgw_cache_hits_total"));
    // Process metrics are for `npm start` (main.ts turns them on); a test gateway leaves them off.
    expect(third.samples.some((x) => x.name.startsWith("cgw_process_"))).toBe(false);
  });

  it("counts webhook deliveries by type and outcome, and open subscriptions", async () => {
    const s = stack();
    const client = wsClient(s.gateway.wsUrl, await s.tokenFor());
    const sub = collect<{ contactEvents: { type: string } }>(client, "subscription { contactEvents { type contactId } }");
    try {
      await expect.poll(async () => (await scrape(s.gateway.url)).value("cgw_subscriptions_active"), { timeout: 10_000, interval: 50 }).toBe(1);
      const before = await scrape(s.gateway.url);
      s.sim.data.createContact(DEMO_LOCATION_ID, { firstName: "Metric", lastName: "Probe", email: "metric.probe@example.com" }, { emit: true });
      await s.sim.flushWebhooks();
      await expect.poll(() => sub.results.length, { timeout: 10_000, interval: 25 }).toBe(1);
      const after = await scrape(s.gateway.url);
      const accepted = { type: "ContactCreate", outcome: "accepted" };
      expect(after.value("cgw_webhook_events_total", accepted) - before.value("cgw_webhook_events_total", accepted)).toBe(1);
      expect(after.types.get("cgw_token_refreshes_total")).toBe("counter");
    } finally {
      sub.dispose();
      await client.dispose();
    }
    await expect.poll(async () => (await scrape(s.gateway.url)).value("cgw_subscriptions_active"), { timeout: 10_000, interval: 50 }).toBe(0);
  });
});

describe("/readyz", () => {
  const extra: Gateway[] = [];
  afterAll(async () => {
    for (const g of extra) await g.close();
  });

  it("is 200 with the upstream check when the simulator answers", async () => {
    const response = await fetch(`${stack().gateway.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ready", checks: expect.arrayContaining([{ name: "upstream", ok: true, detail: expect.stringMatching(/^reachable/) }]) });
  });

  it("stays 200 'degraded' while one served location's circuit is open, 503 once every location's is", async () => {
    const s = await startStack({ env: { BREAKER_FAILURE_THRESHOLD: "2", BREAKER_RESET_MS: "600000", UPSTREAM_RETRY_ATTEMPTS: "1" } });
    const readyz = async () => {
      const r = await fetch(`${s.gateway.url}/readyz`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    try {
      expect(await readyz()).toMatchObject({ status: 200, body: { status: "ready" } });
      s.sim.addFault({ route: "/contacts/:contactId", status: 503 });
      const openCircuit = async (locationId: string) => {
        const token = await s.tokenFor({ locationId });
        for (const c of s.sim.data.listContacts(locationId).slice(0, 2)) {
          await s.gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: c.id }, token);
        }
        expect((await scrape(s.gateway.url)).value("cgw_breaker_state", { location_id: locationId })).toBe(2);
      };
      await openCircuit(LOCATION_A);
      await expect
        .poll(readyz, { timeout: 10_000, interval: 200 })
        .toMatchObject({ status: 200, body: { status: "degraded", degraded: [{ breaker: "open" }] } });
      await openCircuit(LOCATION_B);
      await expect
        .poll(readyz, { timeout: 10_000, interval: 200 })
        .toMatchObject({
          status: 503,
          body: { status: "not_ready", reason: "circuit breaker open for every served location" },
        });
    } finally {
      await s.close();
    }
  });

  it("is 503 with the reason when the upstream is unreachable", async () => {
    const deadPort = await freePort();
    const g = await startOpsGateway({
      simUrl: `http://127.0.0.1:${deadPort}`,
      env: { CONTACTS_API_TOKEN: "sim-rw-A-token", CONTACTS_LOCATION_ID: DEMO_LOCATION_ID, OAUTH_CLIENT_ID: "", OAUTH_CLIENT_SECRET: "", OAUTH_REDIRECT_URI: "" },
    });
    extra.push(g);
    const r = await fetch(`${g.url}/readyz`);
    expect(r.status).toBe(503);
    const body = (await r.json()) as { reason: string };
    expect(body.reason).toMatch(/upstream unreachable \(ECONNREFUSED\)/);
    expect(JSON.stringify(body)).not.toContain("sim-rw-A-token");
  });
});

describe("/oauth/* without OAuth configured", () => {
  it("answers 404 naming the variables to set", async () => {
    for (const path of ["/oauth/install", "/oauth/callback?code=x&state=y"]) {
      const r = await fetch(`${stack().gateway.url}${path}`, { redirect: "manual" });
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ error: "oauth_not_configured", message: expect.stringMatching(/OAUTH_CLIENT_ID.*CREDENTIALS_KEY/) });
    }
  });
});

describe("logs", () => {
  it("no upstream token or caller secret appears in the gateway's log", () => {
    const s = stack();
    expect(s.logs.length).toBeGreaterThan(0);
    const secrets = [TEST_JWT_SECRET, ...s.sim.tokens.map((t) => t.token)];
    expect(s.logs.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
  });
});
