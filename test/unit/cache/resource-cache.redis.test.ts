/** The shared tier's compare-and-set on the real Redis (unique prefix, own cleanup). */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { cacheKeys } from "../../../src/cache/index.js";
import { createRedisSharedCache } from "../../../src/cache/resource-cache.redis.js";
import { DEFAULT_RESOURCE_REGISTRY } from "../../../src/upstream/resources.js";
import { redisTestPrefix, TEST_REDIS_URL } from "../../support/redis.js";

describe("shared cache tier (Redis)", () => {
  const { prefix, cleanup } = redisTestPrefix("shared-tier");
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const tier = createRedisSharedCache({ redis: () => redis, keyPrefix: prefix, ttlMs: 60_000, registry: DEFAULT_RESOURCE_REGISTRY });
  const tasks = cacheKeys.list("L", "tasks", "c1");
  const settled = () => redis.ping(); // one connection: earlier commands have run

  afterAll(async () => {
    await cleanup();
    await redis.quit();
  });

  it("a value loaded across an eviction of its contact is not stored", async () => {
    const miss = await tier.get(tasks);
    expect(miss.hit).toBe(false);
    tier.apply({ type: "contact", locationId: "L", contactId: "c1" }); // during the upstream call
    tier.store(tasks, [{ id: "t-old" }], miss.hit ? undefined : miss.token);
    await settled();
    expect((await tier.get(tasks)).hit).toBe(false);

    const again = await tier.get(tasks);
    tier.store(tasks, [{ id: "t-new" }], again.hit ? undefined : again.token);
    await settled();
    expect(await tier.get(tasks)).toMatchObject({ hit: true, value: [{ id: "t-new" }] });
  });

  it("list kind and clear evictions; set writes through", async () => {
    tier.apply({ type: "kind", locationId: "L", kind: "tasks" });
    await settled();
    expect((await tier.get(tasks)).hit).toBe(false);
    tier.apply({ type: "set", key: tasks, value: [] });
    await settled();
    expect(await tier.get(tasks)).toMatchObject({ hit: true, value: [] });
    tier.apply({ type: "clear" });
    await settled();
    expect((await tier.get(tasks)).hit).toBe(false);
  });

  it("a location purge (app uninstalled) evicts that location's entries only", async () => {
    const other = cacheKeys.contact("M", "c1");
    tier.apply({ type: "set", key: tasks, value: [] });
    tier.apply({ type: "set", key: other, value: { id: "c1" } });
    tier.apply({ type: "location", locationId: "L" });
    await settled();
    expect((await tier.get(tasks)).hit).toBe(false);
    expect(await tier.get(other)).toMatchObject({ hit: true, value: { id: "c1" } });
  });
});
