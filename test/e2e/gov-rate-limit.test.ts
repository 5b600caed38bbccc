/**
 * The rate governor against the simulator's real limit (shortened to 1 s so the test runs in
 * seconds): a cold 50-contact dashboard (151 calls) over a 100-per-interval limit completes with
 * no upstream 429 and never more than 100 requests in any 1 s window of the simulator's log; two
 * gateway instances sharing Redis stay inside the limit together.
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/logger.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { demoUpstreamCredentials } from "../../src/simulator/index.js";
import { maxInAnyWindow } from "../support/request-window.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";
import { LOCATION_A, startStack, TEST_JWT_SECRET, type Stack } from "../support/harness.js";
import { deleteKeysWithPrefix } from "../support/redis.js";

const INTERVAL_MS = 1_000;
const BURST = 100;
const DASHBOARD = `query Dashboard($first: Int) {
  contacts(first: $first) { nodes { id name tasks { id } notes { id } appointments { id } } }
}`;


const env = {
  RATE_LIMIT_BURST: String(BURST),
  RATE_LIMIT_INTERVAL_MS: String(INTERVAL_MS),
  RATE_LIMIT_MAX_WAIT_MS: "20000",
  CACHE_TTL_MS: "0",
};

describe("rate governor (e2e)", () => {
  it("runs a cold 151-call dashboard over a 100/interval limit without a 429 or an overfull window", async () => {
    await using stack = await startStack({ simulator: { rateLimit: { burst: BURST, intervalMs: INTERVAL_MS } }, env });
    const token = await stack.tokenFor();
    const res = await stack.gql(DASHBOARD, { first: 50 }, token);
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { contacts: { nodes: unknown[] } }).contacts.nodes).toHaveLength(50);
    const log = stack.sim.requests;
    expect(log).toHaveLength(151);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(maxInAnyWindow(log, INTERVAL_MS)).toBeLessThanOrEqual(BURST);
    // It did have to wait: the calls span more than one interval.
    const times = log.map((r) => r.time);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(INTERVAL_MS);
    // the governor's view is on /metrics (95 = the burst less the 5 % safety margin)
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toContain(`cgw_upstream_rate_limit_max{location_id="${LOCATION_A}",window="burst"} 95`);
    expect(metrics).toMatch(new RegExp(`cgw_upstream_rate_limit_remaining\\{location_id="${LOCATION_A}",window="burst"\\} \\d+`));
  });

  it("fails fast with UPSTREAM_RATE_LIMITED and the expected wait when the wait would pass the operation's deadline", async () => {
    await using stack = await startStack({
      simulator: { rateLimit: { burst: BURST, intervalMs: 10_000 } },
      env: { ...env, RATE_LIMIT_INTERVAL_MS: "10000", OPERATION_DEADLINE_MS: "2000" },
    });
    const token = await stack.tokenFor();
    const res = await stack.gql(DASHBOARD, { first: 50 }, token);
    const limited = (res.body.errors ?? []).filter((e) => e.extensions?.["code"] === "UPSTREAM_RATE_LIMITED");
    expect(limited.length).toBeGreaterThan(0);
    for (const e of limited) expect(e.extensions?.["retryAfterMs"]).toBeGreaterThan(2_000);
    // partial results: the contacts and the relations that fitted the budget arrived
    expect((res.body.data as { contacts: { nodes: unknown[] } }).contacts.nodes).toHaveLength(50);
    expect(stack.sim.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(stack.sim.requests.length).toBeLessThanOrEqual(BURST);
  });
});

describe("rate governor shared through Redis (e2e)", () => {
  const prefix = `test:gov-e2e:${randomUUID()}:`;
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it("keeps two loaded instances together inside one location's limit", async () => {
    const redisEnv = { ...env, REDIS_URL: "redis://127.0.0.1:6379", REDIS_KEY_PREFIX: prefix };
    await using stack: Stack = await startStack({ simulator: { rateLimit: { burst: BURST, intervalMs: INTERVAL_MS } }, env: redisEnv });
    // A second gateway on the same simulator and token, sharing the Redis budget.
    const token = demoUpstreamCredentials(stack.sim.tokens)[LOCATION_A]!;
    const second: Gateway = await createGateway({
      config: loadConfig({ ...redisEnv, WARMUP_CONTACTS: "0", PORT: "0", HOST: "127.0.0.1", AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "silent" }),
      logger: createLogger({ level: "silent", destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      credentials: new StaticCredentialProvider({ [LOCATION_A]: { token: token.token, scopes: [...token.scopes] } }),
      upstreamBaseUrl: stack.sim.url,
      jwtSecret: TEST_JWT_SECRET,
    });
    try {
      const caller = await stack.tokenFor();
      const viaSecond = (first: number) =>
        fetch(`${second.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${caller}` },
          body: JSON.stringify({ query: DASHBOARD, variables: { first } }),
        }).then((r) => r.json() as Promise<{ errors?: unknown[]; data?: unknown }>);
      const [a, b] = await Promise.all([stack.gql(DASHBOARD, { first: 50 }, caller), viaSecond(50)]);
      expect(a.body.errors).toBeUndefined();
      expect(b.errors).toBeUndefined();

      const log = stack.sim.requests;
      expect(log).toHaveLength(2 * 151);
      expect(log.filter((r) => r.status === 429)).toEqual([]);
      expect(maxInAnyWindow(log, INTERVAL_MS)).toBeLessThanOrEqual(BURST);
      // the budget really lived in Redis under this run's prefix
      const [, keys] = await redis.scan("0", "MATCH", `${prefix}rl:*`, "COUNT", 1000);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });
});
