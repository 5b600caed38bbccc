/**
 * Retries, the circuit breaker and partial results through the real gateway against the
 * simulator's faults: 429/503 twice then 200 succeeds with retries spaced as the headers say; a
 * POST that timed out is not repeated (a GET is); repeated connection resets open the breaker
 * (fast failures, no upstream calls, /readyz degraded) and it closes after recovery; a failure in one
 * contact's relation never fails the whole operation.
 */
import { describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../../src/simulator/index.js";
import { LOCATION_A, READ, startStack, WRITE, type Stack } from "../support/harness.js";
import { waitFor } from "../support/events-wait.js";

const CONTACT = `query One($id: ID!) { contact(id: $id) { id name } }`;

function firstContacts(stack: Stack, n: number) {
  return stack.sim.data.listContacts(LOCATION_A).slice(0, n);
}

function gaps(entries: readonly RequestLogEntry[]): number[] {
  const times = entries.map((e) => e.time).sort((a, b) => a - b);
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

describe("retries (e2e)", () => {
  it("a 429 twice then 200 succeeds, each retry waiting the X-RateLimit-Interval-Milliseconds of the 429", async () => {
    await using stack = await startStack({ env: { RATE_LIMIT_INTERVAL_MS: "500", CACHE_TTL_MS: "0" } });
    const [contact] = firstContacts(stack, 1);
    stack.sim.addFault({
      path: `/contacts/${contact!.id}`,
      status: 429,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-interval-milliseconds": "600" },
      body: { statusCode: 429, message: "Too Many Requests" },
      times: 2,
    });
    const res = await stack.gql(CONTACT, { id: contact!.id }, await stack.tokenFor());
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ contact: { id: contact!.id, name: expect.any(String) } });
    const calls = stack.upstream("/contacts/:contactId");
    expect(calls.map((c) => c.status)).toEqual([429, 429, 200]);
    for (const gap of gaps(calls)) expect(gap).toBeGreaterThanOrEqual(600 - 5);
  });

  it("a 503 twice then 200 succeeds, each retry waiting the Retry-After", async () => {
    await using stack = await startStack({ env: { CACHE_TTL_MS: "0" } });
    const [contact] = firstContacts(stack, 1);
    stack.sim.addFault({ path: `/contacts/${contact!.id}/tasks`, status: 503, headers: { "retry-after": "1" }, times: 2 });
    const res = await stack.gql(`query T($id: ID!) { contact(id: $id) { tasks { id } } }`, { id: contact!.id }, await stack.tokenFor());
    expect(res.body.errors).toBeUndefined();
    const calls = stack.upstream("/contacts/:contactId/tasks");
    expect(calls.map((c) => c.status)).toEqual([503, 503, 200]);
    for (const gap of gaps(calls)) expect(gap).toBeGreaterThanOrEqual(1_000 - 5);
  });

  it("gives up after the configured attempts and reports the upstream's failure", async () => {
    await using stack = await startStack({ env: { UPSTREAM_RETRY_ATTEMPTS: "2", UPSTREAM_RETRY_BASE_DELAY_MS: "10", CACHE_TTL_MS: "0" } });
    const [contact] = firstContacts(stack, 1);
    stack.sim.addFault({ path: `/contacts/${contact!.id}`, status: 502 });
    const res = await stack.gql(CONTACT, { id: contact!.id }, await stack.tokenFor());
    expect(res.body.errors?.[0]?.path).toEqual(["contact"]);
    expect(stack.upstream("/contacts/:contactId")).toHaveLength(2);
  });

  it("never repeats a POST that timed out (it may have been written), but repeats a GET", async () => {
    // Margins, not speed: each fault holds its request well past the headers timeout, and the
    // timeout is long enough for a retried GET to be answered on a loaded machine; more attempts
    // than needed, so a retry slowed past the timeout by load still leaves one to succeed (and
    // shows the POST was not repeated although attempts were left).
    const headersTimeoutMs = 1_000;
    const faultDelayMs = 2_500;
    await using stack = await startStack({
      env: { UPSTREAM_HEADERS_TIMEOUT_MS: String(headersTimeoutMs), UPSTREAM_RETRY_ATTEMPTS: "5", UPSTREAM_RETRY_BASE_DELAY_MS: "10", CACHE_TTL_MS: "0" },
    });
    const token = await stack.tokenFor({ scopes: [READ, WRITE] });
    stack.sim.addFault({ method: "POST", route: "/contacts/", delayMs: faultDelayMs, times: 1 });
    const res = await stack.gql(
      `mutation { createContact(input: { firstName: "Timeout", lastName: "Probe", email: "timeout-probe@example.com" }) { id } }`,
      {},
      token,
    );
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", outcomeUnknown: true });
    // The slow POST reaches the simulator's log once it is handled; a retry (undelayed, sent
    // ~headersTimeoutMs after it) would have been logged first.
    await stack.sim.waitForRequests((r) => r.method === "POST" && r.route === "/contacts/", 1, 10_000);
    expect(stack.sim.requests.filter((r) => r.method === "POST" && r.route === "/contacts/")).toHaveLength(1);

    const [contact] = firstContacts(stack, 1);
    stack.sim.addFault({ path: `/contacts/${contact!.id}`, delayMs: faultDelayMs, times: 1 });
    const read = await stack.gql(CONTACT, { id: contact!.id }, token);
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({ contact: { id: contact!.id, name: expect.any(String) } });
    const gets = await stack.sim.waitForRequests((r) => r.path === `/contacts/${contact!.id}`, 2, 10_000);
    expect(gets.some((r) => r.status === 200)).toBe(true);
  });
});

describe("circuit breaker (e2e)", () => {
  it("opens after repeated connection resets, fails fast without upstream calls, and closes after recovery", async () => {
    await using stack = await startStack({
      env: {
        BREAKER_FAILURE_THRESHOLD: "3",
        BREAKER_RESET_MS: "500",
        UPSTREAM_RETRY_ATTEMPTS: "2",
        UPSTREAM_RETRY_BASE_DELAY_MS: "10",
        CACHE_TTL_MS: "0",
      },
    });
    const token = await stack.tokenFor();
    const contacts = firstContacts(stack, 5);
    stack.sim.addFault({ route: "/contacts/:contactId", reset: true });
    for (const c of contacts.slice(0, 3)) {
      const res = await stack.gql(CONTACT, { id: c.id }, token);
      expect(res.body.errors?.[0]?.extensions?.["code"]).toBe("UPSTREAM_UNAVAILABLE");
    }
    const before = stack.sim.requests.length;
    expect(before).toBe(3 * 2);

    const fast = await stack.gql(CONTACT, { id: contacts[3]!.id }, token);
    expect(fast.body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", reason: "circuit_open" });
    expect(stack.sim.requests.length).toBe(before);
    // Location B is still served: the instance stays in the load balancer, reporting A as degraded.
    await waitFor(
      async () => {
        const r = await fetch(`${stack.gateway.url}/readyz`);
        return r.status === 200 && JSON.stringify(await r.json()).includes(`"degraded":[{"breaker":"open"}]`);
      },
      { what: "/readyz 200 degraded while the circuit is open" },
    );
    expect(await (await fetch(`${stack.gateway.url}/metrics`)).text()).toContain(`cgw_breaker_state{location_id="${LOCATION_A}"} 2`);

    stack.sim.clearFaults();
    await waitFor(
      async () => (await stack.gql(CONTACT, { id: contacts[4]!.id }, token)).body.errors === undefined,
      { what: "a half-open probe to succeed", timeoutMs: 15_000, intervalMs: 100 },
    );
    expect((await stack.gql(CONTACT, { id: contacts[0]!.id }, token)).body.errors).toBeUndefined();
    await waitFor(async () => (await (await fetch(`${stack.gateway.url}/readyz`)).json()).status === "ready", { what: "/readyz ready after recovery" });
  });
});

describe("partial results (e2e)", () => {
  it("a failing relation of one contact nulls that field only; the rest of the operation arrives", async () => {
    await using stack = await startStack({ env: { UPSTREAM_RETRY_BASE_DELAY_MS: "10", CACHE_TTL_MS: "0" } });
    const listed = stack.sim.data.listContacts(LOCATION_A).slice(0, 10);
    const broken = listed[3]!;
    stack.sim.addFault({ path: `/contacts/${broken.id}/tasks`, reset: true });
    stack.sim.addFault({ path: `/contacts/${listed[5]!.id}/notes`, status: 500 });
    const res = await stack.gql(
      `{ contacts(first: 10) { nodes { id name tasks { id } notes { id } appointments { id } } } }`,
      {},
      await stack.tokenFor(),
    );
    const nodes = (res.body.data as { contacts: { nodes: Array<{ id: string; tasks: unknown; notes: unknown; appointments: unknown }> } })
      .contacts.nodes;
    expect(nodes.map((n) => n.id)).toEqual(listed.map((c) => c.id));
    const errors = res.body.errors ?? [];
    expect(errors.map((e) => [e.path, e.extensions?.["code"]])).toEqual(
      expect.arrayContaining([
        [["contacts", "nodes", 3, "tasks"], "UPSTREAM_UNAVAILABLE"],
        [["contacts", "nodes", 5, "notes"], "UPSTREAM_ERROR"],
      ]),
    );
    expect(errors).toHaveLength(2);
    expect(nodes[3]!.tasks).toBeNull();
    expect(nodes[5]!.notes).toBeNull();
    for (const [i, n] of nodes.entries()) {
      if (i !== 3) expect(Array.isArray(n.tasks)).toBe(true);
      if (i !== 5) expect(Array.isArray(n.notes)).toBe(true);
      expect(Array.isArray(n.appointments)).toBe(true);
    }
  });
});
