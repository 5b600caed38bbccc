/**
 * The encrypted credential store: per-location `StoredCredential` records, encrypted with
 * AES-256-GCM before they reach a backend (file by default, Redis when configured). Key rotation:
 * records read with a previous key are re-encrypted with the current key on read, every write uses
 * the current key, and `reencryptAll()` migrates every record at once (after which the previous
 * keys can be dropped from CREDENTIALS_KEY_PREVIOUS).
 */
import type { Redis } from "ioredis";
import { createCredentialCipher, type CredentialCipher } from "./credential.cipher.js";
import { createFileCredentialBackend, createMemoryCredentialBackend } from "./credential-file.backend.js";
import { createRedisCredentialBackend } from "./credential-redis.backend.js";
import type { CredentialBackend, StoredCredential } from "./credential.types.js";

export interface CredentialStore {
  readonly backendKind: CredentialBackend["kind"];
  get(locationId: string): Promise<StoredCredential | undefined>;
  put(record: StoredCredential): Promise<void>;
  delete(locationId: string): Promise<void>;
  list(): Promise<StoredCredential[]>;
  /** Re-encrypts every record still under a previous key; returns how many were rewritten. */
  reencryptAll(): Promise<number>;
  close(): Promise<void>;
}

export interface CredentialStoreOptions {
  backend: CredentialBackend;
  cipher: CredentialCipher;
}

export function createCredentialStore(options: CredentialStoreOptions): CredentialStore {
  const { backend, cipher } = options;

  const write = (record: StoredCredential) => backend.set(record.locationId, cipher.encrypt(record));
  // Re-encryption under the current key must never overwrite a record written meanwhile (a refresh
  // on another instance): it only replaces the exact envelope it read.
  const reencrypt = (record: StoredCredential, readIv: string) => backend.replaceIf(record.locationId, readIv, cipher.encrypt(record));

  return {
    backendKind: backend.kind,
    async get(locationId) {
      const envelope = await backend.get(locationId);
      if (envelope === undefined) return undefined;
      const { record, stale } = cipher.decrypt(locationId, envelope);
      if (stale) await reencrypt(record, envelope.iv);
      return record;
    },
    async put(record) {
      validate(record);
      await write(record);
    },
    async delete(locationId) {
      await backend.delete(locationId);
    },
    async list() {
      const records: StoredCredential[] = [];
      for (const [locationId, envelope] of await backend.entries()) {
        const { record, stale } = cipher.decrypt(locationId, envelope);
        if (stale) await reencrypt(record, envelope.iv);
        records.push(record);
      }
      return records;
    },
    async reencryptAll() {
      let count = 0;
      for (const [locationId, envelope] of await backend.entries()) {
        if (envelope.kid === cipher.currentKeyId) continue;
        const { record } = cipher.decrypt(locationId, envelope);
        if (await reencrypt(record, envelope.iv)) count += 1;
      }
      return count;
    },
    close: () => backend.close(),
  };
}

function validate(record: StoredCredential): void {
  if (typeof record.locationId !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(record.locationId)) {
    throw new TypeError(`credential record: locationId must be 1-64 letters, digits, _ or -, received ${JSON.stringify(record.locationId)}`);
  }
  if (typeof record.accessToken !== "string" || record.accessToken.length === 0) {
    throw new TypeError("credential record: accessToken must be a non-empty string");
  }
  if (!Array.isArray(record.scopes)) throw new TypeError("credential record: scopes must be an array of strings");
}

export interface CredentialStoreFromConfigOptions {
  /** config.credentials */
  credentials: { key: Buffer | undefined; previousKeys: readonly Buffer[]; dataDir: string };
  /** config.redis.keyPrefix, used with `redis`. */
  keyPrefix: string;
  /** When given (REDIS_URL set), records live in Redis; otherwise in the data-dir file. */
  redis?: Redis;
  /** Force a memory backend (tests, demo mode without a data dir). */
  memory?: boolean;
}

/**
 * The store the configuration asks for, or `undefined` when no CREDENTIALS_KEY is set (then only
 * the environment's static token is served).
 */
export function createCredentialStoreFromConfig(options: CredentialStoreFromConfigOptions): CredentialStore | undefined {
  const key = options.credentials.key;
  if (key === undefined) return undefined;
  const cipher = createCredentialCipher({ key, previousKeys: options.credentials.previousKeys });
  const backend = options.memory
    ? createMemoryCredentialBackend()
    : options.redis
      ? createRedisCredentialBackend({ redis: options.redis, keyPrefix: options.keyPrefix })
      : createFileCredentialBackend({ dataDir: options.credentials.dataDir });
  return createCredentialStore({ backend, cipher });
}
