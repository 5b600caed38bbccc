/**
 * The assembled governance chain (breaker → retry → governor) with a fake clock: every retry
 * attempt spends rate budget, a 429 drains the window before the retry goes out, the breaker
 * counts calls (after retries), and the snapshot and hooks report per location.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/config.js";
import { createGovernanceMiddlewares } from "../../../src/upstream/governance.js";
import { compose } from "../../../src/upstream/pipeline.js";
import type { UpstreamRequest, UpstreamResponse } from "../../../src/upstream/pipeline.types.js";
import { createFakeClock } from "./governance.fake-clock.js";

const request = (path = "/contacts/c1"): UpstreamRequest => ({
  method: "GET",
  route: "/contacts/:contactId",
  path,
  locationId: "loc1",
  priority: "read",
  idempotent: true,
  attempt: 1,
});

const reply = (status: number, headers: Record<string, string> = {}): UpstreamResponse => ({ status, headers, body: {}, durationMs: 1 });

function setup(env: Record<string, string>, script: UpstreamResponse[]) {
  const config = loadConfig({ RATE_LIMIT_INTERVAL_MS: "1000", ...env });
  const clock = createFakeClock();
  const events: string[] = [];
  const governance = createGovernanceMiddlewares({
    config,
    clock,
    random: () => 0.5,
    hooks: {
      retry: (e) => events.push(`retry ${e.attempt} ${e.delayMs}`),
      breakerState: (e) => events.push(`breaker ${e.state}`),
      upstreamRateLimited: () => events.push("429"),
    },
  });
  const sent: { path: string; attempt: number; at: number }[] = [];
  const handler = compose(governance.middlewares, async (r) => {
    sent.push({ path: r.path, attempt: r.attempt, at: clock.now() - start });
    return script.shift() ?? reply(200);
  });
  const start = clock.now();
  return { governance, handler, clock, sent, events };
}

describe("governance chain", () => {
  it("puts breaker, retry and governor in that order", () => {
    const { governance } = setup({}, []);
    expect(governance.middlewares).toHaveLength(3);
    expect(governance.middlewares[0]).toBe(governance.breaker.middleware);
    expect(governance.middlewares[2]).toBe(governance.governor.middleware);
  });

  it("makes each retry attempt pass the governor: a 429 drains the window before the retry goes out", async () => {
    const { handler, clock, sent, events } = setup({ RATE_LIMIT_BURST: "20" }, [
      reply(429, { "x-ratelimit-interval-milliseconds": "1000" }),
    ]);
    const pending = handler(request());
    await clock.advance(5_000);
    expect((await pending).status).toBe(200);
    // retry waits the header's 1000 ms; the governor's drained window (1000 + 100 margin) decides the rest
    expect(sent.map((s) => [s.attempt, s.at])).toEqual([
      [1, 0],
      [2, 1_100],
    ]);
    expect(events).toEqual(["429", "retry 2 1000"]);
  });

  it("counts one breaker failure per call, after retries", async () => {
    const { handler, clock, sent, governance } = setup(
      { BREAKER_FAILURE_THRESHOLD: "2", UPSTREAM_RETRY_ATTEMPTS: "2" },
      [reply(503), reply(503), reply(503), reply(503)],
    );
    for (let i = 0; i < 2; i++) {
      const pending = handler(request());
      await clock.advance(5_000);
      expect((await pending).status).toBe(503);
    }
    expect(sent).toHaveLength(4);
    expect(governance.breakerState("loc1")).toBe("open");
    await expect(handler(request())).rejects.toMatchObject({ code: "UPSTREAM_UNAVAILABLE", reason: "circuit_open" });
    expect(sent).toHaveLength(4);
    expect(governance.snapshot()).toEqual([
      expect.objectContaining({ locationId: "loc1", breaker: "open", consecutiveFailures: 2, queueLength: 0, limit: 95 }),
    ]);
  });
});
