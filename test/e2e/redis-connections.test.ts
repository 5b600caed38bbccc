// One gateway process holds at most two Redis connections (src/redis/redis.connections.ts): after
// a query, a keyed mutation (idempotency store), a webhook (de-duplication, fan-out, cache
// broadcast) and a live subscription, `CLIENT LIST` shows exactly the command and the subscriber
// connection under the gateway's names, and none once it is closed. Real Redis on 127.0.0.1:6379,
// a unique key prefix, only its keys deleted afterwards.
import { randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisConnectionName } from "../../src/redis/index.js";
import { LOCATION_A, READ, WRITE, startStack, type Stack } from "../support/harness.js";
import { collect, wsClient } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from "../support/redis.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";
import { M, idem, uniqueEmail } from "./write-support.js";

const keys = generateTestWebhookKeys();
const prefix = uniqueRedisPrefix("redis-conn");
const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
let stack: Stack;

/** The names of this gateway's connections in CLIENT LIST (`name=` field). */
async function gatewayConnections(): Promise<string[]> {
  const list = (await admin.call("CLIENT", "LIST")) as string;
  return list
    .split("\n")
    .map((line) => / name=(\S*)/.exec(line)?.[1] ?? "")
    .filter((name) => name.startsWith(`cgw:${prefix}`))
    .sort();
}

beforeAll(async () => {
  stack = await startStack({
    env: {
      ...webhookKeyEnv(keys),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      // the encrypted credential store (and its refresh lock) live in Redis too
      CREDENTIALS_KEY: randomBytes(32).toString("base64"),
    },
  });
});

afterAll(async () => {
  await stack?.close();
  await deleteKeysWithPrefix(admin, prefix);
  await admin.quit();
});

describe("Redis connections of one gateway", () => {
  it("a query, a keyed mutation, a webhook and a subscription share one command and one subscriber connection", async () => {
    const reader = await stack.tokenFor({ scopes: [READ] });
    const writer = await stack.tokenFor({ scopes: [READ, WRITE] });

    const read = await stack.gql("{ contacts(first: 2) { nodes { id } } }", {}, reader);
    expect(read.body.errors).toBeUndefined();
    const created = await stack.gql(M.createContact, { input: { firstName: "Conn", email: uniqueEmail("conn") } }, writer, idem(randomUUID()));
    expect(created.body.errors).toBeUndefined();

    const client = wsClient(stack.gateway.wsUrl, reader);
    try {
      const sub = collect<{ contactEvents: { webhookId: string } }>(client, "subscription { contactEvents { webhookId } }");
      // subscriptions start asynchronously: post signed webhooks until one arrives
      await waitFor(async () => {
        const webhookId = `probe-${randomUUID()}`;
        const body = webhookBody({ type: "NoteCreate", locationId: LOCATION_A, id: webhookId.slice(0, 20), contactId: "contact0000000000001", body: "x" }, { webhookId });
        expect((await postWebhook(`${stack.gateway.url}/webhooks/highlevel`, body, { keys })).status).toBe(200);
        return sub.results.length > 0;
      }, { what: "an event on the live subscription" });
      expect(sub.errors).toEqual([]);

      expect(await gatewayConnections()).toEqual([redisConnectionName(prefix, "command"), redisConnectionName(prefix, "subscriber")]);
      sub.dispose();
    } finally {
      await client.dispose();
    }
  });

  it("closes both connections on shutdown", async () => {
    await stack.close();
    await waitFor(async () => (await gatewayConnections()).length === 0, { what: "no connection left under the gateway's names" });
  });
});
