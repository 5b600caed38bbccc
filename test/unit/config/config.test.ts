import { generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, HIGHLEVEL_ED25519_PUBLIC_KEY_PEM, isDemoMode, loadConfig } from "../../../src/config/index.js";
import { createRateGovernor, slotWaitMs } from "../../../src/upstream/rate-governor.js";

const SECRET = "s".repeat(32);

function error(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`expected loadConfig(${JSON.stringify(env)}) to fail`);
}

describe("loadConfig", () => {
  it("gives the contract's defaults for an empty environment (demo mode)", () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.upstream.version).toBe("2021-07-28");
    expect(config.upstream.baseUrl).toBeUndefined();
    expect(config.webhooks.ed25519PublicKeyPem).toBe(HIGHLEVEL_ED25519_PUBLIC_KEY_PEM);
    expect(config.webhooks.replayWindowMs).toBe(90 * 60_000);
    expect(config.redis.url).toBeUndefined();
    expect(config.logLevel).toBe("info");
    expect(isDemoMode(config)).toBe(true);
    expect(Object.isFrozen(config.upstream)).toBe(true);
  });

  it("reads a real upstream configuration", () => {
    const config = loadConfig({
      PORT: "0",
      CONTACTS_API_URL: "https://services.leadconnectorhq.com/",
      CONTACTS_API_TOKEN: "pit-abc",
      CONTACTS_LOCATION_ID: "ve9EPM428h8vShlRW1KT",
      CONTACTS_API_SCOPES: "contacts.readonly contacts.write",
      AUTH_JWT_SECRET: SECRET,
      REDIS_URL: "redis://127.0.0.1:6379",
      LOG_LEVEL: "debug",
    });
    expect(config.port).toBe(0);
    expect(config.upstream.baseUrl).toBe("https://services.leadconnectorhq.com");
    expect(config.upstream.tokenScopes).toEqual(["contacts.readonly", "contacts.write"]);
    expect(isDemoMode(config)).toBe(false);
    expect(config.redis.url).toBe("redis://127.0.0.1:6379");
  });

  it.each([
    [{ PORT: "http" }, "PORT", "port number"],
    [{ PORT: "70000" }, "PORT", "port number"],
    [{ CONTACTS_API_URL: "ftp://x" }, "CONTACTS_API_URL", "http(s) URL"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", "one of fatal"],
    [{ REDIS_URL: "127.0.0.1:6379" }, "REDIS_URL", "redis://"],
    [{ AUTH_JWT_SECRET: "short" }, "AUTH_JWT_SECRET", "at least 32"],
    [{ CONTACTS_API_TOKEN: "pit-abc" }, "CONTACTS_LOCATION_ID", "set together"],
    [{ CONTACTS_LOCATION_ID: "abc" }, "CONTACTS_API_TOKEN", "set together"],
    [{ CONTACTS_API_VERSION: "v2" }, "CONTACTS_API_VERSION", "2021-07-28"],
    [{ WEBHOOK_ED25519_PUBLIC_KEY: "not a key" }, "WEBHOOK_ED25519_PUBLIC_KEY", "Ed25519"],
    [{ CREDENTIALS_KEY: "dG9vIHNob3J0" }, "CREDENTIALS_KEY", "32 bytes"],
    [{ CACHE_TTL_MS: "-5" }, "CACHE_TTL_MS", "milliseconds"],
    [{ WS_MAX_SUBSCRIPTIONS_PER_SOCKET: "0" }, "WS_MAX_SUBSCRIPTIONS_PER_SOCKET", "an integer from 1"],
    [{ HTTP_HEADERS_TIMEOUT_MS: "40000" }, "HTTP_HEADERS_TIMEOUT_MS", "at most HTTP_REQUEST_TIMEOUT_MS"],
    [{ CONTACTS_API_URL: "https://x.test", AUTH_JWT_SECRET: SECRET }, "CONTACTS_API_TOKEN", "set"],
  ])("rejects %j naming %s in one line", (env, variable, expected) => {
    const e = error(env as Record<string, string>);
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(variable);
    expect(e.message).toContain(expected);
    expect(e.message).not.toContain("\n");
  });

  it("bounds graphql-ws and the HTTP server by default", () => {
    const config = loadConfig({});
    expect(config.websocket).toEqual({ maxSubscriptionsPerSocket: 100, maxSubscriptionsPerCaller: 500, maxSocketsPerCaller: 20 });
    expect(config.http).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
    expect(config.queryLimits.maxDirectives).toBe(50);
  });

  it("never echoes the rejected value (it may be a secret)", () => {
    const e = error({ AUTH_JWT_SECRET: "hunter2-secret" });
    expect(e.message).not.toContain("hunter2");
  });

  it("accepts PEM keys of the right type only", () => {
    const ed = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(loadConfig({ WEBHOOK_ED25519_PUBLIC_KEY: ed }).webhooks.ed25519PublicKeyPem).toBe(ed);
    expect(error({ WEBHOOK_RSA_PUBLIC_KEY: ed }).variable).toBe("WEBHOOK_RSA_PUBLIC_KEY");
  });

  it("decodes a 32-byte credentials key and previous keys for rotation", () => {
    const key = randomBytes(32);
    const old = randomBytes(32);
    const config = loadConfig({ CREDENTIALS_KEY: key.toString("base64"), CREDENTIALS_KEY_PREVIOUS: old.toString("base64") });
    expect(config.credentials.key?.equals(key)).toBe(true);
    expect(config.credentials.previousKeys[0]?.equals(old)).toBe(true);
  });
});

describe("default upstream-cost budget", () => {
  it("fits what one location serves within the operation deadline at HighLevel's limits", () => {
    const config = loadConfig({});
    const governor = createRateGovernor({ policy: config.rateLimit });
    const limits = governor.limitsFor("any");
    // The wait for the budget's last call, from an idle location, ends before the deadline less
    // the answer's reserve (rate-governor.ts: 10 % of the interval).
    const lastCallAtMs = slotWaitMs({ entries: [], now: 0, limits, dailyUsed: 0, position: config.queryLimits.costBudget - 1 });
    expect(lastCallAtMs).toBeLessThanOrEqual(config.operationDeadlineMs - config.rateLimit.intervalMs / 10);
    // A 50-contact dashboard with its relations (102 calls estimated) is within it.
    expect(config.queryLimits.costBudget).toBeGreaterThanOrEqual(102);
  });

  it("reads the freshness, revalidation and warm-up settings, and names a bad one", () => {
    const config = loadConfig({});
    expect(config.webhooks.flowingWindowMs).toBe(1_800_000);
    expect(config.cache).toMatchObject({ webhookTtlMs: 14_400_000, revalidateAfterMs: 3_600_000, revalidateBudgetPercent: 10 });
    expect(config.warmUp).toEqual({ contacts: 100, pageSizes: [20, 25, 50], budgetPercent: 30 });
    expect(loadConfig({ WARMUP_CONTACTS: "0", WARMUP_PAGE_SIZES: "10,40" }).warmUp).toMatchObject({ contacts: 0, pageSizes: [10, 40] });
    expect(error({ WARMUP_PAGE_SIZES: "20,0" }).message).toContain("WARMUP_PAGE_SIZES");
    expect(error({ WARMUP_PAGE_SIZES: "twenty" }).message).toContain("WARMUP_PAGE_SIZES");
    expect(error({ WARMUP_BUDGET_PERCENT: "0" }).message).toContain("WARMUP_BUDGET_PERCENT");
    expect(error({ CACHE_REVALIDATE_BUDGET_PERCENT: "101" }).message).toContain("CACHE_REVALIDATE_BUDGET_PERCENT");
    expect(error({ WARMUP_CONTACTS: "101" }).message).toContain("WARMUP_CONTACTS");
  });

  it("reads when a query is compiled: its 3rd execution by default, 0 for never, and names a value it cannot use", () => {
    expect(loadConfig({}).execution.compileOnRun).toBe(3);
    expect(loadConfig({ COMPILE_ON_RUN: "0" }).execution.compileOnRun).toBe(0);
    expect(loadConfig({ COMPILE_ON_RUN: "1" }).execution.compileOnRun).toBe(1);
    for (const bad of ["-1", "1001", "2.5", "often"]) {
      expect(error({ COMPILE_ON_RUN: bad }).message).toBe("Invalid configuration: COMPILE_ON_RUN must be an integer from 0 to 1000 (0 = never compile)");
    }
  });

  it("reads the response cache's bound in MiB: 16 by default, and names a value it cannot use", () => {
    expect(loadConfig({}).cache.responseMaxBytes).toBe(16 * 1024 * 1024);
    expect(loadConfig({ RESPONSE_CACHE_MAX_MB: "64" }).cache.responseMaxBytes).toBe(64 * 1024 * 1024);
    for (const bad of ["0", "4097", "1.5", "lots"]) {
      expect(error({ RESPONSE_CACHE_MAX_MB: bad }).message).toBe("Invalid configuration: RESPONSE_CACHE_MAX_MB must be an integer from 1 to 4096 (MiB)");
    }
  });

  it("reads V8's heap-growing percent: 50 by default, 0 for V8's own heuristic, and names a value it cannot use", () => {
    expect(loadConfig({}).heapGrowingPercent).toBe(50);
    expect(loadConfig({ HEAP_GROWING_PERCENT: "0" }).heapGrowingPercent).toBe(0);
    expect(loadConfig({ HEAP_GROWING_PERCENT: "100" }).heapGrowingPercent).toBe(100);
    for (const bad of ["5", "301", "1.5", "-10", "half"]) {
      expect(error({ HEAP_GROWING_PERCENT: bad }).message).toBe(
        "Invalid configuration: HEAP_GROWING_PERCENT must be 0 (V8's own heuristic) or a percentage from 10 to 300",
      );
    }
  });
});
