/** The response cache's tags: each change evicts exactly the answers that read what it changed. */
import { describe, expect, it } from "vitest";
import { cacheKeys, type InvalidationEvent, type ResourceKey } from "../../../../src/cache/index.js";
import { answerBody, createResponseCache } from "../../../../src/server/pipeline/response-cache.js";
import { DEFAULT_RESOURCE_REGISTRY, TASKS } from "../../../../src/upstream/resources.js";

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
});
