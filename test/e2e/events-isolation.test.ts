// Two gateways in ONE process without Redis share nothing: type-graphql keeps its build options
// (authChecker, pubSub) in a process-wide BuildContext, so this proves no event crosses from one
// gateway to the other through it (or anything else process-wide). It is also the negative control
// of events-multi-instance: there, delivery across gateways can only have come through Redis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { LOCATION_A, READ, startStack, type Stack } from "../support/harness.js";
import { collect, wsClient, type CollectedSubscription } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const SUBSCRIPTION = `subscription { contactEvents { type webhookId } }`;
type Result = { contactEvents: { type: string; webhookId: string } };
const ids = (sub: CollectedSubscription<Result>) => sub.results.map((r) => r.contactEvents.webhookId);
const post = (stack: Stack, webhookId: string) =>
  postWebhook(
    `${stack.gateway.url}/webhooks/highlevel`,
    webhookBody({ type: "NoteCreate", locationId: LOCATION_A, id: "note0000000000000001", contactId: "contact0000000000001", body: "x" }, { webhookId }),
    { keys },
  );

let one: Stack;
let two: Stack;
const clients: Client[] = [];

async function subscribe(stack: Stack): Promise<CollectedSubscription<Result>> {
  const client = wsClient(stack.gateway.wsUrl, await stack.tokenFor({ scopes: [READ], locationId: LOCATION_A }));
  clients.push(client);
  return collect<Result>(client, SUBSCRIPTION);
}

beforeAll(async () => {
  // Built one after the other: the second build is the one type-graphql's process-wide state saw last.
  one = await startStack({ env: webhookKeyEnv(keys) });
  two = await startStack({ env: webhookKeyEnv(keys) });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await one?.close();
  await two?.close();
});

describe("two gateways in one process, no Redis", () => {
  it("keep their events apart: a webhook accepted by one never reaches the other's subscribers", async () => {
    const onOne = await subscribe(one);
    const onTwo = await subscribe(two);
    // both subscriptions are live once each has seen a probe through its own gateway
    let n = 0;
    await waitFor(async () => {
      n += 1;
      await post(one, `probe-one-${n}`);
      await post(two, `probe-two-${n}`);
      return onOne.results.length > 0 && onTwo.results.length > 0;
    }, { what: "both subscriptions to be live" });

    expect((await post(one, "only-on-one")).status).toBe(200);
    expect((await post(two, "only-on-two")).status).toBe(200);
    // each gateway publishes in order: once its own marker arrived, a leaked event would have too
    await post(one, "marker-one");
    await post(two, "marker-two");
    await waitFor(() => ids(onOne).includes("marker-one") && ids(onTwo).includes("marker-two"), { what: "both markers" });

    expect(ids(onOne)).toContain("only-on-one");
    expect(ids(onTwo)).toContain("only-on-two");
    expect(ids(onOne).filter((id) => id.includes("two"))).toEqual([]);
    expect(ids(onTwo).filter((id) => id.includes("one"))).toEqual([]);
    expect(one.gateway.schema).not.toBe(two.gateway.schema);
  });
});
