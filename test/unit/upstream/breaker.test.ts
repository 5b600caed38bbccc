/**
 * The circuit breaker with a fake clock and a scripted `next`: it opens after N consecutive
 * failures, fails fast without calling the upstream, probes once after resetMs and closes on success.
 */
import { describe, expect, it } from "vitest";
import { createCircuitBreaker, type BreakerState } from "../../../src/upstream/breaker.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";
import type { UpstreamRequest, UpstreamResponse } from "../../../src/upstream/pipeline.types.js";
import { createFakeClock } from "./governance.fake-clock.js";

const request = (locationId = "loc1"): UpstreamRequest => ({
  method: "GET",
  route: "/contacts/:contactId",
  path: "/contacts/c1",
  locationId,
  priority: "read",
  idempotent: true,
  attempt: 1,
});

const reply = (status: number): UpstreamResponse => ({ status, headers: {}, body: {}, durationMs: 1 });
const reset = () =>
  new UpstreamError({ code: "UPSTREAM_UNAVAILABLE", reason: "connection", message: "socket hang up", method: "GET", route: "/r", outcomeUnknown: true });

function setup(threshold = 3, resetMs = 5_000) {
  const clock = createFakeClock();
  const states: BreakerState[] = [];
  const breaker = createCircuitBreaker({
    policy: { failureThreshold: threshold, resetMs },
    clock,
    hooks: { breakerState: (e) => states.push(e.state) },
  });
  const script: (UpstreamResponse | UpstreamError | Promise<UpstreamResponse>)[] = [];
  let calls = 0;
  const handler = breaker.middleware(async () => {
    calls += 1;
    const step = script.shift() ?? reply(200);
    if (step instanceof UpstreamError) throw step;
    return step;
  });
  const call = (locationId?: string) =>
    handler(request(locationId)).then(
      (r) => r.status,
      (e: unknown) => (e instanceof UpstreamError ? e.reason : String(e)),
    );
  return { clock, breaker, script, handler, call, states, calls: () => calls };
}

describe("circuit breaker", () => {
  it("opens after N consecutive failures and then fails fast without calling the upstream", async () => {
    const { breaker, script, call, calls, states } = setup(3);
    script.push(reply(503), reset(), reply(500));
    expect([await call(), await call(), await call()]).toEqual([503, "connection", 500]);
    expect(breaker.state("loc1")).toBe("open");
    expect(await call()).toBe("circuit_open");
    expect(await call()).toBe("circuit_open");
    expect(calls()).toBe(3);
    expect(states).toEqual(["open"]);
  });

  it("carries UPSTREAM_UNAVAILABLE and the time until the probe", async () => {
    const { clock, script, handler } = setup(1, 5_000);
    script.push(reply(502));
    await handler(request());
    await clock.advance(2_000);
    await expect(handler(request())).rejects.toMatchObject({ code: "UPSTREAM_UNAVAILABLE", reason: "circuit_open", retryAfterMs: 3_000 });
  });

  it("does not count 4xx or 429 as failures, and a success resets the count", async () => {
    const { breaker, script, call } = setup(3);
    script.push(reply(503), reply(503), reply(404), reply(503), reply(429), reply(503), reply(200), reply(503), reply(503));
    for (let i = 0; i < 9; i++) await call();
    expect(breaker.state("loc1")).toBe("closed");
  });

  it("lets one half-open probe through after resetMs and closes when it succeeds", async () => {
    const { clock, breaker, script, call, calls, states } = setup(2, 5_000);
    script.push(reply(503), reply(503));
    await call();
    await call();
    await clock.advance(4_999);
    expect(await call()).toBe("circuit_open");
    await clock.advance(1);
    expect(breaker.state("loc1")).toBe("half_open");
    expect(await call()).toBe(200);
    expect(breaker.state("loc1")).toBe("closed");
    expect(await call()).toBe(200);
    expect(calls()).toBe(4);
    expect(states).toEqual(["open", "half_open", "closed"]);
  });

  it("re-opens for another resetMs when the probe fails", async () => {
    const { clock, breaker, script, call, calls } = setup(1, 1_000);
    script.push(reply(503), reset());
    await call();
    await clock.advance(1_000);
    expect(await call()).toBe("connection");
    expect(breaker.state("loc1")).toBe("open");
    await clock.advance(999);
    expect(await call()).toBe("circuit_open");
    expect(calls()).toBe(2);
    await clock.advance(1);
    expect(await call()).toBe(200);
    expect(breaker.state("loc1")).toBe("closed");
  });

  it("admits only one probe at a time", async () => {
    const { clock, script, handler, call, calls } = setup(1, 1_000);
    script.push(reply(503));
    await call();
    await clock.advance(1_000);
    let release!: (r: UpstreamResponse) => void;
    script.push(new Promise<UpstreamResponse>((resolve) => (release = resolve)));
    const probe = handler(request());
    expect(await call()).toBe("circuit_open");
    release(reply(200));
    expect((await probe).status).toBe(200);
    expect(calls()).toBe(2);
  });

  it("keeps a circuit per location and reports them in the snapshot", async () => {
    const { breaker, script, call } = setup(1);
    script.push(reply(503));
    await call("a");
    expect(await call("b")).toBe(200);
    expect(breaker.snapshot()).toEqual([
      expect.objectContaining({ locationId: "a", state: "open", consecutiveFailures: 1 }),
      expect.objectContaining({ locationId: "b", state: "closed", consecutiveFailures: 0 }),
    ]);
    expect(breaker.state("never-used")).toBe("closed");
  });
});
