// Readiness: upstream reachability (any HTTP answer counts), Redis PING, breaker states per served
// location (503 only when every one is open; otherwise 200 "degraded"), and a short probe cache so
// load balancer probes never hammer the upstream.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadinessCheck, createReadinessHandler, type ReadinessCheck } from "../../../src/observability/readiness.js";

let server: http.Server;
let url: string;
let hits = 0;
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    hits += 1;
    res.statusCode = 404;
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("readiness", () => {
  it("is ready when the upstream answers anything and Redis answers PING; results are cached", async () => {
    const redis = new Redis("redis://127.0.0.1:6379");
    let t = 0;
    const readiness = createReadinessCheck({ upstreamBaseUrl: url, redis, now: () => t, cacheMs: 1000 });
    try {
      const first = await readiness.check();
      expect(first).toMatchObject({ ready: true, reasons: [] });
      expect(first.checks.map((c) => c.name)).toEqual(["upstream", "redis"]);
      const before = hits;
      await readiness.check();
      expect(hits).toBe(before);
      t += 1001;
      await readiness.check();
      expect(hits).toBe(before + 1);
    } finally {
      await redis.quit();
    }
  });

  it("names an unreachable Redis", async () => {
    const redis = new Redis("redis://127.0.0.1:9", { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    redis.on("error", () => undefined);
    const report = await createReadinessCheck({ upstreamBaseUrl: url, redis, timeoutMs: 1000 }).check();
    expect(report.ready).toBe(false);
    expect(report.reasons).toEqual([expect.stringMatching(/^redis unreachable/)]);
    redis.disconnect();
  });

  it("names an unreachable upstream", async () => {
    const report = await createReadinessCheck({ upstreamBaseUrl: "http://127.0.0.1:9" }).check();
    expect(report).toMatchObject({ ready: false, degraded: [], reasons: ["upstream unreachable (ECONNREFUSED)"] });
  });

  it("stays ready but degraded while only some served locations have an open circuit", async () => {
    const states = [
      { locationId: "locB", state: "half_open" as const },
      { locationId: "locA", state: "open" as const },
    ];
    const report = await createReadinessCheck({ upstreamBaseUrl: url, breakerStates: () => states, servedLocations: () => ["locA", "locB", "locC"] }).check();
    expect(report).toMatchObject({
      ready: true,
      reasons: [],
      degraded: [
        { locationId: "locA", breaker: "open" },
        { locationId: "locB", breaker: "half_open" },
      ],
    });
    expect(report.checks.find((c) => c.name === "breaker")).toEqual({
      name: "breaker",
      ok: true,
      detail: "circuit breaker open: locA (1 of 3 served locations); other locations are served",
    });
  });

  it("is not ready when the circuit of every served location is open; breaker states are read fresh, probes cached", async () => {
    let t = 0;
    const states = new Map<string, "closed" | "open" | "half_open">([["locA", "open"]]);
    const served = ["locA", "locB"];
    let servedReads = 0;
    const readiness = createReadinessCheck({
      upstreamBaseUrl: url,
      breakerStates: () => [...states].map(([locationId, state]) => ({ locationId, state })),
      servedLocations: async () => {
        servedReads += 1;
        return served;
      },
      now: () => t,
      cacheMs: 1000,
    });
    const before = hits;
    expect((await readiness.check()).ready).toBe(true);
    states.set("locB", "open");
    const down = await readiness.check();
    expect(down).toMatchObject({ ready: false, reasons: ["circuit breaker open for every served location: locA, locB"] });
    // A circuit past its reset time reports half_open (ready to probe): the instance takes traffic again.
    states.set("locB", "half_open");
    expect(await readiness.check()).toMatchObject({ ready: true, degraded: [{ locationId: "locA", breaker: "open" }, { locationId: "locB", breaker: "half_open" }] });
    expect([hits - before, servedReads]).toEqual([1, 1]);
  });

  it("without a served-location list, judges by the locations the breaker knows; a failing list falls back to them", async () => {
    const breakerStates = () => [{ locationId: "locA", state: "open" as const }];
    expect((await createReadinessCheck({ upstreamBaseUrl: url, breakerStates }).check()).ready).toBe(false);
    const failing = createReadinessCheck({
      upstreamBaseUrl: url,
      breakerStates,
      servedLocations: () => Promise.reject(new Error("store unreadable")),
    });
    expect((await failing.check()).reasons).toEqual(["circuit breaker open for every served location: locA"]);
  });
});

describe("readiness handler", () => {
  const respond = async (report: Partial<Awaited<ReturnType<ReadinessCheck["check"]>>>, showLocations = true) => {
    let status = 0;
    let body: unknown;
    const check = async () => ({ ready: true, degraded: [], checks: [], reasons: [], ...report });
    await createReadinessHandler({ check }, { showLocations: () => showLocations })({ headers: {} }, {
      setHeader: () => undefined,
      status(code: number) {
        status = code;
        return { json: (b: unknown) => void (body = b) };
      },
    });
    return { status, body };
  };

  it("names no location to a caller it does not admit (counts instead)", async () => {
    const degraded = [{ locationId: "locA", breaker: "open" as const }, { locationId: "locB", breaker: "half_open" as const }];
    const checks = [{ name: "breaker" as const, ok: true, detail: "circuit breaker open: locA (1 of 3 served locations); other locations are served" }];
    const answer = await respond({ degraded, checks }, false);
    expect(JSON.stringify(answer)).not.toMatch(/locA|locB/);
    expect(answer).toEqual({
      status: 200,
      body: {
        status: "degraded",
        checks: [{ name: "breaker", ok: true, detail: "circuit breaker open for 1 location(s), half-open (probing) for 1 location(s); other locations are served" }],
        degraded: [{ breaker: "open" }, { breaker: "half_open" }],
      },
    });
    const down = await respond({ ready: false, degraded: [degraded[0]!], checks: [{ name: "breaker", ok: false, detail: "circuit breaker open for every served location: locA" }] }, false);
    expect(down.body).toMatchObject({ status: "not_ready", reason: "circuit breaker open for every served location" });
  });

  it("answers 200 ready, 200 degraded with the locations, or 503 with the reason", async () => {
    expect(await respond({})).toEqual({ status: 200, body: { status: "ready", checks: [] } });
    const degraded = [{ locationId: "locA", breaker: "open" as const }];
    expect(await respond({ degraded })).toEqual({ status: 200, body: { status: "degraded", checks: [], degraded } });
    expect(await respond({ ready: false, degraded, reasons: ["a", "b"] })).toEqual({
      status: 503,
      body: { status: "not_ready", reason: "a; b", checks: [], degraded },
    });
  });
});
