/**
 * The retry middleware with a fake clock, pinned jitter and a scripted `next`: which calls are
 * repeated, how long it waits (upstream headers vs. jittered backoff), and that POST is safe.
 */
import { describe, expect, it } from "vitest";
import { backoffDelayMs, createRetryMiddleware, DEFAULT_RETRY_POLICY, parseRetryAfterMs, type RetryPolicy } from "../../../src/upstream/retry.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";
import type { UpstreamRequest, UpstreamResponse } from "../../../src/upstream/pipeline.types.js";
import { createFakeClock } from "./governance.fake-clock.js";

type Step = UpstreamResponse | UpstreamError;

function get(overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    method: "GET",
    route: "/contacts/:contactId",
    path: "/contacts/c1",
    locationId: "loc1",
    priority: "read",
    idempotent: true,
    attempt: 1,
    ...overrides,
  };
}

const post = (overrides: Partial<UpstreamRequest> = {}) =>
  get({ method: "POST", route: "/contacts/", path: "/contacts/", priority: "write", idempotent: false, ...overrides });

const reply = (status: number, headers: Record<string, string> = {}): UpstreamResponse => ({ status, headers, body: {}, durationMs: 1 });

const transportError = (reason: "timeout" | "connection", outcomeUnknown: boolean) =>
  new UpstreamError({
    code: "UPSTREAM_UNAVAILABLE",
    reason,
    message: `upstream ${reason}`,
    method: "GET",
    route: "/contacts/:contactId",
    outcomeUnknown,
  });

/** Runs one call through the middleware against a script of answers; returns outcome, log and sleeps. */
async function run(request: UpstreamRequest, script: Step[], policy: Partial<RetryPolicy> = {}, random = () => 0.5) {
  const clock = createFakeClock();
  const attempts: { attempt: number; at: number }[] = [];
  const retries: { attempt: number; delayMs: number; delaySource: string }[] = [];
  const middleware = createRetryMiddleware({
    policy,
    clock,
    random,
    hooks: { retry: (e) => retries.push({ attempt: e.attempt, delayMs: e.delayMs, delaySource: e.delaySource }) },
  });
  const handler = middleware(async (r) => {
    attempts.push({ attempt: r.attempt, at: clock.now() });
    const step = script.shift();
    if (!step) throw new Error("script exhausted");
    if (step instanceof UpstreamError) throw step;
    return step;
  });
  const start = clock.now();
  const pending = handler(request).then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );
  for (let i = 0; i < 5; i++) await clock.advance(60_000);
  const outcome = await pending;
  return { outcome, attempts: attempts.map((a) => ({ attempt: a.attempt, afterMs: a.at - start })), sleeps: clock.sleeps, retries };
}

describe("retry", () => {
  it("retries a GET after 503, 503 with jittered exponential backoff, incrementing attempt", async () => {
    const { outcome, attempts, sleeps } = await run(get(), [reply(503), reply(503), reply(200)], { baseDelayMs: 200 }, () => 0.5);
    expect(outcome).toMatchObject({ response: { status: 200 } });
    // full jitter: random × min(max, base × 2^(n−1)) = 0.5 × 200, 0.5 × 400
    expect(sleeps).toEqual([100, 200]);
    expect(attempts).toEqual([
      { attempt: 1, afterMs: 0 },
      { attempt: 2, afterMs: 100 },
      { attempt: 3, afterMs: 300 },
    ]);
  });

  it("caps the backoff at maxDelayMs and spreads it over [0, cap)", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1_000, maxDelayMs: 3_000 };
    expect(backoffDelayMs(policy, 1, () => 0.999)).toBe(999);
    expect(backoffDelayMs(policy, 5, () => 0.999)).toBe(2_997);
    expect(backoffDelayMs(policy, 5, () => 0)).toBe(0);
  });

  it("waits what Retry-After says (seconds), not its own backoff", async () => {
    const { outcome, sleeps, retries } = await run(get(), [reply(503, { "retry-after": "2" }), reply(200)]);
    expect(outcome).toMatchObject({ response: { status: 200 } });
    expect(sleeps).toEqual([2_000]);
    expect(retries).toEqual([{ attempt: 2, delayMs: 2_000, delaySource: "retry-after" }]);
  });

  it("reads Retry-After as an HTTP date", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfterMs("Thu, 01 Jan 2026 12:00:03 GMT", now)).toBe(3_000);
    expect(parseRetryAfterMs("Thu, 01 Jan 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
  });

  it("waits X-RateLimit-Interval-Milliseconds after a 429 without Retry-After", async () => {
    const { outcome, sleeps, attempts } = await run(get(), [
      reply(429, { "x-ratelimit-interval-milliseconds": "1000" }),
      reply(429, { "x-ratelimit-interval-milliseconds": "1000" }),
      reply(200),
    ]);
    expect(outcome).toMatchObject({ response: { status: 200 } });
    expect(sleeps).toEqual([1_000, 1_000]);
    expect(attempts.map((a) => a.afterMs)).toEqual([0, 1_000, 2_000]);
  });

  it("returns the last answer when the attempts are used up", async () => {
    const { outcome, attempts } = await run(get(), [reply(502), reply(502), reply(502), reply(200)], { attempts: 3 });
    expect(outcome).toMatchObject({ response: { status: 502 } });
    expect(attempts).toHaveLength(3);
  });

  it("rethrows the last transport error when the attempts are used up", async () => {
    const { outcome, attempts } = await run(get(), [transportError("connection", true), transportError("timeout", true)], { attempts: 2 });
    expect(outcome).toMatchObject({ error: { reason: "timeout" } });
    expect(attempts).toHaveLength(2);
  });

  it("retries GET, PUT and DELETE after timeouts and connection errors", async () => {
    for (const method of ["GET", "PUT", "DELETE"] as const) {
      const { outcome, attempts } = await run(get({ method, priority: method === "GET" ? "read" : "write" }), [
        transportError("timeout", true),
        transportError("connection", true),
        reply(200),
      ]);
      expect(outcome).toMatchObject({ response: { status: 200 } });
      expect(attempts).toHaveLength(3);
    }
  });

  it("does not retry 4xx answers", async () => {
    for (const status of [400, 401, 403, 404, 422]) {
      const { outcome, attempts } = await run(get(), [reply(status), reply(200)]);
      expect(outcome).toMatchObject({ response: { status } });
      expect(attempts).toHaveLength(1);
    }
  });

  it("never retries a POST that may have reached the upstream", async () => {
    for (const first of [reply(503), reply(429, { "retry-after": "1" }), reply(500), transportError("timeout", true), transportError("connection", true)]) {
      const { outcome, attempts } = await run(post(), [first, reply(201)]);
      expect(attempts).toHaveLength(1);
      expect("error" in outcome || (outcome as { response: UpstreamResponse }).response.status !== 201).toBe(true);
    }
  });

  it("retries a POST whose connection was refused before anything was sent", async () => {
    const { outcome, attempts } = await run(post(), [transportError("connection", false), reply(201)]);
    expect(outcome).toMatchObject({ response: { status: 201 } });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
  });

  it("does not retry our own rate-limit or breaker refusals", async () => {
    const ours = new UpstreamError({ code: "UPSTREAM_RATE_LIMITED", reason: "rate_limited", message: "x", method: "GET", route: "/r", retryAfterMs: 9_000 });
    const { outcome, attempts } = await run(get(), [ours, reply(200)]);
    expect(outcome).toMatchObject({ error: { code: "UPSTREAM_RATE_LIMITED" } });
    expect(attempts).toHaveLength(1);
  });

  it("gives up instead of waiting a hint longer than maxHintMs", async () => {
    const { outcome, attempts } = await run(get(), [reply(429, { "retry-after": "3600" }), reply(200)], { maxHintMs: 60_000 });
    expect(outcome).toMatchObject({ response: { status: 429 } });
    expect(attempts).toHaveLength(1);
  });

  it("does not start a retry after the request's deadline", async () => {
    const start = Date.UTC(2026, 0, 1, 12, 0, 0);
    const { outcome, attempts } = await run(get({ deadlineAt: start + 1_500 }), [reply(503, { "retry-after": "2" }), reply(200)]);
    expect(outcome).toMatchObject({ response: { status: 503 } });
    expect(attempts).toHaveLength(1);
  });
});
