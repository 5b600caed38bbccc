/**
 * Safety of repeated and concurrent writes: the Idempotency-Key (one upstream POST for a repeat,
 * refused when reused with other arguments, concurrent repeats wait for the first, shared through
 * Redis between two gateway instances), and the preconditions for two-way sync (ifUnmodifiedSince
 * read fresh past the cache; ifMatch on tasks) that write nothing when they fail.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/logger.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";
import { LOCATION_A, READ, TEST_JWT_SECRET, WRITE, startStack, useStack, type GqlResponse, type Stack } from "../support/harness.js";
import { M, auditLines, codes, data, firstError, idem, redisPrefix, uniqueEmail, upstreamWrites } from "./write-support.js";

const posts = (stack: Stack, route: string) => stack.sim.requests.filter((r) => r.method === "POST" && r.route === route);

describe("Idempotency-Key (memory store)", () => {
  const stack = useStack();
  let rw: string;
  beforeAll(async () => {
    rw = await stack().tokenFor({ scopes: [READ, WRITE], subject: "idem-caller" });
  });
  beforeEach(() => stack().sim.clearRequests());

  it("the same key twice: one upstream POST, the first result again", async () => {
    const input = { firstName: "Once", email: uniqueEmail("once") };
    const first = data(await stack().gql(M.createContact, { input }, rw, idem("create-once-1"))).createContact;
    const second = data(await stack().gql(M.createContact, { input }, rw, idem("create-once-1"))).createContact;
    expect(second).toEqual(first);
    expect(posts(stack(), "/contacts/")).toHaveLength(1);
    expect(stack().sim.data.listContacts(LOCATION_A).filter((c) => c.email === input.email)).toHaveLength(1);
    expect(auditLines(stack()).filter((l) => l["operation"] === "createContact").slice(-2).map((l) => l["outcome"])).toEqual([
      "success",
      "replayed",
    ]);
  });

  it("the same key with different arguments is BAD_USER_INPUT and writes nothing", async () => {
    await stack().gql(M.createContact, { input: { firstName: "Key", email: uniqueEmail() } }, rw, idem("reused-key"));
    stack().sim.clearRequests();
    const res = await stack().gql(M.createContact, { input: { firstName: "Other", email: uniqueEmail() } }, rw, idem("reused-key"));
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(firstError(res).extensions).toMatchObject({ field: "Idempotency-Key" });
    const otherOperation = await stack().gql(M.deleteContact, { id: "AnyContactId00000000" }, rw, idem("reused-key"));
    expect(codes(otherOperation)).toEqual(["BAD_USER_INPUT"]);
    expect(upstreamWrites(stack())).toEqual([]);
  });

  it("keys are private to the caller: another caller's identical key is a new request", async () => {
    const other = await stack().tokenFor({ scopes: [READ, WRITE], subject: "someone-else" });
    const contact = stack().sim.data.createContact(LOCATION_A, { firstName: "Shared", email: uniqueEmail() });
    const variables = { contactId: contact.id, input: { title: "Mine", dueDate: "2026-12-01T00:00:00Z" } };
    await stack().gql(M.createTask, variables, rw, idem("same-key"));
    await stack().gql(M.createTask, variables, other, idem("same-key"));
    expect(posts(stack(), "/contacts/:contactId/tasks")).toHaveLength(2);
  });

  it("concurrent repeats wait for the first attempt: one upstream POST", async () => {
    stack().sim.setLatency({ fixedMs: 300 });
    try {
      const contact = stack().sim.data.createContact(LOCATION_A, { firstName: "Busy", email: uniqueEmail() });
      stack().sim.clearRequests();
      const variables = { contactId: contact.id, input: { title: "Only once", dueDate: "2026-12-01T00:00:00Z" } };
      const results = await Promise.all(
        Array.from({ length: 4 }, () => stack().gql(M.createTask, variables, rw, idem("concurrent-1"))),
      );
      const ids = results.map((r) => data(r).createTask.id);
      expect(new Set(ids).size).toBe(1);
      expect(posts(stack(), "/contacts/:contactId/tasks")).toHaveLength(1);
      expect(stack().sim.data.listTasks(contact.id)).toHaveLength(1);
    } finally {
      stack().sim.setLatency({ fixedMs: 0 });
    }
  });

  it("one key covers a document with several mutations: the repeat replays each of them", async () => {
    const contact = stack().sim.data.createContact(LOCATION_A, { firstName: "Multi", email: uniqueEmail() });
    const task = stack().sim.data.createTask(contact.id, { title: "Both", dueDate: "2026-12-01T00:00:00.000Z", completed: false });
    stack().sim.clearRequests();
    const doc = `mutation($c: ID!, $t: ID!) {
      tags: addContactTags(contactId: $c, tags: ["batch"])
      done: completeTask(contactId: $c, taskId: $t) { id completed }
    }`;
    const first = data(await stack().gql(doc, { c: contact.id, t: task.id }, rw, idem("multi-field-1")));
    expect(first.done).toEqual({ id: task.id, completed: true });
    expect(upstreamWrites(stack())).toHaveLength(2);
    const again = data(await stack().gql(doc, { c: contact.id, t: task.id }, rw, idem("multi-field-1")));
    expect(again).toEqual(first);
    expect(upstreamWrites(stack())).toHaveLength(2);
    const otherVariables = await stack().gql(doc, { c: contact.id, t: "OtherTask00000000000" }, rw, idem("multi-field-1"));
    expect(codes(otherVariables)).toEqual(["BAD_USER_INPUT"]); // serial execution stops at the first failed non-null field
    expect(upstreamWrites(stack())).toHaveLength(2);
  });

  it("a failed write frees the key: the repeat tries again", async () => {
    const variables = { id: "MissingContact000000", input: { firstName: "X" } };
    expect(codes(await stack().gql(M.updateContact, variables, rw, idem("retry-after-404")))).toEqual(["NOT_FOUND"]);
    expect(codes(await stack().gql(M.updateContact, variables, rw, idem("retry-after-404")))).toEqual(["NOT_FOUND"]);
    expect(upstreamWrites(stack())).toHaveLength(2);
  });
});

describe("two gateway instances sharing Redis and one upstream", () => {
  const redis = redisPrefix();
  let a: Stack;
  let b: Gateway;
  /** The same caller on both instances. */
  let token: string;
  const gqlB = async (query: string, variables: Record<string, unknown>, token: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${b.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as GqlResponse["body"] };
  };

  beforeAll(async () => {
    const env = { REDIS_URL: "redis://127.0.0.1:6379", REDIS_KEY_PREFIX: redis.prefix, LOG_LEVEL: "silent" };
    a = await startStack({ env });
    b = await createGateway({
      config: loadConfig({ WARMUP_CONTACTS: "0", ...env, PORT: "0", HOST: "127.0.0.1", AUTH_JWT_SECRET: TEST_JWT_SECRET, DEMO_ACTIVITY_INTERVAL_MS: "0" }),
      logger: createLogger({ level: "silent" }),
      credentials: new StaticCredentialProvider({ [LOCATION_A]: { token: "sim-rw-A-token" } }),
      upstreamBaseUrl: a.sim.url,
      jwtSecret: TEST_JWT_SECRET,
      sandbox: false,
    });
    token = await a.tokenFor({ scopes: [READ, WRITE], subject: "multi" });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis.cleanup();
  });

  it("a repeat on the other instance answers the first result without an upstream write; keys live under the prefix", async () => {
    const input = { firstName: "Twice", email: uniqueEmail("multi") };
    const first = data(await a.gql(M.createContact, { input }, token, idem("multi-1"))).createContact;
    const second = data(await gqlB(M.createContact, { input }, token, idem("multi-1"))).createContact;
    expect(second).toEqual(first);
    expect(posts(a, "/contacts/")).toHaveLength(1);
    expect(codes(await gqlB(M.createContact, { input: { ...input, firstName: "Changed" } }, token, idem("multi-1")))).toEqual([
      "BAD_USER_INPUT",
    ]);
    const client = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
    try {
      const [, keys] = await client.scan("0", "MATCH", `${redis.prefix}idem:*`, "COUNT", 1000);
      expect(keys.length).toBeGreaterThanOrEqual(1);
      expect(await client.pttl(keys[0]!)).toBeGreaterThan(23 * 3_600_000);
    } finally {
      await client.quit();
    }
  });

  it("a write through one instance shows in the next query on the other (its cached copy is dropped)", async () => {
    const contact = a.sim.data.createContact(LOCATION_A, { firstName: "Before", email: uniqueEmail("coherent") });
    const QUERY = `query($id: ID!) { contact(id: $id) { firstName } }`;
    expect(data(await gqlB(QUERY, { id: contact.id }, token)).contact.firstName).toBe("Before"); // cached on B
    await a.gql(M.updateContact, { id: contact.id, input: { firstName: "After" } }, token);
    await expect
      .poll(async () => data(await gqlB(QUERY, { id: contact.id }, token)).contact.firstName, { timeout: 10_000 })
      .toBe("After");
  });
});

describe("preconditions", () => {
  const stack = useStack();
  let rw: string;
  beforeAll(async () => {
    rw = await stack().tokenFor({ scopes: [READ, WRITE] });
  });
  beforeEach(() => stack().sim.clearRequests());

  const CONTACT = `query($id: ID!) { contact(id: $id) { id firstName dateUpdated } }`;

  it("ifUnmodifiedSince older than dateUpdated: CONFLICT with the current value, nothing written", async () => {
    const contact = stack().sim.data.createContact(LOCATION_A, { firstName: "Original", email: uniqueEmail() });
    const updatedAt = new Date(contact.dateUpdated!);
    const since = new Date(updatedAt.getTime() - 60_000).toISOString();
    const res = await stack().gql(M.updateContact, { id: contact.id, input: { firstName: "Clobbered" }, since }, rw);
    expect(codes(res)).toEqual(["CONFLICT"]);
    expect(firstError(res).extensions).toMatchObject({
      reason: "precondition_failed",
      currentDateUpdated: updatedAt.toISOString(),
      current: { id: contact.id, firstName: "Original" },
    });
    expect(stack().sim.data.getContact(contact.id)?.firstName).toBe("Original");
    expect(upstreamWrites(stack())).toEqual([]);
  });

  it("the comparison reads dateUpdated fresh, bypassing the cache", async () => {
    const contact = stack().sim.data.createContact(LOCATION_A, { firstName: "Cached", email: uniqueEmail() });
    const seen = data(await stack().gql(CONTACT, { id: contact.id }, rw)).contact; // now cached
    await expect.poll(() => Date.now() > new Date(seen.dateUpdated).getTime()).toBe(true);
    stack().sim.data.updateContact(contact.id, { firstName: "ChangedElsewhere" }); // no webhook: the cache is stale
    expect(data(await stack().gql(CONTACT, { id: contact.id }, rw)).contact.firstName).toBe("Cached");

    const res = await stack().gql(M.updateContact, { id: contact.id, input: { firstName: "Mine" }, since: seen.dateUpdated }, rw);
    expect(codes(res)).toEqual(["CONFLICT"]);
    expect(firstError(res).extensions["current"]).toMatchObject({ firstName: "ChangedElsewhere" });
    expect(stack().sim.data.getContact(contact.id)?.firstName).toBe("ChangedElsewhere");
    // The fresh read also refreshed the cache.
    expect(data(await stack().gql(CONTACT, { id: contact.id }, rw)).contact.firstName).toBe("ChangedElsewhere");
  });

  it("ifUnmodifiedSince equal to dateUpdated: the write goes through", async () => {
    const contact = stack().sim.data.createContact(LOCATION_A, { firstName: "Before", email: uniqueEmail() });
    const res = await stack().gql(M.updateContact, { id: contact.id, input: { firstName: "After" }, since: contact.dateUpdated }, rw);
    expect(data(res).updateContact.firstName).toBe("After");
    expect(stack().sim.data.getContact(contact.id)?.firstName).toBe("After");
  });

  it("ifMatch on a task: a changed field is CONFLICT with the current task; a matching one writes", async () => {
    const contact = stack().sim.data.createContact(LOCATION_A, { firstName: "Tasks", email: uniqueEmail() });
    const task = stack().sim.data.createTask(contact.id, { title: "Draft", dueDate: "2026-12-01T00:00:00.000Z", completed: false });
    stack().sim.data.completeTask(contact.id, task.id, true); // changed by someone else
    const stale = await stack().gql(
      M.updateTask,
      { contactId: contact.id, taskId: task.id, input: { title: "Final" }, ifMatch: { title: "Draft", completed: false } },
      rw,
    );
    expect(codes(stale)).toEqual(["CONFLICT"]);
    expect(firstError(stale).extensions).toMatchObject({
      mismatches: [{ field: "completed", expected: false, actual: true }],
      current: { id: task.id, title: "Draft", completed: true },
    });
    expect(stack().sim.data.getTask(contact.id, task.id)?.title).toBe("Draft");
    expect(upstreamWrites(stack())).toEqual([]);

    const ok = await stack().gql(
      M.updateTask,
      { contactId: contact.id, taskId: task.id, input: { title: "Final" }, ifMatch: { title: "Draft", completed: true, dueDate: "2026-12-01T01:00:00+01:00" } },
      rw,
    );
    expect(data(ok).updateTask).toMatchObject({ title: "Final", completed: true });
    expect(stack().sim.data.getTask(contact.id, task.id)?.title).toBe("Final");
  });
});
