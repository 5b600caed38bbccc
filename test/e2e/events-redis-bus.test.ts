// The Redis event bus and cache-invalidation broadcast against the real Redis on 127.0.0.1:6379
// (unique prefix per run; only this prefix's keys are deleted afterwards).
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { cacheKeys, createResourceCache } from "../../src/cache/index.js";
import {
  ContactEventType,
  createCacheInvalidationBroadcast,
  createRedisEventBus,
  type ContactEvent,
} from "../../src/events/index.js";
import { createRedisConnections } from "../../src/redis/index.js";
import { deleteKeysWithPrefix } from "../support/redis.js";
import { waitFor } from "../support/events-wait.js";

const URL = "redis://127.0.0.1:6379";
const prefix = `test:events:${randomUUID()}:`;
// Two instances' connections (src/redis/: one command, one subscriber each).
const connect = () => {
  const connections = createRedisConnections({ url: URL, keyPrefix: prefix });
  return { command: connections.command(), subscriber: connections.subscriber(), waitReady: connections.waitReady, close: connections.close };
};
const clients = [connect(), connect()] as const;

afterAll(async () => {
  await deleteKeysWithPrefix(clients[0].command, prefix);
  await Promise.all(clients.map((c) => c.close()));
});

const note = (locationId: string, id: string): ContactEvent => ({
  type: ContactEventType.NOTE_CREATE,
  webhookId: id,
  locationId,
  contactId: "c1",
  occurredAt: new Date().toISOString(),
  note: { id, contactId: "c1", body: "b", userId: null, dateAdded: null },
});

describe("redis event bus", () => {
  it("fans an event out to subscribers of its location on another connection, and only there", async () => {
    await Promise.all(clients.map((c) => c.waitReady(5_000)));
    const busA = createRedisEventBus({ publishClient: clients[0].command, subscribeClient: clients[0].subscriber, keyPrefix: prefix });
    const busB = createRedisEventBus({ publishClient: clients[1].command, subscribeClient: clients[1].subscriber, keyPrefix: prefix });
    const received: ContactEvent[] = [];
    const other: ContactEvent[] = [];
    const sub = busB.subscribe("L1");
    const subOther = busB.subscribe("L2");
    void (async () => { for await (const e of sub) received.push(e); })();
    void (async () => { for await (const e of subOther) other.push(e); })();
    // the SUBSCRIBE is asynchronous: publish until the first one lands
    await waitFor(async () => {
      await busA.publish(note("L1", `probe-${randomUUID()}`));
      return received.length > 0;
    });
    received.length = 0;
    await busA.publish(note("L1", "n1"));
    await waitFor(() => received.some((e) => e.webhookId === "n1"));
    expect(received.filter((e) => e.webhookId === "n1")).toEqual([note("L1", "n1")].map((e) => ({ ...e, occurredAt: expect.any(String) })));
    expect(other).toEqual([]);
    await sub.return?.();
    await subOther.return?.();
  });
});

describe("cache invalidation broadcast", () => {
  it("evicts the same entries on the other instance, without echo", async () => {
    const cache1 = createResourceCache();
    const cache2 = createResourceCache();
    const b1 = createCacheInvalidationBroadcast({ cache: cache1, publishClient: clients[0].command, subscribeClient: clients[0].subscriber, keyPrefix: prefix });
    const b2 = createCacheInvalidationBroadcast({ cache: cache2, publishClient: clients[1].command, subscribeClient: clients[1].subscriber, keyPrefix: prefix });
    await b1.start();
    await b2.start();
    const remoteOn1: string[] = [];
    cache1.onInvalidate((e) => { if (e.remote) remoteOn1.push(e.type); });

    // a loaded copy (loads are not invalidations: nothing is broadcast)
    const loaded = (cache: typeof cache1, k: ReturnType<typeof cacheKeys.contact>, v: unknown) => cache.load(k, async () => v);
    const key = cacheKeys.contact("L1", "c1");
    await loaded(cache2, key, { id: "c1", v: 2 });
    cache1.set(key, { id: "c1", v: 1 }); // instance 1 writes through: instance 2 must evict its copy
    await waitFor(() => cache2.peek(key) === undefined);

    await loaded(cache2, cacheKeys.list("L1", "tasks", "c9"), []);
    await loaded(cache2, cacheKeys.contact("L1", "c9"), { id: "c9" });
    cache1.evictContact("L1", "c9");
    await waitFor(() => cache2.peek(cacheKeys.contact("L1", "c9")) === undefined && cache2.peek(cacheKeys.list("L1", "tasks", "c9")) === undefined);

    const page = cacheKeys.contactPage("L1", { limit: 20 });
    await loaded(cache2, page as ReturnType<typeof cacheKeys.contact>, { contacts: [] });
    cache1.invalidateLists("L1");
    await waitFor(() => cache2.peek(page) === undefined);

    await loaded(cache2, cacheKeys.list("L1", "tasks", "c7"), [{ id: "t1" }]);
    cache1.invalidateKind("L1", "tasks"); // a TaskCreate that named no contact
    await waitFor(() => cache2.peek(cacheKeys.list("L1", "tasks", "c7")) === undefined);

    // instance 2 applied those as remote changes and must not have echoed them back; its own
    // local change does reach instance 1, and instance 1's own messages never came back to it.
    expect(cache1.peek(key)).toEqual({ id: "c1", v: 1 });
    const probe = cacheKeys.contact("L1", "probe");
    await loaded(cache1, probe, {});
    cache2.delete(probe);
    await waitFor(() => cache1.peek(probe) === undefined);
    expect(remoteOn1).toEqual(["delete"]);
    await b1.stop();
    await b2.stop();
  });
});
