/** The cache effect of a write, as changes applied through the cache's one path with origin `mutation`. */
import { describe, expect, it } from "vitest";
import { ResourceCache, cacheKeys as keys, writeChanges, type InvalidationEvent } from "../../../src/cache/index.js";
import { APPOINTMENTS, TASKS } from "../../../src/upstream/index.js";

describe("writeChanges", () => {
  it("caches a written item as returned and drops its contact's list, telling listeners it was a mutation", () => {
    const cache = new ResourceCache();
    const seen: InvalidationEvent[] = [];
    cache.onInvalidate((e) => seen.push(e));
    cache.set(keys.list("L", "tasks", "c1"), [{ id: "t0" }]);
    const task = { id: "t1", contactId: "c1", title: "T", completed: false };
    cache.applyChanges(writeChanges.itemWritten(TASKS, "L", "c1", "t1", task), { origin: "mutation" });
    expect(cache.peek(keys.item("L", "task", "c1", "t1"))).toEqual(task);
    expect(cache.peek(keys.list("L", "tasks", "c1"))).toBeUndefined();
    expect(seen.slice(1).map((e) => `${e.type} ${e.origin} ${e.remote}`)).toEqual(["set mutation false", "delete mutation false"]);
  });

  it("drops a deleted item; a resource without items drops its list only", () => {
    expect(writeChanges.itemWritten(TASKS, "L", "c1", "t1", undefined)).toEqual([
      { type: "delete", key: keys.item("L", "task", "c1", "t1") },
      { type: "delete", key: keys.list("L", "tasks", "c1") },
    ]);
    expect(writeChanges.itemWritten(APPOINTMENTS, "L", "c1", "a1", undefined)).toEqual([{ type: "delete", key: keys.list("L", "appointments", "c1") }]);
  });

  it("writes a contact through, drops a changed one, evicts a deleted one, and marks the location's pages stale each time", () => {
    const contact = { id: "c1", locationId: "L" };
    expect(writeChanges.contactWritten("L", contact)).toEqual([
      { type: "set", key: keys.contact("L", "c1"), value: contact },
      { type: "lists", locationId: "L" },
    ]);
    expect(writeChanges.contactChanged("L", "c1")).toEqual([{ type: "delete", key: keys.contact("L", "c1") }, { type: "lists", locationId: "L" }]);
    expect(writeChanges.contactDeleted("L", "c1")).toEqual([{ type: "contact", locationId: "L", contactId: "c1" }, { type: "lists", locationId: "L" }]);
    expect(writeChanges.contactGone("L", "c1")).toEqual([{ type: "contact", locationId: "L", contactId: "c1" }]);
  });
});
