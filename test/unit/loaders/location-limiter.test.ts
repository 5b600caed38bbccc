/** The per-location concurrency limiter: bounded per location, independent across locations. */
import { describe, expect, it } from "vitest";
import { createLocationLimiter } from "../../../src/loaders/index.js";

describe("createLocationLimiter", () => {
  it("runs at most N calls at once per location and lets other locations proceed", async () => {
    const limiter = createLocationLimiter({ concurrencyPerLocation: 2 });
    let active = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const task = () =>
      new Promise<void>((resolve) => {
        active += 1;
        peak = Math.max(peak, active);
        releases.push(() => {
          active -= 1;
          resolve();
        });
      });
    const runs = Array.from({ length: 5 }, () => limiter.run("A", task));
    const other = limiter.run("B", async () => "B ran");
    expect(await other).toBe("B ran");
    await new Promise((r) => setImmediate(r));
    expect(limiter.load("A")).toEqual({ active: 2, queued: 3 });
    while (releases.length > 0 || active > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(runs);
    expect(peak).toBe(2);
    expect(limiter.load("A")).toEqual({ active: 0, queued: 0 });
  });

  it("releases the slot when a call fails", async () => {
    const limiter = createLocationLimiter({ concurrencyPerLocation: 1 });
    await expect(limiter.run("A", async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await limiter.run("A", async () => 1)).toBe(1);
  });

  it("rejects a bad bound naming the expected form", () => {
    expect(() => createLocationLimiter({ concurrencyPerLocation: 0 })).toThrow(/integer >= 1, received 0/);
  });
});
