/**
 * Tasks of many contacts through HighLevel's bulk route `POST /locations/:locationId/tasks/search`
 * (scope `locations/tasks.readonly`): the tasks DataLoader batches its keys into it, paged by 100,
 * so the tasks of 50 contacts cost ceil(tasks / 100) calls (one more only when the count is a
 * multiple of 100: a full page cannot tell it was the last); each list is cached under the same
 * key as `GET /contacts/:contactId/tasks`. A credential whose scopes are not known and that lacks
 * the route's scope costs exactly one refused call, then the per-contact route, remembered; with
 * the shared tier in Redis, only the lists no instance has are asked for.
 */
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_TOKENS } from "../../src/simulator/index.js";
import type { UpstreamMiddleware } from "../../src/upstream/index.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";
import { LOCATION_A, READ, WRITE, startStack, type Stack } from "../support/harness.js";
import { redisTestPrefix, TEST_REDIS_URL } from "../support/redis.js";

const BULK = "/locations/:locationId/tasks/search";
const PER_CONTACT = "/contacts/:contactId/tasks";
const TASKS_SCOPE = "locations/tasks.readonly";
const PAGE_SIZE = 100;
const TASKS_OF = (n: number) => `{ contacts(first: ${n}) { nodes { id tasks { id title contactId completed } } } }`;

/** The demo tokens, location A's read-write token also granted the bulk route's scope. */
const TOKENS_WITH_TASK_SEARCH = DEMO_TOKENS.map((t) => (t.token === "sim-rw-A-token" ? { ...t, scopes: [...t.scopes, TASKS_SCOPE] } : t));

type Page = { contacts: { nodes: { id: string; tasks: { id: string; title: string; contactId: string }[] }[] } };

/** Records the contact ids of every bulk read the gateway sends (inside the upstream chain). */
function bulkBodies(): { middleware: UpstreamMiddleware; asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    middleware: (next) => async (request) => {
      if (request.route === BULK) asked.push([...((request.body as { contactId: string[] }).contactId ?? [])]);
      return next(request);
    },
  };
}

describe("bulk task reads", () => {
  const opened: Stack[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });

  it("reads the tasks of 50 contacts in ceil(tasks / 100) calls, cached per contact", async () => {
    const stack = await startStack({ simulator: { tokens: TOKENS_WITH_TASK_SEARCH } });
    opened.push(stack);
    const token = await stack.tokenFor();
    const res = await stack.gql<Page>(TASKS_OF(50), {}, token);
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data!.contacts.nodes;
    expect(nodes).toHaveLength(50);
    const taskCount = nodes.reduce((n, c) => n + c.tasks.length, 0);
    expect(taskCount).toBeGreaterThan(0);
    expect(stack.upstream(BULK)).toHaveLength(Math.floor(taskCount / PAGE_SIZE) + 1);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(0);
    for (const contact of nodes) for (const task of contact.tasks) expect(task.contactId).toBe(contact.id);

    // The same lists the per-contact route gives, in its order.
    for (const contact of nodes.slice(0, 5)) {
      const direct = await fetch(`${stack.sim.url}/contacts/${contact.id}/tasks`, {
        headers: { authorization: "Bearer sim-rw-A-token", version: "2021-07-28" },
      });
      const { tasks } = (await direct.json()) as { tasks: { id: string }[] };
      expect(contact.tasks.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
    }

    // Each list sits under the per-contact key: one contact's tasks (and a task by id) cost nothing.
    stack.sim.clearRequests();
    const withTask = nodes.find((c) => c.tasks.length > 0)!;
    const one = await stack.gql(
      `query One($id: ID!, $t: ID!) { contact(id: $id) { tasks { id } task(id: $t) { title } } }`,
      { id: withTask.id, t: withTask.tasks[0]!.id },
      token,
    );
    expect(one.body.errors).toBeUndefined();
    expect(stack.upstream(BULK)).toHaveLength(0);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(0);
    expect(stack.upstream("/contacts/:contactId/tasks/:taskId")).toHaveLength(0);
  });

  it("with a token lacking the scope: one refused call, then per-contact reads, remembered; writes unaffected", async () => {
    // Scopes not configured: the gateway cannot know the token lacks the route's scope.
    const credentials = new StaticCredentialProvider({ [LOCATION_A]: { token: "sim-rw-A-token" } });
    // Two uncached reads of 50 contacts exceed the default budget of one interval: lifted, this test counts calls.
    const stack = await startStack({ env: { CACHE_TTL_MS: "0", RATE_LIMIT_BURST: "100000" }, gateway: { credentials } });
    opened.push(stack);
    const token = await stack.tokenFor({ scopes: [READ, WRITE] });
    const first = await stack.gql<Page>(TASKS_OF(50), {}, token);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.contacts.nodes).toHaveLength(50);
    const refused = stack.upstream(BULK);
    expect(refused).toHaveLength(1);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(50);

    stack.sim.clearRequests();
    const again = await stack.gql<Page>(TASKS_OF(50), {}, token);
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data).toEqual(first.body.data);
    expect(stack.upstream(BULK)).toHaveLength(0);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(50);

    // The refusal was about the tasks route's scope, not contacts.write: a write still goes out.
    const created = await stack.gql(
      `mutation($c: ID!) { createTask(contactId: $c, input: { title: "after a refused bulk read", dueDate: "2030-01-01T09:00:00Z" }) { id } }`,
      { c: first.body.data!.contacts.nodes[0]!.id },
      token,
    );
    expect(created.body.errors).toBeUndefined();
  });

  it("with the shared tier in Redis, asks the bulk route only for the lists no instance has", async () => {
    const redis = redisTestPrefix("bulk-tasks");
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redis.prefix };
    try {
      const a = await startStack({ env, simulator: { tokens: TOKENS_WITH_TASK_SEARCH } });
      opened.push(a);
      const probe = bulkBodies();
      const b = await startStack({ env, simulator: { tokens: TOKENS_WITH_TASK_SEARCH }, gateway: { upstreamMiddlewares: [probe.middleware] } });
      opened.push(b);
      const fromA = await a.gql<Page>(TASKS_OF(10), {}, await a.tokenFor());
      expect(fromA.body.errors).toBeUndefined();
      const loadedByA = fromA.body.data!.contacts.nodes.map((c) => c.id);
      // A stores what it loaded in Redis without waiting (the page and 10 task lists): wait for them.
      const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        await expect.poll(async () => (await admin.keys(`${redis.prefix}rc:v:*`)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(11);
      } finally {
        await admin.quit();
      }

      const fromB = await b.gql<Page>(TASKS_OF(20), {}, await b.tokenFor());
      expect(fromB.body.errors).toBeUndefined();
      const nodes = fromB.body.data!.contacts.nodes;
      expect(nodes.slice(0, 10)).toEqual(fromA.body.data!.contacts.nodes);
      expect(probe.asked).toEqual([nodes.slice(10).map((c) => c.id)]);
      expect(probe.asked[0]).not.toContain(loadedByA[0]);
      expect(b.upstream(PER_CONTACT)).toHaveLength(0);
    } finally {
      await redis.cleanup();
    }
  });
});
