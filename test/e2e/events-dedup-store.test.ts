import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { deleteKeysWithPrefix } from "../support/redis.js";
import { createMemoryDedupStore, createRedisDedupStore } from "../../src/webhooks/webhook-dedup.store.js";

describe("memory de-duplication store", () => {
  it("claims an id once until it expires", async () => {
    let t = 0;
    const store = createMemoryDedupStore({ ttlMs: 1000, now: () => t });
    expect(await store.claim("a")).toBe("new");
    expect(await store.claim("a")).toBe("duplicate");
    t = 999;
    expect(await store.claim("a")).toBe("duplicate");
    t = 1000;
    expect(await store.claim("a")).toBe("new");
  });

  it("forgets a released id", async () => {
    const store = createMemoryDedupStore({ ttlMs: 1000 });
    await store.claim("b");
    await store.release("b");
    expect(await store.claim("b")).toBe("new");
  });
});

describe("redis de-duplication store (127.0.0.1:6379)", () => {
  const prefix = `test:dedup:${randomUUID()}:`;
  const redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it("shares claims between stores under one prefix, with expiry", async () => {
    const a = createRedisDedupStore({ redis, keyPrefix: prefix, ttlMs: 60_000 });
    const b = createRedisDedupStore({ redis, keyPrefix: prefix, ttlMs: 60_000 });
    expect(await a.claim("w1")).toBe("new");
    expect(await b.claim("w1")).toBe("duplicate");
    const ttl = await redis.pttl(`${prefix}webhook:w1`);
    expect(ttl).toBeGreaterThan(50_000);
    await b.release("w1");
    expect(await a.claim("w1")).toBe("new");
  });
});
