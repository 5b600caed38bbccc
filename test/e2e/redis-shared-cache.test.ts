/**
 * The resource cache's shared tier on the real Redis (127.0.0.1:6379, a unique key prefix per
 * run, only those keys deleted afterwards): what instance A loaded, instance B serves with 0
 * upstream calls, and so does an instance started after A; a webhook applied at A is what B
 * answers next, at once. Each gateway has its own simulator (same seed), so each simulator's
 * request log is that gateway's upstream calls.
 */
import { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCATION_A, type Stack } from "../support/harness.js";
import { TEST_REDIS_URL } from "../support/redis.js";
import { useStacksOnRedis } from "../support/redis-stacks.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const PAGE = `query Page { contacts(first: 20) { nodes { id firstName tasks { id title } notes { id } appointments { id } } } }`;
const ONE = `query One($id: ID!) { contact(id: $id) { id firstName } }`;

describe("shared resource cache in Redis", () => {
  const stacks = useStacksOnRedis("shared-cache", webhookKeyEnv(keys));
  const start = () => stacks.start();
  let a: Stack;
  let b: Stack;

  beforeAll(async () => {
    a = await start();
    b = await start();
  });

  it("what A loaded, B and a newly started instance serve with 0 upstream calls", async () => {
    const first = await a.gql(PAGE, {}, await a.tokenFor());
    expect(first.body.errors).toBeUndefined();
    expect(a.sim.requests.length).toBeGreaterThan(1);

    // A writes each loaded entry to Redis without waiting: wait until they are all there.
    const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const stored = async () => (await admin.keys(`${stacks.prefix}rc:v:*`)).length;
      await expect.poll(stored, { timeout: 10_000 }).toBeGreaterThanOrEqual(a.sim.requests.length);
    } finally {
      await admin.quit();
    }
    b.sim.clearRequests();
    const fromB = await b.gql(PAGE, {}, await b.tokenFor());
    expect(fromB.body.data).toEqual(first.body.data);
    expect(b.sim.requests).toEqual([]);
    expect(b.gateway.cache.stats().sharedHits).toBeGreaterThan(0);

    const c = await start();
    const fromC = await c.gql(PAGE, {}, await c.tokenFor());
    expect(fromC.body.data).toEqual(first.body.data);
    expect(c.sim.requests).toEqual([]);
  });

  it("a webhook applied at A is what B answers next", async () => {
    const contact = a.sim.data.listContacts(LOCATION_A)[0];
    if (!contact) throw new Error("expected a seeded contact");
    for (const stack of [a, b]) {
      const before = await stack.gql(ONE, { id: contact.id }, await stack.tokenFor());
      expect(before.body.data).toEqual({ contact: { id: contact.id, firstName: contact.firstName } });
    }

    const changed = { ...contact, firstName: "Shared", dateUpdated: new Date(Date.now() + 1_000).toISOString() };
    const posted = await postWebhook(`${a.gateway.url}/webhooks/highlevel`, webhookBody({ ...changed, type: "ContactUpdate", locationId: LOCATION_A }), { keys });
    expect(posted.status).toBe(200);

    // A merged the payload into its cached contact and wrote it through to Redis; B, told by the
    // broadcast, reads it there: B's own upstream (which never saw the change) is not asked.
    b.sim.clearRequests();
    await expect
      .poll(async () => (await b.gql(ONE, { id: contact.id }, await b.tokenFor())).body.data, { timeout: 10_000 })
      .toEqual({ contact: { id: contact.id, firstName: "Shared" } });
    expect(b.sim.requests).toEqual([]);
  });
});
