/**
 * Attack: a hung upstream route used to hold a caller for 3 × the per-call timeout (46.5 s with the
 * defaults), because no overall deadline bounded an operation. Now every operation carries one
 * (OPERATION_DEADLINE_MS, src/upstream/deadline.ts): when it passes, the call on the wire is
 * abandoned and nothing is retried, and a call still waiting for a slot in the location's queue is
 * never sent; the caller gets UPSTREAM_UNAVAILABLE (reason `deadline`), over HTTP and graphql-ws.
 * Asserted on the attempts that left the queue (a probe in the upstream chain) and on the error;
 * the only time bound is the per-call timeout (5 s), which the answer must beat by far (deadline 1 s).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UpstreamMiddleware } from "../../../src/upstream/index.js";
import { LOCATION_A, READ, startStack, type Stack } from "../../support/harness.js";
import { wsOperation } from "../../support/ws-operation.js";

const CONTACT = `query($id: ID!) { contact(id: $id) { id firstName } }`;
const PER_CALL_TIMEOUT_MS = 5_000;
const DEADLINE_MS = 1_000;

describe("operation deadline against a hung upstream route", () => {
  let stack: Stack;
  const sent: string[] = [];
  let holdPath: string | undefined;
  const held: Array<() => void> = [];
  // After the location's queue: counts the attempts that actually went out; holds one (keeping its
  // queue slot, deaf to any abort) when asked to.
  const probe: UpstreamMiddleware = (next) => async (request) => {
    sent.push(`${request.route}#${request.attempt}`);
    if (holdPath !== undefined && request.path.endsWith(holdPath)) await new Promise<void>((resolve) => held.push(resolve));
    return next(request);
  };

  beforeAll(async () => {
    stack = await startStack({
      env: {
        OPERATION_DEADLINE_MS: String(DEADLINE_MS),
        UPSTREAM_HEADERS_TIMEOUT_MS: String(PER_CALL_TIMEOUT_MS),
        UPSTREAM_BODY_TIMEOUT_MS: String(PER_CALL_TIMEOUT_MS),
        UPSTREAM_RETRY_BASE_DELAY_MS: "10",
        UPSTREAM_CONCURRENCY: "1",
        CACHE_TTL_MS: "0",
        BREAKER_FAILURE_THRESHOLD: "1000",
      },
      gateway: { upstreamMiddlewares: [probe] },
    });
    // Every GET of a contact hangs far longer than any timeout involved.
    stack.sim.addFault({ method: "GET", route: "/contacts/:contactId", delayMs: 60_000 });
  });
  afterAll(async () => {
    for (const release of held) release();
    stack?.sim.clearFaults();
    await stack?.close();
  });

  function expectDeadline(error: { message: string; extensions?: Record<string, unknown> } | undefined) {
    expect(error?.extensions).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", reason: "deadline" });
    expect(error?.message).toContain(`deadline of ${DEADLINE_MS} ms`);
  }

  it("answers UPSTREAM_UNAVAILABLE at the deadline over HTTP: one attempt, no retry", async () => {
    sent.length = 0;
    const token = await stack.tokenFor({ scopes: [READ] });
    const [contact] = stack.sim.data.listContacts(LOCATION_A);
    const started = performance.now();
    const res = await stack.gql(CONTACT, { id: contact!.id }, token);
    const elapsedMs = performance.now() - started;
    expectDeadline(res.body.errors?.[0]);
    expect(res.body.data).toEqual({ contact: null });
    expect(sent).toEqual(["/contacts/:contactId#1"]);
    // The in-flight call was abandoned: well before even ONE per-call timeout.
    expect(elapsedMs).toBeLessThan(PER_CALL_TIMEOUT_MS - 1_000);
  });

  it("the same over graphql-ws", async () => {
    sent.length = 0;
    const token = await stack.tokenFor({ scopes: [READ] });
    const [, contact] = stack.sim.data.listContacts(LOCATION_A);
    const outcome = await wsOperation(stack.gateway.wsUrl, `Bearer ${token}`, { query: CONTACT, variables: { id: contact!.id } });
    expect(outcome.kind).toBe("result");
    expectDeadline(outcome.kind === "result" ? outcome.result.errors?.[0] : undefined);
    expect(sent).toEqual(["/contacts/:contactId#1"]);
  });

  it("a call still waiting for a queue slot at its deadline is never sent", async () => {
    sent.length = 0;
    const token = await stack.tokenFor({ scopes: [READ] });
    const [, , a, b] = stack.sim.data.listContacts(LOCATION_A);
    // UPSTREAM_CONCURRENCY=1 and a's call holds the only slot past both deadlines (a step in the
    // chain that ignores the abort): a's caller is still answered at its deadline, b's read never
    // leaves the queue.
    holdPath = `/contacts/${a!.id}`;
    const first = stack.gql(CONTACT, { id: a!.id }, token);
    await expect.poll(() => sent.length).toBe(1);
    const second = await stack.gql(CONTACT, { id: b!.id }, token);
    expectDeadline((await first).body.errors?.[0]);
    expectDeadline(second.body.errors?.[0]);
    expect(sent).toEqual(["/contacts/:contactId#1"]);
  });
});

describe("operation deadline against an exhausted rate budget", () => {
  let stack: Stack;
  beforeAll(async () => {
    // One call per minute, and a queue that would wait a whole minute: the deadline decides.
    stack = await startStack({
      simulator: { rateLimit: { burst: 1_000_000, intervalMs: 60_000, daily: 100_000_000 } },
      env: { OPERATION_DEADLINE_MS: String(DEADLINE_MS), RATE_LIMIT_BURST: "2", RATE_LIMIT_INTERVAL_MS: "60000", RATE_LIMIT_MAX_WAIT_MS: "600000", CACHE_TTL_MS: "0" },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("answers UPSTREAM_RATE_LIMITED with Retry-After instead of waiting past the deadline, on both transports", async () => {
    const token = await stack.tokenFor({ scopes: [READ] });
    const [a, b, c] = stack.sim.data.listContacts(LOCATION_A);
    expect((await stack.gql(CONTACT, { id: a!.id }, token)).body.errors).toBeUndefined();
    const before = stack.sim.requests.length;
    const res = await stack.gql(CONTACT, { id: b!.id }, token);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryAfterMs: expect.any(Number) });
    const retryAfterMs = res.body.errors![0]!.extensions!["retryAfterMs"] as number;
    expect(retryAfterMs).toBeGreaterThan(DEADLINE_MS);
    expect(Number(res.headers.get("retry-after"))).toBe(Math.ceil(retryAfterMs / 1000));
    const ws = await wsOperation(stack.gateway.wsUrl, `Bearer ${token}`, { query: CONTACT, variables: { id: c!.id } });
    expect(ws.kind === "result" && ws.result.errors?.[0]?.extensions).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryAfterMs: expect.any(Number) });
    expect(stack.sim.requests.length).toBe(before);
  });
});
