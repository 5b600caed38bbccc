/**
 * The rate governor with a fake clock and a scripted `next`: queueing by priority, deadlines,
 * header corrections, 429 drains, the daily limit and the sliding-window guarantee.
 */
import { describe, expect, it } from "vitest";
import {
  createMemoryBudgetStore,
  createRateGovernor,
  slotWaitMs,
  withFallbackStore,
  type RateBudgetStore,
  type RatePolicy,
} from "../../../src/upstream/rate-governor.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";
import type { UpstreamRequest, UpstreamResponse } from "../../../src/upstream/pipeline.types.js";
import { createFakeClock } from "./governance.fake-clock.js";

const LOCATION = "loc1";

function request(overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    method: "GET",
    route: "/contacts/:contactId",
    path: "/contacts/c1",
    locationId: LOCATION,
    priority: "read",
    idempotent: true,
    attempt: 1,
    ...overrides,
  };
}

function response(status = 200, headers: Record<string, string> = {}): UpstreamResponse {
  return { status, headers, body: {}, durationMs: 1 };
}

/** No margins: the numbers in the tests are the numbers of the policy. */
const exact: Partial<RatePolicy> = { safetyRatio: 0, windowMarginMs: 0 };

function setup(policy: Partial<RatePolicy>, respond: (r: UpstreamRequest) => UpstreamResponse = () => response()) {
  const clock = createFakeClock();
  const events: { budget: number[]; queue: number[]; rejected: number[] } = { budget: [], queue: [], rejected: [] };
  const governor = createRateGovernor({
    policy: { ...exact, ...policy },
    clock,
    hooks: {
      budget: (e) => events.budget.push(e.remaining),
      queueLength: (e) => events.queue.push(e.length),
      rejected: (e) => events.rejected.push(e.expectedWaitMs),
    },
  });
  const sent: { name: string; at: number }[] = [];
  const handler = governor.middleware(async (r) => {
    sent.push({ name: r.path, at: clock.now() });
    return respond(r);
  });
  return { clock, governor, handler, sent, events };
}

describe("rate governor", () => {
  it("grants the burst at once and queues the rest until the window has passed", async () => {
    const { clock, handler, sent } = setup({ burst: 3, intervalMs: 1_000 });
    const calls = Array.from({ length: 5 }, (_, i) => handler(request({ path: `/r${i}` })));
    await clock.settle();
    expect(sent.map((s) => s.name)).toEqual(["/r0", "/r1", "/r2"]);
    await clock.advance(999);
    expect(sent).toHaveLength(3);
    await clock.advance(1);
    await Promise.all(calls);
    expect(sent.map((s) => s.name)).toEqual(["/r0", "/r1", "/r2", "/r3", "/r4"]);
    expect(sent[3]?.at).toBe(sent[0]!.at + 1_000);
  });

  it("serves waiting writes before waiting reads, FIFO within a priority", async () => {
    const { clock, handler, sent } = setup({ burst: 1, intervalMs: 1_000, maxWaitMs: 60_000 });
    const calls = [
      handler(request({ path: "/first" })),
      handler(request({ path: "/read1" })),
      handler(request({ path: "/read2" })),
      handler(request({ path: "/write1", method: "PUT", priority: "write" })),
      handler(request({ path: "/write2", method: "POST", priority: "write", idempotent: false })),
    ];
    await clock.advance(10_000);
    await Promise.all(calls);
    expect(sent.map((s) => s.name)).toEqual(["/first", "/write1", "/write2", "/read1", "/read2"]);
  });

  it("fails a request whose expected wait exceeds maxWaitMs with UPSTREAM_RATE_LIMITED and the wait", async () => {
    const { clock, handler, sent, events } = setup({ burst: 2, intervalMs: 10_000, maxWaitMs: 5_000 });
    await Promise.all([handler(request()), handler(request())]);
    await clock.advance(1_000);
    const error = await handler(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", reason: "rate_limited", retryAfterMs: 9_000 });
    expect(sent).toHaveLength(2);
    expect(events.rejected).toEqual([9_000]);
  });

  it("estimates the wait of a request deep in the queue and rejects it early", async () => {
    const { clock, handler, sent } = setup({ burst: 2, intervalMs: 3_000, maxWaitMs: 5_000 });
    const calls = Array.from({ length: 5 }, (_, i) => handler(request({ path: `/r${i}` })).catch((e: unknown) => e));
    await clock.settle();
    // r2 and r3 fit in the second window (3 s); r4 would need the third (6 s > 5 s).
    const r4 = await calls[4];
    expect(r4).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryAfterMs: 6_000 });
    await clock.advance(3_000);
    const results = await Promise.all(calls.slice(0, 4));
    expect(results.every((r) => (r as UpstreamResponse).status === 200)).toBe(true);
    expect(sent.map((s) => s.name)).toEqual(["/r0", "/r1", "/r2", "/r3"]);
  });

  it("honours a request's own deadline when it is sooner than maxWaitMs", async () => {
    const { clock, handler } = setup({ burst: 1, intervalMs: 2_000, maxWaitMs: 60_000 });
    await handler(request());
    const error = await handler(request({ deadlineAt: clock.now() + 1_000 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryAfterMs: 2_000 });
  });

  it("rejects a queued read at its deadline when writes keep going ahead of it", async () => {
    const { clock, handler } = setup({ burst: 1, intervalMs: 1_000, maxWaitMs: 2_500 });
    await handler(request({ path: "/first" }));
    const read = handler(request({ path: "/read" })).catch((e: unknown) => e);
    await clock.settle();
    const writes = [1, 2, 3].map((i) =>
      handler(request({ path: `/w${i}`, method: "PUT", priority: "write" })).catch((e: unknown) => e),
    );
    await clock.advance(2_500);
    expect(await read).toMatchObject({ code: "UPSTREAM_RATE_LIMITED" });
    await clock.advance(5_000);
    await Promise.all(writes);
  });

  it("takes the upstream's X-RateLimit-Remaining when it is stricter than ours", async () => {
    const { clock, handler, sent, governor } = setup({ burst: 10, intervalMs: 1_000 }, () =>
      response(200, { "x-ratelimit-remaining": "1", "x-ratelimit-max": "10" }),
    );
    await handler(request({ path: "/a" }));
    expect(governor.snapshot()[0]).toMatchObject({ remaining: 1 });
    await handler(request({ path: "/b" }));
    const third = handler(request({ path: "/c" }));
    await clock.settle();
    expect(sent.map((s) => s.name)).toEqual(["/a", "/b"]);
    await clock.advance(1_000);
    await third;
    expect(sent.map((s) => s.name)).toEqual(["/a", "/b", "/c"]);
  });

  it("never becomes more generous than the policy, but adopts a smaller X-RateLimit-Max and a longer interval", async () => {
    const generous = setup({ burst: 2, intervalMs: 1_000 }, () =>
      response(200, { "x-ratelimit-remaining": "999", "x-ratelimit-max": "1000", "x-ratelimit-interval-milliseconds": "10" }),
    );
    await generous.handler(request());
    expect(generous.governor.limitsFor(LOCATION)).toEqual({ limit: 2, windowMs: 1_000, dailyLimit: 200_000 });

    const strict = setup({ burst: 100, intervalMs: 1_000 }, () =>
      response(200, { "x-ratelimit-max": "25", "x-ratelimit-interval-milliseconds": "10000", "x-ratelimit-limit-daily": "500" }),
    );
    await strict.handler(request());
    expect(strict.governor.limitsFor(LOCATION)).toEqual({ limit: 25, windowMs: 10_000, dailyLimit: 500 });
  });

  it("counts our own calls still in flight against the upstream's remaining", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const clock = createFakeClock();
    const governor = createRateGovernor({ policy: { ...exact, burst: 10, intervalMs: 1_000 }, clock });
    const handler = governor.middleware(async (r) => {
      if (r.path === "/slow") await gate;
      return response(200, { "x-ratelimit-remaining": "5" });
    });
    const slow = handler(request({ path: "/slow" }));
    await handler(request({ path: "/fast" }));
    // upstream: 5 left when /fast was answered, and /slow is still under way: at most 4 left.
    expect(governor.snapshot()[0]).toMatchObject({ remaining: 4 });
    release();
    await slow;
  });

  it("drains the window after an upstream 429", async () => {
    const statuses = [429, 200];
    const { clock, handler, sent, governor } = setup({ burst: 10, intervalMs: 1_000 }, () => response(statuses.shift() ?? 200));
    expect((await handler(request({ path: "/a" }))).status).toBe(429);
    expect(governor.snapshot()[0]).toMatchObject({ remaining: 0 });
    const next = handler(request({ path: "/b" }));
    await clock.advance(999);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    expect((await next).status).toBe(200);
  });

  it("holds the location only for a 429's Retry-After, not the whole window", async () => {
    const statuses = [429, 200];
    const { clock, handler, sent } = setup({ burst: 10, intervalMs: 10_000, maxWaitMs: 60_000 }, () =>
      response(statuses.shift() ?? 200, statuses.length === 1 ? { "retry-after": "1" } : {}),
    );
    expect((await handler(request({ path: "/a" }))).status).toBe(429);
    const next = handler(request({ path: "/b" }));
    await clock.advance(999);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    expect((await next).status).toBe(200);
    expect(sent[1]!.at - sent[0]!.at).toBe(1_000);
  });

  it("stops at the daily limit and says how long until UTC midnight", async () => {
    const { clock, handler } = setup({ burst: 100, intervalMs: 1_000, daily: 2 });
    await handler(request());
    await handler(request());
    const error = await handler(request()).catch((e: unknown) => e);
    const midnight = Date.UTC(2026, 0, 2);
    expect(error).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryAfterMs: midnight - clock.now() });
  });

  it("lowers the daily budget from X-RateLimit-Daily-Remaining", async () => {
    const { handler, governor } = setup({ burst: 100, intervalMs: 1_000 }, () => response(200, { "x-ratelimit-daily-remaining": "0" }));
    await handler(request());
    expect(governor.snapshot()[0]).toMatchObject({ dailyRemaining: 0 });
    await expect(handler(request())).rejects.toMatchObject({ code: "UPSTREAM_RATE_LIMITED" });
  });

  it("keeps a safety margin below the configured burst and interval", () => {
    const { governor } = setup({ burst: 100, intervalMs: 10_000, safetyRatio: undefined, windowMarginMs: undefined });
    expect(governor.limitsFor(LOCATION)).toEqual({ limit: 95, windowMs: 11_000, dailyLimit: 190_000 });
  });

  it("keeps locations apart", async () => {
    const { clock, handler, sent } = setup({ burst: 1, intervalMs: 1_000 });
    await handler(request({ path: "/a1" }));
    const a2 = handler(request({ path: "/a2" }));
    await handler(request({ path: "/b1", locationId: "loc2" }));
    expect(sent.map((s) => s.name)).toEqual(["/a1", "/b1"]);
    await clock.advance(1_000);
    await a2;
  });

  it("never lets more than `burst` grants into any window under a ragged load", async () => {
    const { clock, handler, sent } = setup({ burst: 5, intervalMs: 1_000, maxWaitMs: 600_000 });
    const calls: Promise<unknown>[] = [];
    for (let step = 0; step < 40; step++) {
      const n = [0, 3, 7, 1, 0, 2][step % 6] as number;
      for (let i = 0; i < n; i++) calls.push(handler(request({ path: `/s${step}-${i}` })));
      await clock.advance(137);
    }
    await clock.advance(120_000);
    await Promise.all(calls);
    expect(sent).toHaveLength(calls.length);
    const times = sent.map((s) => s.at);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(5);
  });

  it("holds a slot until the call has been answered, then for a whole window", async () => {
    const clock = createFakeClock();
    const governor = createRateGovernor({ policy: { ...exact, burst: 1, intervalMs: 1_000 }, clock });
    const sent: number[] = [];
    const start = clock.now();
    const handler = governor.middleware(async (r) => {
      sent.push(clock.now() - start);
      if (r.path === "/slow") await clock.sleep(400);
      return response();
    });
    const slow = handler(request({ path: "/slow" }));
    const next = handler(request({ path: "/next" }));
    await clock.advance(5_000);
    await Promise.all([slow, next]);
    // the upstream may have counted /slow as late as its answer (400 ms): /next waits a window from there
    expect(sent).toEqual([0, 1_400]);
  });

  it("an aborted waiter leaves the queue", async () => {
    const { clock, handler, sent, governor } = setup({ burst: 1, intervalMs: 1_000 });
    await handler(request());
    const controller = new AbortController();
    const waiting = handler(request({ path: "/aborted", signal: controller.signal })).catch((e: unknown) => e);
    await clock.settle();
    expect(governor.snapshot()[0]).toMatchObject({ queueLength: 1 });
    controller.abort(new Error("caller gave up"));
    expect(await waiting).toMatchObject({ message: "caller gave up" });
    expect(governor.snapshot()[0]).toMatchObject({ queueLength: 0 });
    await clock.advance(2_000);
    expect(sent).toHaveLength(1);
  });
});

describe("rate governor: one scheduler per location (classes, fairness, deadlines)", () => {
  it("serves waiting calls by class: mutations, queries, subscription events, background work", async () => {
    const { clock, handler, sent } = setup({ burst: 1, intervalMs: 1_000, maxWaitMs: 60_000 });
    const calls = [
      handler(request({ path: "/first" })),
      handler(request({ path: "/background", lane: "background" })),
      handler(request({ path: "/subscription", lane: "subscription" })),
      handler(request({ path: "/query", lane: "query" })),
      handler(request({ path: "/mutation-read", lane: "mutation" })),
      // A write is a mutation's whatever its operation says.
      handler(request({ path: "/write", method: "PUT", priority: "write", lane: "background" })),
    ];
    await clock.advance(5_000);
    await Promise.all(calls);
    expect(sent.map((s) => s.name)).toEqual(["/first", "/mutation-read", "/write", "/query", "/subscription", "/background"]);
  });

  it("gives the next slot to the caller granted the fewest calls in the window: a flood does not starve a small caller", async () => {
    const { clock, handler, sent } = setup({ burst: 2, intervalMs: 1_000, maxWaitMs: 60_000 });
    const flood = Array.from({ length: 6 }, (_, i) => handler(request({ path: `/flood${i}`, caller: "flooder" })));
    await clock.settle();
    const small = handler(request({ path: "/small", caller: "analyst" }));
    await clock.advance(1_000);
    await small;
    expect(sent.map((s) => s.name)).toEqual(["/flood0", "/flood1", "/small", "/flood2"]);
    await clock.advance(10_000);
    await Promise.all(flood);
    // Equals keep their order (FIFO within a class).
    expect(sent.map((s) => s.name).filter((n) => n.startsWith("/flood"))).toEqual(["/flood0", "/flood1", "/flood2", "/flood3", "/flood4", "/flood5"]);
  });

  it("lets an operation's call wait for budget up to its deadline (less the answer's reserve), past maxWaitMs", async () => {
    const { clock, handler, sent } = setup({ burst: 1, intervalMs: 10_000, maxWaitMs: 5_000, answerReserveMs: 1_000 });
    await handler(request({ path: "/first" }));
    const granted: string[] = [];
    const patient = handler(request({ path: "/patient", deadlineAt: clock.now() + 15_000, onGrant: () => granted.push("patient") }));
    // Its deadline less the reserve (14 s) is before the slot after it (20 s): refused at once.
    const hopeless = handler(request({ path: "/hopeless", deadlineAt: clock.now() + 15_000 })).catch((e: unknown) => e);
    await clock.settle();
    expect(await hopeless).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryAfterMs: 20_000 });
    await clock.advance(10_000);
    expect((await patient).status).toBe(200);
    expect(granted).toEqual(["patient"]);
    expect(sent.map((s) => s.name)).toEqual(["/first", "/patient"]);
    // Without a deadline, maxWaitMs still bounds the wait.
    const bounded = await handler(request({ path: "/bounded" })).catch((e: unknown) => e);
    expect(bounded).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", retryAfterMs: 10_000 });
  });
});

describe("rate governor: concurrency (UPSTREAM_CONCURRENCY) in the same queue", () => {
  it("holds at most `concurrency` calls in flight per location, writes included; a write waits for a slot, then goes ahead of queued reads", async () => {
    const clock = createFakeClock();
    const governor = createRateGovernor({ policy: { ...exact, burst: 100, intervalMs: 1_000, concurrency: 1 }, clock });
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    let inFlight = 0;
    let peak = 0;
    const handler = governor.middleware(async (r) => {
      started.push(r.path);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => finish.set(r.path, resolve));
      inFlight -= 1;
      return response();
    });
    const read1 = handler(request({ path: "/read1" }));
    const read2 = handler(request({ path: "/read2" }));
    const write = handler(request({ path: "/write", method: "POST", priority: "write", idempotent: false }));
    const other = handler(request({ path: "/elsewhere", locationId: "loc2" }));
    await clock.settle();
    expect(started).toEqual(["/read1", "/elsewhere"]); // another location has its own slots
    expect(governor.snapshot().find((s) => s.locationId === LOCATION)).toMatchObject({ inFlight: 1, queueLength: 2 });
    finish.get("/read1")!();
    await clock.settle();
    expect(started).toEqual(["/read1", "/elsewhere", "/write"]);
    finish.get("/write")!();
    await clock.settle();
    finish.get("/read2")!();
    finish.get("/elsewhere")!();
    await Promise.all([read1, read2, write, other]);
    expect(started).toEqual(["/read1", "/elsewhere", "/write", "/read2"]);
    expect(peak).toBe(2); // one per location
    expect(governor.snapshot().find((s) => s.locationId === LOCATION)).toMatchObject({ inFlight: 0, queueLength: 0 });
  });

  it("frees the slot when a call fails, and refuses a bad bound naming it", async () => {
    const clock = createFakeClock();
    const governor = createRateGovernor({ policy: { ...exact, concurrency: 1 }, clock });
    const failing = governor.middleware(async () => Promise.reject(new Error("socket hang up")));
    await expect(failing(request())).rejects.toThrow("socket hang up");
    const ok = governor.middleware(async () => response(201));
    expect((await ok(request())).status).toBe(201);
    expect(() => createRateGovernor({ policy: { concurrency: 0 } })).toThrow(/concurrency: expected an integer >= 1, received 0/);
  });
});

describe("slotWaitMs", () => {
  const limits = { limit: 2, windowMs: 1_000, dailyLimit: 1_000 };
  it("is 0 while slots are free, then follows the grants leaving the window", () => {
    expect(slotWaitMs({ entries: [], now: 0, limits, dailyUsed: 0, position: 1 })).toBe(0);
    expect(slotWaitMs({ entries: [100], now: 500, limits, dailyUsed: 0, position: 0 })).toBe(0);
    expect(slotWaitMs({ entries: [100], now: 500, limits, dailyUsed: 0, position: 1 })).toBe(600);
    expect(slotWaitMs({ entries: [100, 200], now: 500, limits, dailyUsed: 0, position: 0 })).toBe(600);
    expect(slotWaitMs({ entries: [100, 200], now: 500, limits, dailyUsed: 0, position: 3 })).toBe(1_700);
    expect(slotWaitMs({ entries: [], now: 500, limits, dailyUsed: 0, position: 4 })).toBe(2_000);
  });
});

describe("withFallbackStore", () => {
  it("uses the fallback budget while the primary (Redis) fails, and reports each failure", async () => {
    const clock = createFakeClock();
    const broken = new Error("Stream isn't writeable");
    const failing: RateBudgetStore = {
      acquire: () => Promise.reject(broken),
      estimateWaitMs: () => Promise.reject(broken),
      restrict: () => Promise.reject(broken),
      drain: () => Promise.reject(broken),
      settle: () => Promise.reject(broken),
    };
    const errors: unknown[] = [];
    const store = withFallbackStore(failing, createMemoryBudgetStore({ clock }), (e) => errors.push(e));
    const governor = createRateGovernor({ policy: { ...exact, burst: 2, intervalMs: 1_000 }, clock, store });
    const sent: string[] = [];
    const handler = governor.middleware(async (r) => {
      sent.push(r.path);
      return response();
    });
    await handler(request({ path: "/a" }));
    await handler(request({ path: "/b" }));
    const third = handler(request({ path: "/c" }));
    await clock.settle();
    expect(sent).toEqual(["/a", "/b"]); // the fallback still enforces the budget
    await clock.advance(1_000);
    await third;
    expect(sent).toEqual(["/a", "/b", "/c"]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e === broken)).toBe(true);
  });
});
