import { describe, expect, it } from "vitest";
import { cacheKeys, createResourceCache, type ResourceCache } from "../../../src/cache/index.js";
import { ContactEventType, type ContactEvent } from "../../../src/events/contact-event.types.js";
import { createEventCacheApplier, type EventCacheApplierOptions } from "../../../src/events/event-cache.apply.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";
import { parseWebhookEvent } from "../../../src/webhooks/webhook-event.parse.js";

const L = "loc1";
const T0 = Date.parse("2030-01-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;
const event = (body: Record<string, unknown>): ContactEvent => {
  const r = parseWebhookEvent({ locationId: L, webhookId: "w", ...body }, { fallbackWebhookId: "x", receivedAtMs: T0 });
  if (r.kind !== "event") throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
};
const never = () => Promise.reject(new Error("expected no upstream call"));
const notFound = () =>
  Promise.reject(new UpstreamError({ code: "NOT_FOUND", reason: "not_found", message: "Contact with id c1 not found", method: "GET", route: "/contacts/:contactId" }));

/**
 * A cache and an applier on a test clock. Values set up before the first `apply` are written at
 * T0; each `apply` delivers a webhook sent one minute after the previous one and received a
 * second later, unless `sentMs`/`receivedMs` say otherwise (a late retry: received long after).
 */
function setup(options: Partial<EventCacheApplierOptions> = {}) {
  const cache: ResourceCache = createResourceCache();
  const clock = { nowMs: T0, sentMs: T0 + MIN };
  const applier = createEventCacheApplier({ cache, now: () => clock.nowMs, ...options });
  return {
    cache,
    clock,
    apply(body: Record<string, unknown>, at: { sentMs?: number; receivedMs?: number; timestamp?: false } = {}) {
      const sentMs = at.sentMs ?? (clock.sentMs += MIN);
      clock.nowMs = at.receivedMs ?? sentMs + 1_000;
      applier.apply(event(at.timestamp === false ? body : { ...body, timestamp: iso(sentMs) }));
    },
  };
}

describe("applying events to the cache", () => {
  it("writes a contact through, merged over the cached copy, and invalidates list pages", async () => {
    const { cache, apply } = setup();
    cache.set(cacheKeys.contact(L, "c1"), { id: "c1", locationId: L, type: "lead", firstName: "Old" });
    const page = cacheKeys.contactPage(L, { limit: 20 });
    cache.set(page, { contacts: [], meta: { total: 0 } });
    apply({ type: "ContactUpdate", id: "c1", firstName: "New", tags: ["a"] });
    expect(await cache.load(cacheKeys.contact(L, "c1"), never)).toEqual({ id: "c1", locationId: L, type: "lead", firstName: "New", tags: ["a"] });
    expect(cache.peek(page)).toBeUndefined();
  });

  it("treats payload fields as authoritative (absent = cleared) and keeps fields the payload cannot carry", () => {
    const { cache, apply } = setup();
    cache.set(cacheKeys.contact(L, "c1"), { id: "c1", locationId: L, timezone: "Europe/Berlin", businessId: "b1", email: "old@x.io", name: "Ann" });
    apply({ type: "ContactUpdate", id: "c1", name: "Ann B" });
    expect(cache.peek(cacheKeys.contact(L, "c1"))).toEqual({ id: "c1", locationId: L, timezone: "Europe/Berlin", businessId: "b1", name: "Ann B" });
  });

  it("does not store a payload-only contact (it would answer missing fields with null) and drops a load in flight", async () => {
    const { cache, apply } = setup();
    let release: (v: unknown) => void = () => undefined;
    const inFlight = cache.load(cacheKeys.contact(L, "c2"), () => new Promise((r) => (release = r)));
    apply({ type: "ContactCreate", id: "c2", name: "Ann" });
    release({ id: "c2", locationId: L, name: "stale" });
    await inFlight;
    expect(cache.peek(cacheKeys.contact(L, "c2"))).toBeUndefined();
  });

  it("an event for a list not cached here drops a load of it in flight and announces the eviction (other instances)", async () => {
    const { cache, apply } = setup();
    const announced: string[] = [];
    cache.onInvalidate((e) => {
      if (e.type === "delete" || e.type === "set") announced.push(`${e.type} ${e.key.kind}`);
    });
    const cases: Array<[ReturnType<typeof cacheKeys.list>, Record<string, unknown>]> = [
      [cacheKeys.list(L, "tasks", "c1"), { type: "TaskComplete", id: "t1", contactId: "c1", title: "A" }],
      [cacheKeys.list(L, "tasks", "c2"), { type: "TaskDelete", id: "t1", contactId: "c2" }],
      [cacheKeys.list(L, "notes", "c3"), { type: "NoteCreate", id: "n1", contactId: "c3", body: "b" }],
      [cacheKeys.list(L, "notes", "c4"), { type: "NoteDelete", id: "n1", contactId: "c4" }],
      [cacheKeys.list(L, "appointments", "c5"), { type: "AppointmentCreate", appointment: { id: "a1", contactId: "c5", startTime: "2030-01-01T10:00:00Z" } }],
    ];
    for (const [listKey, body] of cases) {
      let release: (v: unknown) => void = () => undefined;
      // the dashboard's GET of the list left before the change; its answer arrives after the event
      const inFlight = cache.load(listKey, () => new Promise((r) => (release = r)));
      apply(body);
      release([{ id: "old", contactId: "c" }]);
      await inFlight;
      expect(cache.peek(listKey), `${String(body["type"])}: the pre-event list must not be stored`).toBeUndefined();
    }
    expect(announced.filter((a) => a.startsWith("delete") && /tasks|notes|appointments/.test(a))).toEqual([
      "delete tasks",
      "delete tasks",
      "delete notes",
      "delete notes",
      "delete appointments",
    ]);
  });

  it("ContactDelete evicts the contact and its relations", () => {
    const { cache, apply } = setup();
    cache.set(cacheKeys.contact(L, "c1"), { id: "c1", locationId: L });
    cache.set(cacheKeys.list(L, "tasks", "c1"), []);
    apply({ type: "ContactDelete", id: "c1" });
    expect(cache.peek(cacheKeys.contact(L, "c1"))).toBeUndefined();
    expect(cache.peek(cacheKeys.list(L, "tasks", "c1"))).toBeUndefined();
  });

  it("task events update the cached list in place; delete removes; incomplete payloads evict", () => {
    const { cache, apply } = setup();
    const list = cacheKeys.list(L, "tasks", "c1");
    const before = [{ id: "t1", contactId: "c1", title: "A", completed: false }];
    cache.set(list, before);
    apply({ type: "TaskCreate", id: "t2", contactId: "c1", title: "B" });
    apply({ type: "TaskComplete", id: "t1", contactId: "c1", title: "A" });
    expect(cache.peek(list)).toMatchObject([
      { id: "t1", completed: true },
      { id: "t2", title: "B", completed: false },
    ]);
    expect(before[0]?.completed).toBe(false); // cached values are never mutated
    expect(cache.peek(cacheKeys.item(L, "task", "c1", "t2"))).toMatchObject({ id: "t2", title: "B" });
    apply({ type: "TaskDelete", id: "t2", contactId: "c1" });
    expect((cache.peek(list) as { id: string }[]).map((t) => t.id)).toEqual(["t1"]);
    expect(cache.peek(cacheKeys.item(L, "task", "c1", "t2"))).toBeUndefined();
    apply({ type: "TaskComplete", id: "t9", contactId: "c1" }); // no title: cannot rebuild
    expect(cache.peek(list)).toBeUndefined();
  });

  it("a TaskCreate without contactId drops every cached task list of that location, and nothing else", () => {
    const { cache, apply } = setup();
    cache.set(cacheKeys.list(L, "tasks", "c1"), []);
    cache.set(cacheKeys.list(L, "tasks", "c2"), [{ id: "t0", contactId: "c2", title: "old", completed: false }]);
    cache.set(cacheKeys.list(L, "notes", "c1"), []);
    cache.set(cacheKeys.list("other-location", "tasks", "c1"), []);
    apply({ type: "TaskCreate", id: "t1", title: "x" });
    expect(cache.peek(cacheKeys.list(L, "tasks", "c1"))).toBeUndefined();
    expect(cache.peek(cacheKeys.list(L, "tasks", "c2"))).toBeUndefined();
    expect(cache.peek(cacheKeys.list(L, "notes", "c1"))).toEqual([]);
    expect(cache.peek(cacheKeys.list("other-location", "tasks", "c1"))).toEqual([]);
    // lists loaded after the event are cached again as usual
    cache.set(cacheKeys.list(L, "tasks", "c1"), [{ id: "t1", contactId: "c1", title: "x", completed: false }]);
    expect(cache.peek(cacheKeys.list(L, "tasks", "c1"))).toHaveLength(1);
  });

  it("note events keep the list newest first", () => {
    const { cache, apply } = setup();
    const list = cacheKeys.list(L, "notes", "c1");
    cache.set(list, [{ id: "n1", contactId: "c1", body: "old", dateAdded: "2024-01-01T00:00:00.000Z" }]);
    apply({ type: "NoteCreate", id: "n2", contactId: "c1", body: "new", dateAdded: "2025-01-01T00:00:00.000Z" });
    apply({ type: "NoteUpdate", id: "n1", contactId: "c1", body: "edited" });
    expect(cache.peek(list)).toMatchObject([
      { id: "n2", body: "new" },
      { id: "n1", body: "edited", dateAdded: "2024-01-01T00:00:00.000Z" },
    ]);
    apply({ type: "NoteDelete", id: "n2", contactId: "c1" });
    expect((cache.peek(list) as { id: string }[]).map((n) => n.id)).toEqual(["n1"]);
  });

  it("appointment events update the contact's cached appointments", () => {
    const { cache, apply } = setup();
    const list = cacheKeys.list(L, "appointments", "c1");
    cache.set(list, [{ id: "a1", contactId: "c1", startTime: "2025-02-01" }]);
    apply({ type: "AppointmentCreate", appointment: { id: "a0", contactId: "c1", startTime: "2025-01-01" } });
    apply({ type: "AppointmentUpdate", appointment: { id: "a1", contactId: "c1", startTime: "2025-02-01", title: "T" } });
    expect(cache.peek(list)).toMatchObject([{ id: "a0" }, { id: "a1", title: "T" }]);
    apply({ type: "AppointmentDelete", appointment: { id: "a0", contactId: "c1" } });
    expect(cache.peek(list)).toMatchObject([{ id: "a1" }]);
    expect(ContactEventType.APPOINTMENT_DELETE).toBe("APPOINTMENT_DELETE");
  });
});

describe("out-of-order and late deliveries (HighLevel re-sends after a 429, 10 minutes apart)", () => {
  const contact = (fields: Record<string, unknown>) => ({ id: "c1", locationId: L, timezone: "Europe/Berlin", ...fields });

  it("a contact event older than the cached copy (by dateUpdated) is skipped; a newer one is written, even late", () => {
    const { cache, apply } = setup();
    const key = cacheKeys.contact(L, "c1");
    const page = cacheKeys.contactPage(L, { limit: 20 });
    // a gateway write at 12:05 cached what the upstream answered
    cache.set(key, contact({ name: "Newer", dateUpdated: iso(T0 + 5 * MIN) }));
    cache.set(page, { contacts: [], meta: { total: 0 } });
    // the 12:01 update, retried 30 minutes later with the same payload
    apply({ type: "ContactUpdate", id: "c1", name: "Older", dateUpdated: iso(T0 + MIN) }, { sentMs: T0 + MIN, receivedMs: T0 + 31 * MIN });
    expect(cache.peek(key)).toMatchObject({ name: "Newer", dateUpdated: iso(T0 + 5 * MIN) });
    expect(cache.peek(page)).toBeDefined();
    // equally late, but newer than the cached copy: written through
    apply({ type: "ContactUpdate", id: "c1", name: "Newest", dateUpdated: iso(T0 + 9 * MIN) }, { sentMs: T0 + 9 * MIN, receivedMs: T0 + 40 * MIN });
    expect(cache.peek(key)).toEqual(contact({ name: "Newest", dateUpdated: iso(T0 + 9 * MIN) }));
  });

  it("without dateUpdated in the payload: sent before the cached version → skipped; fresh → written; late, undated or after a recent write → evicted", () => {
    const { cache, apply, clock } = setup();
    const key = cacheKeys.contact(L, "c1");
    cache.set(key, contact({ name: "Cached", dateUpdated: iso(T0 + 5 * MIN) }));
    apply({ type: "ContactUpdate", id: "c1", name: "Older" }, { sentMs: T0 + 4 * MIN, receivedMs: T0 + 34 * MIN });
    expect(cache.peek(key)).toMatchObject({ name: "Cached" });

    apply({ type: "ContactUpdate", id: "c1", name: "Fresh" }, { sentMs: T0 + 36 * MIN });
    expect(cache.peek(key)).toMatchObject({ name: "Fresh", timezone: "Europe/Berlin" });

    // a late retry that is not provably older: evicted, never written
    cache.set(key, contact({ name: "Cached", dateUpdated: iso(T0 + 5 * MIN) }));
    apply({ type: "ContactUpdate", id: "c1", name: "Late" }, { sentMs: T0 + 50 * MIN, receivedMs: T0 + 80 * MIN });
    expect(cache.peek(key)).toBeUndefined();

    // no timestamp at all: its age is unknown
    clock.nowMs = T0 + 90 * MIN;
    cache.set(key, contact({ name: "Cached", dateUpdated: iso(T0 + 5 * MIN) }));
    apply({ type: "ContactUpdate", id: "c1", name: "Undated" }, { sentMs: T0 + 95 * MIN, timestamp: false });
    expect(cache.peek(key)).toBeUndefined();

    // fresh, but the gateway wrote the contact 5 s before the event was sent: may be newer
    clock.nowMs = T0 + 100 * MIN - 5_000;
    cache.set(key, contact({ name: "Gateway write" }));
    apply({ type: "ContactUpdate", id: "c1", name: "Racing" }, { sentMs: T0 + 100 * MIN });
    expect(cache.peek(key)).toBeUndefined();
  });

  it("a late TaskComplete / NoteUpdate never overwrites: the task and its list are evicted", () => {
    const { cache, apply } = setup();
    const tasks = cacheKeys.list(L, "tasks", "c1");
    const notes = cacheKeys.list(L, "notes", "c1");
    cache.set(tasks, [{ id: "t1", contactId: "c1", title: "A", completed: false }]);
    cache.set(notes, [{ id: "n1", contactId: "c1", body: "newer body" }]);
    apply({ type: "TaskComplete", id: "t1", contactId: "c1", title: "A" }, { sentMs: T0 + MIN, receivedMs: T0 + 11 * MIN });
    apply({ type: "NoteUpdate", id: "n1", contactId: "c1", body: "older body" }, { sentMs: T0 + MIN, receivedMs: T0 + 11 * MIN });
    expect(cache.peek(tasks)).toBeUndefined();
    expect(cache.peek(cacheKeys.item(L, "task", "c1", "t1"))).toBeUndefined();
    expect(cache.peek(notes)).toBeUndefined();
    expect(cache.peek(cacheKeys.item(L, "note", "c1", "n1"))).toBeUndefined();
  });

  it("a fresh TaskComplete racing a gateway write of the same task is evicted, other tasks are still written through", () => {
    const { cache, apply, clock } = setup();
    const tasks = cacheKeys.list(L, "tasks", "c1");
    cache.set(tasks, [
      { id: "t1", contactId: "c1", title: "A", completed: false },
      { id: "t2", contactId: "c1", title: "B", completed: false },
    ]);
    clock.nowMs = T0 + 2 * MIN + 500;
    cache.set(cacheKeys.item(L, "task", "c1", "t1"), { id: "t1", contactId: "c1", title: "A renamed", completed: false }); // updateTask
    apply({ type: "TaskComplete", id: "t2", contactId: "c1", title: "B" }, { sentMs: T0 + 2 * MIN });
    expect(cache.peek(tasks)).toMatchObject([{ id: "t1" }, { id: "t2", completed: true }]);
    apply({ type: "TaskComplete", id: "t1", contactId: "c1", title: "A" }, { sentMs: T0 + 2 * MIN });
    expect(cache.peek(cacheKeys.item(L, "task", "c1", "t1"))).toBeUndefined();
    expect(cache.peek(tasks)).toBeUndefined();
  });

  it("events for one item are ordered by their timestamps: in order → written through, an older one after a newer → evicted", () => {
    const { cache, apply } = setup();
    const notes = cacheKeys.list(L, "notes", "c1");
    cache.set(notes, [{ id: "n1", contactId: "c1", body: "v0" }]);
    apply({ type: "NoteUpdate", id: "n1", contactId: "c1", body: "v1" }, { sentMs: T0 + 10 * MIN });
    apply({ type: "NoteUpdate", id: "n1", contactId: "c1", body: "v2" }, { sentMs: T0 + 10 * MIN + 2_000 });
    expect(cache.peek(notes)).toMatchObject([{ id: "n1", body: "v2" }]);
    // sent between the two, delivered last (still fresh)
    apply({ type: "NoteUpdate", id: "n1", contactId: "c1", body: "v1.5" }, { sentMs: T0 + 10 * MIN + 1_000, receivedMs: T0 + 10 * MIN + 3_000 });
    expect(cache.peek(notes)).toBeUndefined();
    expect(cache.peek(cacheKeys.item(L, "note", "c1", "n1"))).toBeUndefined();
  });

  it("a late appointment update evicts the contact's appointments", () => {
    const { cache, apply } = setup();
    const list = cacheKeys.list(L, "appointments", "c1");
    cache.set(list, [{ id: "a1", contactId: "c1", startTime: "2030-02-01T10:00:00Z", title: "new" }]);
    apply({ type: "AppointmentUpdate", appointment: { id: "a1", contactId: "c1", startTime: "2030-02-01T10:00:00Z", title: "old" } }, { sentMs: T0 + MIN, receivedMs: T0 + 21 * MIN });
    expect(cache.peek(list)).toBeUndefined();
  });

  it("a deleted contact is not resurrected by a later create/update or by its tasks (tombstone), until the tombstone expires", async () => {
    const { cache, apply, clock } = setup({ tombstoneTtlMs: 30 * MIN });
    const key = cacheKeys.contact(L, "c1");
    cache.set(key, contact({ name: "Ann", dateUpdated: iso(T0) }));
    apply({ type: "ContactDelete", id: "c1" });
    // a read after the delete caches the upstream's NOT_FOUND
    await expect(cache.load(key, notFound)).rejects.toMatchObject({ code: "NOT_FOUND" });
    apply({ type: "ContactUpdate", id: "c1", name: "Ann", dateUpdated: iso(T0 + 10 * MIN) });
    apply({ type: "TaskCreate", id: "t1", contactId: "c1", title: "A" });
    apply({ type: "NoteCreate", id: "n1", contactId: "c1", body: "b" });
    await expect(cache.load(key, never)).rejects.toMatchObject({ code: "NOT_FOUND" }); // still the cached answer: no upstream call
    expect(cache.peek(cacheKeys.item(L, "task", "c1", "t1"))).toBeUndefined();
    expect(cache.peek(cacheKeys.item(L, "note", "c1", "n1"))).toBeUndefined();
    // a value loaded while the upstream still answered with the contact is dropped, not merged
    cache.set(key, contact({ name: "Ann", dateUpdated: iso(T0) }));
    apply({ type: "ContactUpdate", id: "c1", name: "Ann", dateUpdated: iso(T0 + 10 * MIN) });
    expect(cache.peek(key)).toBeUndefined();
    // after the tombstone's lifetime the id is treated like any other
    clock.sentMs = T0 + 40 * MIN;
    cache.set(key, contact({ name: "Ann", dateUpdated: iso(T0) }));
    apply({ type: "ContactUpdate", id: "c1", name: "Back", dateUpdated: iso(T0 + 41 * MIN) });
    expect(cache.peek(key)).toMatchObject({ name: "Back" });
  });

  it("a deleted task or note is not put back by a late TaskComplete / NoteUpdate", () => {
    const { cache, apply } = setup();
    const tasks = cacheKeys.list(L, "tasks", "c1");
    const notes = cacheKeys.list(L, "notes", "c1");
    cache.set(tasks, [{ id: "t1", contactId: "c1", title: "A", completed: false }]);
    cache.set(notes, [{ id: "n1", contactId: "c1", body: "x" }]);
    apply({ type: "TaskDelete", id: "t1", contactId: "c1" });
    apply({ type: "NoteDelete", id: "n1", contactId: "c1" });
    // delivered after the deletes, sent before them (out of order), and fresh
    apply({ type: "TaskComplete", id: "t1", contactId: "c1", title: "A" });
    apply({ type: "NoteUpdate", id: "n1", contactId: "c1", body: "y" });
    expect(cache.peek(tasks)).toEqual([]);
    expect(cache.peek(notes)).toEqual([]);
    expect(cache.peek(cacheKeys.item(L, "task", "c1", "t1"))).toBeUndefined();
    expect(cache.peek(cacheKeys.item(L, "note", "c1", "n1"))).toBeUndefined();
  });
});

describe("bounded memory", () => {
  it("over maxTracked, a forgotten recent write still makes an event evict (never write on a guess)", () => {
    const { cache, apply, clock } = setup({ maxTracked: 2 });
    const tasks = cacheKeys.list(L, "tasks", "c1");
    cache.set(tasks, [{ id: "t1", contactId: "c1", title: "A", completed: false }]);
    clock.nowMs = T0 + 2 * MIN;
    // three gateway writes in a row: the first one's record is pushed out
    for (const t of ["t1", "t2", "t3"]) cache.set(cacheKeys.item(L, "task", "c1", t), { id: t, contactId: "c1", title: t, completed: false });
    apply({ type: "TaskComplete", id: "t1", contactId: "c1", title: "A" }, { sentMs: T0 + 2 * MIN + 1_000 });
    expect(cache.peek(tasks)).toBeUndefined();
  });
});
