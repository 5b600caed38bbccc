/**
 * The tasks loader's bulk batch over a real ResourceCache whose shared tier answers after an await
 * (as Redis does): only the contacts the cache lacks go into one bulk read; a failing bulk read
 * falls back to per-contact reads (and is remembered); a rate-limited one is not repeated per contact.
 * The appointments loader reads through the calendars only when that costs fewer calls.
 */
import { describe, expect, it } from "vitest";
import { createResourceCache, type SharedCacheTier } from "../../../src/cache/resource-cache.js";
import { createReadLog } from "../../../src/cache/read-log.js";
import { keys } from "../../../src/cache/resource-key.js";
import { createBulkRouteMemory } from "../../../src/loaders/bulk-route.memory.js";
import { createLoaders } from "../../../src/loaders/contact.loaders.js";
import type { ContactsReadClient } from "../../../src/loaders/read-client.types.js";
import { APPOINTMENTS, TASKS, type PerContactResource } from "../../../src/upstream/resources.js";
import { createCalendarListMemory } from "../../../src/loaders/calendar-list.memory.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";

const LOCATION = "loc";
const task = (contactId: string, n: number) => ({ id: `${contactId}-t${n}`, title: `t${n}`, contactId, completed: false });

/** A shared tier holding `lists`, answering every lookup on a later turn of the event loop. */
function slowSharedTier(lists: Record<string, unknown>): SharedCacheTier {
  return {
    get: (key) =>
      new Promise((resolve) =>
        setTimeout(() => resolve(key.kind === TASKS.kind && key.id in lists ? { hit: true, value: lists[key.id] } : { hit: false, token: undefined }), 5),
      ),
    store: () => undefined,
    apply: () => undefined,
  };
}

function fakeClient(bulk: (ids: readonly string[]) => Promise<Map<string, unknown[]>>) {
  const calls = { bulk: [] as string[][], single: [] as string[] };
  const client = {
    async bulkListsOf(_resource: PerContactResource, _location: string, ids: readonly string[]) {
      calls.bulk.push([...ids]);
      return bulk(ids);
    },
    async listOf(_resource: PerContactResource, _location: string, contactId: string) {
      calls.single.push(contactId);
      return [task(contactId, 9)];
    },
  } as unknown as ContactsReadClient;
  return { client, calls };
}

const allOf = (ids: readonly string[]) => new Map(ids.map((id) => [id, [task(id, 1)]]));

describe("tasks loader over the bulk route", () => {
  it("reads in one call only the lists neither cache level has, after the shared tier answered", async () => {
    const cache = createResourceCache({ shared: slowSharedTier({ b: [task("b", 1)] }) });
    cache.set(keys.list(LOCATION, TASKS.kind, "a"), [task("a", 1)]);
    const { client, calls } = fakeClient(async (ids) => allOf(ids));
    const loaders = createLoaders({ client, cache, bulkRoutes: createBulkRouteMemory() }, LOCATION);
    const lists = await Promise.all(["a", "b", "c", "d"].map((id) => loaders.list(TASKS).load(id)));
    expect(calls.bulk).toEqual([["c", "d"]]);
    expect(calls.single).toEqual([]);
    expect(lists.map((l) => l.map((t) => t.id))).toEqual([["a-t1"], ["b-t1"], ["c-t1"], ["d-t1"]]);
    // Stored under the per-contact key.
    expect(cache.peek(keys.list(LOCATION, TASKS.kind, "c"))).toEqual([task("c", 1)]);
  });

  it("answers a batch whose lists are all cached without a fetch, counting and recording each read as a load would", async () => {
    let now = 1_000;
    const cache = createResourceCache({ nowMs: () => now });
    cache.set(keys.list(LOCATION, TASKS.kind, "a"), [task("a", 1)]);
    now = 2_000;
    cache.set(keys.list(LOCATION, TASKS.kind, "b"), [task("b", 1)]);
    // A cached NOT_FOUND (the contact is gone): its key fails as `load` would, the others answer.
    const gone = new UpstreamError({ code: "NOT_FOUND", reason: "not_found", message: "Contact with id z not found", status: 400, method: "GET", route: "/contacts/:contactId/tasks" });
    await cache.load(keys.list(LOCATION, TASKS.kind, "z"), () => Promise.reject(gone)).catch(() => undefined);
    const before = cache.stats();
    const { client, calls } = fakeClient(async (ids) => allOf(ids));
    const reads = createReadLog();
    const loaders = createLoaders({ client, cache, bulkRoutes: createBulkRouteMemory() }, LOCATION, reads);
    const results = await Promise.allSettled(["a", "z", "b"].map((id) => loaders.list(TASKS).load(id)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value.map((t) => t.id) : (r.reason as UpstreamError).code))).toEqual([["a-t1"], "NOT_FOUND", ["b-t1"]]);
    expect(calls).toEqual({ bulk: [], single: [] });
    expect(cache.stats()).toMatchObject({ hits: before.hits + 3, misses: before.misses, fetches: before.fetches });
    expect(reads.reads().map(([key, value, fetchedAt]) => [key.contactId, value === undefined ? "failed" : "listed", fetchedAt])).toEqual([
      ["a", "listed", 1_000],
      ["z", "failed", undefined],
      ["b", "listed", 2_000],
    ]);
  });

  it("asks for at most 100 contacts per bulk read", async () => {
    const cache = createResourceCache({ ttlMs: 0 });
    const { client, calls } = fakeClient(async (ids) => allOf(ids));
    const loaders = createLoaders({ client, cache, bulkRoutes: createBulkRouteMemory() }, LOCATION);
    const ids = Array.from({ length: 150 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => loaders.list(TASKS).load(id)));
    expect(calls.bulk.map((batch) => batch.length)).toEqual([100, 50]);
  });

  it("falls back to per-contact reads when the bulk read fails, and remembers it for the location", async () => {
    const cache = createResourceCache({ ttlMs: 0 });
    const refused = new UpstreamError({ code: "FORBIDDEN", reason: "missing_scope", message: "no scope", method: "POST", route: "/locations/:locationId/tasks/search" });
    const { client, calls } = fakeClient(async () => Promise.reject(refused));
    const services = { client, cache, bulkRoutes: createBulkRouteMemory() };
    const once = createLoaders(services, LOCATION);
    const first = await Promise.all(["a", "b"].map((id) => once.list(TASKS).load(id)));
    expect(first.map((l) => l[0]!.id)).toEqual(["a-t9", "b-t9"]);
    const again = createLoaders(services, LOCATION);
    await Promise.all(["a", "b"].map((id) => again.list(TASKS).load(id)));
    expect(calls.bulk).toHaveLength(1);
    expect(calls.single).toEqual(["a", "b", "a", "b"]);
  });

  it("does not repeat a rate-limited bulk read per contact", async () => {
    const cache = createResourceCache({ ttlMs: 0 });
    const limited = new UpstreamError({ code: "UPSTREAM_RATE_LIMITED", reason: "rate_limited", message: "later", method: "POST", route: "/locations/:locationId/tasks/search", retryAfterMs: 1_000 });
    const { client, calls } = fakeClient(async () => Promise.reject(limited));
    const loaders = createLoaders({ client, cache, bulkRoutes: createBulkRouteMemory() }, LOCATION);
    const results = await Promise.allSettled(["a", "b"].map((id) => loaders.list(TASKS).load(id)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(calls.single).toEqual([]);
  });
});

describe("appointments loader through the calendars", () => {
  /** Two calendars; the bulk read leaves out `c2` (a recurring instance: not certain). */
  function calendarClient() {
    const calls: string[] = [];
    const client = {
      async calendarsOf() {
        calls.push("calendars");
        return [{ id: "k1" }, { id: "k2" }];
      },
      async bulkListsOf(_resource: PerContactResource, _location: string, ids: readonly string[], plan?: { calendarIds?: readonly string[] }) {
        calls.push(`bulk ${ids.join(",")} via ${plan?.calendarIds?.join(",")}`);
        return new Map(ids.filter((id) => id !== "c2").map((id) => [id, [{ id: `${id}-a`, contactId: id }]]));
      },
      async listOf(_resource: PerContactResource, _location: string, contactId: string) {
        calls.push(`list ${contactId}`);
        return [{ id: `${contactId}-own`, contactId }];
      },
    } as unknown as ContactsReadClient;
    return { client, calls };
  }

  it("lists the calendars for 3 contacts or more, reads them when fewer than the contacts, and reads an uncertain contact per contact", async () => {
    const { client, calls } = calendarClient();
    const services = { client, cache: createResourceCache({ ttlMs: 0 }), bulkRoutes: createBulkRouteMemory(), calendars: createCalendarListMemory() };
    const two = createLoaders(services, LOCATION);
    await Promise.all(["a", "b"].map((id) => two.list(APPOINTMENTS).load(id)));
    expect(calls).toEqual(["list a", "list b"]); // 2 per-contact calls: listing the calendars cannot pay off

    calls.length = 0;
    const three = createLoaders(services, LOCATION);
    const lists = await Promise.all(["c1", "c2", "c3"].map((id) => three.list(APPOINTMENTS).load(id)));
    expect(calls).toEqual(["calendars", "bulk c1,c2,c3 via k1,k2", "list c2"]);
    expect(lists.map((l) => l.map((a) => a.id))).toEqual([["c1-a"], ["c2-own"], ["c3-a"]]);

    calls.length = 0;
    const remembered = createLoaders(services, LOCATION);
    await Promise.all(["d", "e"].map((id) => remembered.list(APPOINTMENTS).load(id)));
    expect(calls).toEqual(["list d", "list e"]); // 2 calendars are not fewer than 2 contacts
  });
});
