import { describe, expect, it } from "vitest";
import { createResourceCache, cacheKeys } from "../../../src/cache/index.js";
import { createBulkRouteMemory } from "../../../src/loaders/bulk-route.memory.js";
import { createRevalidation } from "../../../src/loaders/revalidation.runner.js";
import type { ContactsReadClient } from "../../../src/loaders/read-client.types.js";
import { createBackgroundBudget } from "../../../src/upstream/background-budget.js";
import { APPOINTMENTS, TASKS } from "../../../src/upstream/resources.js";
import { createCalendarListMemory } from "../../../src/loaders/calendar-list.memory.js";

const L = "Loc1";

function setup(gate?: Promise<void>) {
  let now = 1_000_000;
  const cache = createResourceCache({ ttlMs: 1_000, nowMs: () => now, webhookKept: { ttlMs: 60_000, revalidateAfterMs: 10_000, flowing: () => true } });
  const calls: string[] = [];
  const upstream = new Map<string, { id: string; title: string }[]>();
  const client = {
    async listOf(_resource: unknown, _location: string, contactId: string) {
      calls.push(`list ${contactId}`);
      const answer = upstream.get(contactId) ?? [];
      await gate;
      return answer;
    },
    async bulkListsOf(_resource: unknown, _location: string, ids: readonly string[], plan?: { calendarIds?: readonly string[] }) {
      calls.push(`bulk ${ids.join(",")}${plan?.calendarIds ? ` via ${plan.calendarIds.join(",")}` : ""}`);
      return new Map(ids.map((id) => [id, upstream.get(id) ?? []]));
    },
    async calendarsOf() {
      calls.push("calendars");
      return [{ id: "k1" }, { id: "k2" }];
    },
  } as unknown as ContactsReadClient;
  const budget = createBackgroundBudget({ burst: 100, intervalMs: 1_000, lanes: { revalidation: 10 } });
  const revalidation = createRevalidation({ cache, client, bulkRoutes: createBulkRouteMemory(), calendars: createCalendarListMemory(), budget });
  return { cache, calls, upstream, revalidation, advance: (ms: number) => (now += ms) };
}

describe("background revalidation", () => {
  it("one operation's stale task lists share one bulk read; an unchanged list is younger again, a changed one is set (load listeners first)", async () => {
    const { cache, calls, upstream, revalidation, advance } = setup();
    for (const id of ["c1", "c2", "c3"]) {
      upstream.set(id, [{ id: `t-${id}`, title: "Call" }]);
      await cache.load(cacheKeys.list(L, TASKS.kind, id), async () => upstream.get(id)!);
    }
    advance(2_000); // past the cache's TTL: task lists are served and revalidated
    upstream.set("c2", [{ id: "t-c2", title: "Call the lender" }]);
    const seen: string[] = [];
    cache.onLoad((key) => seen.push(`load ${key.id}`));
    cache.onInvalidate((event) => seen.push(`${event.type} ${event.type === "set" ? event.key.id : ""}`));
    for (const id of ["c1", "c2", "c3"]) expect(await cache.load(cacheKeys.list(L, TASKS.kind, id), async () => [])).toHaveLength(1);
    await revalidation.idle();
    expect(calls).toEqual(["bulk c1,c2,c3"]);
    expect(seen).toEqual(["load c1", "load c2", "set c2", "load c3"]);
    expect(cache.peek(cacheKeys.list(L, TASKS.kind, "c2"))).toEqual([{ id: "t-c2", title: "Call the lender" }]);
    expect(cache.fetchedAt(cacheKeys.list(L, TASKS.kind, "c1"))).toBe(cache.now());
    expect(revalidation.stats()).toMatchObject({ unchanged: 2, changed: 1, failed: 0 });
    revalidation.stop();
  });

  it("stale appointment lists of more contacts than calendars are read through the calendars; of fewer, per contact", async () => {
    const { cache, calls, revalidation, advance } = setup();
    const load = (ids: string[]) => Promise.all(ids.map((id) => cache.load(cacheKeys.list(L, APPOINTMENTS.kind, id), async () => [])));
    await load(["c1", "c2", "c3", "c4"]);
    advance(11_000); // past revalidateAfterMs: appointments (webhooks announce every change) are revalidated
    await load(["c1", "c2", "c3", "c4"]);
    await revalidation.idle();
    expect(calls).toEqual(["calendars", "bulk c1,c2,c3,c4 via k1,k2"]);

    calls.length = 0;
    await load(["c5", "c6"]);
    advance(11_000);
    await load(["c5", "c6"]);
    await revalidation.idle();
    expect(calls).toEqual(["list c5", "list c6"]); // 2 calendars: no cheaper than 2 per-contact reads
    revalidation.stop();
  });

  it("a value a webhook wrote while the read was on its way is not overwritten by it", async () => {
    let open!: () => void;
    const { cache, calls, upstream, revalidation, advance } = setup(new Promise<void>((resolve) => (open = resolve)));
    upstream.set("c9", [{ id: "t", title: "old" }]);
    const key = cacheKeys.list(L, TASKS.kind, "c9");
    await cache.load(key, async () => upstream.get("c9")!);
    advance(2_000);
    await cache.load(key, async () => []); // stale: revalidated alone (one list: per contact)
    while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    cache.set(key, [{ id: "t", title: "from the webhook" }]); // while the read is on its way
    open();
    await revalidation.idle();
    expect(calls).toEqual(["list c9"]);
    expect(cache.peek(key)).toEqual([{ id: "t", title: "from the webhook" }]);
    revalidation.stop();
  });
});
