// Two gateway instances sharing Redis (REDIS_URL, unique key prefix): a location installed through
// one is served by both; when its access token is rejected while 50 queries are spread over both
// instances, exactly one refresh reaches the token endpoint (Redis lock + re-read), none is rejected.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCredentialCipher, createCredentialStore, createRedisCredentialBackend, credentialsHashKey } from "../../src/credentials/index.js";
import type { Gateway } from "../../src/server/index.js";
import { DEMO_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { deleteKeysWithPrefix as deleteKeys } from "../support/redis.js";
import { OAUTH_CLIENT, OPS_JWT_SECRET, callerToken, capturedLogs, gql, installViaOAuth, startOpsGateway } from "../support/ops-stack.js";

const KEY = randomBytes(32);
const PREFIX = `test:ops-e2e:${process.pid}:${randomBytes(4).toString("hex")}:`;
let sim: Simulator;
let redis: Redis;
let a: Gateway;
let b: Gateway;
const installCodes: string[] = [];
const CONTACT_QUERY = "query($id: ID!) { contact(id: $id) { id firstName } }";

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rateLimit: { burst: 100_000 }, oauth: { clients: [OAUTH_CLIENT], accessTokenTtlSec: 3600 } });
  redis = new Redis("redis://127.0.0.1:6379");
  const env = { CREDENTIALS_KEY: KEY.toString("base64"), REDIS_URL: "redis://127.0.0.1:6379", REDIS_KEY_PREFIX: PREFIX, DATA_DIR: "/nonexistent-never-used" };
  a = await startOpsGateway({ simUrl: sim.url, env });
  b = await startOpsGateway({ simUrl: sim.url, env });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await sim?.close();
  await deleteKeys(redis, PREFIX);
  await redis.quit();
});

describe("two instances on Redis", () => {
  it("a location installed through instance A is served by instance B; the record in Redis is encrypted", async () => {
    const walk = await installViaOAuth(a.url);
    installCodes.push(walk.code);
    expect(walk.callback.status).toBe(200);
    const raw = await redis.hget(credentialsHashKey(PREFIX), DEMO_LOCATION_ID);
    expect(raw).toBeTruthy();
    expect(raw).not.toMatch(/sim-oauth-|sim-refresh-/);
    const token = await callerToken(DEMO_LOCATION_ID);
    const viaB = await gql(b.url, "{ contacts(first: 2) { nodes { id } } }", token);
    expect(viaB.body.errors).toBeUndefined();
    expect(viaB.body.data?.contacts.nodes).toHaveLength(2);
  });

  it("50 concurrent queries over both instances after the token is rejected → exactly one refresh, none rejected", async () => {
    const token = await callerToken(DEMO_LOCATION_ID);
    // Both instances hold the current token in memory.
    for (const g of [a, b]) expect((await gql(g.url, CONTACT_QUERY, token, { id: sim.data.listContacts(DEMO_LOCATION_ID)[5]!.id })).body.errors).toBeUndefined();
    const before = { ...sim.oauth.counts };
    sim.oauth.expireAccessTokens();
    const ids = sim.data.listContacts(DEMO_LOCATION_ID).slice(20, 70).map((c) => c.id);
    const results = await Promise.all(ids.map((id, i) => gql((i % 2 ? a : b).url, CONTACT_QUERY, token, { id })));
    expect(results.filter((r) => r.body.errors !== undefined)).toEqual([]);
    expect(sim.oauth.counts.refreshToken - before.refreshToken).toBe(1);
    expect(sim.oauth.counts.rejected - before.rejected).toBe(0);
    // Both instances reached the upstream with the new token.
    const recent = sim.requests.filter((r) => r.route === "/contacts/:contactId" && r.status === 200).slice(-50);
    expect(new Set(recent.map((r) => r.token)).size).toBe(1);
    // The lock is released.
    expect(await redis.exists(`${PREFIX}credentials:lock:${DEMO_LOCATION_ID}`)).toBe(0);
  });

  it("no secret in the logs of either instance", async () => {
    const secrets = new Set<string>([OAUTH_CLIENT.clientSecret, KEY.toString("base64"), OPS_JWT_SECRET]);
    const store = createCredentialStore({ backend: createRedisCredentialBackend({ redis, keyPrefix: PREFIX }), cipher: createCredentialCipher({ key: KEY }) });
    const record = await store.get(DEMO_LOCATION_ID);
    secrets.add(record!.accessToken);
    secrets.add(record!.refreshToken!);
    for (const code of installCodes) secrets.add(code);
    for (const r of sim.requests) {
      if (r.token) secrets.add(r.token);
      const body = r.body as Record<string, unknown> | undefined;
      for (const f of ["code", "refresh_token"]) if (body && typeof body[f] === "string") secrets.add(body[f] as string);
    }
    expect(secrets.size).toBeGreaterThan(5);
    expect(capturedLogs.length).toBeGreaterThan(0);
    expect(capturedLogs.filter((line) => [...secrets].some((s) => line.includes(s)))).toEqual([]);
  });
});
