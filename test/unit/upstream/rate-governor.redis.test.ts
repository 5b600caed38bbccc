/**
 * The Redis budget store against the real Redis on 127.0.0.1:6379 (unique key prefix, only those
 * keys deleted afterwards): two stores, as two gateway instances, share one location's budget.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateGovernor } from "../../../src/upstream/rate-governor.js";
import { createRedisBudgetStore } from "../../../src/upstream/rate-governor.redis.js";
import type { UpstreamRequest } from "../../../src/upstream/pipeline.types.js";
import { deleteKeysWithPrefix } from "../../support/redis.js";

const prefix = `test:gov:${randomUUID()}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: false, maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

const limits = { limit: 5, windowMs: 60_000, dailyLimit: 1_000 };

describe("redis rate budget store", () => {
  it("shares one window between instances and answers the wait when it is full", async () => {
    const a = createRedisBudgetStore({ redis, keyPrefix: prefix });
    const b = createRedisBudgetStore({ redis, keyPrefix: prefix });
    const results = await Promise.all([a, b, a, b, a, b, a].map((store) => store.acquire("shared", limits)));
    expect(results.filter((r) => r.granted)).toHaveLength(5);
    const refused = results.filter((r) => !r.granted);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.waitMs).toBeGreaterThan(59_000);
      expect(r.waitMs).toBeLessThanOrEqual(60_000);
      expect(r.remaining).toBe(0);
    }
    expect(await b.estimateWaitMs("shared", limits, 5)).toBeGreaterThan(119_000);
    expect(await redis.pttl(a.keysFor("shared")[0]!)).toBeGreaterThan(0);
  });

  it("restricts to the upstream's remaining and drains on a 429", async () => {
    const store = createRedisBudgetStore({ redis, keyPrefix: prefix });
    expect(await store.acquire("restrict", limits)).toMatchObject({ granted: true, remaining: 4, dailyRemaining: 999 });
    expect(await store.restrict("restrict", limits, { remaining: 2, dailyRemaining: 500 })).toEqual({ remaining: 2, dailyRemaining: 500 });
    // never more generous
    expect(await store.restrict("restrict", limits, { remaining: 5, dailyRemaining: 900 })).toEqual({ remaining: 2, dailyRemaining: 500 });
    expect(await store.drain("restrict", limits)).toMatchObject({ remaining: 0 });
    expect(await store.acquire("restrict", limits)).toMatchObject({ granted: false });
  });

  it("drains for the 429's Retry-After only, not the whole window", async () => {
    const store = createRedisBudgetStore({ redis, keyPrefix: prefix });
    expect(await store.drain("hold", limits, 2_000)).toMatchObject({ remaining: 0 });
    const refused = await store.acquire("hold", limits);
    expect(refused.granted).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(1_000);
    expect(refused.waitMs).toBeLessThanOrEqual(2_000);
  });

  it("settles a slot at the time its call was answered", async () => {
    const store = createRedisBudgetStore({ redis, keyPrefix: prefix });
    const grant = await store.acquire("settle", limits);
    const key = store.keysFor("settle")[0]!;
    const before = Number(await redis.zscore(key, grant.ticket!));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await store.settle("settle", limits, grant.ticket!);
    expect(Number(await redis.zscore(key, grant.ticket!))).toBeGreaterThanOrEqual(before + 25);
    expect(await redis.zcard(key)).toBe(1);
  });

  it("frees slots when the window passes (Redis' clock)", async () => {
    const store = createRedisBudgetStore({ redis, keyPrefix: prefix });
    const short = { limit: 2, windowMs: 300, dailyLimit: 1_000 };
    await store.acquire("short", short);
    await store.acquire("short", short);
    const refused = await store.acquire("short", short);
    expect(refused.granted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, refused.waitMs + 20));
    expect(await store.acquire("short", short)).toMatchObject({ granted: true });
  });

  it("queues behind a governor whose budget lives in Redis", async () => {
    const store = createRedisBudgetStore({ redis, keyPrefix: prefix });
    const governor = createRateGovernor({ policy: { burst: 3, intervalMs: 400, safetyRatio: 0, windowMarginMs: 100 }, store });
    const sent: number[] = [];
    const handler = governor.middleware(async () => {
      sent.push(Date.now());
      return { status: 200, headers: {}, body: {}, durationMs: 1 };
    });
    const request: UpstreamRequest = { method: "GET", route: "/r", path: "/r", locationId: "queued", priority: "read", idempotent: true, attempt: 1 };
    await Promise.all(Array.from({ length: 7 }, () => handler({ ...request })));
    expect(sent).toHaveLength(7);
    // never more than 3 in any 400 ms (the 100 ms margin absorbs the time between grant and send)
    for (const t of sent) expect(sent.filter((u) => u >= t && u < t + 400).length).toBeLessThanOrEqual(3);
  });
});
