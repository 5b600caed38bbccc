import { describe, expect, it } from "vitest";
import { createBackgroundBudget } from "../../../src/upstream/background-budget.js";
import type { UpstreamRequest, UpstreamResponse } from "../../../src/upstream/pipeline.types.js";

const request = (locationId: string) => ({ method: "GET", route: "/x", path: "/x", locationId, priority: "read", idempotent: true, attempt: 1 }) as UpstreamRequest;
const ok: UpstreamResponse = { status: 200, headers: {}, body: {}, durationMs: 1 };

describe("background budget", () => {
  it("a lane's calls take its share of a location's interval budget; a slot frees one interval after its call ended", async () => {
    const timers: Array<() => void> = [];
    const budget = createBackgroundBudget({ burst: 10, intervalMs: 10_000, lanes: { warmUp: 30 }, setTimeout: (fn) => timers.push(fn) });
    expect(budget.slots("warmUp")).toBe(3);
    const sent: string[] = [];
    const handler = budget.middleware(async (r) => {
      sent.push(r.locationId);
      return ok;
    });
    const calls = budget.run("warmUp", () => Promise.all(Array.from({ length: 5 }, () => handler(request("A")))));
    const other = budget.run("warmUp", () => handler(request("B"))); // another location has its own slots
    const outside = handler(request("A")); // not background work: never waits
    await other;
    await outside;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.filter((l) => l === "A")).toHaveLength(4); // 3 slots + the call outside the lane
    expect(timers).toHaveLength(4); // each finished lane call frees its slot one interval later
    timers.shift()!();
    timers.shift()!();
    await calls;
    expect(sent.filter((l) => l === "A")).toHaveLength(6);
    expect(budget.stats()["warmUp"]).toEqual({ calls: 6, waiting: 0 });
  });

  it("whenFree resolves once enough of a lane's slots are free again", async () => {
    const timers: Array<() => void> = [];
    const budget = createBackgroundBudget({ burst: 10, intervalMs: 1_000, lanes: { warmUp: 30 }, setTimeout: (fn) => timers.push(fn) });
    const handler = budget.middleware(async () => ok);
    await budget.run("warmUp", () => Promise.all([handler(request("A")), handler(request("A"))]));
    expect(budget.free("warmUp", "A")).toBe(1);
    let ready = false;
    const waiting = budget.whenFree("warmUp", "A", 3).then(() => (ready = true));
    await budget.whenFree("warmUp", "A", 1); // one is free now
    timers.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBe(false);
    timers.shift()!();
    await waiting;
    expect(budget.free("warmUp", "A")).toBe(3);
    await budget.whenFree("warmUp", "A", 99); // at most all of them
  });

  it("refuses an unknown lane and a share outside (0, 100]", () => {
    const budget = createBackgroundBudget({ burst: 100, intervalMs: 1_000, lanes: { revalidation: 10 } });
    expect(() => budget.run("other", async () => 1)).toThrow(/unknown lane/);
    expect(() => createBackgroundBudget({ burst: 100, intervalMs: 1_000, lanes: { x: 0 } })).toThrow(/percentage/);
  });
});
