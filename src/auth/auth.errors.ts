/**
 * The caller-facing auth errors (README, "Quick start": caller tokens): `UNAUTHENTICATED` for a missing, malformed, badly
 * signed or expired token; `FORBIDDEN` for a missing scope or a location the gateway holds no
 * upstream credential for. Messages say what was expected; they never echo the token.
 */
import { GraphQLError } from "graphql";

export type AuthFailureReason =
  | "missing_token"
  | "malformed_header"
  | "invalid_token"
  | "expired_token"
  | "invalid_claims"
  | "missing_scope"
  | "unknown_location";

export function unauthenticated(reason: AuthFailureReason, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: "UNAUTHENTICATED", reason },
  });
}

export function forbidden(reason: AuthFailureReason, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN", reason } });
}

/** Thrown by `verifyCallerToken`; turned into a GraphQLError by `toGraphQLAuthError`. */
export class CallerAuthError extends Error {
  override readonly name = "CallerAuthError";
  constructor(
    readonly code: "UNAUTHENTICATED" | "FORBIDDEN",
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
  }

  toGraphQLError(): GraphQLError {
    return this.code === "UNAUTHENTICATED"
      ? unauthenticated(this.reason, this.message)
      : forbidden(this.reason, this.message);
  }
}
