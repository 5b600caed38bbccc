/**
 * `extensions.cost` on every answer, over HTTP and graphql-ws: the cost stage's estimate, the
 * upstream calls the answer made (the simulator's request log agrees), and what is left of the
 * location's budget this interval and today. A response-cache hit made 0 calls: over HTTP its
 * stored bytes are sent with the per-hit extensions appended (never serialised again), over
 * graphql-ws the stored result is merged with them.
 */
import { describe, expect, it } from "vitest";
import { costOf } from "../support/cost-extension.js";
import { LOCATION_A, READ, WRITE, useStack } from "../support/harness.js";
import { wsOperation } from "../support/ws-operation.js";

const PAGE = `query CostPage { contacts(first: 5) { nodes { id notes { id } appointments { id } } } }`;

describe("cost in extensions", () => {
  // The gateway's default budget (100 per interval less 5 %: 95; 200,000 a day less 5 %).
  const stack = useStack();
  const LIMIT = 95;
  const DAILY = 190_000;

  it("reports estimated and actual upstream calls and the location's remaining budget; a hit costs 0, over HTTP and graphql-ws", async () => {
    const s = stack();
    const token = await s.tokenFor();
    s.sim.clearRequests();
    const first = await s.gql(PAGE, {}, token);
    expect(first.body.errors).toBeUndefined();
    const made = s.sim.requests.length;
    expect(made).toBe(1 + 5 * 2);
    // This location's credential lacks the calendars' scopes: the estimate counts its appointments
    // per contact, as they are read (with the scopes, a tenth of a call each: resources.ts APPOINTMENTS.bulk).
    expect(costOf(first.body)).toEqual({ estimated: 11, actual: made, budget: { intervalRemaining: LIMIT - made, dailyRemaining: DAILY - made } });

    // The HTTP fast path: the stored bytes with this hit's extensions appended.
    const raw = await fetch(`${s.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: PAGE }),
    });
    expect(raw.headers.get("x-response-cache")).toBe("hit");
    const text = await raw.text();
    const hit = JSON.parse(text) as { data: unknown };
    expect(hit.data).toEqual(first.body.data);
    expect(costOf(hit)).toEqual({ estimated: 11, actual: 0, budget: { intervalRemaining: LIMIT - made, dailyRemaining: DAILY - made } });
    expect(text.indexOf('"extensions"')).toBeGreaterThan(text.indexOf('"data"')); // appended after the stored answer

    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: PAGE });
    expect(ws.kind).toBe("result");
    const wsResult = (ws as { result: { data?: unknown } }).result;
    expect(wsResult.data).toEqual(first.body.data);
    expect(costOf(wsResult)).toEqual({ estimated: 11, actual: 0, budget: { intervalRemaining: LIMIT - made, dailyRemaining: DAILY - made } });
    expect(s.sim.requests).toHaveLength(made);
  });

  it("counts the calls of an executed graphql-ws operation and of a mutation; an answer that read nothing costs 0", async () => {
    const s = stack();
    const token = await s.tokenFor({ scopes: [READ, WRITE] });
    const contactId = s.sim.data.listContacts(LOCATION_A)[7]!.id;
    const before = s.sim.requests.length;
    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: `query($id: ID!) { contact(id: $id) { id notes { id } } }`, variables: { id: contactId } });
    const wsCost = costOf((ws as { result: unknown }).result)!;
    expect(wsCost).toMatchObject({ estimated: 2, actual: 2 });
    expect(s.sim.requests.length - before).toBe(2);

    const created = await s.gql(
      `mutation($c: ID!) { createTask(contactId: $c, input: { title: "cost of a write", dueDate: "2030-01-01T09:00:00Z" }) { id } }`,
      { c: contactId },
      token,
    );
    expect(created.body.errors).toBeUndefined();
    const writes = s.sim.requests.length - before - 2;
    expect(costOf(created.body)).toMatchObject({ estimated: 2, actual: writes });
    expect(writes).toBeGreaterThanOrEqual(1);

    const viewer = await s.gql(`{ viewer { locationId } }`, {}, token);
    expect(costOf(viewer.body)).toMatchObject({ estimated: 0, actual: 0 });
    expect(costOf(viewer.body)!.budget.dailyRemaining).toBe(DAILY - s.sim.requests.length);
  });
});
