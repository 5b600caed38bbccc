/**
 * Audit lines for mutations refused before their resolver ran: the caller's own scope and
 * authentication are checked by `@Authorized` (auth/auth-checker.ts), which throws before the
 * write runner — and so before its audit line. This Apollo plugin writes the missing line
 * (`outcome: "rejected"`) for every root mutation field that failed with a caller-auth error, so
 * every mutation attempt leaves exactly one audit line. Errors the runner raised (it audits them
 * itself) are recognised by their reason and skipped.
 * A mutation refused before ANY resolver ran — validation (unknown fields, wrong argument types,
 * the query limits' rules), a limit checked when the operation is resolved, variables that do not
 * coerce — also gets one `rejected` line per mutation field it asked for (errorCode: the first
 * error's code; aliases of one field count once; with no known field, one line for the first name). Recognised by errors that carry no path: a resolver's error always has one. A document
 * that does not parse (including the token limit) names no operation and gets no line.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { getOperationAST, Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
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

/** Root field names a mutation asks for (through fragments), in order, without `__typename`. */
function rootFieldNames(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith("__")) names.push(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      names.push(...rootFieldNames(document, selection.selectionSet, seen));
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) names.push(...rootFieldNames(document, fragment.selectionSet, seen));
    }
  }
  return names;
}

export function createRefusedMutationAuditPlugin(audit: AuditLogger): ApolloServerPlugin<{ viewer?: Viewer | undefined }> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors(requestContext) {
          const { document, errors } = requestContext;
          // Before validation passed, Apollo has not picked the operation yet.
          const operation = requestContext.operation ?? (document ? getOperationAST(document, requestContext.request.operationName) : null);
          if (operation?.operation !== "mutation" || !document) return;
          const viewer = requestContext.contextValue.viewer;
          if (errors.every((error) => !error.path?.length)) {
            const code = errors[0]?.extensions?.["code"];
            // One line per mutation field asked for (aliases of one field are one attempt); names the
            // schema does not have are no mutation, so a document full of them cannot flood the log.
            const asked = [...new Set(rootFieldNames(document, operation.selectionSet))];
            const mutations = requestContext.schema.getMutationType()?.getFields() ?? {};
            const known = asked.filter((name) => Object.hasOwn(mutations, name));
            for (const name of known.length > 0 ? known : asked.slice(0, 1)) {
              audit.record({
                subject: viewer?.subject,
                locationId: viewer?.locationId,
                operation: name,
                targetIds: {},
                outcome: "rejected",
                errorCode: typeof code === "string" ? code : "BAD_REQUEST",
              });
            }
            return;
          }
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
