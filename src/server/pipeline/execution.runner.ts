/**
 * Stage 9's executor, ONE for both transports (graphql-ws, ws.adapter.ts: `execute`; Apollo, which
 * executes with graphql-js itself, asks `compiled` in its plugin, apollo.adapter.ts
 * `compiledResponse`): graphql-js's `execute`, except that a query
 * executed for the `compileOnRun`-th time (same operation name and document text) is compiled
 * with graphql-jit (https://github.com/zalando-incubator/graphql-jit) and from then on runs as
 * that compiled function, which does far less work and allocation per field than graphql-js's
 * generic executor. A document executed once or twice never pays for compiling.
 *
 * Answers stay exactly graphql-js's: variables are coerced and checked by graphql-js's own
 * `getVariableValues` first (its messages are what clients see), leaves are serialised by their
 * types as graphql-js's `completeLeafValue` does (`disableLeafSerialization` off,
 * `createLeafSerialization`), and every error is rebuilt as a graphql-js `GraphQLError` with the
 * same message, locations, path and original error, in graphql-js's `{ errors, data }` shape, so
 * graphql/common/errors.ts masks and maps it as before. An answer whose error order could differ
 * (`nulledParent`) is made by graphql-js instead. Mutations,
 * introspection and operations touching an interface or union stay on graphql-js (the simplest
 * rule that is certainly right); so does any operation graphql-jit fails to compile (remembered).
 * Subscriptions never come here (ws.adapter.ts subscribes with graphql-js).
 */
import { createRequire } from "node:module";
import {
  execute as graphqlExecute,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isAbstractType,
  isLeafType,
  parse,
  TypeInfo,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  BREAK,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { inspect } from "graphql/jsutils/inspect.js";
import { LRUCache } from "lru-cache";

/** Defaults of `ExecutionRunnerOptions`. */
const COMPILE_ON_RUN = 3; // the 3rd execution of an operation compiles it
const MAX_COMPILED = 100; // compiled operations kept (least recently used dropped)
const MAX_COUNTED = 1_000; // operations whose executions are counted until they compile
const MAX_COUNTED_CHARS = 4 * 1024 * 1024; // ... holding at most 4 Mi characters of document text

/** What graphql-jit's `compileQuery` returns, narrowed to what is used here. */
export type CompiledOperation =
  | { query(root: unknown, context: unknown, variables: Record<string, unknown> | null | undefined): unknown }
  | { errors: readonly unknown[] };

/** Serialisers by leaf type name (graphql-jit's `customSerializers`). */
export type LeafSerializers = Record<string, (value: unknown) => unknown>;

/** graphql-jit's `compileQuery` signature, narrowed (injectable for tests). */
export type CompileOperation = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  options: { customSerializers: LeafSerializers },
) => CompiledOperation;

export interface ExecutionRunnerOptions {
  schema: GraphQLSchema;
  /** The execution of one operation that compiles it. Default 3; 0 = never compile. */
  compileOnRun?: number;
  /** Compiled operations kept. Default 100. */
  maxCompiled?: number;
  /** Default: graphql-jit's `compileQuery`, loaded on the first compile (`loadGraphqlJit`). */
  compile?: CompileOperation;
}

export interface ExecutionRunnerStats {
  /** Operations compiled (successfully) since start. */
  compiled: number;
  /** Executions that ran a compiled operation. */
  compiledExecutions: number;
  /** Operations that stay on graphql-js after their compile turn: not eligible, or the compile failed. */
  notCompiled: number;
}

export interface ExecutionRunner {
  /** Executes: compiled (from its `compileOnRun`-th execution) or with graphql-js. */
  execute(args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult;
  /**
   * For a transport that executes with graphql-js itself (Apollo): counts this execution and
   * returns the compiled operation's executor when it runs compiled, else undefined. Called once
   * per execution, in place of `execute`.
   */
  compiled(args: Pick<ExecutionArgs, "document" | "operationName">): ((args: ExecutionArgs) => Promise<ExecutionResult> | ExecutionResult) | undefined;
  stats(): ExecutionRunnerStats;
}

interface Compiled {
  operation: OperationDefinitionNode;
  /** Variables with a default value, and that default as a client would send it (JSON). */
  defaults: readonly (readonly [name: string, value: unknown])[];
  query(root: unknown, context: unknown, variables: Record<string, unknown> | null | undefined): unknown;
}

/** An operation that stays on graphql-js. */
const GRAPHQL_JS = "graphql-js" as const;

/** graphql-jit's results (its own GraphQLError subclass, `{ data, errors }` order). */
interface JitResult {
  data?: Record<string, unknown> | null;
  errors?: readonly { message: string; locations?: readonly { line: number; column: number }[]; path?: readonly (string | number)[]; originalError?: Error | null }[];
}

/**
 * graphql-jit's `compileQuery`, required on first use, not at import: most processes compile
 * something within seconds, but a gateway that never does (every document new) pays nothing.
 * Its dist/execution.js requires fast-json-stringify (and through it ajv, ~4 MB of heap) at load
 * although only its `customJSONSerializer` option uses it, which is off here; unless something
 * else already loaded it, its module slot is filled with a stub that throws if ever called, so
 * the package is never loaded (test/unit/server/pipeline/execution.runner.test.ts checks).
 */
export function loadGraphqlJit(): CompileOperation {
  const require = createRequire(import.meta.url);
  const jitEntry = require.resolve("graphql-jit");
  const fastJsonStringify = createRequire(jitEntry).resolve("fast-json-stringify");
  if (!require.cache[fastJsonStringify]) {
    const Module = require("node:module") as { Module: new (id: string) => NodeJS.Module };
    const stub = new Module.Module(fastJsonStringify);
    stub.filename = fastJsonStringify;
    stub.loaded = true;
    stub.exports = function fastJsonStringifyUnused(): never {
      throw new Error("fast-json-stringify is not loaded: graphql-jit runs with customJSONSerializer off (src/server/pipeline/execution.runner.ts)");
    };
    require.cache[fastJsonStringify] = stub;
  }
  const { compileQuery } = require(jitEntry) as {
    compileQuery(schema: GraphQLSchema, document: DocumentNode, operationName?: string, options?: Record<string, unknown>): CompiledOperation;
  };
  return (schema, document, operationName, options) =>
    compileQuery(schema, document, operationName, { ...options, customJSONSerializer: false, disableLeafSerialization: false });
}

/**
 * Whether compiled execution is certainly answer-for-answer graphql-js's: a query without
 * introspection fields (`__schema`, `__type`), without any interface or union in its selections
 * or fragments, and without a variable inside an input-object literal (`{ direction: $d }`, also
 * in a list of them). graphql-jit coerces such a variable itself, not as graphql-js's
 * `valueFromAST` (graphql/utilities/valueFromAST.js) does: an omitted nullable variable becomes
 * null where graphql-js leaves the field out (so the input field's default applies), and an
 * explicit null passes into a non-null input field that has a default, where graphql-js refuses
 * the argument.
 */
function compilable(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): boolean {
  if (operation.operation !== "query") return false;
  const typeInfo = new TypeInfo(schema);
  let ok = true;
  let objectValueDepth = 0;
  const abstract = (name: string) => {
    const type = schema.getType(name);
    return !type || isAbstractType(type);
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const type = typeInfo.getType();
        if (node.name.value === "__schema" || node.name.value === "__type" || !type || isAbstractType(getNamedType(type))) {
          ok = false;
          return BREAK;
        }
        return undefined;
      },
      InlineFragment(node) {
        if (node.typeCondition && abstract(node.typeCondition.name.value)) {
          ok = false;
          return BREAK;
        }
        return undefined;
      },
      FragmentDefinition(node) {
        if (abstract(node.typeCondition.name.value)) {
          ok = false;
          return BREAK;
        }
        return undefined;
      },
      ObjectValue: {
        enter() {
          objectValueDepth++;
        },
        leave() {
          objectValueDepth--;
        },
      },
      Variable() {
        if (objectValueDepth > 0) {
          ok = false;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return ok;
}

/** Marks a leaf serialisation failure's message inside graphql-jit; never reaches a client (`asGraphqlJsError`). */
const SERIALIZATION_FAILURE = "\u0000graphql-jit leaf serialization failure ";
/** Failures kept for their answers (a failure graphql-jit drops, under a nulled parent, is forgotten in time). */
const MAX_PENDING_FAILURES = 10_000;

/**
 * Leaf serialisation as graphql-js's `completeLeafValue` does it (execute.js): the type's
 * `serialize`, and a nullish result is an error. graphql-jit reports a serialiser's error by its
 * message alone, so what was thrown is kept under a token carried in that message, and the
 * answer's error is rebuilt from it (message, original error, extensions) as graphql-js builds it.
 */
function createLeafSerialization(schema: GraphQLSchema) {
  const pending = new Map<string, Error>();
  let next = 0;
  const failure = (error: unknown): Error => {
    const token = `${SERIALIZATION_FAILURE}${next++}`;
    pending.set(token, error instanceof Error ? error : new Error(`Unexpected error value: ${inspect(error)}`));
    if (pending.size > MAX_PENDING_FAILURES) pending.delete(pending.keys().next().value!);
    return new Error(token);
  };
  const serializers: LeafSerializers = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isLeafType(type)) continue;
    serializers[type.name] = (value) => {
      let serialized: unknown;
      try {
        serialized = type.serialize(value);
      } catch (error) {
        throw failure(error);
      }
      if (serialized == null) {
        throw failure(new Error(`Expected \`${inspect(type)}.serialize(${inspect(value)})\` to return non-nullable value, returned: ${inspect(serialized)}`));
      }
      return serialized;
    };
  }
  return {
    serializers,
    /** The error a token stands for (once), or undefined for any other message. */
    take(message: string): Error | undefined {
      if (!message.startsWith(SERIALIZATION_FAILURE)) return undefined;
      const error = pending.get(message);
      pending.delete(message);
      return error ?? new Error("A leaf value could not be serialized");
    },
  };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * A graphql-jit error as graphql-js's `locatedError` builds it: same message, path and original
 * error (whose extensions it takes); locations as graphql-jit computed them from the same nodes.
 * An error without an original one (a non-null violation) gets an `Error` with its message, as
 * graphql-js raises those.
 */
function asGraphqlJsError(error: NonNullable<JitResult["errors"]>[number], serialization: ReturnType<typeof createLeafSerialization>): GraphQLError {
  const thrown = serialization.take(error.message);
  const originalError = thrown ?? error.originalError ?? new Error(error.message);
  const rebuilt = new GraphQLError(thrown ? thrown.message : error.message, {
    ...(error.path ? { path: error.path } : {}),
    originalError,
  });
  if (error.locations && error.locations.length > 0) {
    (rebuilt as { locations: unknown }).locations = error.locations.map(({ line, column }) => ({ line, column }));
  }
  return rebuilt;
}

/** Whether an error's field is missing from `data` because an ancestor was nulled (a non-null field's error bubbled). */
function nulledParent(data: unknown, path: readonly (string | number)[] | undefined): boolean {
  if (!path) return false;
  let value = data;
  for (let i = 0; i < path.length - 1; i++) {
    if (value === null || typeof value !== "object") return true;
    value = (value as Record<string | number, unknown>)[path[i]!];
  }
  return value === null || typeof value !== "object";
}

/** graphql-js's response shape: `{ data }`, or `{ errors, data }` (that key order). */
function asGraphqlJsResult(result: JitResult, serialization: ReturnType<typeof createLeafSerialization>): ExecutionResult {
  if (!result.errors || result.errors.length === 0) return { data: result.data ?? null };
  return { errors: result.errors.map((e) => asGraphqlJsError(e, serialization)), data: result.data ?? null };
}

export function createExecutionRunner(options: ExecutionRunnerOptions): ExecutionRunner {
  const { schema } = options;
  const compileOnRun = options.compileOnRun ?? COMPILE_ON_RUN;
  let compile = options.compile;
  /** Executions so far of operations not compiled yet, by key (operation name and document text). */
  const counted = new LRUCache<string, { runs: number }>({ max: MAX_COUNTED, maxSize: MAX_COUNTED_CHARS, sizeCalculation: (_v, key) => Math.max(1, key.length) });
  /** Operations past their compile turn: compiled, or staying on graphql-js. */
  const decided = new LRUCache<string, Compiled | typeof GRAPHQL_JS>({ max: options.maxCompiled ?? MAX_COMPILED });
  const stats: ExecutionRunnerStats = { compiled: 0, compiledExecutions: 0, notCompiled: 0 };
  const serialization = createLeafSerialization(schema);

  /** Compiles a fresh parse of the text: stored documents have no tokens (apollo.adapter.ts `withoutTokens`), from which graphql-jit computes error locations. */
  const decide = (source: string, operationName: string | undefined): Compiled | typeof GRAPHQL_JS => {
    try {
      const document = parse(source);
      const operation = getOperationAST(document, operationName);
      if (!operation || !compilable(schema, document, operation)) return GRAPHQL_JS;
      compile ??= loadGraphqlJit();
      const compiled = compile(schema, document, operationName, { customSerializers: serialization.serializers });
      if (!("query" in compiled) || typeof compiled.query !== "function") return GRAPHQL_JS;
      const defaults = (operation.variableDefinitions ?? []).flatMap((d) => (d.defaultValue ? [[d.variable.name.value, valueFromASTUntyped(d.defaultValue)] as const] : []));
      return { operation, defaults, query: compiled.query };
    } catch {
      return GRAPHQL_JS;
    }
  };

  const runCompiled = (compiled: Compiled, args: ExecutionArgs, key: string): Promise<ExecutionResult> | ExecutionResult => {
    // graphql-js's coercion and messages (as `execute` reports them: at most 50 errors, no data).
    const coerced = getVariableValues(schema, compiled.operation.variableDefinitions ?? [], args.variableValues ?? {}, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    // The raw values, as graphql-js's `execute` takes them: graphql-jit coerces them itself, and
    // coercing graphql-js's output again would run custom scalars' and enums' parsers twice. An
    // omitted variable is sent its default, as written: graphql-jit refuses an omitted `Int! = 20`
    // (graphql-js, as the spec, takes the default).
    let variables = args.variableValues ?? {};
    for (const [name, value] of compiled.defaults) {
      if (!Object.prototype.hasOwnProperty.call(variables, name)) variables = { ...variables, [name]: value };
    }
    // Anything graphql-jit itself throws (not a resolver's error, which it reports) leaves the
    // operation on graphql-js, which answers this request.
    const abandon = (): Promise<ExecutionResult> | ExecutionResult => {
      decided.set(key, GRAPHQL_JS);
      return graphqlExecute(args);
    };
    let result: JitResult | Promise<JitResult>;
    try {
      result = compiled.query(args.rootValue, args.contextValue, variables) as JitResult | Promise<JitResult>;
    } catch {
      return abandon();
    }
    const finish = (r: JitResult): Promise<ExecutionResult> | ExecutionResult => {
      // An answer this module cannot read (a throw here) is made by graphql-js, for good: Apollo
      // calls responseForOperation outside its own try (@apollo/server requestPipeline.js), so a
      // throw would become an internal error there.
      try {
        // graphql-jit refused variables graphql-js accepted (nothing ran): graphql-js answers, for good.
        if (r.data === undefined && r.errors) {
          for (const e of r.errors) serialization.take(e.message);
          return abandon();
        }
        // graphql-jit lists the errors that nulled a parent (non-null fields) after all others;
        // graphql-js lists every error when it reached a nullable parent. Only with both kinds in
        // one answer can the orders differ: that (rare) answer is made again by graphql-js, whose
        // second run reads what the first loaded from the operation's loaders.
        if (r.errors && r.errors.length > 1 && r.errors.some((e) => nulledParent(r.data, e.path))) {
          for (const e of r.errors) serialization.take(e.message);
          return graphqlExecute(args);
        }
        const answer = asGraphqlJsResult(r, serialization);
        stats.compiledExecutions++;
        return answer;
      } catch {
        return abandon();
      }
    };
    return isPromise(result) ? result.then(finish, abandon) : finish(result);
  };

  /** Counts this execution, compiles on its turn; the compiled operation's key and entry when it runs compiled. */
  const compiledEntry = (args: Pick<ExecutionArgs, "document" | "operationName">): { key: string; entry: Compiled } | undefined => {
    const source = args.document.loc?.source.body;
    if (compileOnRun <= 0 || source === undefined) return undefined;
    const operationName = args.operationName ?? undefined;
    const key = `${operationName ?? ""}\u0000${source}`;
    const known = decided.get(key);
    if (known === GRAPHQL_JS) return undefined;
    if (known) return { key, entry: known };
    // Only queries are counted (and compiled); mutations never.
    const operation = getOperationAST(args.document, operationName);
    if (!operation || operation.operation !== "query") return undefined;
    const count = counted.get(key) ?? { runs: 0 };
    count.runs++;
    if (count.runs < compileOnRun) {
      counted.set(key, count);
      return undefined;
    }
    counted.delete(key);
    const decision = decide(source, operationName);
    decided.set(key, decision);
    if (decision === GRAPHQL_JS) {
      stats.notCompiled++;
      return undefined;
    }
    stats.compiled++;
    return { key, entry: decision };
  };

  return {
    execute(args) {
      const compiled = compiledEntry(args);
      return compiled ? runCompiled(compiled.entry, args, compiled.key) : graphqlExecute(args);
    },
    compiled(args) {
      const compiled = compiledEntry(args);
      return compiled && ((executionArgs) => runCompiled(compiled.entry, executionArgs, compiled.key));
    },
    stats: () => ({ ...stats }),
  };
}
