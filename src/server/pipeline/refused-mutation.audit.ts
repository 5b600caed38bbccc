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
 * - refused at parse time by the token limit: the document is never parsed whole, so its first
 *   root field is read with graphql's lexer (a few tokens) and gets the line; a plain syntax
 *   error names no operation and gets none.
 * - refused with a caller-auth error at a root field (a resolver's `ctx.requireViewer()`, behind
 *   the pipeline's own authorize stage): one line per such field. Errors the runner raised (it
 *   audits them itself) carry no caller-auth reason and are skipped.
 */
import { getOperationAST, Kind, Lexer, Source, TokenKind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
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
  /** Undefined when the document did not parse. */
  document: DocumentNode | undefined;
  /** The document's text, read when it did not parse because of the token limit. */
  source?: string | undefined;
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

/**
 * The first root field of a document that starts with a mutation, read token by token (at most
 * `maxTokens`); undefined for anything else or text that does not lex.
 */
function firstMutationField(source: string, maxTokens = 2_000): string | undefined {
  try {
    const lexer = new Lexer(new Source(source));
    let token = lexer.advance();
    if (token.kind !== TokenKind.NAME || token.value !== "mutation") return undefined;
    let parens = 0;
    for (let i = 0; i < maxTokens && token.kind !== TokenKind.EOF; i++) {
      token = lexer.advance();
      if (token.kind === TokenKind.PAREN_L) parens++;
      else if (token.kind === TokenKind.PAREN_R) parens--;
      else if (token.kind === TokenKind.BRACE_L && parens === 0) {
        const name = lexer.advance();
        if (name.kind !== TokenKind.NAME) return undefined;
        if (lexer.lookahead().kind !== TokenKind.COLON) return name.value;
        lexer.advance();
        const field = lexer.advance();
        return field.kind === TokenKind.NAME ? field.value : undefined;
      }
    }
  } catch {
    // a syntax error in the part read: no operation to name
  }
  return undefined;
}

function isTokenLimit(error: AuditedError | undefined): boolean {
  const limit = error?.extensions?.["limit"];
  return typeof limit === "object" && limit !== null && (limit as { kind?: unknown }).kind === "tokens";
}

/** Writes the `rejected` lines one refused (or partly refused) mutation operation is owed. */
export function auditRefusedMutation(audit: AuditLogger, input: RefusedMutationAuditInput): void {
  const { document, errors, viewer } = input;
  if (errors.length === 0) return;
  if (!document) {
    const field = input.source !== undefined && isTokenLimit(errors[0]) ? firstMutationField(input.source) : undefined;
    if (field === undefined) return;
    audit.record({
      subject: viewer?.subject,
      locationId: viewer?.locationId,
      operation: field,
      targetIds: {},
      outcome: "rejected",
      errorCode: String(errors[0]?.extensions?.["code"] ?? "GRAPHQL_VALIDATION_FAILED"),
    });
    return;
  }
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
