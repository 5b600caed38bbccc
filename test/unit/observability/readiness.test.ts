// Readiness: upstream reachability (any HTTP answer counts), Redis PING, breaker states, and a
// short result cache so probes never hammer the upstream.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadinessCheck } from "../../../src/observability/readiness.js";

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

  it("names an unreachable upstream and open breakers", async () => {
    const report = await createReadinessCheck({
      upstreamBaseUrl: "http://127.0.0.1:9",
      breakerStates: () => [
        { name: "locA", state: "open" },
        { name: "locB", state: "half_open" },
      ],
    }).check();
    expect(report.ready).toBe(false);
    expect(report.reasons).toEqual(["upstream unreachable (ECONNREFUSED)", "circuit breaker open: locA"]);
  });
});
