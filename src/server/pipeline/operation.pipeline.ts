/**
 * THE operation pipeline: the stages every GraphQL operation passes, whichever transport carried
 * it (HTTP through Apollo, apollo.adapter.ts; graphql-ws, ws.adapter.ts). The adapters only map
 * their transport's hooks onto these stages, in this order:
 *
 *   1. size       the body (HTTP) or frame (graphql-ws) is bounded by the transport at
 *                 GRAPHQL_BODY_LIMIT_BYTES; here: `query` is a string, `variables` an object
 *                 nested at most MAX_VARIABLES_DEPTH deep
 *   2. parse      with the token limit (QUERY_MAX_TOKENS, enforced while lexing)
 *   3. validate   graphql's own rules, depth, aliases, directives (graphql/limits/)
 *   4. authenticate  the caller's token (verified once per request or socket); an unauthenticated
 *                 caller is refused here, before any costly stage — only introspection is public
 *   5. cost       the upstream-cost estimate WITH the request's variables, linear in the document
 *                 and stopped as soon as the budget is exceeded
 *   6. authorize  once per operation, from its document: the scope the operation type needs
 *                 (contract: queries and subscriptions `contacts.readonly`, mutations
 *                 `contacts.write`) and every scope a selected root field declares with
 *                 with `@Scopes` (graphql/root-scopes.ts); no resolver checks scopes again
 *   7. ids        every ID the operation passes (arguments, list items, input fields) is a safe
 *                 upstream id (graphql/limits/id-arguments.check.ts), else BAD_USER_INPUT naming
 *                 the argument: an id like `..` must never reach an upstream URL path
 *   8. cache      the response cache (response-cache.ts): a hit answers without executing
 *   9. execute    graphql-js, or a query compiled with graphql-jit on its COMPILE_ON_RUN-th execution
 *                 (execution.runner.ts: graphql-ws runs both through it; over HTTP Apollo executes
 *                 with graphql-js itself and the plugin runs only compiled queries), storing a
 *                 cacheable success
 *  10. format     errors masked and mapped (graphql/common/errors.ts)
 *  11. audit      one `rejected` audit line per refused mutation (refused-mutation.audit.ts)
 *
 * A refusal in stages 1-5 is a request error (HTTP 400 without `data`; graphql-ws `error`); in 6
 * and 7 (and 4) an execution-shaped result `{ data: null, errors }` (HTTP 200; graphql-ws `next`), as
 * graphql answers a field its resolver refused. Either way no resolver runs and no upstream call
 * is made.
 */
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";
import type { AuditLogger } from "../../audit/index.js";
import type { ReadLog } from "../../cache/read-log.js";
import { CallerAuthError, requireViewer, SCOPES, type CallerAuth, type Viewer } from "../../auth/index.js";
import type { Config } from "../../config/config.js";
import { createFormatError, rootScopes as rootScopesOf } from "../../graphql/index.js";
import { createIdArgumentCheck, createQueryLimits, type LoadWeights, type QueryLimits, type QueryLimitsOptions } from "../../graphql/limits/index.js";
import { createExecutionRunner, type ExecutionRunner, type ExecutionRunnerOptions, type ExecutionRunnerStats } from "./execution.runner.js";
import { auditRefusedMutation } from "./refused-mutation.audit.js";
import { answerBody, type ResponseCache } from "./response-cache.js";
import { appendExtensionsBytes, createResponseExtensions, type ExecutedOperation, type ExtensionValues, type ResponseExtension } from "./response-extensions.build.js";

/** The largest body (HTTP) or frame (graphql-ws, after connection_init) an operation may arrive in. */
export const GRAPHQL_BODY_LIMIT_BYTES = 1024 * 1024;
export const GRAPHQL_BODY_LIMIT_TEXT = "1 MiB";
/**
 * How deep `variables` may nest (objects and arrays). Deeper input is no real filter or input
 * object; it is refused before anything walks it recursively.
 */
export const MAX_VARIABLES_DEPTH = 64;

/** A result the response cache may store: data and no errors (a partial answer never is). */
export function succeeded(result: { data?: unknown; errors?: readonly unknown[] | undefined }): boolean {
  return !(result.errors && result.errors.length > 0) && !!result.data;
}

export type StageName = "size" | "parse" | "validate" | "authenticate" | "cost" | "authorize" | "ids";

/** One operation as a transport received it (HTTP body, graphql-ws subscribe payload). */
export interface OperationRequest {
  query: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export type Admission =
  /** Refused before execution. `asResult`: answer `{ data: null, errors }`; otherwise a request error. */
  | { kind: "refused"; stage: StageName; errors: readonly GraphQLError[]; asResult: boolean }
  /** Answered by the response cache (no execution); `extensions`: this answer's per-answer extensions. */
  | { kind: "cached"; result: ExecutionResult; extensions?: ExtensionValues }
  /**
   * Execute; pass the result, what the operation's loaders read (the context's `reads`) and what
   * its extensions keep (`executedExtensions(…).kept`) to `remember`, which stores a successful
   * result when the operation is cacheable. A transport that already has the result's
   * `answerBody` (Apollo's serialisation) and knows it succeeded (`succeeded`) passes the body to
   * `storeBody` instead, so the result is neither serialised again nor kept until then.
   */
  | {
      kind: "execute";
      remember(result: ExecutionResult, reads: ReadLog, kept?: ExtensionValues): void;
      /** Stores a successful result's `answerBody`; absent when the operation is not cacheable. */
      storeBody?(body: string, reads: ReadLog, kept?: ExtensionValues): void;
      /** The cost stage's estimate of its upstream calls (0 for introspection); pass it to `executedExtensions`. */
      estimated: number;
    };

export interface OperationPipelineOptions {
  schema: GraphQLSchema;
  config: Pick<Config, "queryLimits">;
  /** The audit logger of the write path (graphql/write `createWriteServices().audit`). */
  audit: AuditLogger;
  /** Unexpected errors, before they are masked as INTERNAL_SERVER_ERROR. */
  onMasked?(error: unknown): void;
  /** The response cache stage; omitted = no response cache. */
  responseCache?: ResponseCache;
  /** Query-limit extras (cost table entries, the estimate hook, the fragment-visit hook). */
  limits?: Omit<QueryLimitsOptions, "queryLimits">;
  /** Per-answer `extensions` (freshness, cost), on executed answers and response-cache hits alike. */
  extensions?: readonly ResponseExtension[];
  /**
   * The cost stage's load weights for a caller's location (which bulk reads it can use:
   * graphql/limits `loadWeightsFor`); omitted = every bulk read counted as usable.
   */
  loadWeights?(locationId: string): LoadWeights | undefined;
  /** Stage 9's executor (execution.runner.ts): when to compile, how many to keep, the compiler. */
  execution?: Omit<ExecutionRunnerOptions, "schema">;
}

export interface OperationPipeline {
  readonly schema: GraphQLSchema;
  /** The stages in order (for documentation and the architecture test). */
  readonly stages: readonly StageName[];
  readonly limits: QueryLimits;
  /** Stage 2's option, for a parser the transport runs itself (Apollo's `parseOptions`). */
  readonly parseOptions: { maxTokens: number };
  /** Stage 3's rules beyond graphql's `specifiedRules` (Apollo's `validationRules`). */
  readonly validationRules: readonly ValidationRule[];
  /** Stage 1. `queryRequired: false` checks only variables and operationName (the query is judged later). */
  checkRequest(request: OperationRequest, options?: { queryRequired?: boolean }): GraphQLError | undefined;
  /** Stages 2 and 3, for a transport without its own parser (graphql-ws). */
  parseAndValidate(query: string): { document: DocumentNode; errors: readonly GraphQLError[] } | { document: undefined; errors: readonly GraphQLError[] };
  /** A parse error as stage 2 reports it (a token-limit overflow is a query limit, not a syntax error). */
  parseError(error: GraphQLError): GraphQLError;
  /** Stages 4 to 8 for a parsed, valid operation. */
  admit(input: { document: DocumentNode; operation: OperationDefinitionNode; variables: unknown; operationKey: string; auth: CallerAuth }): Admission;
  /** Cheap pre-check for `storedAnswer`: is any answer stored for this exact operation? */
  mayHaveStoredAnswer(operationKey: string): boolean;
  /**
   * Stages 4-7 for an operation whose exact text, variables and name have a stored answer, as
   * the HTTP body to send. Parse, validation and the cost stage are not run again: they depend on
   * the operation alone and passed when the answer was stored (only queries are stored).
   * Authentication and authorization are: undefined when the caller is not authenticated, lacks
   * the read scope, or nothing is stored for its location and scopes (then the full pipeline runs).
   * The body comes as chunks to send in order (the stored bytes, then this answer's extensions),
   * lent until `done` (`StoredAnswer.lend`: call it once the write ended, `finished` false when the
   * connection closed first).
   */
  storedAnswer(operationKey: string, auth: CallerAuth): { chunks: readonly Buffer[]; done(finished: boolean): void } | undefined;
  /**
   * The per-answer extensions of an executed operation (merge `values` into its answer's
   * `extensions`; pass `kept` to the admission's `remember`).
   */
  executedExtensions(operation: ExecutedOperation): { values: ExtensionValues | undefined; kept: ExtensionValues };
  /** Stage 9: graphql-js's `execute`, or the operation compiled (execution.runner.ts). */
  execute(args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult;
  /** Stage 9 where the transport executes with graphql-js itself (Apollo): the compiled operation, when this execution runs compiled (`ExecutionRunner.compiled`). */
  compiledExecution: ExecutionRunner["compiled"];
  /** Runs what `compiledExecution` returned for this execution. */
  runCompiled: ExecutionRunner["runCompiled"];
  /** How many operations stage 9 compiled and ran compiled. */
  executionStats(): ExecutionRunnerStats;
  /** Stage 10. */
  formatError(error: GraphQLError): GraphQLFormattedError;
  /** Apollo's `formatError` signature of stage 10. */
  readonly apolloFormatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Stage 11: the audit lines a (partly) refused mutation is owed. */
  audit(input: { document: DocumentNode | undefined; source?: string | undefined; operationName?: string | null | undefined; errors: readonly { path?: ReadonlyArray<string | number> | undefined; extensions?: Readonly<Record<string, unknown>> | undefined }[]; viewer: Viewer | undefined }): void;
  /** The response cache's operation key. */
  operationKey(request: { query: string; variables?: unknown; operationName?: unknown }): string;
}

export const PIPELINE_STAGES: readonly StageName[] = ["size", "parse", "validate", "authenticate", "cost", "authorize", "ids"];

function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/** Depth of nested objects/arrays, iteratively (a recursive walk is what deep input attacks). */
function nestingExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

const INTROSPECTION_FIELDS: ReadonlySet<string> = new Set(["__schema", "__type", "__typename"]);

/** Root field names of an operation (through fragments), `__typename` included. */
function rootFields(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) names.push(...rootFields(document, selection.selectionSet, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) names.push(...rootFields(document, fragment.selectionSet, seen));
    }
  }
  return names;
}

function authError(error: unknown): GraphQLError {
  if (error instanceof CallerAuthError) return error.toGraphQLError();
  throw error;
}

export function createOperationPipeline(options: OperationPipelineOptions): OperationPipeline {
  const { schema, responseCache } = options;
  const limits = createQueryLimits({ ...options.limits, queryLimits: options.config.queryLimits });
  const maxTokens = options.config.queryLimits.maxTokens;
  const idArguments = createIdArgumentCheck(schema);
  const rootScopes = rootScopesOf(schema);
  /** Stage 6's rule: the operation type's scope, then what each selected root field declares. */
  const scopesNeeded = (type: OperationDefinitionNode["operation"], fields: readonly string[]): string[] => {
    const needed = new Set<string>([type === "mutation" ? SCOPES.write : SCOPES.read]);
    for (const field of fields) for (const scope of rootScopes[type].get(field) ?? []) needed.add(scope);
    return [...needed];
  };
  const apolloFormatError = createFormatError({ ...(options.onMasked ? { onMasked: options.onMasked } : {}) });
  const extensions = createResponseExtensions(options.extensions ?? []);
  const runner = createExecutionRunner({ ...options.execution, schema });

  // No variables, `null` and `{}` are the same request (clients differ in which they send).
  const operationKey: OperationPipeline["operationKey"] = (request) => {
    const variables = request.variables && typeof request.variables === "object" && Object.keys(request.variables).length > 0 ? request.variables : null;
    return JSON.stringify([request.query, variables, request.operationName ?? null]);
  };

  return {
    schema,
    stages: PIPELINE_STAGES,
    limits,
    parseOptions: { maxTokens },
    validationRules: limits.validationRules,

    checkRequest(request, checks = {}) {
      if ((checks.queryRequired ?? true) && (typeof request.query !== "string" || request.query.length === 0)) {
        return badRequest("Expected `query` to be a non-empty string holding a GraphQL document");
      }
      const { variables, operationName } = request;
      if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) {
        return badRequest("Expected `variables` to be a JSON object (or absent)");
      }
      if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
        return badRequest("Expected `operationName` to be a string (or absent)");
      }
      if (nestingExceeds(variables, MAX_VARIABLES_DEPTH)) {
        return badRequest(`Expected \`variables\` nested at most ${MAX_VARIABLES_DEPTH} levels deep (objects and arrays); received deeper input`);
      }
      return undefined;
    },

    parseAndValidate: (query) => limits.parseAndValidate(schema, query),

    parseError: (error) => limits.parseError(error),

    admit({ document, operation, variables, operationKey: key, auth }) {
      const fields = rootFields(document, operation.selectionSet);
      // Introspection is public (the sandbox loads the schema before a token is typed); it costs
      // no upstream call.
      if (fields.every((f) => INTROSPECTION_FIELDS.has(f))) return { kind: "execute", remember: () => undefined, estimated: 0 };

      // 4. authenticate
      let viewer: Viewer;
      try {
        viewer = requireViewer(auth);
      } catch (error) {
        return { kind: "refused", stage: "authenticate", errors: [authError(error)], asResult: true };
      }

      // 5. cost, with the request's variables
      const vars = variables && typeof variables === "object" ? (variables as Record<string, unknown>) : undefined;
      // What the caller's location can read in bulk weighs less (graphql/limits/query-cost.table.ts).
      const { estimated, error: tooExpensive } = limits.costOf(schema, document, operation, vars, options.loadWeights?.(viewer.locationId));
      if (tooExpensive) return { kind: "refused", stage: "cost", errors: [tooExpensive], asResult: false };

      // 6. authorize: the contract's rule per operation type and each root field's scopes
      const missing = scopesNeeded(operation.operation, fields).filter((scope) => !viewer.scopes.includes(scope));
      if (missing.length > 0) {
        const error = new CallerAuthError(
          "FORBIDDEN",
          "missing_scope",
          `This ${operation.operation} needs the scope ${missing.join(" ")}; the caller token grants: ${viewer.scopes.join(" ") || "(none)"}`,
        );
        return { kind: "refused", stage: "authorize", errors: [error.toGraphQLError()], asResult: true };
      }

      // 7. ids: after authorization (a caller lacking the scope learns nothing about its input)
      const unsafeId = idArguments.check(document, operation, vars);
      if (unsafeId) return { kind: "refused", stage: "ids", errors: [unsafeId], asResult: true };

      // 8. the response cache (after authorization: a hit is never served to a caller lacking the scope)
      const queried = fields.filter((f) => f !== "__typename");
      if (!responseCache || operation.operation !== "query" || !responseCache.covers(queried)) {
        return { kind: "execute", remember: () => undefined, estimated };
      }
      const hit = responseCache.find(key, viewer.locationId, viewer.scopes);
      if (hit !== undefined) {
        const values = extensions.stored(viewer, hit.kept);
        return { kind: "cached", result: hit.result(), ...(values ? { extensions: values } : {}) };
      }
      // Taken before executing: a change to the location while it runs makes the answer unstorable.
      const generation = responseCache.generation(viewer.locationId);
      const storeBody = (body: string, reads: ReadLog, kept?: ExtensionValues) => void responseCache.store(key, viewer, generation, body, reads.reads(), kept);
      return {
        kind: "execute",
        estimated,
        remember: (result, reads, kept) => (succeeded(result) ? storeBody(answerBody(result), reads, kept) : undefined),
        storeBody,
      };
    },

    mayHaveStoredAnswer: (key) => responseCache?.mayHave(key) ?? false,

    storedAnswer(key, auth) {
      if (!responseCache || auth.status !== "authenticated") return undefined;
      const { viewer } = auth;
      if (!viewer.scopes.includes(SCOPES.read)) return undefined;
      const hit = responseCache.find(key, viewer.locationId, viewer.scopes);
      if (hit === undefined) return undefined;
      return { chunks: appendExtensionsBytes(hit.body(), extensions.stored(viewer, hit.kept)), done: hit.lend() };
    },

    executedExtensions: (operation) => extensions.executed(operation),

    execute: (args) => runner.execute(args),
    compiledExecution: (args) => runner.compiled(args),
    runCompiled: (query, args) => runner.runCompiled(query, args),
    executionStats: () => runner.stats(),

    formatError: (error) => apolloFormatError(error.toJSON(), error),
    apolloFormatError,

    audit({ document, source, operationName, errors, viewer }) {
      auditRefusedMutation(options.audit, { schema, document, source, operationName, errors, viewer });
    },

    operationKey,
  };
}
