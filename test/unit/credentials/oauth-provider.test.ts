// The OAuth credential provider: refresh before expiry and after rejection, single-flight per
// location, persist-before-use, and one refresh across two instances sharing Redis.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCredentialCipher,
  createCredentialStore,
  createMemoryCredentialBackend,
  createOAuthCredentialProvider,
  createRedisCredentialBackend,
  createRedisRefreshLock,
  createCompositeCredentialProvider,
  type CredentialStore,
  type OAuthTokenClient,
  type TokenGrant,
} from "../../../src/credentials/index.js";
import { OAuthTokenError } from "../../../src/credentials/oauth-token.client.js";
import type { CredentialProvider } from "../../../src/upstream/credentials.types.js";
import { deleteKeysWithPrefix as deleteKeys } from "../../support/redis.js";

/** A token endpoint with HighLevel's single-use refresh tokens; answers after a tick so callers overlap. */
function fakeTokenEndpoint(ttlSec = 3600) {
  let n = 0;
  const valid = new Set<string>(["r0"]);
  const calls: string[] = [];
  let rejected = 0;
  const client: OAuthTokenClient = {
    tokenUrl: "http://fake/oauth/token",
    async exchangeCode() {
      throw new Error("not used");
    },
    async refresh(refreshToken): Promise<TokenGrant> {
      calls.push(refreshToken);
      await new Promise((r) => setTimeout(r, 20));
      if (!valid.delete(refreshToken)) {
        rejected += 1;
        throw new OAuthTokenError("token endpoint answered 401 (invalid_grant)", "rejected", 401, "invalid_grant");
      }
      n += 1;
      valid.add(`r${n}`);
      return {
        accessToken: `a${n}`,
        refreshToken: `r${n}`,
        expiresInSec: ttlSec,
        scopes: ["contacts.readonly"],
        userType: "Location",
        locationId: "loc1",
        companyId: undefined,
        userId: undefined,
      };
    },
  };
  return { client, calls, get rejected() { return rejected; } };
}

async function seed(store: CredentialStore, expiresAt: number, updatedAt = expiresAt - 3_600_000) {
  await store.put({ locationId: "loc1", accessToken: "a0", refreshToken: "r0", expiresAt, scopes: ["contacts.readonly"], userType: "Location", updatedAt });
}

function memoryStore() {
  return createCredentialStore({ backend: createMemoryCredentialBackend(), cipher: createCredentialCipher({ key: randomBytes(32) }) });
}

describe("OAuth credential provider", () => {
  it("serves a valid token without refreshing", async () => {
    const store = memoryStore();
    const endpoint = fakeTokenEndpoint();
    await seed(store, Date.now() + 3_600_000, Date.now());
    const provider = createOAuthCredentialProvider({ store, tokenClient: endpoint.client, refreshSkewMs: 60_000 });
    expect(await provider.getAccessToken("loc1")).toBe("a0");
    expect(await provider.hasLocation("loc1")).toBe(true);
    expect(await provider.hasLocation("other")).toBe(false);
    expect(endpoint.calls).toEqual([]);
  });

  it("50 concurrent calls inside the refresh skew make exactly one refresh, persisted before use", async () => {
    const store = memoryStore();
    const endpoint = fakeTokenEndpoint();
    let t = 1_000_000_000;
    await seed(store, t + 30_000, t - 3_570_000);
    const refreshes: string[] = [];
    const provider = createOAuthCredentialProvider({
      store,
      tokenClient: endpoint.client,
      refreshSkewMs: 60_000,
      now: () => t,
      onRefresh: (e) => refreshes.push(e.outcome),
    });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => provider.getAccessToken("loc1")));
    expect(new Set(tokens)).toEqual(new Set(["a1"]));
    expect(endpoint.calls).toEqual(["r0"]);
    expect(refreshes).toEqual(["refreshed"]);
    const stored = await store.get("loc1");
    expect(stored).toMatchObject({ accessToken: "a1", refreshToken: "r1", expiresAt: t + 3_600_000 });
    t += 1000;
    expect(await provider.getAccessToken("loc1")).toBe("a1");
    expect(endpoint.calls).toHaveLength(1);
  });

  it("refreshes once after an Invalid-token rejection, and late rejections of the old token reuse the new one", async () => {
    const store = memoryStore();
    const endpoint = fakeTokenEndpoint();
    await seed(store, Date.now() + 3_600_000, Date.now());
    const provider = createOAuthCredentialProvider({ store, tokenClient: endpoint.client, refreshSkewMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => provider.refreshAfterRejection!("loc1", "a0")));
    expect(new Set(results)).toEqual(new Set(["a1"]));
    expect(await provider.refreshAfterRejection!("loc1", "a0")).toBe("a1");
    expect(endpoint.calls).toEqual(["r0"]);
  });

  it("does not hand out a token whose refresh pair could not be persisted", async () => {
    const inner = memoryStore();
    await seed(inner, Date.now() + 3_600_000, Date.now());
    const failing: CredentialStore = { ...inner, put: async () => Promise.reject(new Error("disk full")) };
    const endpoint = fakeTokenEndpoint();
    const provider = createOAuthCredentialProvider({ store: failing, tokenClient: endpoint.client });
    await expect(provider.refreshAfterRejection!("loc1", "a0")).rejects.toThrow(/disk full/);
  });

  it("a refused refresh becomes an UpstreamError that names the location and the fix, without the token", async () => {
    const store = memoryStore();
    await store.put({ locationId: "loc1", accessToken: "a0", refreshToken: "spent", scopes: [], userType: "Location", updatedAt: Date.now() });
    const provider = createOAuthCredentialProvider({ store, tokenClient: fakeTokenEndpoint().client });
    const error = await provider.refreshAfterRejection!("loc1", "a0").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "UpstreamError", reason: "invalid_token" });
    expect(String((error as Error).message)).toMatch(/location loc1 .*reinstall/);
    expect(String((error as Error).message)).not.toContain("spent");
  });

  it("unknown locations are refused with no_credentials", async () => {
    const provider = createOAuthCredentialProvider({ store: memoryStore() });
    await expect(provider.getAccessToken("nope")).rejects.toMatchObject({ reason: "no_credentials", code: "FORBIDDEN" });
  });

  it("the composite puts a static location next to the stored ones", async () => {
    const store = memoryStore();
    await seed(store, Date.now() + 3_600_000, Date.now());
    const oauth = createOAuthCredentialProvider({ store });
    const staticProvider: CredentialProvider = {
      hasLocation: (id) => id === "pit",
      locations: () => ["pit"],
      getAccessToken: async () => "pit-token",
      grantedScopes: () => ["contacts.readonly", "contacts.write"],
    };
    const composite = createCompositeCredentialProvider({ providers: [staticProvider, oauth] });
    expect((await composite.locations()).sort()).toEqual(["loc1", "pit"]);
    expect(await composite.getAccessToken("pit")).toBe("pit-token");
    expect(await composite.getAccessToken("loc1")).toBe("a0");
    expect(composite.grantedScopes("loc1")).toEqual(["contacts.readonly"]);
    expect(await composite.refreshAfterRejection!("pit", "pit-token")).toBeUndefined();
    await expect(composite.getAccessToken("zzz")).rejects.toMatchObject({ reason: "no_credentials" });
  });
});

describe("two instances sharing Redis", () => {
  const prefix = `test:ops-prov:${process.pid}:${randomBytes(4).toString("hex")}:`;
  let redisA: Redis;
  let redisB: Redis;
  beforeAll(() => {
    redisA = new Redis("redis://127.0.0.1:6379");
    redisB = new Redis("redis://127.0.0.1:6379");
  });
  afterAll(async () => {
    await deleteKeys(redisA, prefix);
    await Promise.all([redisA.quit(), redisB.quit()]);
  });

  it("rejections on both instances at once → one refresh; the other instance waits and re-reads", async () => {
    const key = randomBytes(32);
    const endpoint = fakeTokenEndpoint();
    const make = (redis: Redis) => {
      const store = createCredentialStore({
        backend: createRedisCredentialBackend({ redis, keyPrefix: prefix }),
        cipher: createCredentialCipher({ key }),
      });
      return {
        store,
        provider: createOAuthCredentialProvider({
          store,
          tokenClient: endpoint.client,
          lock: createRedisRefreshLock({ redis, keyPrefix: prefix, pollIntervalMs: 5 }),
        }),
      };
    };
    const a = make(redisA);
    const b = make(redisB);
    await seed(a.store, Date.now() + 3_600_000, Date.now());
    await Promise.all([a.provider.load(), b.provider.load()]);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).provider.refreshAfterRejection!("loc1", "a0")),
    );
    expect(new Set(results)).toEqual(new Set(["a1"]));
    expect(endpoint.calls).toEqual(["r0"]);
    expect(endpoint.rejected).toBe(0);
    expect(await redisA.exists(`${prefix}credentials:lock:loc1`)).toBe(0);
  });
});
