// The governance chain's events on /metrics of a real gateway against the simulator: a 503 and a
// 429 answered once are retried (counted by route and reason, the 429 per location), calls beyond
// the rate budget queue (queue length per location while they wait), a location whose upstream
// keeps failing opens its circuit (fast failures counted per location) while /readyz stays 200
// "degraded" because the other location is served; no label value ever carries a token.
import { describe, expect, it } from "vitest";
import { LOCATION_A, LOCATION_B, TEST_JWT_SECRET, startStack, type Stack } from "../support/harness.js";
import { waitFor } from "../support/events-wait.js";
import { parsePrometheusText, type ParsedMetrics } from "../support/ops-prometheus.js";

const CONTACT = `query One($id: ID!) { contact(id: $id) { id name } }`;
const WITH_RELATIONS = `query Rel($id: ID!) { contact(id: $id) { id tasks { id } notes { id } appointments { id } } }`;

async function scrape(stack: Stack): Promise<ParsedMetrics> {
  const response = await fetch(`${stack.gateway.url}/metrics`);
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

describe("governance metrics (e2e)", () => {
  it("counts retries, 429s, queueing and fast failures per location; label values carry no token", async () => {
    await using stack = await startStack({
      // The simulator's X-RateLimit-Interval-Milliseconds must not lengthen the gateway's 1 s window.
      simulator: { rateLimit: { burst: 1_000_000, intervalMs: 1_000, daily: 100_000_000 } },
      env: {
        // burst 3 less the 5 % margin = 2 calls per 1.1 s window: a contact with 3 relations (4 calls) queues.
        RATE_LIMIT_BURST: "3",
        RATE_LIMIT_INTERVAL_MS: "1000",
        RATE_LIMIT_MAX_WAIT_MS: "10000",
        UPSTREAM_RETRY_ATTEMPTS: "2",
        UPSTREAM_RETRY_BASE_DELAY_MS: "10",
        BREAKER_FAILURE_THRESHOLD: "2",
        BREAKER_RESET_MS: "600000",
        CACHE_TTL_MS: "0",
      },
    });
    const tokenA = await stack.tokenFor();
    const tokenB = await stack.tokenFor({ locationId: LOCATION_B });
    const [a1, a2, a3] = stack.sim.data.listContacts(LOCATION_A);
    const contactsB = stack.sim.data.listContacts(LOCATION_B).slice(0, 3);

    // A 503 once, then a 429 once: each retried once.
    stack.sim.addFault({ path: `/contacts/${a1!.id}`, status: 503, times: 1 });
    expect((await stack.gql(CONTACT, { id: a1!.id }, tokenA)).body.errors).toBeUndefined();
    stack.sim.addFault({ path: `/contacts/${a2!.id}`, status: 429, headers: { "x-ratelimit-interval-milliseconds": "100" }, times: 1 });
    expect((await stack.gql(CONTACT, { id: a2!.id }, tokenA)).body.errors).toBeUndefined();
    expect(stack.upstream("/contacts/:contactId").map((r) => r.status)).toEqual([503, 200, 429, 200]);

    // Four calls against two slots per window: some wait in location A's queue.
    const pending = stack.gql(WITH_RELATIONS, { id: a3!.id }, tokenA);
    let queued = 0;
    await waitFor(
      async () => {
        queued = Math.max(queued, (await scrape(stack)).value("cgw_upstream_queue_length", { location_id: LOCATION_A }));
        return queued > 0;
      },
      { what: "a call waiting in location A's queue", timeoutMs: 10_000, intervalMs: 10 },
    );
    expect((await pending).body.errors).toBeUndefined();

    // Location B's upstream keeps failing: two calls (two 503s each) open its circuit, the third fails fast.
    stack.sim.addFault({ path: new RegExp(`^/contacts/(${contactsB.map((c) => c.id).join("|")})$`), status: 503 });
    for (const c of contactsB.slice(0, 2)) {
      const failed = await stack.gql(CONTACT, { id: c.id }, tokenB);
      expect(failed.body.errors?.[0]?.extensions?.["reason"]).not.toBe("circuit_open");
      expect(failed.body.errors?.[0]?.extensions?.["code"]).toMatch(/^UPSTREAM_/);
    }
    const before = stack.sim.requests.length;
    const fast = await stack.gql(CONTACT, { id: contactsB[2]!.id }, tokenB);
    expect(fast.body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", reason: "circuit_open" });
    expect(stack.sim.requests.length).toBe(before);

    const m = await scrape(stack);
    const route = "/contacts/:contactId";
    expect(m.value("cgw_upstream_retries_total", { method: "GET", route, reason: "503" })).toBe(1 + 2); // A once, B once per call
    expect(m.value("cgw_upstream_retries_total", { method: "GET", route, reason: "429" })).toBe(1);
    expect(m.value("cgw_upstream_429_responses_total", { location_id: LOCATION_A })).toBe(1);
    expect(m.value("cgw_upstream_queue_length", { location_id: LOCATION_A })).toBe(0);
    expect(m.value("cgw_breaker_rejections_total", { location_id: LOCATION_B })).toBe(1);
    expect(m.value("cgw_breaker_rejections_total", { location_id: LOCATION_A })).toBe(0);
    expect(m.value("cgw_breaker_transitions_total", { location_id: LOCATION_B, state: "open" })).toBe(1);
    expect(m.value("cgw_breaker_state", { location_id: LOCATION_B })).toBe(2);
    expect(m.value("cgw_breaker_state", { location_id: LOCATION_A })).toBe(0);
    expect(m.value("cgw_rate_governor_rejections_total")).toBe(0);
    expect(m.value("cgw_upstream_rate_limit_max", { location_id: LOCATION_A, window: "burst" })).toBe(2);
    // Every HTTP call the simulator saw is counted once, retries included.
    expect(m.value("cgw_upstream_requests_total")).toBe(stack.sim.requests.length);

    // Only location ids, route templates, methods, statuses and closed lists as label values.
    const secrets = [TEST_JWT_SECRET, tokenA, tokenB, ...stack.sim.tokens.map((t) => t.token)];
    const values = new Set(m.samples.flatMap((s) => Object.values(s.labels)));
    expect([...values].filter((v) => secrets.some((secret) => v.includes(secret)))).toEqual([]);
    const locations = new Set(m.samples.flatMap((s) => (s.labels["location_id"] === undefined ? [] : [s.labels["location_id"]])));
    expect([...locations].sort()).toEqual([LOCATION_A, LOCATION_B].sort());

    // One location's open circuit does not take the instance out of the load balancer.
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    // (location ids only for a bearer of METRICS_TOKEN: test/e2e/security/ops-endpoints.test.ts)
    expect(await ready.json()).toMatchObject({ status: "degraded", degraded: [{ breaker: "open" }] });
  });
});
