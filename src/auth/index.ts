/** Caller authentication and authorisation: tokens → Viewer with its scopes (enforced per operation by server/pipeline/operation.pipeline.ts). */
export { SCOPES, KNOWN_SCOPES, hasScope } from "./viewer.js";
export type { Viewer, Scope } from "./viewer.js";
export { CallerAuthError, unauthenticated, forbidden } from "./auth.errors.js";
export type { AuthFailureReason } from "./auth.errors.js";
export { bearerToken, verifyCallerToken, mintCallerToken } from "./caller-token.js";
export type { CallerTokenKey, MintCallerTokenOptions } from "./caller-token.js";
export { authenticateCaller, requireViewer } from "./caller-auth.js";
export type { CallerAuth, AuthenticateCallerOptions } from "./caller-auth.js";
