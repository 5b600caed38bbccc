// End to end as in demo mode: a mutation through the gateway → the simulator changes its data and
// delivers a signed webhook to the gateway's intake → a graphql-ws subscriber receives the event.
// The gateway trusts the simulator's keys only when told to (demo mode); otherwise they are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { LOCATION_A, READ, WRITE, startStack, type Stack } from "../support/harness.js";
import { collect, wsClient } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";

let demo: Stack;
let strict: Stack;
let client: Client | undefined;

beforeAll(async () => {
  demo = await startStack({ trustSimulatorWebhooks: true });
  strict = await startStack();
});

afterAll(async () => {
  await client?.dispose();
  await demo?.close();
  await strict?.close();
});

type Result = { contactEvents: { type: string; webhookId: string; contactId: string; task: { id: string; title: string; completed: boolean } | null } };

describe("mutation → simulator webhook → subscriber", () => {
  it("delivers createTask and completeTask as TASK_CREATE and TASK_COMPLETE", async () => {
    const contact = demo.sim.data.listContacts(LOCATION_A)[0]!;
    client = wsClient(demo.gateway.wsUrl, await demo.tokenFor({ scopes: [READ] }));
    const sub = collect<Result>(
      client,
      `subscription($ids: [ID!]) { contactEvents(contactIds: $ids) { type webhookId contactId task { id title completed } } }`,
      { ids: [contact.id] },
    );
    // live once a simulator-signed probe got through
    await waitFor(async () => {
      const body = JSON.stringify({ type: "NoteDelete", locationId: LOCATION_A, id: `probe${Date.now()}`, contactId: contact.id, webhookId: `probe-${Date.now()}`, timestamp: new Date().toISOString() });
      const res = await fetch(`${demo.gateway.url}/webhooks/highlevel`, { method: "POST", headers: { "content-type": "application/json", ...demo.sim.signWebhook(body) }, body });
      expect(res.status).toBe(200);
      return sub.results.length > 0;
    });

    const writer = await demo.tokenFor({ scopes: [READ, WRITE] });
    const created = await demo.gql<{ createTask: { id: string } }>(
      `mutation($c: ID!) { createTask(contactId: $c, input: { title: "Call back from the e2e", dueDate: "2030-01-01T10:00:00Z" }) { id } }`,
      { c: contact.id },
      writer,
    );
    expect(created.body.errors).toBeUndefined();
    const taskId = created.body.data!.createTask.id;
    const completed = await demo.gql(
      `mutation($c: ID!, $t: ID!) { completeTask(contactId: $c, taskId: $t) { id completed } }`,
      { c: contact.id, t: taskId },
      writer,
    );
    expect(completed.body.errors).toBeUndefined();

    const forTask = () => sub.results.filter((r) => r.contactEvents.task?.id === taskId).map((r) => r.contactEvents);
    await waitFor(() => forTask().length >= 2, { what: "TASK_CREATE and TASK_COMPLETE for the new task" });
    expect(forTask().map((e) => [e.type, e.contactId, e.task?.title])).toEqual([
      ["TASK_CREATE", contact.id, "Call back from the e2e"],
      ["TASK_COMPLETE", contact.id, "Call back from the e2e"],
    ]);
    expect(forTask()[1]?.task?.completed).toBe(true);
    expect(sub.errors).toEqual([]);
    // the simulator's deliveries were all accepted (HighLevel would not retry a non-429)
    expect(demo.sim.deliveredWebhooks.filter((d) => (d.body as { type?: string }).type?.startsWith("Task")).map((d) => d.status)).toEqual([200, 200]);
    sub.dispose();
  });
});

describe("demo keys are trusted only in demo mode", () => {
  it("refuses simulator-signed webhooks when the gateway was not told to trust them", async () => {
    const body = JSON.stringify({ type: "NoteCreate", locationId: LOCATION_A, id: "n1", contactId: "c1", body: "x", webhookId: "strict-1", timestamp: new Date().toISOString() });
    const res = await fetch(`${strict.gateway.url}/webhooks/highlevel`, { method: "POST", headers: { "content-type": "application/json", ...strict.sim.signWebhook(body) }, body });
    expect(res.status).toBe(401);
  });
});
