/**
 * The dashboard's response cache: a repeated dashboard is answered without executing (no upstream
 * call, `x-response-cache: hit`), per caller location and scopes; a webhook about a contact it shows
 * evicts it (the next answer is fresh), a webhook about another contact does not, and errors are
 * never stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCATION_A, startStack, type Stack } from "../support/harness.js";

const DAY = 86_400_000;
const COMPANY = "Response Cache Probe";
const QUERY = `query Dash($q: String) { dashboard(first: 10, query: $q) { id summary { openTaskCount overdueTaskCount } tasks { id completed } } }`;

let stack: Stack;
let token: string;
let shown: { contactId: string; taskId: string };
let other: { contactId: string; taskId: string };

async function post(query: string, variables: Record<string, unknown>, bearer: string) {
  const res = await fetch(`${stack.gateway.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  return { hit: res.headers.get("x-response-cache") === "hit", body: (await res.json()) as { data?: { dashboard: Array<{ id: string; tasks: Array<{ id: string; completed: boolean }> }> }; errors?: unknown[] } };
}

beforeAll(async () => {
  stack = await startStack({ trustSimulatorWebhooks: true });
  token = await stack.tokenFor();
  const mk = (name: string, company: string) => {
    const c = stack.sim.data.createContact(LOCATION_A, { firstName: name, lastName: "Probe", companyName: company });
    const t = stack.sim.data.createTask(c.id, { title: "Overdue", dueDate: new Date(Date.now() - DAY).toISOString(), completed: false });
    return { contactId: c.id, taskId: t.id };
  };
  shown = mk("Shown", COMPANY);
  other = mk("Elsewhere", "Unrelated Other Company");
});

afterAll(async () => {
  await stack?.close();
});

describe("dashboard response cache", () => {
  it("answers a repeat from the cache: same body, no upstream call", async () => {
    const first = await post(QUERY, { q: COMPANY }, token);
    expect(first.body.errors).toBeUndefined();
    expect(first.hit).toBe(false);
    stack.sim.clearRequests();
    const second = await post(QUERY, { q: COMPANY }, token);
    expect(second.hit).toBe(true);
    expect(second.body.data).toEqual(first.body.data);
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("keys by the caller's scopes: another scope set executes (from the resource cache)", async () => {
    const writer = await stack.tokenFor({ scopes: ["contacts.readonly", "contacts.write"] });
    const res = await post(QUERY, { q: COMPANY }, writer);
    expect(res.hit).toBe(false);
    expect(res.body.errors).toBeUndefined();
  });

  it("keeps the entry when a webhook is about a contact it does not show", async () => {
    stack.sim.data.completeTask(other.contactId, other.taskId, true, { emit: true });
    await stack.sim.flushWebhooks();
    expect(stack.sim.deliveredWebhooks.at(-1)?.status).toBe(200);
    expect((await post(QUERY, { q: COMPANY }, token)).hit).toBe(true);
  });

  it("evicts when a webhook is about a contact it shows: the next answer is fresh", async () => {
    stack.sim.data.completeTask(shown.contactId, shown.taskId, true, { emit: true });
    await stack.sim.flushWebhooks();
    expect(stack.sim.deliveredWebhooks.at(-1)?.status).toBe(200);
    const res = await post(QUERY, { q: COMPANY }, token);
    expect(res.hit).toBe(false);
    const row = res.body.data?.dashboard.find((r) => r.id === shown.contactId);
    expect(row?.tasks.find((t) => t.id === shown.taskId)?.completed).toBe(true);
    expect((await post(QUERY, { q: COMPANY }, token)).hit).toBe(true);
  });

  it("never stores errors, and never serves an unauthenticated caller", async () => {
    const bad = `query { dashboard(first: 0) { id } }`;
    expect((await post(bad, {}, token)).body.errors).toBeDefined();
    const again = await post(bad, {}, token);
    expect(again.hit).toBe(false);
    expect(again.body.errors).toBeDefined();
    const anonymous = await post(QUERY, { q: COMPANY }, "not-a-token");
    expect(anonymous.hit).toBe(false);
    expect(anonymous.body.data?.dashboard ?? null).toBeNull();
  });
});
