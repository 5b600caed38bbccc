/**
 * Attack: a signed webhook without a `timestamp` has no age to check, and used to be accepted
 * again after a restart (its id lived in memory for the 90-minute window only). Its id is now kept
 * for WEBHOOK_UNTIMED_DEDUP_DAYS (default 30) in Redis when configured: replayed to a restarted
 * gateway it is a 200 duplicate and reaches no subscriber. A timed delivery keeps the window's TTL.
 * Real Redis on 127.0.0.1:6379, a unique key prefix, only its keys deleted afterwards.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { LOCATION_A, startStack } from "../../support/harness.js";
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from "../../support/redis.js";
import { generateTestWebhookKeys, postWebhook, webhookKeyEnv } from "../../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const prefix = uniqueRedisPrefix("untimed");
const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
const env = { ...webhookKeyEnv(keys), REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
const DAY_MS = 86_400_000;

afterAll(async () => {
  await deleteKeysWithPrefix(admin, prefix);
  await admin.quit();
});

describe("a signed webhook without a timestamp", () => {
  it("is remembered for 30 days in Redis: replayed after a restart it is a duplicate", async () => {
    const webhookId = `untimed-${randomUUID()}`;
    const body = JSON.stringify({ type: "NoteCreate", locationId: LOCATION_A, id: "untimedNote000000001", contactId: "contact0000000000001", body: "x", webhookId });
    const timedId = `timed-${randomUUID()}`;
    const timed = JSON.stringify({ type: "NoteCreate", locationId: LOCATION_A, id: "timedNote0000000001", contactId: "contact0000000000001", body: "x", webhookId: timedId, timestamp: new Date().toISOString() });

    const first = await startStack({ env });
    try {
      const accepted = await postWebhook(`${first.gateway.url}/webhooks/highlevel`, body, { keys });
      expect([accepted.status, accepted.json]).toEqual([200, { status: "accepted" }]);
      expect((await postWebhook(`${first.gateway.url}/webhooks/highlevel`, timed, { keys })).status).toBe(200);
    } finally {
      await first.close();
    }
    const untimedTtl = await admin.pttl(`${prefix}webhook:${webhookId}`);
    expect(untimedTtl).toBeGreaterThan(29 * DAY_MS);
    expect(untimedTtl).toBeLessThanOrEqual(30 * DAY_MS);
    expect(await admin.pttl(`${prefix}webhook:${timedId}`)).toBeLessThan(DAY_MS);

    const restarted = await startStack({ env });
    try {
      const replay = await postWebhook(`${restarted.gateway.url}/webhooks/highlevel`, body, { keys });
      expect([replay.status, replay.json]).toEqual([200, { status: "duplicate" }]);
    } finally {
      await restarted.close();
    }
  });
});
