/**
 * The pipeline's audit stage for mutations refused before (or by) authorization: every mutation
 * attempt leaves exactly one audit line, whichever transport carried it. The write runner
 * (graphql/write/mutation-write.runner.ts) audits the attempts it runs; this writes the line for
 * the rest, with `outcome: "rejected"`:
 * - refused before any resolver ran (parse excluded: a document that does not parse names no
 *   operation) — the pipeline's limits, authentication, authorization, variables that do not
 *   coerce: one line per mutation field asked for (errorCode: the first error's code; aliases of
 *   one field count once; names the schema does not have are no mutation, so with no known field,
 *   one line for the first name). Recognised by errors that carry no path.
 * - refused by `@Authorized` at a root field (auth/auth-checker.ts, defence in depth behind the
 *   pipeline's own authorize stage): one line per such field. Errors the runner raised (it audits
 *   them itself) carry no caller-auth reason and are skipped.
 */
import { getOperationAST, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
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

/** What the audit stage reads of an error (a GraphQLError, or its formatted form). */
export interface AuditedError {
  readonly path?: ReadonlyArray<string | number> | undefined;
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

export interface RefusedMutationAuditInput {
  schema: GraphQLSchema;
  /** Undefined when the document did not parse: nothing to audit. */
  document: DocumentNode | undefined;
  operationName?: string | null | undefined;
  errors: readonly AuditedError[];
  viewer: Viewer | undefined;
}

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

/** Writes the `rejected` lines one refused (or partly refused) mutation operation is owed. */
export function auditRefusedMutation(audit: AuditLogger, input: RefusedMutationAuditInput): void {
  const { document, errors, viewer } = input;
  if (!document || errors.length === 0) return;
  let operation: OperationDefinitionNode | null | undefined;
  try {
    operation = getOperationAST(document, input.operationName ?? undefined);
  } catch {
    return;
  }
  if (operation?.operation !== "mutation") return;
  if (errors.every((error) => !error.path?.length)) {
    const code = errors[0]?.extensions?.["code"];
    const asked = [...new Set(rootFieldNames(document, operation.selectionSet))];
    const mutations = input.schema.getMutationType()?.getFields() ?? {};
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
  for (const error of errors) {
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
}
