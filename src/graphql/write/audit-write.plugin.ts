/**
 * Audit lines for mutations refused before their resolver ran: the caller's own scope and
 * authentication are checked by `@Authorized` (auth/auth-checker.ts), which throws before the
 * write runner — and so before its audit line. This Apollo plugin writes the missing line
 * (`outcome: "rejected"`) for every root mutation field that failed with a caller-auth error, so
 * every mutation attempt leaves exactly one audit line. Errors the runner raised (it audits them
 * itself) are recognised by their reason and skipped.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type OperationDefinitionNode } from "graphql";
import type { AuditLogger } from "../../audit/index.js";
import type { Viewer } from "../../auth/index.js";

/** `reason`s of the caller-auth errors (auth/auth.errors.ts `AuthFailureReason`). */
const CALLER_AUTH_REASONS: ReadonlySet<string> = new Set([
  "missing_token",
  "malformed_header",
  "invalid_token",
  "expired_token",
  "invalid_claims",
  "missing_scope",
  "unknown_location",
]);

function fieldName(operation: OperationDefinitionNode, responseKey: string): string {
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD && (selection.alias?.value ?? selection.name.value) === responseKey) return selection.name.value;
  }
  return responseKey;
}

export function createRefusedMutationAuditPlugin(audit: AuditLogger): ApolloServerPlugin<{ viewer?: Viewer | undefined }> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors(requestContext) {
          const operation = requestContext.operation;
          if (operation?.operation !== "mutation") return;
          const viewer = requestContext.contextValue.viewer;
          for (const error of requestContext.errors) {
            const code = error.extensions?.["code"];
            const reason = error.extensions?.["reason"];
            if ((code !== "UNAUTHENTICATED" && code !== "FORBIDDEN") || typeof reason !== "string" || !CALLER_AUTH_REASONS.has(reason)) continue;
            const key = error.path?.[0];
            if (error.path?.length !== 1 || typeof key !== "string") continue;
            audit.record({
              subject: viewer?.subject,
              locationId: viewer?.locationId,
              operation: fieldName(operation, key),
              targetIds: {},
              outcome: "rejected",
              errorCode: code,
            });
          }
        },
      };
    },
  };
}
