/**
 * One call for the composition root: builds the credential store, the OAuth provider (with a Redis
 * refresh lock when Redis is configured), the token client, the install routes, and the composite
 * provider that puts the environment's static location (if any) next to the stored ones.
 */
import type { Redis } from "ioredis";
import type { Router } from "express";
import type { Config } from "../config/index.js";
import type { Logger } from "../observability/logger.js";
import type { CredentialProvider } from "../upstream/index.js";
import { createCompositeCredentialProvider } from "./composite.provider.js";
import { createCredentialStoreFromConfig, type CredentialStore } from "./credential.store.js";
import { createOAuthCredentialProvider, type OAuthCredentialProvider, type TokenRefreshOutcome } from "./oauth.provider.js";
import { createOAuthTokenClient, resolveTokenUrl, type OAuthTokenClient } from "./oauth-token.client.js";
import { createOAuthRouter } from "./oauth.routes.js";
import { createOAuthStateSigner } from "./oauth.state.js";
import { createLocalRefreshLock, createRedisRefreshLock } from "./refresh.lock.js";

export interface GatewayCredentialsOptions {
  config: Config;
  /** The upstream base URL actually used (in demo mode: the embedded simulator's URL). */
  upstreamBaseUrl: string;
  /** The environment's one-location provider (CONTACTS_API_TOKEN + CONTACTS_LOCATION_ID), if any. */
  staticProvider?: CredentialProvider;
  /** Shared Redis connection when REDIS_URL is set: credentials and the refresh lock live there. */
  redis?: Redis;
  logger?: Logger;
  /** Metrics hook: one call per refresh that reached the token endpoint. */
  onRefresh?: (event: { locationId: string; outcome: TokenRefreshOutcome }) => void;
  /** A location was installed through the OAuth callback. */
  onInstalled?: (locationId: string) => void;
  /** Keep stored credentials in memory only (tests). */
  memoryStore?: boolean;
  now?: () => number;
}

export interface GatewayCredentials {
  /** What the upstream client uses: static location first, then stored OAuth locations; `undefined` when neither is configured. */
  provider: CredentialProvider | undefined;
  /** Present when CREDENTIALS_KEY is set. */
  store: CredentialStore | undefined;
  oauth: OAuthCredentialProvider | undefined;
  tokenClient: OAuthTokenClient | undefined;
  /** `/oauth/install` and `/oauth/callback` (404 with a hint when OAuth is not configured). */
  router: Router;
  /** Loads stored locations; call before serving. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createGatewayCredentials(options: GatewayCredentialsOptions): GatewayCredentials {
  const { config, logger } = options;
  const store = createCredentialStoreFromConfig({
    credentials: config.credentials,
    keyPrefix: config.redis.keyPrefix,
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.memoryStore ? { memory: true } : {}),
  });
  const tokenClient =
    config.oauth.clientId !== undefined && config.oauth.clientSecret !== undefined
      ? createOAuthTokenClient({
          tokenUrl: resolveTokenUrl(config.oauth, options.upstreamBaseUrl),
          clientId: config.oauth.clientId,
          clientSecret: config.oauth.clientSecret,
          ...(config.oauth.redirectUri ? { redirectUri: config.oauth.redirectUri } : {}),
        })
      : undefined;
  const oauth = store
    ? createOAuthCredentialProvider({
        store,
        ...(tokenClient ? { tokenClient } : {}),
        lock: options.redis
          ? createRedisRefreshLock({ redis: options.redis, keyPrefix: config.redis.keyPrefix })
          : createLocalRefreshLock(),
        refreshSkewMs: config.oauth.refreshSkewMs,
        ...(logger ? { logger } : {}),
        ...(options.onRefresh ? { onRefresh: options.onRefresh } : {}),
        ...(options.now ? { now: options.now } : {}),
      })
    : undefined;
  const providers = [options.staticProvider, oauth].filter((p): p is CredentialProvider => p !== undefined);
  const provider = providers.length <= 1 ? providers[0] : createCompositeCredentialProvider({ providers });
  const state = config.credentials.key ? createOAuthStateSigner({ secret: config.credentials.key }) : undefined;
  const router = createOAuthRouter({
    oauth: config.oauth,
    ...(oauth ? { provider: oauth } : {}),
    ...(tokenClient ? { tokenClient } : {}),
    ...(state ? { state } : {}),
    ...(logger ? { logger } : {}),
    ...(options.onInstalled ? { onInstalled: options.onInstalled } : {}),
  });

  return {
    provider,
    store,
    oauth,
    tokenClient,
    router,
    async start() {
      await oauth?.load();
    },
    async close() {
      await store?.close();
    },
  };
}
