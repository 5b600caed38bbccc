// Multi-instance mode (REDIS_URL): two gateways on the shared Redis (127.0.0.1:6379, a unique key
// prefix per run, only those keys deleted afterwards) fan events out to each other, publish a
// delivery posted to both once, and evict each other's cache entries. A gateway on a private
// redis-server (started and stopped by this test, never the shared one) answers 429 while Redis is
// gone and its open subscriptions resume when Redis is back.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { cacheKeys } from "../../src/cache/index.js";
import { LOCATION_A, READ, startStack, type Stack } from "../support/harness.js";
import { useStacksOnRedis } from "../support/redis-stacks.js";
import { createPrivateRedis, type PrivateRedis } from "../support/events-redis-server.js";
import { collect, wsClient, type CollectedSubscription } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const SUBSCRIPTION = `subscription { contactEvents { type webhookId contactId } }`;
type Result = { contactEvents: { type: string; webhookId: string; contactId: string | null } };
const intake = (stack: Stack) => `${stack.gateway.url}/webhooks/highlevel`;
const noteBody = (webhookId: string, contactId = "contact0000000000001") =>
  webhookBody({ type: "NoteCreate", locationId: LOCATION_A, id: `n${webhookId}`.slice(0, 20), contactId, body: "x" }, { webhookId });
const ids = (sub: CollectedSubscription<Result>) => sub.results.map((r) => r.contactEvents.webhookId);
const clients: Client[] = [];

async function subscribe(stack: Stack): Promise<CollectedSubscription<Result>> {
  const client = wsClient(stack.gateway.wsUrl, await stack.tokenFor({ scopes: [READ] }));
  clients.push(client);
  return collect<Result>(client, SUBSCRIPTION);
}

/** Posts probes to `via` until `sub` has received one (subscriptions start asynchronously). */
async function untilLive(via: Stack, sub: CollectedSubscription<Result>): Promise<void> {
  const before = sub.results.length;
  await waitFor(async () => {
    await postWebhook(intake(via), noteBody(`probe-${randomUUID()}`), { keys });
    return sub.results.length > before;
  }, { what: "a live subscription" });
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

describe("two gateways on one Redis", () => {
  const stacks = useStacksOnRedis("events", webhookKeyEnv(keys));
  const { prefix } = stacks;
  let one: Stack;
  let two: Stack;
  const admin = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });

  beforeAll(async () => {
    one = await stacks.start();
    two = await stacks.start();
  });

  afterAll(async () => {
    await admin.quit();
  });

  it("delivers a webhook posted to instance 1 to a subscriber on instance 2", async () => {
    const sub = await subscribe(two);
    await untilLive(one, sub);
    expect((await postWebhook(intake(one), noteBody("cross-1"), { keys })).status).toBe(200);
    await waitFor(() => ids(sub).includes("cross-1"));
    // ending the subscription releases the Redis channel (return() reaches the source at once)
    const channel = `${prefix}contactEvents:${LOCATION_A}`;
    await admin.connect().catch(() => undefined);
    const numsub = async () => Number(((await admin.call("PUBSUB", "NUMSUB", channel)) as [string, number])[1]);
    expect(await numsub()).toBe(1);
    sub.dispose();
    await waitFor(async () => (await numsub()) === 0, { what: "the channel to be unsubscribed" });
  });

  it("publishes the same delivery posted to both instances once", async () => {
    const onOne = await subscribe(one);
    const onTwo = await subscribe(two);
    await untilLive(one, onOne);
    await untilLive(one, onTwo);
    const body = noteBody("both-instances");
    const statuses = await Promise.all([postWebhook(intake(one), body, { keys }), postWebhook(intake(two), body, { keys })]);
    expect(statuses.map((s) => s.status)).toEqual([200, 200]);
    expect(statuses.map((s) => (s.json as { status: string }).status).sort()).toEqual(["accepted", "duplicate"]);
    await postWebhook(intake(two), noteBody("both-marker"), { keys });
    await waitFor(() => ids(onOne).includes("both-marker") && ids(onTwo).includes("both-marker"));
    expect(ids(onOne).filter((id) => id === "both-instances")).toHaveLength(1);
    expect(ids(onTwo).filter((id) => id === "both-instances")).toHaveLength(1);
    const dedupKeys = await (async () => {
      await admin.connect().catch(() => undefined);
      return admin.exists(`${prefix}webhook:both-instances`);
    })();
    expect(dedupKeys).toBe(1);
    onOne.dispose();
    onTwo.dispose();
  });

  it("evicts instance 2's cached contact when instance 1 applies an event for it", async () => {
    const contact = two.sim.data.listContacts(LOCATION_A)[0]!;
    const token = await two.tokenFor({ scopes: [READ] });
    for (const instance of [one, two]) await instance.gql(`query($id: ID!) { contact(id: $id) { id name } }`, { id: contact.id }, token);
    const key = cacheKeys.contact(LOCATION_A, contact.id);
    expect(two.gateway.cache.peek(key)).toBeDefined();
    expect(one.gateway.cache.peek(key)).toBeDefined();
    const res = await postWebhook(intake(one), webhookBody({ ...contact, type: "ContactUpdate", name: "Changed elsewhere" }), { keys });
    expect(res.status).toBe(200);
    await waitFor(() => two.gateway.cache.peek(key) === undefined, { what: "instance 2 to evict the contact" });
    expect(one.gateway.cache.peek<{ name: string }>(key)?.name).toBe("Changed elsewhere");
  });

  it("evicts instance 2's cached task list when instance 1, which never read it, applies a task event", async () => {
    const contact = two.sim.data.listContacts(LOCATION_A).find((c) => two.sim.data.listTasks(c.id).some((t) => !t.completed))!;
    const task = two.sim.data.listTasks(contact.id).find((t) => !t.completed)!;
    const token = await two.tokenFor({ scopes: [READ] });
    const tasksOf = async (stack: Stack) =>
      (await stack.gql<{ contact: { tasks: Array<{ id: string; completed: boolean }> } }>(`query($id: ID!) { contact(id: $id) { tasks { id completed } } }`, { id: contact.id }, token)).body
        .data!.contact.tasks;
    expect((await tasksOf(two)).find((t) => t.id === task.id)?.completed).toBe(false);
    const listKey = cacheKeys.list(LOCATION_A, "tasks", contact.id);
    expect(two.gateway.cache.peek(listKey)).toBeDefined();
    expect(one.gateway.cache.peek(listKey)).toBeUndefined();

    // HighLevel's change, delivered to instance 1 only (the simulator's data changes too)
    two.sim.data.updateTask(contact.id, task.id, { completed: true });
    const res = await postWebhook(
      intake(one),
      webhookBody({ type: "TaskComplete", locationId: LOCATION_A, id: task.id, contactId: contact.id, title: task.title, body: task.body ?? "" }),
      { keys },
    );
    expect(res.status).toBe(200);
    await waitFor(() => two.gateway.cache.peek(listKey) === undefined, { what: "instance 2 to evict the contact's task list" });
    expect((await tasksOf(two)).find((t) => t.id === task.id)?.completed).toBe(true);
  });
});

describe("Redis outage", () => {
  let redis: PrivateRedis;
  let stack: Stack;

  beforeAll(async () => {
    redis = await createPrivateRedis();
    await redis.start();
    stack = await startStack({ env: { ...webhookKeyEnv(keys), REDIS_URL: redis.url, REDIS_KEY_PREFIX: "test:outage:" } });
  });

  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it("answers 429 while Redis is gone, and open subscriptions resume when it is back", async () => {
    const sub = await subscribe(stack);
    await untilLive(stack, sub);

    await redis.stop();
    let lastStatus = 0;
    await waitFor(async () => {
      lastStatus = (await postWebhook(intake(stack), noteBody(`during-${randomUUID()}`), { keys })).status;
      return lastStatus === 429;
    }, { what: "429 while Redis is down" });
    const deferred = await postWebhook(intake(stack), noteBody("deferred-event"), { keys });
    expect(deferred.status).toBe(429);
    expect(deferred.json).toMatchObject({ error: { code: "TRY_AGAIN_LATER" } });

    await redis.start();
    // the open subscription resumes by itself (the subscriber connection re-subscribes) ...
    await untilLive(stack, sub);
    // ... and HighLevel's retry of the 429'd delivery is accepted and delivered
    const retry = await postWebhook(intake(stack), noteBody("deferred-event"), { keys });
    expect([retry.status, (retry.json as { status: string }).status]).toEqual([200, "accepted"]);
    await waitFor(() => ids(sub).includes("deferred-event"), { what: "the retried event on the resumed subscription" });
    expect(sub.errors).toEqual([]);
    expect(sub.completed).toBe(false);
    sub.dispose();
  });

  it("shuts down while Redis is gone, without waiting for it", async () => {
    const sub = await subscribe(stack);
    await untilLive(stack, sub);
    await redis.stop();
    const closing = stack.close().then(() => "closed");
    const timeout = new Promise((resolve) => setTimeout(() => resolve("still closing after 20 s"), 20_000).unref());
    expect(await Promise.race([closing, timeout])).toBe("closed");
  });
});
