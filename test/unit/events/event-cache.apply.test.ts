import { describe, expect, it } from "vitest";
import { cacheKeys, createResourceCache } from "../../../src/cache/index.js";
import { ContactEventType, type ContactEvent } from "../../../src/events/contact-event.types.js";
import { applyEventToCache } from "../../../src/events/event-cache.apply.js";
import { parseWebhookEvent } from "../../../src/webhooks/webhook-event.parse.js";

const L = "loc1";
const event = (body: Record<string, unknown>): ContactEvent => {
  const r = parseWebhookEvent({ locationId: L, webhookId: "w", ...body }, { fallbackWebhookId: "x", receivedAtMs: 0 });
  if (r.kind !== "event") throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
};
const never = () => Promise.reject(new Error("expected no upstream call"));

describe("applying events to the cache", () => {
  it("writes a contact through, merged over the cached copy, and invalidates list pages", async () => {
    const cache = createResourceCache();
    cache.set(cacheKeys.contact(L, "c1"), { id: "c1", locationId: L, type: "lead", firstName: "Old" });
    const page = cacheKeys.contactPage(L, { limit: 20 });
    cache.set(page, { contacts: [], meta: { total: 0 } });
    applyEventToCache(cache, event({ type: "ContactUpdate", id: "c1", firstName: "New", tags: ["a"] }));
    expect(await cache.load(cacheKeys.contact(L, "c1"), never)).toEqual({ id: "c1", locationId: L, type: "lead", firstName: "New", tags: ["a"] });
    expect(cache.peek(page)).toBeUndefined();
  });

  it("treats payload fields as authoritative (absent = cleared) and keeps fields the payload cannot carry", () => {
    const cache = createResourceCache();
    cache.set(cacheKeys.contact(L, "c1"), { id: "c1", locationId: L, timezone: "Europe/Berlin", businessId: "b1", email: "old@x.io", name: "Ann" });
    applyEventToCache(cache, event({ type: "ContactUpdate", id: "c1", name: "Ann B" }));
    expect(cache.peek(cacheKeys.contact(L, "c1"))).toEqual({ id: "c1", locationId: L, timezone: "Europe/Berlin", businessId: "b1", name: "Ann B" });
  });

  it("does not store a payload-only contact (it would answer missing fields with null) and drops a load in flight", async () => {
    const cache = createResourceCache();
    let release: (v: unknown) => void = () => undefined;
    const inFlight = cache.load(cacheKeys.contact(L, "c2"), () => new Promise((r) => (release = r)));
    applyEventToCache(cache, event({ type: "ContactCreate", id: "c2", name: "Ann" }));
    release({ id: "c2", locationId: L, name: "stale" });
    await inFlight;
    expect(cache.peek(cacheKeys.contact(L, "c2"))).toBeUndefined();
  });

  it("an event for a list not cached here drops a load of it in flight and announces the eviction (other instances)", async () => {
    const cache = createResourceCache();
    const announced: string[] = [];
    cache.onInvalidate((e) => {
      if (e.type === "key" || e.type === "set") announced.push(`${e.type} ${e.key.kind}`);
    });
    const cases: Array<[ReturnType<typeof cacheKeys.tasks>, Record<string, unknown>]> = [
      [cacheKeys.tasks(L, "c1"), { type: "TaskComplete", id: "t1", contactId: "c1", title: "A" }],
      [cacheKeys.tasks(L, "c2"), { type: "TaskDelete", id: "t1", contactId: "c2" }],
      [cacheKeys.notes(L, "c3"), { type: "NoteCreate", id: "n1", contactId: "c3", body: "b" }],
      [cacheKeys.notes(L, "c4"), { type: "NoteDelete", id: "n1", contactId: "c4" }],
      [cacheKeys.appointments(L, "c5"), { type: "AppointmentCreate", appointment: { id: "a1", contactId: "c5", startTime: "2030-01-01T10:00:00Z" } }],
    ];
    for (const [listKey, body] of cases) {
      let release: (v: unknown) => void = () => undefined;
      // the dashboard's GET of the list left before the change; its answer arrives after the event
      const inFlight = cache.load(listKey, () => new Promise((r) => (release = r)));
      applyEventToCache(cache, event(body));
      release([{ id: "old", contactId: "c" }]);
      await inFlight;
      expect(cache.peek(listKey), `${String(body["type"])}: the pre-event list must not be stored`).toBeUndefined();
    }
    expect(announced.filter((a) => a.startsWith("key") && /tasks|notes|appointments/.test(a))).toEqual([
      "key tasks",
      "key tasks",
      "key notes",
      "key notes",
      "key appointments",
    ]);
  });

  it("ContactDelete evicts the contact and its relations", () => {
    const cache = createResourceCache();
    cache.set(cacheKeys.contact(L, "c1"), { id: "c1", locationId: L });
    cache.set(cacheKeys.tasks(L, "c1"), []);
    applyEventToCache(cache, event({ type: "ContactDelete", id: "c1" }));
    expect(cache.peek(cacheKeys.contact(L, "c1"))).toBeUndefined();
    expect(cache.peek(cacheKeys.tasks(L, "c1"))).toBeUndefined();
  });

  it("task events update the cached list in place; delete removes; incomplete payloads evict", () => {
    const cache = createResourceCache();
    const list = cacheKeys.tasks(L, "c1");
    const before = [{ id: "t1", contactId: "c1", title: "A", completed: false }];
    cache.set(list, before);
    applyEventToCache(cache, event({ type: "TaskCreate", id: "t2", contactId: "c1", title: "B" }));
    applyEventToCache(cache, event({ type: "TaskComplete", id: "t1", contactId: "c1", title: "A" }));
    expect(cache.peek(list)).toMatchObject([
      { id: "t1", completed: true },
      { id: "t2", title: "B", completed: false },
    ]);
    expect(before[0]?.completed).toBe(false); // cached values are never mutated
    expect(cache.peek(cacheKeys.task(L, "c1", "t2"))).toMatchObject({ id: "t2", title: "B" });
    applyEventToCache(cache, event({ type: "TaskDelete", id: "t2", contactId: "c1" }));
    expect((cache.peek(list) as { id: string }[]).map((t) => t.id)).toEqual(["t1"]);
    expect(cache.peek(cacheKeys.task(L, "c1", "t2"))).toBeUndefined();
    applyEventToCache(cache, event({ type: "TaskComplete", id: "t9", contactId: "c1" })); // no title: cannot rebuild
    expect(cache.peek(list)).toBeUndefined();
  });

  it("a TaskCreate without contactId touches nothing", () => {
    const cache = createResourceCache();
    cache.set(cacheKeys.tasks(L, "c1"), []);
    applyEventToCache(cache, event({ type: "TaskCreate", id: "t1", title: "x" }));
    expect(cache.peek(cacheKeys.tasks(L, "c1"))).toEqual([]);
  });

  it("note events keep the list newest first", () => {
    const cache = createResourceCache();
    const list = cacheKeys.notes(L, "c1");
    cache.set(list, [{ id: "n1", contactId: "c1", body: "old", dateAdded: "2024-01-01T00:00:00.000Z" }]);
    applyEventToCache(cache, event({ type: "NoteCreate", id: "n2", contactId: "c1", body: "new", dateAdded: "2025-01-01T00:00:00.000Z" }));
    applyEventToCache(cache, event({ type: "NoteUpdate", id: "n1", contactId: "c1", body: "edited" }));
    expect(cache.peek(list)).toMatchObject([
      { id: "n2", body: "new" },
      { id: "n1", body: "edited", dateAdded: "2024-01-01T00:00:00.000Z" },
    ]);
    applyEventToCache(cache, event({ type: "NoteDelete", id: "n2", contactId: "c1" }));
    expect((cache.peek(list) as { id: string }[]).map((n) => n.id)).toEqual(["n1"]);
  });

  it("appointment events update the contact's cached appointments", () => {
    const cache = createResourceCache();
    const list = cacheKeys.appointments(L, "c1");
    cache.set(list, [{ id: "a1", contactId: "c1", startTime: "2025-02-01" }]);
    applyEventToCache(cache, event({ type: "AppointmentCreate", appointment: { id: "a0", contactId: "c1", startTime: "2025-01-01" } }));
    applyEventToCache(cache, event({ type: "AppointmentUpdate", appointment: { id: "a1", contactId: "c1", startTime: "2025-02-01", title: "T" } }));
    expect(cache.peek(list)).toMatchObject([{ id: "a0" }, { id: "a1", title: "T" }]);
    applyEventToCache(cache, event({ type: "AppointmentDelete", appointment: { id: "a0", contactId: "c1" } }));
    expect(cache.peek(list)).toMatchObject([{ id: "a1" }]);
    expect(ContactEventType.APPOINTMENT_DELETE).toBe("APPOINTMENT_DELETE");
  });
});
