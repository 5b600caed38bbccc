// The simulator's webhook emission: HighLevel-shaped payloads for API writes, Ed25519 and RSA
// signatures over the exact bytes, redelivery only on 429, and the demo activity generator.
import { createPublicKey, verify } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { call, startReceiver } from "./simulator-support.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(answer?: (n: number) => number, webhooks: { retryIntervalMs?: number; maxAttempts?: number } = {}) {
  const receiver = await startReceiver(answer);
  const sim: Simulator = await startSimulator({ rateLimit: false, webhooks: { targetUrl: receiver.url, ...webhooks } });
  cleanups.push(() => receiver.close(), () => sim.close());
  return { receiver, sim };
}

const verifyEd25519 = (sim: Simulator, body: Buffer, signature: string) =>
  verify(null, body, createPublicKey(sim.webhookKeys.ed25519PublicKeyPem), Buffer.from(signature, "base64"));
const verifyRsa = (sim: Simulator, body: Buffer, signature: string) =>
  verify("sha256", body, createPublicKey(sim.webhookKeys.rsaPublicKeyPem), Buffer.from(signature, "base64"));

describe("simulator webhooks", () => {
  it("a signed webhook verifies with the public keys; a one-byte change fails", async () => {
    const { receiver, sim } = await setup();
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    await call(sim.url, "POST", `/contacts/${contact.id}/notes`, { body: { body: "Signed note" } });
    const [delivery] = await receiver.waitFor(1);
    const ghl = String(delivery!.headers["x-ghl-signature"]);
    const wh = String(delivery!.headers["x-wh-signature"]);
    expect(verifyEd25519(sim, delivery!.raw, ghl)).toBe(true);
    expect(verifyRsa(sim, delivery!.raw, wh)).toBe(true);
    const tampered = Buffer.from(delivery!.raw);
    tampered[10] = tampered[10]! ^ 0x01;
    expect(verifyEd25519(sim, tampered, ghl)).toBe(false);
    expect(verifyRsa(sim, tampered, wh)).toBe(false);
    // signWebhook signs arbitrary bodies with the same keys (for other areas' tests).
    const body = JSON.stringify({ type: "NoteCreate", locationId: DEMO_LOCATION_ID });
    const sigs = sim.signWebhook(body);
    expect(verifyEd25519(sim, Buffer.from(body), sigs["x-ghl-signature"])).toBe(true);
    expect(verifyRsa(sim, Buffer.from(body), sigs["x-wh-signature"])).toBe(true);
  });

  it("API writes emit the matching event types with flat HighLevel payloads", async () => {
    const { receiver, sim } = await setup();
    const created = await call(sim.url, "POST", "/contacts/", {
      body: { locationId: DEMO_LOCATION_ID, firstName: "Hook", lastName: "Tester", email: "hook@example.com" },
    });
    const id = (created.body.contact as { id: string }).id;
    await call(sim.url, "PUT", `/contacts/${id}`, { body: { city: "Austin" } });
    await call(sim.url, "POST", `/contacts/${id}/tags`, { body: { tags: ["vip"] } });
    const task = await call(sim.url, "POST", `/contacts/${id}/tasks`, {
      body: { title: "Call back", dueDate: "2030-01-01T09:00:00Z", completed: false },
    });
    const taskId = (task.body.task as { id: string }).id;
    await call(sim.url, "PUT", `/contacts/${id}/tasks/${taskId}`, { body: { title: "Call back soon" } }); // no TaskUpdate upstream
    await call(sim.url, "PUT", `/contacts/${id}/tasks/${taskId}/completed`, { body: { completed: true } });
    await call(sim.url, "DELETE", `/contacts/${id}/tasks/${taskId}`);
    const note = await call(sim.url, "POST", `/contacts/${id}/notes`, { body: { body: "n1" } });
    const noteId = (note.body.note as { id: string }).id;
    await call(sim.url, "PUT", `/contacts/${id}/notes/${noteId}`, { body: { body: "n2" } });
    await call(sim.url, "DELETE", `/contacts/${id}/notes/${noteId}`);
    const appointment = sim.data.createAppointment(id, { title: "Consult" }, { emit: true });
    sim.data.updateAppointment(id, appointment.id, { appointmentStatus: "showed" }, { emit: true });
    sim.data.deleteAppointment(id, appointment.id, { emit: true });
    sim.data.createNote(id, { body: "silent" }); // data helpers emit only when asked
    await call(sim.url, "DELETE", `/contacts/${id}`);

    const expected = [
      "ContactCreate", "ContactUpdate", "ContactTagUpdate", "TaskCreate", "TaskComplete", "TaskDelete",
      "NoteCreate", "NoteUpdate", "NoteDelete", "AppointmentCreate", "AppointmentUpdate", "AppointmentDelete", "ContactDelete",
    ];
    const received = await receiver.waitFor(expected.length);
    await sim.flushWebhooks();
    expect(received.map((r) => r.json.type)).toEqual(expected);
    const ids = new Set(received.map((r) => r.json.webhookId));
    expect(ids.size).toBe(expected.length);
    for (const r of received) {
      expect(r.json.locationId).toBe(DEMO_LOCATION_ID);
      expect(Number.isNaN(Date.parse(String(r.json.timestamp)))).toBe(false);
    }
    const byType = Object.fromEntries(received.map((r) => [r.json.type, r.json]));
    expect(byType.ContactUpdate).toMatchObject({ id, firstName: "Hook", lastName: "Tester", city: "Austin", email: "hook@example.com" });
    expect(byType.ContactTagUpdate).toMatchObject({ id, tags: ["vip"] });
    expect(byType.TaskCreate).toMatchObject({ id: taskId, contactId: id, title: "Call back" });
    expect(byType.TaskComplete).toMatchObject({ id: taskId, contactId: id, title: "Call back soon" });
    expect(byType.NoteUpdate).toMatchObject({ id: noteId, contactId: id, body: "n2" });
    expect(byType.AppointmentUpdate).toMatchObject({ appointment: { id: appointment.id, contactId: id, appointmentStatus: "showed" } });
    expect(byType.AppointmentCreate).not.toHaveProperty("id");
    expect(sim.deliveredWebhooks.every((d) => d.status === 200 && d.attempts === 1)).toBe(true);
  });

  it("a 429 answer is redelivered with the same bytes; a 200 ends it; other statuses are final", async () => {
    const { receiver, sim } = await setup((n) => (n === 1 ? 429 : n === 2 ? 200 : 500), { retryIntervalMs: 50 });
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    sim.data.createNote(contact.id, { body: "retry me" }, { emit: true });
    const [first, second] = await receiver.waitFor(2);
    await sim.flushWebhooks();
    expect(second!.raw.equals(first!.raw)).toBe(true);
    expect(second!.headers["x-ghl-signature"]).toBe(first!.headers["x-ghl-signature"]);
    expect(sim.deliveredWebhooks).toHaveLength(1);
    expect(sim.deliveredWebhooks[0]).toMatchObject({ status: 200, attempts: 2 });

    sim.data.createNote(contact.id, { body: "lost" }, { emit: true }); // answered 500: final
    await receiver.waitFor(3);
    await sim.flushWebhooks();
    expect(sim.deliveredWebhooks[1]).toMatchObject({ status: 500, attempts: 1 });
    expect(receiver.received).toHaveLength(3);
  });

  it("stops after maxAttempts when the receiver keeps answering 429", async () => {
    const { receiver, sim } = await setup(() => 429, { retryIntervalMs: 10, maxAttempts: 3 });
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    sim.data.addTags(contact.id, ["x"], { emit: true });
    await receiver.waitFor(3);
    await sim.flushWebhooks();
    expect(sim.deliveredWebhooks[0]).toMatchObject({ status: 429, attempts: 3 });
    expect(receiver.received).toHaveLength(3);
  });

  it("setWebhookTarget switches the target at runtime; undefined stops emission", async () => {
    const receiver = await startReceiver();
    const sim = await startSimulator({ rateLimit: false });
    cleanups.push(() => receiver.close(), () => sim.close());
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    sim.data.createNote(contact.id, { body: "before" }, { emit: true });
    sim.setWebhookTarget(receiver.url);
    sim.data.createNote(contact.id, { body: "during" }, { emit: true });
    await receiver.waitFor(1);
    sim.setWebhookTarget(undefined);
    sim.data.createNote(contact.id, { body: "after" }, { emit: true });
    await sim.flushWebhooks();
    expect(receiver.received.map((r) => r.json.body)).toEqual(["during"]);
  });

  it("the activity generator makes gentle changes in location A that go out as webhooks", async () => {
    const receiver = await startReceiver();
    const sim = await startSimulator({ rateLimit: false, webhooks: { targetUrl: receiver.url }, activity: { intervalMs: 20 } });
    cleanups.push(() => receiver.close(), () => sim.close());
    const received = await receiver.waitFor(5);
    sim.stopActivity();
    for (const r of received) {
      expect(["NoteCreate", "TaskComplete", "AppointmentCreate"]).toContain(r.json.type);
      expect(r.json.locationId).toBe(DEMO_LOCATION_ID);
    }
  });
});
