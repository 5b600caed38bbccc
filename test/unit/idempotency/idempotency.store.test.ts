/**
 * Both idempotency stores against the same behaviour: replay, mismatch, concurrent repeats wait
 * for the first attempt, release after a definite failure, "unknown" after an uncertain one.
 * The Redis store runs against the real Redis on 127.0.0.1:6379 under a unique key prefix.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryIdempotencyStore,
  createRedisIdempotencyStore,
  idempotencyFingerprint,
  parseIdempotencyKey,
  type IdempotencyStore,
} from "../../../src/idempotency/index.js";
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from "../../support/redis.js";

const prefix = uniqueRedisPrefix("idem");
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

const scope = (key: string) => ({ subject: "user-1", locationId: "loc1", key });

function storeSuite(name: string, make: (options?: { waitTimeoutMs?: number }) => IdempotencyStore) {
  describe(`${name} idempotency store`, () => {
    it("replays the first result for the same key and arguments", async () => {
      const store = make();
      const fp = idempotencyFingerprint("createContact", { input: { email: "a@b.co" } });
      const first = await store.begin(scope("k-replay"), fp);
      expect(first.kind).toBe("proceed");
      if (first.kind !== "proceed") return;
      await first.claim.complete({ id: "c1" });
      expect(await store.begin(scope("k-replay"), fp)).toEqual({ kind: "replay", result: { id: "c1" } });
    });

    it("refuses the same key with different arguments", async () => {
      const store = make();
      const first = await store.begin(scope("k-mismatch"), idempotencyFingerprint("createContact", { a: 1 }));
      if (first.kind === "proceed") await first.claim.complete({ id: "c1" });
      expect((await store.begin(scope("k-mismatch"), idempotencyFingerprint("createContact", { a: 2 }))).kind).toBe("mismatch");
      expect((await store.begin(scope("k-mismatch"), idempotencyFingerprint("createTask", { a: 1 }))).kind).toBe("mismatch");
    });

    it("keeps keys private to caller and location", async () => {
      const store = make();
      const fp = idempotencyFingerprint("deleteContact", { id: "x" });
      const first = await store.begin(scope("k-private"), fp);
      if (first.kind === "proceed") await first.claim.complete(true);
      expect((await store.begin({ ...scope("k-private"), subject: "user-2" }, fp)).kind).toBe("proceed");
      expect((await store.begin({ ...scope("k-private"), locationId: "loc2" }, fp)).kind).toBe("proceed");
    });

    it("makes a concurrent repeat wait for the first result", async () => {
      const store = make();
      const fp = idempotencyFingerprint("createTask", { t: 1 });
      const first = await store.begin(scope("k-concurrent"), fp);
      expect(first.kind).toBe("proceed");
      let secondSettled = false;
      const second = store.begin(scope("k-concurrent"), fp).then((r) => {
        secondSettled = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 120));
      expect(secondSettled).toBe(false);
      if (first.kind === "proceed") await first.claim.complete({ id: "t1" });
      expect(await second).toEqual({ kind: "replay", result: { id: "t1" } });
    });

    it("frees the key after a definite failure, and remembers an unknown outcome", async () => {
      const store = make();
      const fp = idempotencyFingerprint("createContact", { n: 1 });
      const first = await store.begin(scope("k-release"), fp);
      if (first.kind === "proceed") await first.claim.release();
      const again = await store.begin(scope("k-release"), fp);
      expect(again.kind).toBe("proceed");
      if (again.kind === "proceed") await again.claim.markUnknown("may have happened");
      expect(await store.begin(scope("k-release"), fp)).toEqual({ kind: "unknown", message: "may have happened" });
    });

    it("answers in_progress when the first attempt outlasts the wait limit", async () => {
      const store = make({ waitTimeoutMs: 100 });
      const fp = idempotencyFingerprint("x", {});
      expect((await store.begin(scope("k-slow"), fp)).kind).toBe("proceed");
      expect((await store.begin(scope("k-slow"), fp)).kind).toBe("in_progress");
    });
  });
}

storeSuite("memory", (options) => createMemoryIdempotencyStore(options));
storeSuite("redis", (options) => createRedisIdempotencyStore({ redis, keyPrefix: prefix, ...options }));

describe("idempotency details", () => {
  it("forgets a key after the TTL (injected clock)", async () => {
    let now = 1_000;
    const store = createMemoryIdempotencyStore({ ttlMs: 24 * 3_600_000, now: () => now });
    const fp = idempotencyFingerprint("x", {});
    const first = await store.begin(scope("k-ttl"), fp);
    if (first.kind === "proceed") await first.claim.complete(1);
    now += 24 * 3_600_000 - 1;
    expect((await store.begin(scope("k-ttl"), fp)).kind).toBe("replay");
    now += 2;
    expect((await store.begin(scope("k-ttl"), fp)).kind).toBe("proceed");
  });

  it("writes Redis keys only under the configured prefix, with a 24 h TTL once done", async () => {
    const store = createRedisIdempotencyStore({ redis, keyPrefix: prefix });
    const first = await store.begin(scope("k-prefix"), idempotencyFingerprint("x", {}));
    if (first.kind === "proceed") await first.claim.complete({ ok: true });
    const found = await redis.keys(`${prefix}idem:*`);
    expect(found.length).toBeGreaterThan(0);
    const ttls = await Promise.all(found.map((k) => redis.pttl(k)));
    expect(Math.max(...ttls)).toBeGreaterThan(23 * 3_600_000);
  });

  it("fingerprints ignore key order and undefined members, and see Date values", () => {
    expect(idempotencyFingerprint("op", { a: 1, b: { c: 2, d: undefined } })).toBe(idempotencyFingerprint("op", { b: { c: 2 }, a: 1 }));
    expect(idempotencyFingerprint("op", { d: new Date(0) })).not.toBe(idempotencyFingerprint("op", { d: new Date(1) }));
  });

  it("validates the header", () => {
    expect(parseIdempotencyKey(undefined)).toEqual({ ok: true, key: undefined });
    expect(parseIdempotencyKey(" abc-123 ")).toEqual({ ok: true, key: "abc-123" });
    expect(parseIdempotencyKey("").ok).toBe(false);
    expect(parseIdempotencyKey("has space").ok).toBe(false);
    expect(parseIdempotencyKey("x".repeat(256)).ok).toBe(false);
    expect(parseIdempotencyKey(["a", "b"]).ok).toBe(false);
  });
});
