// The encrypted credential store: AES-256-GCM envelopes, key rotation, file and Redis backends.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { deleteKeysWithPrefix as deleteKeys } from "../../support/redis.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createCredentialCipher,
  createCredentialStore,
  createFileCredentialBackend,
  createMemoryCredentialBackend,
  createRedisCredentialBackend,
  credentialsHashKey,
  type CredentialBackend,
  type StoredCredential,
} from "../../../src/credentials/index.js";

const ACCESS = "access-" + randomBytes(12).toString("hex");
const REFRESH = "refresh-" + randomBytes(12).toString("hex");

function record(locationId = "locA1", accessToken = ACCESS): StoredCredential {
  return {
    locationId,
    accessToken,
    refreshToken: REFRESH,
    expiresAt: 1_900_000_000_000,
    scopes: ["contacts.readonly", "contacts.write"],
    companyId: "comp1",
    userType: "Location",
    updatedAt: 1_800_000_000_000,
  };
}

describe("credential cipher", () => {
  it("round-trips, uses a fresh 12-byte IV per record and binds the location id", () => {
    const cipher = createCredentialCipher({ key: randomBytes(32) });
    const a = cipher.encrypt(record());
    const b = cipher.encrypt(record());
    expect(Buffer.from(a.iv, "base64")).toHaveLength(12);
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
    expect(cipher.decrypt("locA1", a)).toEqual({ record: record(), stale: false });
    expect(() => cipher.decrypt("locB2", a)).toThrow(/failed authentication/);
  });

  it("rejects a tampered ciphertext", () => {
    const cipher = createCredentialCipher({ key: randomBytes(32) });
    const env = cipher.encrypt(record());
    const bytes = Buffer.from(env.data, "base64");
    bytes[0] = bytes[0]! ^ 1;
    expect(() => cipher.decrypt("locA1", { ...env, data: bytes.toString("base64") })).toThrow(/failed authentication/);
  });

  it("names the unknown key id when no configured key fits", () => {
    const env = createCredentialCipher({ key: randomBytes(32) }).encrypt(record());
    expect(() => createCredentialCipher({ key: randomBytes(32) }).decrypt("locA1", env)).toThrow(
      /neither CREDENTIALS_KEY .* nor in CREDENTIALS_KEY_PREVIOUS/,
    );
  });
});

describe("key rotation", () => {
  it("old records decrypt with a previous key, are re-encrypted on read, and reencryptAll migrates the rest", async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const backend = createMemoryCredentialBackend();
    const before = createCredentialStore({ backend, cipher: createCredentialCipher({ key: oldKey }) });
    await before.put(record("loc1"));
    await before.put(record("loc2"));
    await before.put(record("loc3"));

    const rotated = createCredentialCipher({ key: newKey, previousKeys: [oldKey] });
    const after = createCredentialStore({ backend, cipher: rotated });
    expect((await backend.get("loc1"))!.kid).not.toBe(rotated.currentKeyId);
    expect(await after.get("loc1")).toEqual(record("loc1"));
    expect((await backend.get("loc1"))!.kid).toBe(rotated.currentKeyId); // re-encrypted on read

    expect(await after.reencryptAll()).toBe(2);
    expect(await after.reencryptAll()).toBe(0);
    // Now the old key can be dropped.
    const newOnly = createCredentialStore({ backend, cipher: createCredentialCipher({ key: newKey }) });
    expect((await newOnly.list()).map((r) => r.locationId).sort()).toEqual(["loc1", "loc2", "loc3"]);
  });
});

describe("re-encryption never overwrites a newer record", () => {
  async function race(backend: CredentialBackend) {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await createCredentialStore({ backend, cipher: createCredentialCipher({ key: oldKey }) }).put(record("loc1", "old-token"));
    const rotated = createCredentialCipher({ key: newKey, previousKeys: [oldKey] });
    const writer = createCredentialStore({ backend, cipher: rotated });
    // A reader whose read is overtaken by a refresh (writer.put) before it re-encrypts.
    const racing: CredentialBackend = {
      ...backend,
      get: async (id) => {
        const envelope = await backend.get(id);
        await writer.put(record("loc1", "refreshed-token"));
        return envelope;
      },
      replaceIf: (...args) => backend.replaceIf(...args),
    };
    const reader = createCredentialStore({ backend: racing, cipher: rotated });
    expect((await reader.get("loc1"))!.accessToken).toBe("old-token"); // what it read
    expect((await writer.get("loc1"))!.accessToken).toBe("refreshed-token"); // the refresh survived
  }

  it("memory backend", async () => {
    await race(createMemoryCredentialBackend());
  });

  it("redis backend (Lua compare-and-set)", async () => {
    const redis = new Redis("redis://127.0.0.1:6379");
    const prefix = `test:ops-cas:${process.pid}:${randomBytes(4).toString("hex")}:`;
    try {
      await race(createRedisCredentialBackend({ redis, keyPrefix: prefix }));
    } finally {
      await deleteKeys(redis, prefix);
      await redis.quit();
    }
  });
});

describe("file backend", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "cgw-cred-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a 0600 file that holds no token text, atomically, and survives a new process view", async () => {
    const key = randomBytes(32);
    const backend = createFileCredentialBackend({ dataDir: dir });
    const store = createCredentialStore({ backend, cipher: createCredentialCipher({ key }) });
    await Promise.all([store.put(record("loc1")), store.put(record("loc2", ACCESS + "2"))]);
    await store.close();

    const text = await readFile(backend.filePath, "utf8");
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(REFRESH);
    expect(text).not.toContain(key.toString("base64"));
    expect((await stat(backend.filePath)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // A fresh backend (as after a restart) reads both records.
    const reopened = createCredentialStore({
      backend: createFileCredentialBackend({ dataDir: dir }),
      cipher: createCredentialCipher({ key }),
    });
    expect(await reopened.get("loc1")).toEqual(record("loc1"));
    expect((await reopened.get("loc2"))!.accessToken).toBe(ACCESS + "2");
  });

  it("says what it expected when the file is not a credential file", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "cgw-cred-bad-"));
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(other, "credentials.json"), "not json");
    const backend = createFileCredentialBackend({ dataDir: other });
    await expect(backend.entries()).rejects.toThrow(/expected JSON \{version:1,records/);
    await rm(other, { recursive: true, force: true });
  });
});

describe("redis backend", () => {
  const prefix = `test:ops-cred:${process.pid}:${randomBytes(4).toString("hex")}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: false, maxRetriesPerRequest: 2 });
  });
  afterEach(async () => {
    await deleteKeys(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it("stores envelopes in one hash under the key prefix, never the token text", async () => {
    const store = createCredentialStore({
      backend: createRedisCredentialBackend({ redis, keyPrefix: prefix }),
      cipher: createCredentialCipher({ key: randomBytes(32) }),
    });
    await store.put(record("loc1"));
    const raw = await redis.hgetall(credentialsHashKey(prefix));
    expect(Object.keys(raw)).toEqual(["loc1"]);
    expect(raw.loc1).not.toContain(ACCESS);
    expect(await store.get("loc1")).toEqual(record("loc1"));
    await store.delete("loc1");
    expect(await store.get("loc1")).toBeUndefined();
  });
});
