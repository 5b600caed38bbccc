/**
 * The OAuth credential provider: serves every location held in the credential store and keeps
 * their access tokens fresh.
 * - `getAccessToken` refreshes shortly before expiry (`refreshSkewMs`, at most half the token's
 *   lifetime) and `refreshAfterRejection` refreshes once after an "Invalid token" 401.
 * - Refreshes are single-flight per location within the process and serialised by a `RefreshLock`
 *   across processes (Redis). Inside the lock the store is re-read: when another instance already
 *   refreshed, its token is used and no second refresh is made.
 * - HighLevel refresh tokens are single use, so the new pair is persisted BEFORE the new access
 *   token is handed out: a crash after the refresh never strands the location on a spent token.
 * Tokens never reach a log line or an error message.
 */
import type { Logger } from "../observability/logger.js";
import { UpstreamError, type CredentialProvider } from "../upstream/index.js";
import type { CredentialStore } from "./credential.store.js";
import type { RefreshLock, StoredCredential } from "./credential.types.js";
import { OAuthTokenError, type OAuthTokenClient, type TokenGrant } from "./oauth-token.client.js";
import { createLocalRefreshLock } from "./refresh.lock.js";

export type TokenRefreshOutcome = "refreshed" | "failed";

export interface OAuthCredentialProviderOptions {
  store: CredentialStore;
  /** Absent = stored tokens are served but never refreshed. */
  tokenClient?: OAuthTokenClient;
  /** Default: an in-process lock. Pass `createRedisRefreshLock` with several instances. */
  lock?: RefreshLock;
  /** Refresh this long before expiry (capped at half the token's lifetime). Default 300_000 (5 min). */
  refreshSkewMs?: number;
  /** Epoch ms clock (tests). */
  now?: () => number;
  logger?: Logger;
  /** Called once per refresh attempt that reached the token endpoint (metrics). */
  onRefresh?: (event: { locationId: string; outcome: TokenRefreshOutcome }) => void;
}

export interface OAuthCredentialProvider extends CredentialProvider {
  /** Loads every stored location into memory (call once at start-up). */
  load(): Promise<void>;
  /** Stores the tokens of a freshly installed location (the OAuth callback). */
  install(grant: TokenGrant): Promise<StoredCredential>;
  /** Forgets a location (uninstall). */
  remove(locationId: string): Promise<void>;
  /** True when the token needs a refresh now. */
  needsRefresh(record: StoredCredential): boolean;
}

export function createOAuthCredentialProvider(options: OAuthCredentialProviderOptions): OAuthCredentialProvider {
  const { store, tokenClient, logger } = options;
  const lock = options.lock ?? createLocalRefreshLock();
  const refreshSkewMs = options.refreshSkewMs ?? 300_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, StoredCredential>();
  const inflight = new Map<string, Promise<string>>();
  const missingScopes = new Map<string, Set<string>>();

  const needsRefresh = (record: StoredCredential): boolean => {
    if (record.expiresAt === undefined) return false;
    const lifetimeMs = Math.max(0, record.expiresAt - record.updatedAt);
    const skewMs = Math.min(refreshSkewMs, lifetimeMs / 2);
    return now() >= record.expiresAt - skewMs;
  };
  const canRefresh = (record: StoredCredential) => tokenClient !== undefined && record.refreshToken !== undefined;

  const noCredentials = (locationId: string) =>
    new UpstreamError({
      code: "FORBIDDEN",
      reason: "no_credentials",
      message: `the gateway holds no upstream credential for location ${locationId} (install the app for it via /oauth/install)`,
      method: "GET",
      route: "(credentials)",
    });

  async function read(locationId: string): Promise<StoredCredential | undefined> {
    const record = await store.get(locationId);
    if (record) cache.set(locationId, record);
    else cache.delete(locationId);
    return record;
  }

  /** Refresh under the lock; `staleToken` is the token the caller found expiring or rejected. */
  function refresh(locationId: string, staleToken: string): Promise<string> {
    const running = inflight.get(locationId);
    if (running) return running;
    const run = lock
      .withLock(locationId, async () => {
        const current = await read(locationId);
        if (!current) throw noCredentials(locationId);
        // Someone (another instance, or an earlier flight) already refreshed: use theirs.
        if (current.accessToken !== staleToken && !needsRefresh(current)) return current.accessToken;
        if (!canRefresh(current)) return current.accessToken;
        let grant: TokenGrant;
        try {
          grant = await tokenClient!.refresh(current.refreshToken!);
        } catch (error) {
          options.onRefresh?.({ locationId, outcome: "failed" });
          logger?.warn({ locationId, err: error }, "oauth token refresh failed");
          throw refreshError(locationId, error);
        }
        const next: StoredCredential = {
          ...current,
          accessToken: grant.accessToken,
          // Single use: the old refresh token is spent whatever the answer says.
          refreshToken: grant.refreshToken,
          expiresAt: grant.expiresInSec === undefined ? undefined : now() + grant.expiresInSec * 1000,
          scopes: grant.scopes.length > 0 ? grant.scopes : current.scopes,
          updatedAt: now(),
        };
        // Persist the new pair before anyone uses it.
        await store.put(next);
        cache.set(locationId, next);
        missingScopes.delete(locationId);
        options.onRefresh?.({ locationId, outcome: "refreshed" });
        logger?.info({ locationId, expiresAt: next.expiresAt }, "oauth token refreshed");
        return next.accessToken;
      })
      .finally(() => inflight.delete(locationId));
    inflight.set(locationId, run);
    return run;
  }

  return {
    needsRefresh,
    async load() {
      cache.clear();
      for (const record of await store.list()) cache.set(record.locationId, record);
    },
    async install(grant) {
      if (grant.locationId === undefined) {
        throw new OAuthTokenError(
          `the token endpoint granted a ${grant.userType} token without a locationId; install the app on a location (sub-account), expected user_type Location`,
          "malformed_response",
        );
      }
      const record: StoredCredential = {
        locationId: grant.locationId,
        accessToken: grant.accessToken,
        ...(grant.refreshToken !== undefined ? { refreshToken: grant.refreshToken } : {}),
        ...(grant.expiresInSec !== undefined ? { expiresAt: now() + grant.expiresInSec * 1000 } : {}),
        scopes: grant.scopes,
        ...(grant.companyId !== undefined ? { companyId: grant.companyId } : {}),
        userType: grant.userType,
        updatedAt: now(),
      };
      await store.put(record);
      cache.set(record.locationId, record);
      missingScopes.delete(record.locationId);
      logger?.info({ locationId: record.locationId, scopes: record.scopes }, "oauth location installed");
      return record;
    },
    async remove(locationId) {
      await store.delete(locationId);
      cache.delete(locationId);
    },
    async revoke(locationId) {
      await store.delete(locationId);
      cache.delete(locationId);
      missingScopes.delete(locationId);
      logger?.info({ locationId }, "oauth location removed (app uninstalled)");
    },
    hasLocation(locationId) {
      if (cache.has(locationId)) return true;
      return read(locationId).then((record) => record !== undefined);
    },
    async locations() {
      const records = await store.list();
      for (const record of records) cache.set(record.locationId, record);
      return records.map((r) => r.locationId);
    },
    async getAccessToken(locationId) {
      const record = cache.get(locationId) ?? (await read(locationId));
      if (!record) throw noCredentials(locationId);
      if (!needsRefresh(record) || !canRefresh(record)) return record.accessToken;
      try {
        return await refresh(locationId, record.accessToken);
      } catch (error) {
        // Refreshing early failed but the token still works for a while: use it.
        if (record.expiresAt !== undefined && now() < record.expiresAt) return record.accessToken;
        throw error;
      }
    },
    async refreshAfterRejection(locationId, rejectedToken) {
      const record = cache.get(locationId) ?? (await read(locationId));
      if (!record) return undefined;
      if (record.accessToken !== rejectedToken && !needsRefresh(record)) return record.accessToken;
      if (!canRefresh(record)) {
        // Maybe another instance refreshed and our copy is old.
        const fresh = await read(locationId);
        return fresh && fresh.accessToken !== rejectedToken ? fresh.accessToken : undefined;
      }
      return refresh(locationId, rejectedToken);
    },
    grantedScopes(locationId) {
      const scopes = cache.get(locationId)?.scopes;
      if (scopes === undefined) return undefined;
      const missing = missingScopes.get(locationId);
      return missing ? scopes.filter((s) => !missing.has(s)) : scopes;
    },
    markScopeMissing(locationId, scope) {
      let set = missingScopes.get(locationId);
      if (!set) missingScopes.set(locationId, (set = new Set()));
      set.add(scope);
    },
  };
}

function refreshError(locationId: string, error: unknown): UpstreamError {
  const tokenError = error instanceof OAuthTokenError ? error : undefined;
  const unreachable = tokenError === undefined || tokenError.reason === "unreachable";
  return new UpstreamError({
    code: unreachable ? "UPSTREAM_UNAVAILABLE" : "UPSTREAM_ERROR",
    reason: unreachable ? "connection" : "invalid_token",
    ...(tokenError?.status !== undefined ? { status: tokenError.status } : {}),
    message: unreachable
      ? `could not refresh the OAuth token of location ${locationId}: the token endpoint is unreachable`
      : `could not refresh the OAuth token of location ${locationId} (${tokenError.message}); reinstall the app for this location via /oauth/install`,
    method: "POST",
    route: "/oauth/token",
    ...(tokenError?.upstreamError ? { upstreamMessages: [tokenError.upstreamError] } : {}),
  });
}
