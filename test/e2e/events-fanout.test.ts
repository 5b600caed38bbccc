// Subscriptions resolve through the shared cache with fresh per-event loaders: one event fanned
// out to 200 subscribers costs at most one upstream call per resource; a dashboard re-query after
// complete payloads costs none; consecutive events of one subscription never see stale data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { LOCATION_A, READ, WRITE, startStack, type Stack } from "../support/harness.js";
import { collect, wsClient, type CollectedSubscription } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
let stack: Stack;
let intakeUrl: string;
const clients: Client[] = [];
const post = (fields: Record<string, unknown>, webhookId?: string) =>
  postWebhook(intakeUrl, webhookBody({ locationId: LOCATION_A, ...fields }, webhookId ? { webhookId } : {}), { keys });

beforeAll(async () => {
  // 200 subscribers with tokens of ONE caller: lift the per-caller graphql-ws caps, which exist to
  // stop exactly that from a real caller (test/e2e/security/ws-caps.test.ts covers them).
  stack = await startStack({ env: { ...webhookKeyEnv(keys), WS_MAX_SOCKETS_PER_CALLER: "1000", WS_MAX_SUBSCRIPTIONS_PER_CALLER: "1000" } });
  intakeUrl = `${stack.gateway.url}/webhooks/highlevel`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.close();
});

async function client(scopes: string[] = [READ]): Promise<Client> {
  const c = wsClient(stack.gateway.wsUrl, await stack.tokenFor({ scopes, locationId: LOCATION_A }));
  clients.push(c);
  return c;
}

function seededContactWithTask() {
  for (const contact of stack.sim.data.listContacts(LOCATION_A)) {
    const task = stack.sim.data.listTasks(contact.id).find((t) => !t.completed);
    if (task) return { contact, task };
  }
  throw new Error("expected a seeded contact with an open task in location A");
}

type FanoutResult = { contactEvents: { type: string; webhookId: string; task: { id: string; title: string; completed: boolean } | null; contact: { id: string; name: string | null } | null } };

describe("fan-out", () => {
  it("delivers one event to 200 subscribers of a contact for at most one upstream call per resource", async () => {
    const { contact, task } = seededContactWithTask();
    const query = /* GraphQL */ `
      subscription One($ids: [ID!]) {
        contactEvents(contactIds: $ids) { type webhookId task { id title completed } contact { id name } }
      }`;
    const subs: CollectedSubscription<FanoutResult>[] = [];
    for (let i = 0; i < 200; i++) subs.push(collect<FanoutResult>(await client(), query, { ids: [contact.id] }));
    // every subscription is live once it has seen a probe event for this contact
    await waitFor(
      async () => {
        await post({ type: "NoteDelete", id: `probe${Date.now()}`, contactId: contact.id });
        return subs.every((s) => s.results.length > 0);
      },
      { timeoutMs: 30_000, what: "200 live subscriptions" },
    );

    stack.gateway.cache.clear(); // nothing cached: the event alone decides what is fetched
    stack.sim.clearRequests();
    const res = await post(
      { type: "TaskComplete", id: task.id, contactId: contact.id, title: task.title, body: task.body ?? "", assignedTo: task.assignedTo ?? undefined, dueDate: task.dueDate ?? undefined },
      "fanout-task-complete",
    );
    expect(res.status).toBe(200);
    const got = (s: CollectedSubscription<FanoutResult>) => s.results.filter((r) => r.contactEvents.webhookId === "fanout-task-complete");
    await waitFor(() => subs.every((s) => got(s).length === 1), { timeoutMs: 30_000, what: "all 200 subscribers to receive the event" });

    for (const s of subs) {
      expect(got(s)).toEqual([
        { contactEvents: { type: "TASK_COMPLETE", webhookId: "fanout-task-complete", task: { id: task.id, title: task.title, completed: true }, contact: { id: contact.id, name: contact.name ?? null } } },
      ]);
      expect(s.errors).toEqual([]);
    }
    const calls = stack.upstream().map((r) => `${r.method} ${r.route}`);
    const perRoute = Object.fromEntries([...new Set(calls)].map((k) => [k, calls.filter((c) => c === k).length]));
    // the contact is fetched once for all 200 (single-flight); the task came with the payload
    expect(perRoute).toEqual({ "GET /contacts/:contactId": 1 });
    subs.forEach((s) => s.dispose());
  });
});

describe("cache freshness", () => {
  it("answers a dashboard re-query after complete events without any upstream call", async () => {
    const { contact, task } = seededContactWithTask();
    const DASH = /* GraphQL */ `
      query Dash($id: ID!) { contact(id: $id) { id name tags tasks { id completed } notes { id body } appointments { id title } } }`;
    const token = await stack.tokenFor({ scopes: [READ] });
    const before = await stack.gql<{ contact: { tasks: { id: string; completed: boolean }[]; notes: { id: string }[] } }>(DASH, { id: contact.id }, token);
    expect(before.body.errors).toBeUndefined();

    stack.sim.clearRequests();
    const newName = `Renamed ${Date.now()}`;
    expect((await post({ ...contact, type: "ContactUpdate", name: newName, tags: ["vip"] })).status).toBe(200);
    expect((await post({ type: "TaskComplete", id: task.id, contactId: contact.id, title: task.title })).status).toBe(200);
    expect((await post({ type: "NoteCreate", id: "freshnote00000000001", contactId: contact.id, body: "from a webhook", dateAdded: new Date().toISOString() })).status).toBe(200);

    const after = await stack.gql<{ contact: { name: string; tags: string[]; tasks: { id: string; completed: boolean }[]; notes: { id: string; body: string }[] } }>(DASH, { id: contact.id }, token);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data?.contact.name).toBe(newName);
    expect(after.body.data?.contact.tags).toEqual(["vip"]);
    expect(after.body.data?.contact.tasks.find((t) => t.id === task.id)?.completed).toBe(true);
    expect(after.body.data?.contact.notes[0]).toEqual({ id: "freshnote00000000001", body: "from a webhook" });
    expect(stack.upstream()).toEqual([]);
  });

  it("answers the sandbox's dashboard query again after task, note and appointment events without any upstream call", async () => {
    const { SAMPLE_DASHBOARD_QUERY } = await import("../../src/server/index.js");
    const token = await stack.tokenFor({ scopes: [READ] });
    type Dash = { contacts: { nodes: { id: string; tasks: { id: string; completed: boolean }[]; notes: { id: string; body: string }[]; appointments: { id: string; title: string }[] }[] } };
    const first = await stack.gql<Dash>(SAMPLE_DASHBOARD_QUERY, { first: 5 }, token);
    expect(first.body.errors).toBeUndefined();
    const node = first.body.data!.contacts.nodes.find((n) => n.tasks.some((t) => !t.completed))!;
    const open = node.tasks.find((t) => !t.completed)!;
    const taskTitle = stack.sim.data.getTask(node.id, open.id)!.title;

    stack.sim.clearRequests();
    expect((await post({ type: "TaskComplete", id: open.id, contactId: node.id, title: taskTitle })).status).toBe(200);
    expect((await post({ type: "NoteCreate", id: "dashnote000000000001", contactId: node.id, body: "Live note", dateAdded: new Date().toISOString() })).status).toBe(200);
    expect(
      (await post({ type: "AppointmentCreate", appointment: { id: "dashappt000000000001", contactId: node.id, title: "Live appointment", startTime: "2031-01-01T10:00:00.000Z", endTime: "2031-01-01T11:00:00.000Z", appointmentStatus: "confirmed" } })).status,
    ).toBe(200);

    const again = await stack.gql<Dash>(SAMPLE_DASHBOARD_QUERY, { first: 5 }, token);
    expect(again.body.errors).toBeUndefined();
    const updated = again.body.data!.contacts.nodes.find((n) => n.id === node.id)!;
    expect(updated.tasks.find((t) => t.id === open.id)?.completed).toBe(true);
    expect(updated.notes.map((n) => n.body)).toContain("Live note");
    expect(updated.appointments.map((a) => a.title)).toContain("Live appointment");
    expect(stack.upstream()).toEqual([]);
  });

  it("resolves every event of one subscription with fresh loaders (no data from an earlier event)", async () => {
    const { contact } = seededContactWithTask();
    const c = await client();
    const sub = collect<{ contactEvents: { webhookId: string; contact: { name: string } | null } }>(
      c,
      `subscription($ids: [ID!]) { contactEvents(contactIds: $ids, types: [CONTACT_UPDATE]) { webhookId contact { name } } }`,
      { ids: [contact.id] },
    );
    await waitFor(async () => {
      await post({ ...contact, type: "ContactUpdate", name: "Warm-up" });
      return sub.results.length > 0;
    });
    await post({ ...contact, type: "ContactUpdate", name: "First name" }, "fresh-1");
    await waitFor(() => sub.results.some((r) => r.contactEvents.webhookId === "fresh-1"));
    await post({ ...contact, type: "ContactUpdate", name: "Second name" }, "fresh-2");
    await waitFor(() => sub.results.some((r) => r.contactEvents.webhookId === "fresh-2"));
    const names = Object.fromEntries(sub.results.map((r) => [r.contactEvents.webhookId, r.contactEvents.contact?.name]));
    expect([names["fresh-1"], names["fresh-2"]]).toEqual(["First name", "Second name"]);
    sub.dispose();
  });

  it("resolves a deleted contact from the event payload", async () => {
    const c = await client();
    const sub = collect<{ contactEvents: { type: string; contact: { id: string; name: string } | null } }>(
      c,
      `subscription { contactEvents(types: [CONTACT_DELETE]) { type contact { id name } } }`,
    );
    await waitFor(async () => {
      await post({ type: "ContactDelete", id: "gonecontact000000001", name: "Gone Person" });
      return sub.results.length > 0;
    });
    expect(sub.results[0]).toEqual({ contactEvents: { type: "CONTACT_DELETE", contact: { id: "gonecontact000000001", name: "Gone Person" } } });
    expect(sub.errors).toEqual([]);
    sub.dispose();
  });
});

describe("subscription auth", () => {
  it("closes an unauthenticated connection with 4403", async () => {
    const { createClient } = await import("graphql-ws");
    const WebSocket = (await import("ws")).default;
    const anonymous = createClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    clients.push(anonymous);
    const closeCode = await new Promise<number | undefined>((resolve) => {
      anonymous.on("closed", (event) => resolve((event as { code?: number }).code));
      anonymous.subscribe({ query: "subscription { contactEvents { type } }" }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(closeCode).toBe(4403);
  });

  it("closes a connection with 4403 when its caller token expires, and accepts none after", async () => {
    const { createClient } = await import("graphql-ws");
    const WebSocket = (await import("ws")).default;
    const token = await stack.tokenFor({ scopes: [READ], expiresIn: 2 });
    const shortLived = createClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
    clients.push(shortLived);
    let connected = false;
    shortLived.on("connected", () => (connected = true));
    const closed = new Promise<{ code?: number; reason?: string }>((resolve) => shortLived.on("closed", (event) => resolve(event as { code?: number; reason?: string })));
    const sub = collect(shortLived, "subscription { contactEvents { type } }");
    await waitFor(() => connected, { what: "the connection to be accepted while the token is valid" });
    const event = await closed;
    expect([event.code, event.reason]).toEqual([4403, "Forbidden: the caller token expired"]);
    await waitFor(() => sub.completed || sub.errors.length > 0, { what: "the subscription to end" });
    // the same token cannot open a new connection any more
    const again = createClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
    clients.push(again);
    const refused = new Promise<number | undefined>((resolve) => again.on("closed", (e) => resolve((e as { code?: number }).code)));
    collect(again, "subscription { contactEvents { type } }");
    expect(await refused).toBe(4403);
  });

  it("refuses a subscriber without contacts.readonly with FORBIDDEN", async () => {
    const c = await client([WRITE]);
    const sub = collect(c, "subscription { contactEvents { type } }");
    await waitFor(() => sub.errors.length > 0 || sub.completed);
    expect(JSON.stringify(sub.errors)).toMatch(/FORBIDDEN/);
    sub.dispose();
  });
});
