/** The response cache's tags: each change evicts exactly the answers that read what it changed. */
import { describe, expect, it } from "vitest";
import { cacheKeys, type InvalidationEvent, type ResourceKey } from "../../../../src/cache/index.js";
import { answerBody, createResponseCache } from "../../../../src/server/pipeline/response-cache.js";
import { APPOINTMENTS, DEFAULT_RESOURCE_REGISTRY, NOTES, TASKS } from "../../../../src/upstream/resources.js";

const L = "loc-1";
const viewer = { locationId: L, scopes: ["contacts.readonly"] };
const change = (c: object): InvalidationEvent => ({ remote: false, origin: "webhook", ...c }) as InvalidationEvent;

function cacheWith(answers: Record<string, ReadonlyArray<readonly [ResourceKey, unknown]>>, now = () => 1_000) {
  const cache = createResponseCache({ registry: DEFAULT_RESOURCE_REGISTRY, now });
  for (const [name, reads] of Object.entries(answers)) {
    expect(cache.store(name, viewer, cache.generation(L), answerBody({ data: { name } }), reads)).toBe(true);
  }
  const stored = () => Object.keys(answers).filter((name) => cache.get(name, L, viewer.scopes) !== undefined);
  return { cache, stored };
}

describe("response cache tags", () => {
  const answers = {
    contactX: [[cacheKeys.contact(L, "x"), { id: "x" }]],
    tasksX: [[cacheKeys.list(L, "tasks", "x"), []]],
    notesY: [[cacheKeys.list(L, "notes", "y"), []]],
    page: [[cacheKeys.contactPage(L, { limit: 10 }), { contacts: [] }]],
    nothing: [],
  } as const;

  it("keeps an answer as its HTTP body and gives the result back parsed", () => {
    const { cache } = cacheWith(answers);
    expect(cache.find("contactX", L, viewer.scopes)?.body().toString()).toBe(`${JSON.stringify({ data: { name: "contactX" } })}\n`);
    expect(cache.get("contactX", L, viewer.scopes)).toEqual({ data: { name: "contactX" } });
    expect(cache.get("contactX", L, ["contacts.write"])).toBeUndefined();
  });

  it("a key change evicts the answers that read that key (and those that read nothing of the cache)", () => {
    const { cache, stored } = cacheWith(answers);
    cache.onChange(change({ type: "set", key: cacheKeys.contact(L, "x"), value: {} }));
    expect(stored()).toEqual(["tasksX", "notesY", "page"]);
  });

  it("a contact eviction drops everything read of that contact", () => {
    const { cache, stored } = cacheWith(answers);
    cache.onChange(change({ type: "contact", locationId: L, contactId: "x" }));
    expect(stored()).toEqual(["notesY", "page"]);
  });

  it("list pages, list kinds and clear", () => {
    const { cache, stored } = cacheWith(answers);
    cache.onChange(change({ type: "lists", locationId: L }));
    expect(stored()).toEqual(["contactX", "tasksX", "notesY"]);
    cache.onChange(change({ type: "kind", locationId: L, kind: "notes" }));
    expect(stored()).toEqual(["contactX", "tasksX"]);
    cache.onChange(change({ type: "clear" }));
    expect(stored()).toEqual([]);
  });

  it("another location's changes evict nothing here", () => {
    const { cache, stored } = cacheWith(answers);
    cache.onChange(change({ type: "contact", locationId: "loc-2", contactId: "x" }));
    cache.onChange(change({ type: "lists", locationId: "loc-2" }));
    expect(stored()).toEqual(Object.keys(answers));
  });

  it("an answer that read an open task expires at its due time", () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const due = "2026-01-01T01:00:00Z";
    const { stored } = cacheWith({ tasks: [[cacheKeys.list(L, TASKS.kind, "x"), [{ id: "t", dueDate: due, completed: false }]]] }, () => now);
    now = Date.parse(due) - 1;
    expect(stored()).toEqual(["tasks"]);
    now = Date.parse(due);
    expect(stored()).toEqual([]);
  });

  it("answers sharing a tag are all evicted by its change, whether they joined, left or were stored again", () => {
    const cache = createResponseCache({ registry: DEFAULT_RESOURCE_REGISTRY, now: () => 1_000, maxEntries: 3 });
    const store = (name: string, ...contactIds: string[]) =>
      expect(cache.store(name, viewer, cache.generation(L), answerBody({ data: { name } }), contactIds.map((id) => [cacheKeys.contact(L, id), { id }] as const))).toBe(true);
    const stored = (...names: string[]) => names.filter((name) => cache.get(name, L, viewer.scopes) !== undefined);
    store("a", "x");
    store("b", "x", "y");
    store("c", "x");
    store("b", "x", "y"); // stored again: still one holder of each tag
    store("d", "y"); // the LRU drops "a", the oldest
    expect(stored("a", "b", "c", "d")).toEqual(["b", "c", "d"]);
    cache.onChange(change({ type: "contact", locationId: L, contactId: "x" }));
    expect(stored("b", "c", "d")).toEqual(["d"]);
    store("e", "x"); // the only holder of x's tags again
    cache.onChange(change({ type: "set", key: cacheKeys.contact(L, "y"), value: {} }));
    expect(stored("d", "e")).toEqual(["e"]);
    cache.onChange(change({ type: "contact", locationId: L, contactId: "x" }));
    expect(stored("e")).toEqual([]);
    expect(cache.stats().size).toBe(0);
  });

  it("a change to a contact or one of its lists or items evicts the answers that read that key, not the contact's other keys", () => {
    const x = (kind: string) => cacheKeys.list(L, kind, "x");
    const item = cacheKeys.item(L, "task", "x", "t1");
    const { cache, stored } = cacheWith({
      contact: [[cacheKeys.contact(L, "x"), { id: "x" }]],
      tasks: [[x(TASKS.kind), []]],
      notes: [[x(NOTES.kind), []]],
      all: [
        [cacheKeys.contact(L, "x"), { id: "x" }],
        [x(TASKS.kind), []],
        [x(NOTES.kind), []],
        [x(APPOINTMENTS.kind), []],
      ],
      item: [[item, { id: "t1" }]],
      otherContact: [[cacheKeys.list(L, NOTES.kind, "y"), []]],
    });
    cache.onChange(change({ type: "delete", key: x(NOTES.kind) }));
    expect(stored()).toEqual(["contact", "tasks", "item", "otherContact"]);
    cache.onChange(change({ type: "set", key: item, value: { id: "t1" } }));
    expect(stored()).toEqual(["contact", "tasks", "otherContact"]);
    cache.onChange(change({ type: "set", key: x(APPOINTMENTS.kind), value: [] }));
    expect(stored()).toEqual(["contact", "tasks", "otherContact"]);
    cache.onChange(change({ type: "set", key: cacheKeys.contact(L, "x"), value: { id: "x" } }));
    expect(stored()).toEqual(["tasks", "otherContact"]);
    cache.onChange(change({ type: "contact", locationId: L, contactId: "x" }));
    expect(stored()).toEqual(["otherContact"]);
    cache.onChange(change({ type: "delete", key: cacheKeys.list(L, TASKS.kind, "y") })); // the only answer under y read its notes
    expect(stored()).toEqual(["otherContact"]);
    cache.onChange(change({ type: "delete", key: cacheKeys.list(L, NOTES.kind, "y") }));
    expect(stored()).toEqual([]);
  });

  it("a key without its optional contactId (as another instance broadcasts it) evicts the same answers", () => {
    // The resource cache's key identity is location, kind and id (serializeKey): contactId is not part of it.
    const without = ({ contactId: _, ...key }: ResourceKey): ResourceKey => key;
    const { cache, stored } = cacheWith({
      notes: [[cacheKeys.list(L, NOTES.kind, "x"), []]],
      contact: [[cacheKeys.contact(L, "x"), { id: "x" }]],
      tasks: [[cacheKeys.list(L, TASKS.kind, "x"), []]],
      readWithout: [[without(cacheKeys.item(L, "task", "x", "t1")), { id: "t1" }]],
      otherContact: [[cacheKeys.list(L, NOTES.kind, "y"), []]],
    });
    cache.onChange(change({ type: "delete", key: without(cacheKeys.list(L, NOTES.kind, "x")) }));
    expect(stored()).toEqual(["contact", "tasks", "readWithout", "otherContact"]);
    cache.onChange(change({ type: "delete", key: without(cacheKeys.contact(L, "x")) }));
    expect(stored()).toEqual(["tasks", "readWithout", "otherContact"]);
    // A read described from a key without contactId is still under its contact.
    cache.onChange(change({ type: "contact", locationId: L, contactId: "x" }));
    expect(stored()).toEqual(["otherContact"]);
  });

  it("an answer showing a search page expires with the page, and one whose page already expired is not stored", () => {
    const cache = createResponseCache({ registry: DEFAULT_RESOURCE_REGISTRY, now: () => 1_000 });
    const page = (expiresAtMs: number) => [[cacheKeys.searchPage(L, { pageLimit: 10, query: `q${expiresAtMs}` }), { contacts: [], expiresAtMs }]] as const;
    expect(cache.store("late", viewer, cache.generation(L), answerBody({ data: {} }), page(5_000))).toBe(true);
    expect(cache.store("gone", viewer, cache.generation(L), answerBody({ data: {} }), page(1_000))).toBe(false);
    expect(cache.get("late", L, viewer.scopes)).toBeDefined();
  });
});

/**
 * The tags and clock times of a value are computed once per value object (the resource cache's
 * values are never changed in place), and the index nodes they name come and go with the answers.
 */
describe("response cache: what a value read adds, computed once per value", () => {
  const T0 = Date.parse("2026-01-01T00:00:00Z");
  const H = 3_600_000;
  const task = (id: string, dueMs: number, completed = false) => ({ id, contactId: "x", title: id, dueDate: new Date(dueMs).toISOString(), completed });

  function clockCache(maxEntries = 1_000) {
    const clock = { now: T0 };
    const cache = createResponseCache({ registry: DEFAULT_RESOURCE_REGISTRY, now: () => clock.now, maxEntries });
    const store = (name: string, reads: ReadonlyArray<readonly [ResourceKey, unknown]>) =>
      cache.store(name, viewer, cache.generation(L), answerBody({ data: { name } }), reads);
    const stored = (...names: string[]) => names.filter((name) => cache.get(name, L, viewer.scopes) !== undefined);
    return { clock, cache, store, stored };
  }

  it("the same list read again after one of its tasks fell overdue expires at the next due time", () => {
    const { clock, store, stored } = clockCache();
    const tasks = [task("late", T0 + 2 * H), task("soon", T0 + H), task("done", T0 + 30 * 60_000, true)];
    const key = cacheKeys.list(L, TASKS.kind, "x");
    expect(store("before", [[key, tasks]])).toBe(true);
    clock.now = T0 + H; // "soon" is overdue now
    expect(stored("before")).toEqual([]);
    expect(store("after", [[key, tasks]])).toBe(true); // the same value object
    clock.now = T0 + 2 * H - 1;
    expect(stored("after")).toEqual(["after"]);
    clock.now = T0 + 2 * H;
    expect(stored("after")).toEqual([]);
    expect(store("latest", [[key, tasks]])).toBe(true); // nothing ahead any more: no clock expiry
    clock.now = T0 + 100 * H;
    expect(stored("latest")).toEqual(["latest"]);
  });

  it("a list a webhook replaced gives the answers that read the new value its due times and tags", () => {
    const { clock, cache, store, stored } = clockCache();
    const key = cacheKeys.list(L, TASKS.kind, "x");
    const before = [task("a", T0 + 3 * H)];
    expect(store("old", [[key, before]])).toBe(true);
    // The webhook's change: a new array with one more task (src/events/event-cache.apply.ts), announced as a set.
    const after = [...before, task("b", T0 + H)];
    cache.onChange(change({ type: "set", key, value: after }));
    expect(stored("old")).toEqual([]);
    expect(store("new", [[key, after]])).toBe(true);
    expect(store("appointments", [[cacheKeys.list(L, APPOINTMENTS.kind, "x"), [{ id: "p", contactId: "x", startTime: "2026-01-01 02:00:00" }]]])).toBe(true);
    clock.now = T0 + H;
    expect(stored("new", "appointments")).toEqual(["appointments"]); // b's due time, not a's
    clock.now = T0 + 2 * H; // the zone-less start time is UTC
    expect(stored("appointments")).toEqual([]);
    expect(store("new again", [[key, after]])).toBe(true);
    cache.onChange(change({ type: "kind", locationId: L, kind: TASKS.kind }));
    expect(stored("new again")).toEqual([]);
  });

  it("one value object read under two keys tags each answer with the key it was read under", () => {
    const { cache, store, stored } = clockCache();
    const shared: unknown[] = [];
    expect(store("x", [[cacheKeys.list(L, NOTES.kind, "x"), shared]])).toBe(true);
    expect(store("y", [[cacheKeys.list(L, NOTES.kind, "y"), shared]])).toBe(true);
    cache.onChange(change({ type: "contact", locationId: L, contactId: "y" }));
    expect(stored("x", "y")).toEqual(["x"]);
    expect(store("y", [[cacheKeys.list(L, NOTES.kind, "y"), shared]])).toBe(true);
    cache.onChange(change({ type: "delete", key: cacheKeys.list(L, NOTES.kind, "x") }));
    expect(stored("x", "y")).toEqual(["y"]);
  });

  it("a tag whose answers all went, read again through the same values, evicts its new answers", () => {
    const { cache, store, stored } = clockCache(2);
    const tasksX = [[cacheKeys.list(L, TASKS.kind, "x"), []]] as const;
    const notesX = [[cacheKeys.list(L, NOTES.kind, "x"), []]] as const;
    const contactY = [[cacheKeys.contact(L, "y"), { id: "y" }]] as const;
    expect(store("a", tasksX)).toBe(true);
    expect(store("b", notesX)).toBe(true); // shares x's contact tag with "a"
    expect(store("c", contactY)).toBe(true); // the LRU drops "a": x's tag is still carried by "b"
    expect(stored("a", "b", "c")).toEqual(["b", "c"]);
    cache.onChange(change({ type: "contact", locationId: L, contactId: "x" }));
    expect(stored("b", "c")).toEqual(["c"]); // x's tags left the index with "b"
    expect(store("d", tasksX)).toBe(true); // the same value: its tags enter the index again
    expect(store("e", [...tasksX, ...notesX])).toBe(true);
    cache.onChange(change({ type: "set", key: tasksX[0][0], value: [] }));
    expect(stored("c", "d", "e")).toEqual([]); // the LRU dropped "c" for "e"
    expect(store("f", notesX)).toBe(true);
    cache.onChange(change({ type: "contact", locationId: L, contactId: "x" }));
    expect(stored("f")).toEqual([]);
    expect(cache.stats().size).toBe(0);
  });
});

/** Stored bodies are bounded by bytes, and the memory of a dropped one holds the next. */
describe("response cache: the bytes of stored answers", () => {
  const KB = 1024;
  const answerOf = (name: string, kb: number) => answerBody({ data: { name, pad: "x".repeat(kb * KB) } });
  const readsOf = (name: string) => [[cacheKeys.contact(L, name), { id: name }]] as const;

  it("drops the least recently used answers past maxBytes, and never stores one larger than a quarter of it", () => {
    const cache = createResponseCache({ registry: DEFAULT_RESOURCE_REGISTRY, now: () => 1_000, maxBytes: 400 * KB });
    for (const name of ["a", "b", "c", "d", "e"]) expect(cache.store(name, viewer, cache.generation(L), answerOf(name, 80), readsOf(name))).toBe(true);
    expect(cache.stats().bytes).toBeLessThanOrEqual(400 * KB);
    const kept = ["a", "b", "c", "d", "e"].filter((name) => cache.get(name, L, viewer.scopes) !== undefined);
    expect(kept).toEqual(["b", "c", "d", "e"]); // each is charged its 88 KiB buffer class and an entry's overhead: 4 fit
    expect(cache.get("e", L, viewer.scopes)).toEqual({ data: { name: "e", pad: "x".repeat(80 * KB) } });
    expect(cache.stats()).toMatchObject({ capacityEvictions: 1, evictions: 0 });
    const { allocated } = cache.stats().memory;
    expect(cache.store("huge", viewer, cache.generation(L), answerOf("huge", 101), readsOf("huge"))).toBe(false);
    expect(cache.get("huge", L, viewer.scopes)).toBeUndefined();
    expect(cache.stats().memory.allocated).toBe(allocated); // refused before it was encoded
    expect(() => createResponseCache({ registry: DEFAULT_RESOURCE_REGISTRY, maxBytes: 4096 })).toThrow(/maxBytes must be >= 20480/);
  });

  it("an evicted answer's memory holds the next stored one, but not while a hit still writes it", () => {
    const cache = createResponseCache({ registry: DEFAULT_RESOURCE_REGISTRY, now: () => 1_000 });
    const store = (name: string) => cache.store(name, viewer, cache.generation(L), answerOf(name, 40), readsOf(name));
    expect(store("a")).toBe(true);
    const hit = cache.find("a", L, viewer.scopes)!;
    const bytes = hit.body();
    const done = hit.lend();
    cache.onChange(change({ type: "contact", locationId: L, contactId: "a" }));
    expect(cache.find("a", L, viewer.scopes)).toBeUndefined();
    expect(store("b")).toBe(true); // "a"'s memory is still being written: "b" gets other memory
    expect(bytes.toString()).toBe(answerOf("a", 40));
    expect(cache.stats().memory).toMatchObject({ reused: 0, allocated: 2 });
    done(true);
    cache.onChange(change({ type: "contact", locationId: L, contactId: "b" }));
    expect(store("c")).toBe(true);
    expect(store("d")).toBe(true);
    expect(cache.stats().memory).toMatchObject({ reused: 2, allocated: 2 });
    expect(cache.get("c", L, viewer.scopes)).toEqual({ data: { name: "c", pad: "x".repeat(40 * KB) } });
    expect(cache.get("d", L, viewer.scopes)).toEqual({ data: { name: "d", pad: "x".repeat(40 * KB) } });
  });
});
