/** The shared resource cache: single-flight, location isolation, invalidation, NOT_FOUND policy. */
import { describe, expect, it } from "vitest";
import { ResourceCache, cacheKeys as keys, type InvalidationEvent } from "../../../src/cache/index.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const notFound = () =>
  new UpstreamError({ code: "NOT_FOUND", reason: "not_found", message: "Contact with id x not found", status: 400, method: "GET", route: "/contacts/:contactId" });

describe("ResourceCache", () => {
  it("coalesces identical loads in flight into one fetch and caches the result", async () => {
    const cache = new ResourceCache();
    const calls: string[] = [];
    const gate = deferred<string>();
    const fetch = () => (calls.push("fetch"), gate.promise);
    const loads = [1, 2, 3].map(() => cache.load(keys.contact("A", "c1"), fetch));
    gate.resolve("value");
    expect(await Promise.all(loads)).toEqual(["value", "value", "value"]);
    expect(await cache.load(keys.contact("A", "c1"), fetch)).toBe("value");
    expect(calls).toEqual(["fetch"]);
    expect(cache.stats()).toMatchObject({ fetches: 1, coalesced: 2, hits: 1 });
  });

  it("never answers one location's key with another location's entry", async () => {
    const cache = new ResourceCache();
    await cache.load(keys.contact("A", "same-id"), async () => "A's contact");
    const fromB = await cache.load(keys.contact("B", "same-id"), async () => "B's contact");
    expect(fromB).toBe("B's contact");
    expect(cache.peek(keys.contact("B", "same-id"))).toBe("B's contact");
    expect(cache.peek(keys.contact("A", "same-id"))).toBe("A's contact");
    cache.invalidateLists("A");
    await cache.load(keys.contactPage("B", { limit: 5 }), async () => "B page");
    cache.invalidateLists("A");
    expect(cache.peek(keys.contactPage("B", { limit: 5 }))).toBe("B page");
  });

  it("does not store a result whose key was evicted while it was in flight", async () => {
    const cache = new ResourceCache();
    const gate = deferred<string>();
    const stale = cache.load(keys.list("A", "tasks", "c1"), () => gate.promise);
    cache.evictContact("A", "c1");
    gate.resolve("stale list");
    expect(await stale).toBe("stale list"); // its waiters still get an answer
    expect(cache.peek(keys.list("A", "tasks", "c1"))).toBeUndefined();
    expect(await cache.load(keys.list("A", "tasks", "c1"), async () => "fresh list")).toBe("fresh list");
  });

  it("evictContact drops the contact and everything under it, and nothing of other contacts", async () => {
    const cache = new ResourceCache();
    for (const id of ["c1", "c2"]) {
      cache.set(keys.contact("A", id), `contact ${id}`);
      cache.set(keys.list("A", "tasks", id), [`tasks ${id}`]);
      cache.set(keys.item("A", "task", id, "t1"), `task ${id}`);
      cache.set(keys.list("A", "notes", id), [`notes ${id}`]);
      cache.set(keys.item("A", "note", id, "n1"), `note ${id}`);
      cache.set(keys.list("A", "appointments", id), [`appointments ${id}`]);
    }
    cache.evictContact("A", "c1");
    const listOf = (kind: string) => (location: string, id: string) => keys.list(location, kind, id);
    for (const key of [keys.contact, listOf("tasks"), listOf("notes"), listOf("appointments")]) {
      expect(cache.peek(key("A", "c1"))).toBeUndefined();
      expect(cache.peek(key("A", "c2"))).toBeDefined();
    }
    expect(cache.peek(keys.item("A", "task", "c1", "t1"))).toBeUndefined();
    expect(cache.peek(keys.item("A", "note", "c1", "n1"))).toBeUndefined();
    expect(cache.peek(keys.item("A", "task", "c2", "t1"))).toBe("task c2");
  });

  it("invalidateLists makes every cached page of that location unreachable", async () => {
    const cache = new ResourceCache();
    let n = 0;
    const page = () => cache.load(keys.contactPage("A", { limit: 20 }), async () => `page ${++n}`);
    const business = () => cache.load(keys.businessPage("A", "b1", { limit: 20, skip: 0 }), async () => `business ${++n}`);
    expect(await page()).toBe("page 1");
    expect(await business()).toBe("business 2");
    expect(await page()).toBe("page 1");
    cache.invalidateLists("A");
    expect(await page()).toBe("page 3");
    expect(await business()).toBe("business 4");
  });

  it("invalidateKind drops one kind of per-contact list location-wide, including a load in flight, and tells listeners", async () => {
    const cache = new ResourceCache();
    const events: InvalidationEvent[] = [];
    cache.onInvalidate((e) => events.push(e));
    let n = 0;
    const tasks = (contactId: string) => cache.load(keys.list("A", "tasks", contactId), async () => `tasks ${contactId} ${++n}`);
    expect(await tasks("c1")).toBe("tasks c1 1");
    expect(await tasks("c2")).toBe("tasks c2 2");
    await cache.load(keys.list("A", "notes", "c1"), async () => "notes");
    await cache.load(keys.list("B", "tasks", "c1"), async () => "tasks of B");
    const slow = deferred<string>();
    const inFlight = cache.load(keys.list("A", "tasks", "c3"), () => slow.promise);

    cache.invalidateKind("A", "tasks");
    slow.resolve("tasks c3 (read before the change)");
    await inFlight;

    expect(await tasks("c1")).toBe("tasks c1 3");
    expect(await tasks("c2")).toBe("tasks c2 4");
    expect(await tasks("c3")).toBe("tasks c3 5");
    expect(cache.peek(keys.list("A", "notes", "c1"))).toBe("notes");
    expect(cache.peek(keys.list("B", "tasks", "c1"))).toBe("tasks of B");
    expect(events).toContainEqual({ type: "kind", locationId: "A", kind: "tasks", remote: false, origin: "local" });
  });

  it("caches NOT_FOUND briefly, other errors never; set() replaces a NOT_FOUND tombstone", async () => {
    let now = 1_000;
    const cache = new ResourceCache({ ttlMs: 60_000, notFoundTtlMs: 5_000, nowMs: () => now });
    let calls = 0;
    const missing = () => cache.load(keys.contact("A", "gone"), async () => (calls++, Promise.reject(notFound())));
    await expect(missing()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(missing()).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(calls).toBe(1);
    now += 5_001;
    await expect(missing()).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(calls).toBe(2);
    cache.set(keys.contact("A", "gone"), "created after all");
    expect(await missing()).toBe("created after all");

    let failures = 0;
    const failing = () =>
      cache.load(keys.list("A", "notes", "c1"), async () => {
        failures++;
        throw new UpstreamError({ code: "UPSTREAM_ERROR", reason: "server_error", message: "500", status: 500, method: "GET", route: "/contacts/:contactId/notes" });
      });
    await expect(failing()).rejects.toThrow();
    await expect(failing()).rejects.toThrow();
    expect(failures).toBe(2);
  });

  it("expires entries after ttlMs and stores nothing with ttlMs 0 (single-flight only)", async () => {
    let now = 10_000;
    const cache = new ResourceCache({ ttlMs: 1_000, nowMs: () => now });
    let n = 0;
    const load = () => cache.load(keys.contact("A", "c"), async () => ++n);
    expect(await load()).toBe(1);
    now = 10_999;
    expect(await load()).toBe(1);
    now = 11_001;
    expect(await load()).toBe(2);

    const uncached = new ResourceCache({ ttlMs: 0 });
    let m = 0;
    const gate = deferred<void>();
    const loadU = () => uncached.load(keys.contact("A", "c"), async () => (await gate.promise, ++m));
    const both = Promise.all([loadU(), loadU()]);
    gate.resolve();
    expect(await both).toEqual([1, 1]);
    expect(await loadU()).toBe(2);
  });

  it("bounds entries by maxEntries (least recently used go first)", async () => {
    const cache = new ResourceCache({ maxEntries: 2 });
    cache.set(keys.contact("A", "1"), 1);
    cache.set(keys.contact("A", "2"), 2);
    cache.peek(keys.contact("A", "1"));
    cache.set(keys.contact("A", "3"), 3);
    expect(cache.peek(keys.contact("A", "2"))).toBeUndefined();
    expect(cache.peek(keys.contact("A", "1"))).toBe(1);
    expect(cache.stats().size).toBe(2);
  });

  it("reports invalidations to listeners, marking those applied on behalf of another instance", () => {
    const cache = new ResourceCache();
    const events: InvalidationEvent[] = [];
    const off = cache.onInvalidate((e) => events.push(e));
    cache.evictContact("A", "c1");
    cache.invalidateLists("A", { remote: true });
    cache.delete(keys.item("A", "note", "c1", "n1"));
    off();
    cache.invalidateLists("A");
    expect(events).toEqual([
      { type: "contact", locationId: "A", contactId: "c1", remote: false, origin: "local" },
      { type: "lists", locationId: "A", remote: true, origin: "remote" },
      { type: "delete", key: keys.item("A", "note", "c1", "n1"), remote: false, origin: "local" },
    ]);
  });

  it("rejects bad options naming the expected form", () => {
    expect(() => new ResourceCache({ ttlMs: -1 })).toThrow(/ttlMs must be an integer >= 0, received -1/);
    expect(() => new ResourceCache({ maxEntries: 0 })).toThrow(/maxEntries must be an integer >= 1, received 0/);
  });
});

describe("ResourceCache: a location's purge (app uninstalled)", () => {
  it("drops every entry of that location only, pages included, and travels over the broadcast", async () => {
    const cache = new ResourceCache({ ttlMs: 60_000 });
    cache.set(keys.contact("A", "c1"), { id: "c1" });
    cache.set(keys.list("A", "tasks", "c1"), []);
    cache.set(keys.contactPage("A", { limit: 5 }), { contacts: [] });
    cache.set(keys.contact("B", "c1"), { id: "c1" });
    const events: InvalidationEvent[] = [];
    cache.onInvalidate((e) => void events.push(e));
    cache.applyChange({ type: "location", locationId: "A" });
    expect(cache.peek(keys.contact("A", "c1"))).toBeUndefined();
    expect(cache.peek(keys.list("A", "tasks", "c1"))).toBeUndefined();
    expect(cache.peek(keys.contactPage("A", { limit: 5 }))).toBeUndefined();
    expect(cache.peek(keys.contact("B", "c1"))).toEqual({ id: "c1" });
    expect(events).toEqual([{ type: "location", locationId: "A", remote: false, origin: "local" }]);

    const { toInvalidationMessage, changeOfMessage } = await import("../../../src/events/cache-invalidation.broadcast.js");
    const message = toInvalidationMessage("instance-1", events[0]!);
    expect(message).toEqual({ origin: "instance-1", type: "location", locationId: "A" });
    expect(changeOfMessage(cache.registry, JSON.parse(JSON.stringify(message)))).toEqual({ type: "location", locationId: "A" });
  });
});
