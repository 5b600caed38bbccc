/**
 * The response cache for every read: a repeated `contacts` page or `contact(id)` query costs no
 * upstream call; a webhook evicts exactly the answers that read what it changed (the others still
 * hit); answers are never shared across locations or scopes; an answer that depends on the clock
 * (overdue tasks) is not served once the due time it showed has passed (injected clock).
 */
import { describe, expect, it } from "vitest";
import { LOCATION_A, LOCATION_B, READ, WRITE, useStack } from "../support/harness.js";
import { wsOperation } from "../support/ws-operation.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const T0 = Date.parse("2026-06-01T12:00:00.000Z");
let clockMs = T0;

const PAGE = `query Page { contacts(first: 10) { nodes { id firstName tasks { id } notes { id } appointments { id } } } }`;
const ONE = `query One($id: ID!) { contact(id: $id) { id firstName } }`;
const OVERDUE = `query Overdue($id: ID!) { contact(id: $id) { id summary { overdueTaskCount } } }`;

describe("response cache for every read", () => {
  const stack = useStack({ env: webhookKeyEnv(keys), gateway: { clock: () => clockMs } });
  const hit = (res: { headers: Headers }) => res.headers.get("x-response-cache") === "hit";

  it("a repeated contacts page costs 0 upstream calls, over HTTP and graphql-ws", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const first = await s.gql(PAGE, {}, token);
    expect(first.body.errors).toBeUndefined();
    s.sim.clearRequests();
    const again = await s.gql(PAGE, {}, token);
    expect(hit(again)).toBe(true);
    expect(again.body.data).toEqual(first.body.data);
    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: PAGE });
    expect(ws).toMatchObject({ kind: "result", result: { data: first.body.data } });
    expect(s.sim.requests).toEqual([]);
  });

  it("a webhook evicts only the answers that showed the changed contact", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const [x, y] = s.sim.data.listContacts(LOCATION_A).slice(0, 2);
    if (!x || !y) throw new Error("expected two seeded contacts");
    for (const id of [x.id, y.id]) await s.gql(ONE, { id }, token);
    expect(hit(await s.gql(ONE, { id: x.id }, token))).toBe(true);
    expect(hit(await s.gql(ONE, { id: y.id }, token))).toBe(true);

    const intake = `${s.gateway.url}/webhooks/highlevel`;
    const changed = { ...x, firstName: "Renamed", dateUpdated: new Date(Date.now() + 1_000).toISOString() };
    const posted = await postWebhook(intake, webhookBody({ ...changed, type: "ContactUpdate", locationId: LOCATION_A }), { keys });
    expect(posted.status).toBe(200);

    s.sim.clearRequests();
    const afterX = await s.gql(ONE, { id: x.id }, token);
    expect(hit(afterX)).toBe(false);
    expect(afterX.body.data).toEqual({ contact: { id: x.id, firstName: "Renamed" } }); // from the webhook: no upstream call
    const afterY = await s.gql(ONE, { id: y.id }, token);
    expect(hit(afterY)).toBe(true);
    expect(s.sim.requests).toEqual([]);
  });

  it("never serves a stored answer to another location or to other scopes", async () => {
    const s = stack();
    const x = s.sim.data.listContacts(LOCATION_A)[2]; // not read by the tests above
    if (!x) throw new Error("expected a seeded contact");
    const writer = await s.tokenFor({ scopes: [READ, WRITE] });
    await s.gql(ONE, { id: x.id }, writer);
    expect(hit(await s.gql(ONE, { id: x.id }, writer))).toBe(true);

    const reader = await s.tokenFor({ scopes: [READ], subject: "someone-else" });
    const readerSees = await s.gql(ONE, { id: x.id }, reader);
    expect(hit(readerSees)).toBe(false); // its own entry (stored now), never the writer's

    const anonymous = await s.gql(ONE, { id: x.id });
    expect(hit(anonymous)).toBe(false);
    expect(anonymous.body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");

    const other = await s.tokenFor({ locationId: LOCATION_B });
    const http = await s.gql(ONE, { id: x.id }, other);
    expect(hit(http)).toBe(false);
    expect(http.body.data).toEqual({ contact: null }); // location A's contact is not B's
    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${other}`, { query: ONE, variables: { id: x.id } });
    expect(ws).toMatchObject({ kind: "result", result: { data: { contact: null } } });
  });

  it("a changed page is stored again in the memory its dropped answer held, once that answer's hits were sent", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const metric = async (name: string) => {
      const text = await (await fetch(`${s.gateway.url}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
    };
    const BIG = `query Big { contacts(first: 20) { nodes { id firstName lastName email phone tags tasks { id title } notes { id body } } } }`;
    const first = await s.gql(BIG, {}, token);
    expect(first.body.errors).toBeUndefined();
    expect(JSON.stringify(first.body).length).toBeGreaterThan(4096); // large enough for reused memory (answer-bytes.ts)
    const again = await s.gql(BIG, {}, token);
    expect(hit(again)).toBe(true); // its bytes were lent to this write until it finished
    expect(again.body.data).toEqual(first.body.data);
    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: BIG });
    expect(ws).toMatchObject({ kind: "result", result: { data: first.body.data } });

    const reused = await metric("cgw_response_cache_buffers_reused_total");
    const allocated = await metric("cgw_response_cache_buffers_allocated_total");
    const shown = s.sim.data.listContacts(LOCATION_A)[3]!;
    const changed = { ...shown, dateUpdated: new Date(Date.now() + 1_000).toISOString() };
    expect((await postWebhook(`${s.gateway.url}/webhooks/highlevel`, webhookBody({ ...changed, type: "ContactUpdate", locationId: LOCATION_A }), { keys })).status).toBe(200);
    const fresh = await s.gql(BIG, {}, token);
    expect(hit(fresh)).toBe(false);
    expect(fresh.body.errors).toBeUndefined();
    expect(await metric("cgw_response_cache_buffers_reused_total")).toBe(reused + 1);
    expect(await metric("cgw_response_cache_buffers_allocated_total")).toBe(allocated);
    const stored = await s.gql(BIG, {}, token);
    expect(hit(stored)).toBe(true);
    expect(stored.body.data).toEqual(fresh.body.data);
  });

  it("an answer with overdueTaskCount is not served once the due time it showed passes", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const contact = s.sim.data.createContact(LOCATION_A, { firstName: "Clock", email: `clock-${T0}@example.com` });
    s.sim.data.createTask(contact.id, { title: "Call back", dueDate: new Date(T0 + 3_600_000).toISOString(), completed: false });

    clockMs = T0;
    const before = await s.gql(OVERDUE, { id: contact.id }, token);
    expect(before.body.data).toEqual({ contact: { id: contact.id, summary: { overdueTaskCount: 0 } } });
    clockMs = T0 + 3_599_000;
    expect(hit(await s.gql(OVERDUE, { id: contact.id }, token))).toBe(true);

    clockMs = T0 + 3_601_000; // the task is overdue now
    const after = await s.gql(OVERDUE, { id: contact.id }, token);
    expect(hit(after)).toBe(false);
    expect(after.body.data).toEqual({ contact: { id: contact.id, summary: { overdueTaskCount: 1 } } });

    // A task added through the gateway drops the contact's cached task list: the answer that read
    // the old list goes, and the one that reads the new list expires at the new task's due time.
    const writer = await s.tokenFor({ scopes: [READ, WRITE] });
    const dueDate = new Date(T0 + 7_200_000).toISOString();
    const created = await s.gql(`mutation($c: ID!, $d: DateTime!) { createTask(contactId: $c, input: { title: "Second call", dueDate: $d }) { id } }`, { c: contact.id, d: dueDate }, writer);
    expect(created.body.errors).toBeUndefined();
    s.sim.clearRequests();
    const added = await s.gql(OVERDUE, { id: contact.id }, token);
    expect(hit(added)).toBe(false);
    expect(added.body.data).toEqual({ contact: { id: contact.id, summary: { overdueTaskCount: 1 } } });
    expect(s.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /contacts/${contact.id}/tasks`]); // a new list
    clockMs = T0 + 7_199_000;
    expect(hit(await s.gql(OVERDUE, { id: contact.id }, token))).toBe(true);
    clockMs = T0 + 7_201_000; // the second task is overdue now
    const later = await s.gql(OVERDUE, { id: contact.id }, token);
    expect(hit(later)).toBe(false);
    expect(later.body.data).toEqual({ contact: { id: contact.id, summary: { overdueTaskCount: 2 } } });
  });
});
