/**
 * The echo store over the real Redis (src/events/event-echo.store.ts): a write announced by one
 * instance pairs with HighLevel's webhook delivered to another, claims are counted and expire.
 * Unique key prefix per run; exactly its keys are deleted afterwards.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { ContactEventType } from "../../src/events/contact-event.types.js";
import { createRedisEchoStore } from "../../src/events/event-echo.store.js";
import { gatewayEventBuilder } from "../../src/events/gateway-event.build.js";
import { TEST_REDIS_URL, redisTestPrefix } from "../support/redis.js";
import { waitFor } from "../support/events-wait.js";

const { prefix, cleanup } = redisTestPrefix("echo");
const connections = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
afterAll(async () => {
  await cleanup();
  await Promise.all(connections.map((c) => c.quit()));
});

const build = gatewayEventBuilder();
const event = (id: string) => build.note(ContactEventType.NOTE_CREATE, "L1", { id, contactId: "c1", body: "b" });

describe("event echo store over Redis", () => {
  it("pairs a gateway announcement at one instance with the webhook at another, once per claim", async () => {
    const [a, b] = connections.map((redis) => createRedisEchoStore({ redis, keyPrefix: prefix }));
    expect(await a!.claim("gateway", event("n1"))).toBe("first");
    expect(await b!.claim("webhook", event("n1"))).toBe("echo");
    expect(await b!.claim("webhook", event("n1"))).toBe("first"); // no claim left: a second change
    expect(await a!.claim("gateway", event("n1"))).toBe("echo");
  });

  it("a webhook claim expires after its TTL", async () => {
    const store = createRedisEchoStore({ redis: connections[0]!, keyPrefix: prefix, webhookTtlMs: 50 });
    expect(await store.claim("webhook", event("n2"))).toBe("first");
    await waitFor(async () => (await connections[0]!.exists(`${prefix}echo:webhook:L1|NOTE_CREATE|n2`)) === 0, { what: "the claim to expire" });
    expect(await store.claim("gateway", event("n2"))).toBe("first");
  });
});
