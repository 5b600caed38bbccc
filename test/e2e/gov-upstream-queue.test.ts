/**
 * One upstream queue per location: with UPSTREAM_CONCURRENCY=1 a mutation's write waits for the
 * read in flight (it no longer bypasses the concurrency limit), then goes ahead of the reads still
 * queued. A probe inside the upstream chain (after the queue) holds the first task-list read open
 * and counts the calls in flight; the simulator's request log gives the order the upstream saw.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCATION_A, READ, WRITE, startStack, type Stack } from "../support/harness.js";
import { waitFor } from "../support/events-wait.js";
import type { UpstreamMiddleware } from "../../src/upstream/index.js";

describe("one upstream queue per location (UPSTREAM_CONCURRENCY=1)", () => {
  let stack: Stack;
  let inFlight = 0;
  let peak = 0;
  let held: (() => void) | undefined;
  let holdNext = false;

  const probe: UpstreamMiddleware = (next) => async (request) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      if (holdNext && request.route === "/contacts/:contactId/tasks") {
        holdNext = false;
        await new Promise<void>((resolve) => (held = resolve));
      }
      return await next(request);
    } finally {
      inFlight -= 1;
    }
  };

  beforeAll(async () => {
    stack = await startStack({ env: { UPSTREAM_CONCURRENCY: "1", CACHE_TTL_MS: "0" }, gateway: { upstreamMiddlewares: [probe] } });
  });
  afterAll(async () => {
    held?.();
    await stack?.close();
  });

  /** The queue length /metrics reports for location A. */
  async function queued(): Promise<number> {
    const text = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(`cgw_upstream_queue_length{location_id="${LOCATION_A}"}`));
    return line ? Number(line.split(" ").pop()) : 0;
  }

  it("makes a write wait for the read in flight, then serves it before the queued reads", async () => {
    const reader = await stack.tokenFor({ scopes: [READ] });
    const writer = await stack.tokenFor({ scopes: [READ, WRITE] });
    const page = await stack.gql<{ contacts: { nodes: { id: string }[] } }>(`{ contacts(first: 3) { nodes { id } } }`, {}, reader);
    const ids = page.body.data!.contacts.nodes.map((n) => n.id);
    expect(ids).toHaveLength(3);
    stack.sim.clearRequests();
    peak = 0;

    holdNext = true;
    const read = stack.gql(`{ contacts(first: 3) { nodes { id tasks { id } } } }`, {}, reader);
    await waitFor(() => held !== undefined, { what: "the first task-list read to be held in flight" });
    // The other two task-list reads are queued behind it; now the write joins the same queue.
    const write = stack.gql(
      `mutation($c: ID!) { createTask(contactId: $c, input: { title: "queued write", dueDate: "2030-01-01T09:00:00Z" }) { id contactId } }`,
      { c: ids[2] },
      writer,
    );
    await waitFor(async () => (await queued()) === 3, { what: "two reads and the write queued for location A" });
    expect(stack.sim.requests.filter((r) => r.method !== "GET")).toEqual([]); // the write has not left
    held!();

    const [readRes, writeRes] = await Promise.all([read, write]);
    expect(readRes.body.errors).toBeUndefined();
    expect(writeRes.body.errors).toBeUndefined();
    expect(writeRes.body.data).toMatchObject({ createTask: { contactId: ids[2] } });
    expect(peak).toBe(1);
    expect(stack.sim.requests.map((r) => `${r.method} ${r.route}`)).toEqual([
      "GET /contacts/",
      "GET /contacts/:contactId/tasks",
      "POST /contacts/:contactId/tasks",
      "GET /contacts/:contactId/tasks",
      "GET /contacts/:contactId/tasks",
    ]);
  });
});
