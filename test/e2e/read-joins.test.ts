/**
 * Joins through DataLoaders and the shared cache, asserted on the simulator's request log:
 * each upstream resource is fetched at most once per operation, identical concurrent operations
 * share upstream calls, and the cache answers repeats.
 */
import { describe, expect, it } from "vitest";
import type { UpstreamMiddleware } from "../../src/upstream/index.js";
import { LOCATION_A, startStack, type GqlResponse, type Stack } from "../support/harness.js";

const DASHBOARD = `query Dash($first: Int) {
  contacts(first: $first) {
    nodes { id name tasks { id title completed } notes { id body } appointments { id startTime } }
  }
}`;

/** Upstream calls grouped by path: the test's way of saying "none twice". */
function callsByPath(stack: Stack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of stack.sim.requests) {
    const key = `${r.method} ${r.path}${r.route === "/contacts/" ? `?${new URLSearchParams(r.query).toString()}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe("joins (read path)", () => {
  it("a cold 50-contact dashboard costs 1 list call + 50 × 3 relation calls, none twice; a repeat costs 0", async () => {
    // 151 calls exceed the default upstream burst budget (100 per 10 s): lift it, this test counts joins.
    await using stack = await startStack({ env: { RATE_LIMIT_BURST: "10000" } });
    const token = await stack.tokenFor();
    const res = await stack.gql(DASHBOARD, { first: 50 }, token);
    expect(res.body.errors).toBeUndefined();
    const nodes = (res.body.data as { contacts: { nodes: Array<{ id: string; name: string | null }> } }).contacts.nodes;
    expect(nodes).toHaveLength(50);
    expect(nodes.every((n) => typeof n.name === "string" && n.name.length > 0)).toBe(true);

    expect(stack.upstream("/contacts/")).toHaveLength(1);
    expect(stack.upstream("/contacts/:contactId/tasks")).toHaveLength(50);
    expect(stack.upstream("/contacts/:contactId/notes")).toHaveLength(50);
    expect(stack.upstream("/contacts/:contactId/appointments")).toHaveLength(50);
    expect(stack.sim.requests).toHaveLength(151);
    expect([...callsByPath(stack).values()].every((n) => n === 1)).toBe(true);
    // The contacts the relations were fetched for are exactly the listed ones.
    const ids = new Set(nodes.map((n) => n.id));
    expect(new Set(stack.upstream("/contacts/:contactId/tasks").map((r) => r.path.split("/")[2]))).toEqual(ids);

    stack.sim.clearRequests();
    const again = await stack.gql(DASHBOARD, { first: 50 }, token);
    expect(again.body.data).toEqual(res.body.data);
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("one contact reached three ways in one operation (alias, task.contact, contact(id)) costs one call", async () => {
    await using stack = await startStack();
    const contact = stack.sim.data.listContacts(LOCATION_A).find((c) => stack.sim.data.listTasks(c.id).length > 0)!;
    const task = stack.sim.data.listTasks(contact.id)[0]!;
    const token = await stack.tokenFor();
    const res = await stack.gql(
      `query($id: ID!, $taskId: ID!) {
        a: contact(id: $id) { id email }
        b: contact(id: $id) { id name }
        contact(id: $id) { id task(id: $taskId) { id title contact { id timezone } } }
      }`,
      { id: contact.id, taskId: task.id },
      token,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toMatchObject({
      a: { id: contact.id },
      b: { id: contact.id },
      contact: { id: contact.id, task: { id: task.id, title: task.title, contact: { id: contact.id } } },
    });
    expect(stack.upstream("/contacts/:contactId")).toHaveLength(1);
  });

  it("a task and a note by id are served from their contact's list when it is loaded in the same operation", async () => {
    await using stack = await startStack();
    const contact = stack.sim.data
      .listContacts(LOCATION_A)
      .find((c) => stack.sim.data.listTasks(c.id).length > 0 && stack.sim.data.listNotes(c.id).length > 0)!;
    const task = stack.sim.data.listTasks(contact.id)[0]!;
    const note = stack.sim.data.listNotes(contact.id)[0]!;
    const res = await stack.gql(
      `query($id: ID!, $taskId: ID!, $noteId: ID!) {
        contact(id: $id) { tasks { id } task(id: $taskId) { id title } notes { id } note(id: $noteId) { id body } }
      }`,
      { id: contact.id, taskId: task.id, noteId: note.id },
      await stack.tokenFor(),
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toMatchObject({ contact: { task: { id: task.id, title: task.title }, note: { id: note.id, body: note.body } } });
    expect(stack.upstream("/contacts/:contactId/tasks")).toHaveLength(1);
    expect(stack.upstream("/contacts/:contactId/tasks/:taskId")).toHaveLength(0);
    expect(stack.upstream("/contacts/:contactId/notes")).toHaveLength(1);
    expect(stack.upstream("/contacts/:contactId/notes/:id")).toHaveLength(0);
  });

  it("20 concurrent identical cold dashboard requests fetch each upstream resource once in total", async () => {
    await using stack = await startStack({ simulator: { latency: { fixedMs: 20 } } });
    const token = await stack.tokenFor();
    const results = await Promise.all(Array.from({ length: 20 }, () => stack.gql(DASHBOARD, { first: 25 }, token)));
    for (const r of results) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data).toEqual(results[0]!.body.data);
    }
    expect(stack.upstream("/contacts/")).toHaveLength(1);
    expect(stack.sim.requests).toHaveLength(1 + 25 * 3);
    expect([...callsByPath(stack).values()].every((n) => n === 1)).toBe(true);
  });

  it("bounds concurrent upstream calls per location (UPSTREAM_CONCURRENCY)", async () => {
    let active = 0;
    let peak = 0;
    const probe: UpstreamMiddleware = (next) => async (request) => {
      active += 1;
      peak = Math.max(peak, active);
      try {
        return await next(request);
      } finally {
        active -= 1;
      }
    };
    await using stack = await startStack({
      env: { UPSTREAM_CONCURRENCY: "3" },
      simulator: { latency: { fixedMs: 15 } },
      gateway: { upstreamMiddlewares: [probe] },
    });
    const res = await stack.gql(DASHBOARD, { first: 10 }, await stack.tokenFor());
    expect(res.body.errors).toBeUndefined();
    expect(stack.sim.requests).toHaveLength(31);
    expect(peak).toBe(3);
  });

  it("paging through all contacts with first: 30 returns every seeded contact once, newest first", async () => {
    await using stack = await startStack();
    const token = await stack.tokenFor();
    const seeded = stack.sim.data.listContacts(LOCATION_A).map((c) => c.id);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    let totalCount: number | null = null;
    for (;;) {
      type Page = {
        contacts: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ cursor: string; node: { id: string } }> };
      };
      const res: GqlResponse<Page> = await stack.gql<Page>(
        `query($after: String) { contacts(first: 30, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`,
        { after },
        token,
      );
      expect(res.body.errors).toBeUndefined();
      const connection: Page["contacts"] = res.body.data!.contacts;
      totalCount = connection.totalCount;
      seen.push(...connection.edges.map((e) => e.node.id));
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
      expect(pages).toBeLessThan(50);
    }
    expect(seen).toEqual(seeded);
    expect(new Set(seen).size).toBe(seeded.length);
    expect(totalCount).toBe(seeded.length);
    expect(pages).toBe(Math.ceil(seeded.length / 30));
    expect(stack.upstream("/contacts/")).toHaveLength(pages);
    // Every page request after the first carried BOTH cursor parts.
    for (const r of stack.upstream("/contacts/").slice(1)) {
      expect(r.query["startAfter"]).toMatch(/^\d+$/);
      expect(r.query["startAfterId"]).toBeTruthy();
    }
  });
});
