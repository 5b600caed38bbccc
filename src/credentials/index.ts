/**
 * Public surface of the credentials area: the encrypted credential store, the OAuth provider that
 * refreshes tokens, the install routes, and the one-call setup for the composition root.
 */
export type { StoredCredential, CredentialEnvelope, CredentialBackend, RefreshLock, CredentialUserType } from "./credential.types.js";
export { createCredentialCipher, keyId, CredentialCipherError } from "./credential.cipher.js";
export type { CredentialCipher } from "./credential.cipher.js";
export { createFileCredentialBackend, createMemoryCredentialBackend, CREDENTIALS_FILE_NAME } from "./credential-file.backend.js";
export { createRedisCredentialBackend, credentialsHashKey } from "./credential-redis.backend.js";
export { createCredentialStore, createCredentialStoreFromConfig } from "./credential.store.js";
export type { CredentialStore } from "./credential.store.js";
export { createLocalRefreshLock, createRedisRefreshLock, refreshLockKey, RefreshLockTimeoutError } from "./refresh.lock.js";
export { createOAuthTokenClient, resolveTokenUrl, OAuthTokenError } from "./oauth-token.client.js";
export type { OAuthTokenClient, TokenGrant } from "./oauth-token.client.js";
export { createOAuthCredentialProvider } from "./oauth.provider.js";
export type { OAuthCredentialProvider, TokenRefreshOutcome } from "./oauth.provider.js";
export { createCompositeCredentialProvider } from "./composite.provider.js";
export type { CompositeCredentialProviderOptions } from "./composite.provider.js";
export { createOAuthRouter } from "./oauth.routes.js";
export { createOAuthStateSigner, OAUTH_STATE_COOKIE } from "./oauth.state.js";
export { createGatewayCredentials } from "./credentials.setup.js";
export type { GatewayCredentials, GatewayCredentialsOptions } from "./credentials.setup.js";
