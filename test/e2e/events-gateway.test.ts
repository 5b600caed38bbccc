/**
 * The gateway's own events (source GATEWAY) and their pairing with HighLevel's webhooks: a write
 * through the gateway reaches subscribers at once, before the simulator's webhook for it is posted,
 * and exactly once after it, for every mutation HighLevel also announces; the gateway's own task
 * edits arrive as TASK_UPDATE. The simulator's webhooks go to a local receiver, so the test
 * decides when each one is posted to the gateway (signed by the simulator, as HighLevel would).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCATION_A, READ, WRITE, useStack } from "../support/harness.js";
import { collect, wsClient, type CollectedSubscription } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import { startReceiver, type ReceivedWebhook } from "./simulator-support.js";
import { data, uniqueEmail, uniquePhone } from "./write-support.js";

interface Received {
  contactEvents: { type: string; source: string; contactId: string | null; webhookId: string; note: { body: string } | null };
}

const stack = useStack({ trustSimulatorWebhooks: true });
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let rw: string;
let sub: CollectedSubscription<Received>;
let forwarded = 0;

beforeAll(async () => {
  receiver = await startReceiver();
  stack().sim.setWebhookTarget(receiver.url);
  rw = await stack().tokenFor({ scopes: [READ, WRITE], subject: "events-gateway" });
  sub = collect<Received>(
    wsClient(stack().gateway.wsUrl, rw),
    `subscription { contactEvents { type source contactId webhookId note { body } } }`,
  );
  // The subscription is live once a probe event arrives.
  await waitFor(
    async () => {
      stack().sim.data.updateContact(stack().sim.data.listContacts(LOCATION_A)[0]!.id, { source: "probe" }, { emit: true });
      await forwardAll();
      return sub.results.length > 0;
    },
    { what: "the subscription to be live" },
  );
  await watch().settle(); // every probe delivered before the first test starts watching
});
afterAll(async () => {
  sub?.dispose();
  await receiver?.close();
});

/** Posts every webhook the simulator produced since the last call to the gateway, as it signed them. */
async function forwardAll(): Promise<ReceivedWebhook[]> {
  await stack().sim.flushWebhooks();
  const batch = receiver.received.slice(forwarded);
  forwarded = receiver.received.length;
  for (const webhook of batch) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    for (const name of ["x-ghl-signature", "x-wh-signature"]) {
      const value = webhook.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const res = await fetch(`${stack().gateway.url}/webhooks/highlevel`, { method: "POST", headers, body: new Uint8Array(webhook.raw) });
    expect(res.status).toBe(200);
  }
  return batch;
}

/** Events delivered from now on; `settle()` waits for a sentinel webhook, so nothing earlier is still in flight. */
function watch() {
  const start = sub.results.length;
  return {
    events: () => sub.results.slice(start).map((r) => r.contactEvents),
    async settle() {
      const sentinel = stack().sim.data.createContact(LOCATION_A, { firstName: "Sentinel", email: uniqueEmail("sentinel") }, { emit: true });
      await forwardAll();
      await waitFor(() => sub.results.slice(start).some((r) => r.contactEvents.contactId === sentinel.id), { what: "the sentinel event" });
      return sub.results
        .slice(start)
        .map((r) => r.contactEvents)
        .filter((e) => e.contactId !== sentinel.id);
    },
  };
}

const newContact = () => stack().sim.data.createContact(LOCATION_A, { firstName: "Ev", email: uniqueEmail("ev"), phone: uniquePhone(), tags: ["t1"] });

describe("GATEWAY events and their webhooks", () => {
  it("a createNote reaches a subscriber before the simulator's webhook is posted, and exactly once after it", async () => {
    const contact = newContact();
    const w = watch();
    const res = await stack().gql(`mutation($c: ID!) { createNote(contactId: $c, input: { body: "Appraisal booked" }) { id } }`, { c: contact.id }, rw);
    const noteId = data(res).createNote.id;
    await waitFor(() => w.events().length > 0, { what: "the GATEWAY event" });
    expect(w.events()).toEqual([
      { type: "NOTE_CREATE", source: "GATEWAY", contactId: contact.id, webhookId: expect.stringMatching(/^gateway:/), note: { body: "Appraisal booked" } },
    ]);
    const posted = await forwardAll();
    expect(posted.map((p) => [p.json["type"], p.json["id"]])).toEqual([["NoteCreate", noteId]]);
    expect(await w.settle()).toHaveLength(1);
  });

  // Every mutation whose change HighLevel announces too: the GATEWAY event(s), then no second delivery.
  const CASES: { name: string; run: (contactId: string) => Promise<unknown>; types: string[] }[] = [
    { name: "createContact", run: () => gql(`mutation { createContact(input: { firstName: "New", email: "${uniqueEmail("new")}" }) { id } }`), types: ["CONTACT_CREATE"] },
    { name: "updateContact", run: (c) => gql(`mutation($c: ID!) { updateContact(id: $c, input: { lastName: "Changed" }) { id } }`, { c }), types: ["CONTACT_UPDATE"] },
    {
      name: "updateContact (dnd changed, the contact cached)",
      run: async (c) => {
        await gql(`query($c: ID!) { contact(id: $c) { dnd } }`, { c });
        return gql(`mutation($c: ID!) { updateContact(id: $c, input: { dnd: true }) { id } }`, { c });
      },
      types: ["CONTACT_UPDATE", "CONTACT_DND_UPDATE"],
    },
    {
      name: "updateContact (dnd written unchanged)",
      run: async (c) => {
        await gql(`query($c: ID!) { contact(id: $c) { dnd } }`, { c });
        return gql(`mutation($c: ID!) { updateContact(id: $c, input: { dnd: false }) { id } }`, { c });
      },
      types: ["CONTACT_UPDATE"],
    },
    { name: "addContactTags", run: (c) => gql(`mutation($c: ID!) { addContactTags(contactId: $c, tags: ["t2"]) }`, { c }), types: ["CONTACT_TAG_UPDATE"] },
    { name: "removeContactTags", run: (c) => gql(`mutation($c: ID!) { removeContactTags(contactId: $c, tags: ["t1"]) }`, { c }), types: ["CONTACT_TAG_UPDATE"] },
    { name: "upsertContact (created)", run: () => gql(`mutation { upsertContact(input: { email: "${uniqueEmail("up")}" }) { created } }`), types: ["CONTACT_CREATE"] },
    { name: "upsertContact (updated)", run: (c) => gql(`mutation($e: String) { upsertContact(input: { email: $e, lastName: "Up" }) { created } }`, { e: stack().sim.data.getContact(c)!.email }), types: ["CONTACT_UPDATE"] },
    {
      name: "createTask (completed)",
      run: (c) => gql(`mutation($c: ID!) { createTask(contactId: $c, input: { title: "Done already", dueDate: "2031-01-01T00:00:00Z", completed: true }) { id } }`, { c }),
      types: ["TASK_CREATE", "TASK_COMPLETE"],
    },
    { name: "completeTask", run: (c) => gql(`mutation($c: ID!, $t: ID!) { completeTask(contactId: $c, taskId: $t) { id } }`, { c, t: task(c) }), types: ["TASK_COMPLETE"] },
    { name: "deleteTask", run: (c) => gql(`mutation($c: ID!, $t: ID!) { deleteTask(contactId: $c, taskId: $t) }`, { c, t: task(c) }), types: ["TASK_DELETE"] },
    { name: "updateNote", run: (c) => gql(`mutation($c: ID!, $n: ID!) { updateNote(contactId: $c, noteId: $n, input: { body: "edited" }) { id } }`, { c, n: note(c) }), types: ["NOTE_UPDATE"] },
    { name: "deleteNote", run: (c) => gql(`mutation($c: ID!, $n: ID!) { deleteNote(contactId: $c, noteId: $n) }`, { c, n: note(c) }), types: ["NOTE_DELETE"] },
    { name: "updateContactsTags", run: (c) => gql(`mutation($c: ID!) { updateContactsTags(contactIds: [$c], action: ADD, tags: ["bulk"]) { succeeded } }`, { c }), types: ["CONTACT_TAG_UPDATE"] },
    { name: "setContactsBusiness", run: (c) => gql(`mutation($c: ID!) { setContactsBusiness(contactIds: [$c], businessId: "63b7ec34ea409a9a8bd2a4ff") { succeeded } }`, { c }), types: ["CONTACT_UPDATE"] },
    { name: "deleteContact", run: (c) => gql(`mutation($c: ID!) { deleteContact(id: $c) }`, { c }), types: ["CONTACT_DELETE"] },
  ];

  async function gql(query: string, variables: Record<string, unknown> = {}) {
    return data(await stack().gql(query, variables, rw));
  }
  const task = (c: string) => stack().sim.data.createTask(c, { title: "Call", dueDate: "2031-01-01T00:00:00.000Z", completed: false }).id;
  const note = (c: string) => stack().sim.data.createNote(c, { body: "n" }).id;

  it.each(CASES)("$name: GATEWAY first, HighLevel's webhook recognised and not delivered again", async (c) => {
    const contact = newContact();
    const w = watch();
    await c.run(contact.id);
    await waitFor(() => w.events().length >= c.types.length, { what: `${c.types.join(", ")} from the gateway` });
    const posted = await forwardAll();
    expect(posted.length).toBeGreaterThanOrEqual(c.types.length);
    const events = await w.settle();
    expect(events.map((e) => [e.type, e.source])).toEqual(c.types.map((t) => [t, "GATEWAY"]));
  });

  it("a dnd change to a contact the gateway has not cached is not announced on a guess: HighLevel's ContactDndUpdate arrives once, as WEBHOOK", async () => {
    const contact = newContact();
    const w = watch();
    await gql(`mutation($c: ID!) { updateContact(id: $c, input: { dnd: true }) { id } }`, { c: contact.id });
    await waitFor(() => w.events().length > 0, { what: "CONTACT_UPDATE from the gateway" });
    await forwardAll();
    expect((await w.settle()).map((e) => [e.type, e.source])).toEqual([
      ["CONTACT_UPDATE", "GATEWAY"],
      ["CONTACT_DND_UPDATE", "WEBHOOK"],
    ]);
  });

  it("a webhook that arrives before the gateway's announcement is delivered once (as WEBHOOK)", async () => {
    const contact = newContact();
    const w = watch();
    // The simulator delivers straight to the gateway for this one: its webhook races the write's answer.
    stack().sim.setWebhookTarget(`${stack().gateway.url}/webhooks/highlevel`);
    try {
      await gql(`mutation($c: ID!) { addContactTags(contactId: $c, tags: ["race"]) }`, { c: contact.id });
      await stack().sim.flushWebhooks();
    } finally {
      stack().sim.setWebhookTarget(receiver.url);
    }
    const events = await w.settle();
    expect(events.filter((e) => e.contactId === contact.id).map((e) => e.type)).toEqual(["CONTACT_TAG_UPDATE"]);
  });

  it("updateTask (HighLevel sends no TaskUpdate) arrives as TASK_UPDATE from the gateway", async () => {
    const contact = newContact();
    const taskId = task(contact.id);
    const w = watch();
    await gql(`mutation($c: ID!, $t: ID!) { updateTask(contactId: $c, taskId: $t, input: { title: "Call back" }) { id } }`, { c: contact.id, t: taskId });
    expect(await w.settle()).toEqual([expect.objectContaining({ type: "TASK_UPDATE", source: "GATEWAY", contactId: contact.id })]);
  });

  it("a change made in HighLevel arrives once, as WEBHOOK", async () => {
    const contact = newContact();
    const w = watch();
    stack().sim.data.createNote(contact.id, { body: "from HighLevel" }, { emit: true });
    expect((await w.settle()).map((e) => [e.type, e.source])).toEqual([["NOTE_CREATE", "WEBHOOK"]]);
  });
  it("TASK_UPDATE for an edit made in HighLevel (no webhook): a task edited in the simulator's data reaches a subscriber as TASK_UPDATE after the next revalidation, once", async () => {
    const contact = newContact();
    const taskId = task(contact.id);
    const q = `query($id: ID!) { contact(id: $id) { tasks { id title } } }`;
    await gql(q, { id: contact.id }); // the gateway knows the task list now
    const w = watch();
    stack().sim.data.updateTask(contact.id, taskId, { title: "Renamed in HighLevel" }); // no webhook
    // The cached list expires (stand-in for CACHE_TTL_MS passing): the next read revalidates it.
    stack().gateway.cache.applyChange({ type: "delete", key: { locationId: LOCATION_A, kind: "tasks", id: contact.id, contactId: contact.id } });
    expect((await gql(q, { id: contact.id })).contact.tasks).toEqual([{ id: taskId, title: "Renamed in HighLevel" }]);
    await waitFor(() => w.events().length > 0, { what: "the derived TASK_UPDATE" });
    // Read again after another expiry: nothing changed, nothing more is published.
    stack().gateway.cache.applyChange({ type: "delete", key: { locationId: LOCATION_A, kind: "tasks", id: contact.id, contactId: contact.id } });
    await gql(q, { id: contact.id });
    expect(await w.settle()).toEqual([expect.objectContaining({ type: "TASK_UPDATE", source: "GATEWAY", contactId: contact.id })]);
  });

  it("TASK_UPDATE: the gateway's own updateTask is not announced a second time by the revalidation that follows", async () => {
    const contact = newContact();
    const taskId = task(contact.id);
    const q = `query($id: ID!) { contact(id: $id) { tasks { id title } } }`;
    await gql(q, { id: contact.id });
    const w = watch();
    await gql(`mutation($c: ID!, $t: ID!) { updateTask(contactId: $c, taskId: $t, input: { title: "Edited here" }) { id } }`, { c: contact.id, t: taskId });
    await gql(q, { id: contact.id }); // the list was dropped by the write: this read refetches it
    expect((await w.settle()).map((e) => [e.type, e.source])).toEqual([["TASK_UPDATE", "GATEWAY"]]);
  });
});
