/**
 * The vocabulary of the credential store: one record per HighLevel location holding the upstream
 * OAuth tokens (or a stored Private Integration Token), and the encrypted envelope that is all a
 * backend (file or Redis) ever sees. Pure types: nothing at import time.
 */

export type CredentialUserType = "Location" | "Company";

/** A location's upstream credential, decrypted. Never log this object. */
export interface StoredCredential {
  locationId: string;
  accessToken: string;
  /** Single use at HighLevel: every refresh returns a new one and invalidates this. */
  refreshToken?: string;
  /** Epoch ms when the access token stops working (`undefined` = does not expire, e.g. a PIT). */
  expiresAt?: number;
  scopes: string[];
  companyId?: string;
  userType: CredentialUserType;
  /** Epoch ms when this record was written (for an OAuth grant: when the token was obtained). */
  updatedAt: number;
}

/**
 * What a backend stores per location: AES-256-GCM ciphertext of the JSON record. `kid` names the
 * key that encrypted it, so rotation can tell current from previous keys.
 */
export interface CredentialEnvelope {
  /** Envelope format version. */
  v: 1;
  /** Key id: first 16 hex chars of SHA-256 over the key. */
  kid: string;
  /** base64, 12 random bytes per write. */
  iv: string;
  /** base64, 16-byte GCM authentication tag. */
  tag: string;
  /** base64 ciphertext. */
  data: string;
}

/** Storage of envelopes by location id. Implementations: file (default) and Redis (multi-instance). */
export interface CredentialBackend {
  readonly kind: "file" | "redis" | "memory";
  get(locationId: string): Promise<CredentialEnvelope | undefined>;
  set(locationId: string, envelope: CredentialEnvelope): Promise<void>;
  /**
   * Writes `envelope` only if the stored one is still the envelope with IV `expectedIv` (the one the
   * caller read). Re-encryption uses it so it can never overwrite a token pair refreshed meanwhile.
   * Resolves true when written.
   */
  replaceIf(locationId: string, expectedIv: string, envelope: CredentialEnvelope): Promise<boolean>;
  delete(locationId: string): Promise<void>;
  /** Every stored envelope, keyed by location id. */
  entries(): Promise<Map<string, CredentialEnvelope>>;
  close(): Promise<void>;
}

/** Serialises refreshes of one location across processes (Redis) or within one (local). */
export interface RefreshLock {
  /** Runs `fn` while holding the lock for `locationId`; waits for a holder elsewhere to finish first. */
  withLock<T>(locationId: string, fn: () => Promise<T>): Promise<T>;
}
