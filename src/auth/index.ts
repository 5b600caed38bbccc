/** Caller authentication and authorisation: tokens → Viewer, the AuthChecker. */
export { SCOPES, KNOWN_SCOPES, hasScope } from "./viewer.js";
export type { Viewer, Scope } from "./viewer.js";
export { CallerAuthError, unauthenticated, forbidden } from "./auth.errors.js";
export type { AuthFailureReason } from "./auth.errors.js";
export { bearerToken, verifyCallerToken, mintCallerToken } from "./caller-token.js";
export type { CallerTokenKey, MintCallerTokenOptions } from "./caller-token.js";
export { authenticateCaller, requireViewer } from "./caller-auth.js";
export type { CallerAuth, AuthenticateCallerOptions } from "./caller-auth.js";
export { gatewayAuthChecker } from "./auth-checker.js";
export type { AuthContext } from "./auth-checker.js";
