/**
 * The type-graphql AuthChecker (contract §3). Root fields declare the scopes they need with
 * `@Authorized(SCOPES.read)` (queries, subscriptions) or `@Authorized(SCOPES.write)` (mutations);
 * every listed scope is required. Failures throw GraphQL errors with the contract's codes instead
 * of type-graphql's generic ones, so the caller sees UNAUTHENTICATED or FORBIDDEN and the field's
 * resolver (and any upstream call) never runs.
 */
import type { AuthCheckerFn } from "type-graphql";
import { CallerAuthError } from "./auth.errors.js";
import { requireViewer, type CallerAuth } from "./caller-auth.js";
import { hasScope } from "./viewer.js";

/** The part of the GraphQL context the checker reads. */
export interface AuthContext {
  auth: CallerAuth;
}

export const gatewayAuthChecker: AuthCheckerFn<AuthContext, string> = ({ context }, scopes) => {
  try {
    const viewer = requireViewer(context.auth);
    const missing = scopes.filter((scope) => !hasScope(viewer, scope));
    if (missing.length > 0) {
      throw new CallerAuthError(
        "FORBIDDEN",
        "missing_scope",
        `This field needs the scope ${missing.join(" ")}; the caller token grants: ${viewer.scopes.join(" ") || "(none)"}`,
      );
    }
    return true;
  } catch (error) {
    if (error instanceof CallerAuthError) throw error.toGraphQLError();
    throw error;
  }
};
