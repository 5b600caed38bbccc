import { describe, expect, it } from "vitest";
import { freshnessAt, freshnessBasis } from "../../../src/cache/freshness.compute.js";
import { cacheKeys } from "../../../src/cache/index.js";
import { DEFAULT_RESOURCE_REGISTRY } from "../../../src/upstream/resources.js";

const coverageOf = DEFAULT_RESOURCE_REGISTRY.coverageOf;

describe("freshness", () => {
  it("is as old as the oldest value read; failed reads do not count", () => {
    const basis = freshnessBasis(
      [
        [cacheKeys.contact("L", "c1"), { id: "c1" }, 1_000],
        [cacheKeys.list("L", "notes", "c1"), [], 400],
        [cacheKeys.list("L", "appointments", "c1"), undefined, 10],
      ],
      coverageOf,
    );
    expect(basis).toEqual({ oldestAt: 400, coverage: "full" });
    expect(freshnessAt(basis, 1_500, true)).toEqual({ ageMs: 1_100, webhooks: "current" });
    expect(freshnessAt(basis, 1_500, false)).toEqual({ ageMs: 1_100, webhooks: "off" });
  });

  it("is only partly kept current by webhooks when it read tasks (HighLevel announces no task edit)", () => {
    const basis = freshnessBasis([[cacheKeys.list("L", "tasks", "c1"), [], 5]], coverageOf);
    expect(basis.coverage).toBe("partial");
    expect(freshnessAt(basis, 5, true)).toEqual({ ageMs: 0, webhooks: "partial" });
    expect(freshnessAt(freshnessBasis([], coverageOf), 9, true)).toEqual({ ageMs: 0, webhooks: "current" });
  });
});
