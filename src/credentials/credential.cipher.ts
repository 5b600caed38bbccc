/**
 * AES-256-GCM encryption of credential records. The current key encrypts; previous keys (rotation)
 * still decrypt, and `decrypt` says when a record was read with an old key so the store can
 * re-encrypt it. The location id is bound as additional authenticated data, so an envelope copied
 * to another location's slot fails to decrypt. Never logs, never puts key or plaintext in errors.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { CredentialEnvelope, StoredCredential } from "./credential.types.js";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_PREFIX = "contacts-gateway/credential/v1:";

export class CredentialCipherError extends Error {
  override readonly name = "CredentialCipherError";
}

/** Key id: a short, non-reversible fingerprint of a key (first 16 hex chars of its SHA-256). */
export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export interface CredentialCipherOptions {
  /** 32-byte key that encrypts (config.credentials.key). */
  key: Buffer;
  /** Older 32-byte keys that still decrypt (config.credentials.previousKeys). */
  previousKeys?: readonly Buffer[];
}

export interface DecryptedCredential {
  record: StoredCredential;
  /** True when an older key decrypted it: re-encrypt with the current key. */
  stale: boolean;
}

export interface CredentialCipher {
  readonly currentKeyId: string;
  encrypt(record: StoredCredential): CredentialEnvelope;
  decrypt(locationId: string, envelope: CredentialEnvelope): DecryptedCredential;
}

export function createCredentialCipher(options: CredentialCipherOptions): CredentialCipher {
  const keys = new Map<string, Buffer>();
  for (const key of [options.key, ...(options.previousKeys ?? [])]) {
    if (key.length !== 32) {
      throw new CredentialCipherError(`credential key must be 32 bytes, received ${key.length} bytes`);
    }
    const id = keyId(key);
    if (!keys.has(id)) keys.set(id, key);
  }
  const currentKeyId = keyId(options.key);

  return {
    currentKeyId,
    encrypt(record) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", options.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(AAD_PREFIX + record.locationId, "utf8"));
      const data = Buffer.concat([cipher.update(JSON.stringify(record), "utf8"), cipher.final()]);
      return {
        v: 1,
        kid: currentKeyId,
        iv: iv.toString("base64"),
        tag: cipher.getAuthTag().toString("base64"),
        data: data.toString("base64"),
      };
    },
    decrypt(locationId, envelope) {
      if (!envelope || envelope.v !== 1 || typeof envelope.data !== "string") {
        throw new CredentialCipherError(
          `credential record of location ${locationId}: expected an envelope {v:1,kid,iv,tag,data}, received ${describe(envelope)}`,
        );
      }
      const key = keys.get(envelope.kid);
      if (key === undefined) {
        throw new CredentialCipherError(
          `credential record of location ${locationId} was encrypted with key id ${envelope.kid}, which is neither CREDENTIALS_KEY (${currentKeyId}) nor in CREDENTIALS_KEY_PREVIOUS`,
        );
      }
      let plaintext: string;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(envelope.iv, "base64"), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(AAD_PREFIX + locationId, "utf8"));
        decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
        plaintext = Buffer.concat([decipher.update(Buffer.from(envelope.data, "base64")), decipher.final()]).toString("utf8");
      } catch {
        throw new CredentialCipherError(
          `credential record of location ${locationId} failed authentication (tampered, or stored under another location id)`,
        );
      }
      const record = JSON.parse(plaintext) as StoredCredential;
      if (record.locationId !== locationId) {
        throw new CredentialCipherError(`credential record of location ${locationId} names another location`);
      }
      return { record, stale: envelope.kid !== currentKeyId };
    },
  };
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value;
  return `an object with keys ${Object.keys(value).join(",") || "(none)"}`;
}
