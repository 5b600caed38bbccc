/**
 * Stage 9's executor: a query run for the `compileOnRun`-th time (same document and operation
 * name) is compiled with graphql-jit (https://github.com/zalando-incubator/graphql-jit) and runs
 * compiled from then on, answering as graphql-js (variables, leaves and errors are graphql-js's
 * own; known limits beside `finish`); what it cannot vouch for (`compilable`, `finish`) runs on
 * graphql-js.
 * graphql-ws calls `execute`; over HTTP Apollo executes with graphql-js and asks `compiled`
 * (apollo.adapter.ts `compiledResponse`). Subscriptions never come here.
 */
import { createRequire } from "node:module";
import {
  execute as graphqlExecute,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isAbstractType,
  isInputObjectType,
  isLeafType,
  isScalarType,
  Kind,
  parse,
  typeFromAST,
  valueFromASTUntyped,
  BREAK,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type NamedTypeNode,
  type OperationDefinitionNode,
  type TypeNode,
} from "graphql";
import { inspect } from "graphql/jsutils/inspect.js";
import { isPromise } from "graphql/jsutils/isPromise.js";
import { toError } from "graphql/jsutils/toError.js";
import { LRUCache } from "lru-cache";
import { visitOperation } from "../../graphql/limits/index.js";

/** Defaults of `ExecutionRunnerOptions`. */
const COMPILE_ON_RUN = 3; // the 3rd execution of an operation compiles it (config COMPILE_ON_RUN)
const MAX_COMPILED = 100; // compiled operations kept (least recently run dropped)
const MAX_COUNTED = 1_000; // graphql-ws document texts whose operations' states are kept
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
  /** Default: graphql-jit's `compileQuery`, loaded on the first compile (`loadCompiler`). */
  compile?: CompileOperation;
  /** Loads `compile` on the first compile. Default `loadGraphqlJit`. */
  loadCompiler?: () => CompileOperation;
  /**
   * Called once when loading the compiler fails (graphql-jit missing or broken): every operation
   * then stays on graphql-js, and loading is not tried again. The error is the loader's.
   */
  onLoadError?: (error: Error) => void;
  /**
   * A scalar of the schema whose `parseValue` returns its input as it is (graphql-scalars' `JSON`).
   * A variable of an input-object type is then compiled as that scalar and handed the value
   * graphql-js coerced (`withCoercedInputs`); without one, operations with such variables stay on
   * graphql-js.
   */
  passThroughScalar?: string;
}

export interface ExecutionRunnerStats {
  /** Operations compiled (successfully) since start. */
  compiled: number;
  /** Executions that ran a compiled operation. */
  compiledExecutions: number;
  /** Operations that stay on graphql-js after their compile turn: not eligible, or the compile failed. */
  notCompiled: number;
  /** Loading the compiler failed (`onLoadError` was called): nothing compiles. */
  compilerUnavailable: boolean;
}

/** An operation that runs compiled (opaque outside this module): `ExecutionRunner.compiled`'s answer. */
export interface CompiledQuery {
  readonly kind: "compiled";
}

export interface ExecutionRunner {
  /** Executes: compiled (from its `compileOnRun`-th execution) or with graphql-js. */
  execute(args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult;
  /**
   * For a transport that executes with graphql-js itself (Apollo) and hands every request of one
   * document text the same DocumentNode (its document store): counts this execution and returns
   * the compiled operation when it runs compiled (then run it with `runCompiled`), else undefined.
   * Called once per execution, in place of `execute`.
   */
  compiled(args: Pick<ExecutionArgs, "document" | "operationName">): CompiledQuery | undefined;
  /** Runs what `compiled` returned for this execution. */
  runCompiled(query: CompiledQuery, args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult;
  stats(): ExecutionRunnerStats;
}

interface Compiled extends CompiledQuery {
  /** The states it sits in, under `name` (its operation name, "" for none). */
  home: Operations;
  name: string;
  operation: OperationDefinitionNode;
  /** The defaults of variables that have one, as a client would send them (JSON; undefined when none). */
  defaults: Record<string, unknown> | undefined;
  /** Variables compiled as the pass-through scalar: handed graphql-js's coerced values (`withCoercedInputs`). */
  coercedInputs: readonly string[];
  /** graphql-jit's function; undefined once dropped from the compiled operations kept (`kept`). */
  query: ((root: unknown, context: unknown, variables: Record<string, unknown> | null | undefined) => unknown) | undefined;
  /** graphql-jit threw running it: the operation stays on graphql-js. */
  abandoned: boolean;
}

/** An operation not compiled yet: its executions so far. */
interface Counting {
  readonly kind: "counting";
  runs: number;
}

/** An operation that stays on graphql-js. */
const GRAPHQL_JS = "graphql-js" as const;

/** Where each operation of one document stands, by operation name ("" for none). */
type Operations = Map<string, Counting | Compiled | typeof GRAPHQL_JS>;

/** graphql-jit's results (its own GraphQLError subclass, `{ data, errors }` order). */
interface JitResult {
  data?: Record<string, unknown> | null;
  errors?: readonly { message: string; locations?: readonly { line: number; column: number }[]; path?: readonly (string | number)[]; originalError?: Error | null }[];
}

/**
 * graphql-jit's `compileQuery`, required on first use, not at import: most processes compile
 * something within seconds, but a gateway that never does (every document new) pays nothing.
 * Its dist/execution.js requires fast-json-stringify (and through it ajv, ~4 MB of heap) at load
 * although only its `customJSONSerializer` option uses it, which is off here. Unless something
 * already loaded it, fast-json-stringify's slot in the process-wide `require.cache` is filled
 * with a stand-in that loads the real module on first use (a call, or reading any export but
 * `__esModule`, which graphql-jit's bundle reads at load) and from then on delegates to it; the
 * real module also replaces the stand-in in `require.cache`. So graphql-jit never loads it (it
 * never calls it: test/unit/server/pipeline/execution.runner.test.ts checks), and any other
 * module that requires fast-json-stringify gets a working one.
 */
export function loadGraphqlJit(): CompileOperation {
  const require = createRequire(import.meta.url);
  const jitEntry = require.resolve("graphql-jit");
  const fastJsonStringify = createRequire(jitEntry).resolve("fast-json-stringify");
  if (!require.cache[fastJsonStringify]) {
    const Module = require("node:module") as { Module: new (id: string) => NodeJS.Module };
    const standIn = new Module.Module(fastJsonStringify);
    let real: ((...args: unknown[]) => unknown) | undefined;
    const loadReal = (): ((...args: unknown[]) => unknown) => {
      if (!real) {
        if (require.cache[fastJsonStringify] === standIn) delete require.cache[fastJsonStringify];
        real = require(fastJsonStringify) as (...args: unknown[]) => unknown;
      }
      return real;
    };
    standIn.filename = fastJsonStringify;
    standIn.loaded = true;
    standIn.exports = new Proxy(function fastJsonStringifyOnFirstUse() {}, {
      apply: (_target, self, args) => Reflect.apply(loadReal(), self, args),
      construct: (_target, args) => Reflect.construct(loadReal(), args) as object,
      // esbuild's `__toESM` (graphql-jit's dist) asks whether it is an ES module when graphql-jit
      // loads; fast-json-stringify (CommonJS) is not, so the answer needs no load.
      get: (_target, key) => (key === "__esModule" ? undefined : Reflect.get(loadReal(), key)),
      has: (_target, key) => Reflect.has(loadReal(), key),
    });
    require.cache[fastJsonStringify] = standIn;
  }
  const { compileQuery } = require(jitEntry) as {
    compileQuery(schema: GraphQLSchema, document: DocumentNode, operationName?: string, options?: Record<string, unknown>): CompiledOperation;
  };
  return (schema, document, operationName, options) =>
    compileQuery(schema, document, operationName, { ...options, customJSONSerializer: false, disableLeafSerialization: false });
}

/**
 * Whether compiled execution is certainly answer-for-answer graphql-js's, judged on the operation
 * run and the fragments it reaches (another operation of the document does not count): a query
 * without introspection fields (`__schema`, `__type`), without any interface or union in its
 * selections or fragments, and without a variable inside a list or input-object literal
 * (`[$t]`, `{ direction: $d }`). graphql-jit coerces such a variable itself, not as graphql-js's
 * `valueFromAST` (graphql/utilities/valueFromAST.js) does: an explicit null passes into a list of
 * non-null items (`tags: [$t]`, `[String!]`) or into a non-null input field that has a default,
 * where graphql-js refuses the argument; and an omitted nullable variable becomes null where
 * graphql-js leaves the input field out (so its default applies).
 */
function compilable(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, inputVariables: boolean): boolean {
  if (operation.operation !== "query") return false;
  // A variable of an input-object type (also in a list) only as the pass-through scalar
  // (`withCoercedInputs`): graphql-jit 0.8.9 compiles the coercion of such a variable into code
  // type by type, and for a type that contains itself (`ContactFilter.and: [ContactFilter!]`) it
  // never stops: compiling `query($f: ContactFilter)` fills the heap until the process dies (not
  // an exception this module could catch).
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type);
    if (!type || (!inputVariables && isInputObjectType(getNamedType(type)))) return false;
  }
  const abstract = (name: string) => {
    const type = schema.getType(name);
    return !type || isAbstractType(type);
  };
  let ok = true;
  let literalDepth = 0; // inside a ListValue or ObjectValue
  const literal = {
    enter() {
      literalDepth++;
    },
    leave() {
      literalDepth--;
    },
  };
  const refuse = () => {
    ok = false;
    return BREAK;
  };
  visitOperation(
    schema,
    document,
    operation,
    (typeInfo) => ({
      Field(node) {
        const type = typeInfo.getType();
        return node.name.value === "__schema" || node.name.value === "__type" || !type || isAbstractType(getNamedType(type)) ? refuse() : undefined;
      },
      InlineFragment(node) {
        return node.typeCondition && abstract(node.typeCondition.name.value) ? refuse() : undefined;
      },
      FragmentDefinition(node) {
        return abstract(node.typeCondition.name.value) ? refuse() : undefined;
      },
      ListValue: literal,
      ObjectValue: literal,
      Variable() {
        return literalDepth > 0 ? refuse() : undefined;
      },
    }),
    () => !ok,
  );
  return ok;
}

/**
 * The operation to compile: each variable of an input-object type (or a list of them) declared as
 * `scalar` instead (non-null kept, default dropped), and those variables' names. graphql-jit then
 * generates no coercion for them (for a type containing itself it never finishes generating one:
 * `compilable`); `runCompiled` hands them the values graphql-js's `getVariableValues` coerced,
 * defaults applied, which is what graphql-js's `execute` hands the resolvers' arguments too.
 */
function withCoercedInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  scalar: string,
): { document: DocumentNode; names: readonly string[] } {
  const names: string[] = [];
  const named: NamedTypeNode = { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: scalar } };
  const variableDefinitions = (operation.variableDefinitions ?? []).map((definition) => {
    const type = typeFromAST(schema, definition.type);
    if (!type || !isInputObjectType(getNamedType(type))) return definition;
    names.push(definition.variable.name.value);
    const declared: TypeNode = definition.type.kind === Kind.NON_NULL_TYPE ? { kind: Kind.NON_NULL_TYPE, type: named } : named;
    return { ...definition, type: declared, defaultValue: undefined };
  });
  if (names.length === 0) return { document, names };
  const rewritten: OperationDefinitionNode = { ...operation, variableDefinitions };
  return { document: { ...document, definitions: document.definitions.map((d) => (d === operation ? rewritten : d)) }, names };
}

/** `name` when it is a scalar of `schema` whose `parseValue` returns an object and a list as they are, else undefined. */
function passThroughScalarOf(schema: GraphQLSchema, name: string | undefined): string | undefined {
  const type = name === undefined ? undefined : schema.getType(name);
  if (!type || !isScalarType(type)) return undefined;
  // An object and a list (a variable of a list of input objects hands the scalar a list).
  const probe = { probe: [1] };
  const list = [probe];
  try {
    return type.parseValue(probe) === probe && type.parseValue(list) === list ? name : undefined;
  } catch {
    return undefined;
  }
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
    pending.set(token, toError(error));
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

/**
 * A graphql-jit error as graphql-js's `locatedError` builds it: same message, path and original
 * error (whose extensions it takes); locations as graphql-jit computed them from the same nodes.
 * An error without an original one (a non-null violation) gets an `Error` with its message, as
 * graphql-js raises those.
 */
function asGraphqlJsError(error: NonNullable<JitResult["errors"]>[number], serialization: ReturnType<typeof createLeafSerialization>): GraphQLError {
  // graphql-jit keeps a thrown non-Error as it is, with itself as the message; graphql-js wraps it
  // (graphql/jsutils/toError.js: NonErrorThrown, "Unexpected error value: …").
  const raw: unknown = error.originalError;
  const thrown = serialization.take(error.message) ?? (raw != null && !(raw instanceof Error) ? toError(raw) : undefined);
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
  /**
   * Over HTTP, by Apollo's DocumentNode: its document store hands every request of one text the
   * same object, so a run costs two map reads, not a hash of the whole text; the states go with
   * the document when Apollo drops it. A text Apollo parses again (its store dropped it) starts
   * counting afresh, and the old document's compiled operation keeps its slot in `kept` until it
   * is the least recently run.
   */
  const byDocument = new WeakMap<DocumentNode, Operations>();
  /** Over graphql-ws, which parses per subscribe: by document text (bounded by count and characters). */
  const byText = new LRUCache<string, Operations>({ max: MAX_COUNTED, maxSize: MAX_COUNTED_CHARS, sizeCalculation: (_v, key) => Math.max(1, key.length) });
  /**
   * The compiled operations kept (the least recently run is dropped: its function freed, and its
   * state removed so the operation is counted again; an abandoned one stays on graphql-js). Only
   * compiled ones: a verdict to stay on graphql-js lives with its document's states and never
   * pushes a compiled operation out.
   */
  const kept = new LRUCache<Compiled, true>({
    max: options.maxCompiled ?? MAX_COMPILED,
    dispose: (_value, entry) => {
      entry.query = undefined;
      if (entry.home.get(entry.name) !== entry) return;
      if (entry.abandoned) entry.home.set(entry.name, GRAPHQL_JS);
      else entry.home.delete(entry.name);
    },
  });
  const stats: ExecutionRunnerStats = { compiled: 0, compiledExecutions: 0, notCompiled: 0, compilerUnavailable: false };
  const serialization = createLeafSerialization(schema);
  const passThrough = passThroughScalarOf(schema, options.passThroughScalar);

  /** The compiler, loaded once; a failure is remembered and reported once (then nothing is counted any more). */
  const compiler = (): CompileOperation | undefined => {
    if (compile || stats.compilerUnavailable) return compile;
    try {
      compile = (options.loadCompiler ?? loadGraphqlJit)();
    } catch (error) {
      stats.compilerUnavailable = true;
      options.onLoadError?.(error instanceof Error ? error : new Error(String(error)));
    }
    return compile;
  };

  /** Compiles a fresh parse of the text: stored documents have no tokens (apollo.adapter.ts `withoutTokens`), from which graphql-jit computes error locations. */
  const decide = (source: string, operationName: string | undefined, home: Operations, name: string): Compiled | typeof GRAPHQL_JS => {
    try {
      const document = parse(source);
      const operation = getOperationAST(document, operationName);
      if (!operation || !compilable(schema, document, operation, passThrough !== undefined)) return GRAPHQL_JS;
      const compileWith = compiler();
      if (!compileWith) return GRAPHQL_JS;
      const inputs = passThrough === undefined ? { document, names: [] } : withCoercedInputs(schema, document, operation, passThrough);
      const compiled = compileWith(schema, inputs.document, operationName, { customSerializers: serialization.serializers });
      if (!("query" in compiled) || typeof compiled.query !== "function") return GRAPHQL_JS;
      let defaults: Record<string, unknown> | undefined;
      for (const definition of operation.variableDefinitions ?? []) {
        if (definition.defaultValue) (defaults ??= {})[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
      }
      return { kind: "compiled", home, name, operation, defaults, coercedInputs: inputs.names, query: compiled.query, abandoned: false };
    } catch {
      return GRAPHQL_JS;
    }
  };

  /** Counts this execution of an operation and compiles it on its turn; the compiled operation when it runs compiled. */
  const turn = (operations: Operations, document: DocumentNode, operationName: string | null | undefined): Compiled | undefined => {
    const name = operationName ?? "";
    let state = operations.get(name);
    if (state === GRAPHQL_JS) return undefined;
    if (state?.kind === "compiled") {
      kept.get(state); // recently run (once dropped or abandoned, `kept` has replaced this state)
      return state;
    }
    if (state === undefined) {
      // Only queries are counted (and compiled); mutations never.
      const operation = getOperationAST(document, operationName);
      if (!operation || operation.operation !== "query") {
        operations.set(name, GRAPHQL_JS);
        return undefined;
      }
      state = { kind: "counting", runs: 0 };
      operations.set(name, state);
    }
    if (++state.runs < compileOnRun) return undefined;
    const source = document.loc?.source.body;
    const decision = source === undefined ? GRAPHQL_JS : decide(source, operationName ?? undefined, operations, name);
    operations.set(name, decision);
    if (decision === GRAPHQL_JS) {
      stats.notCompiled++;
      return undefined;
    }
    stats.compiled++;
    kept.set(decision, true);
    return decision;
  };

  /** Anything graphql-jit itself throws (not a resolver's error, which it reports) leaves the operation on graphql-js, which answers this request. */
  const abandon = (compiled: Compiled, args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult => {
    compiled.abandoned = true;
    kept.delete(compiled); // its state becomes GRAPHQL_JS (`kept`'s dispose)
    return graphqlExecute(args);
  };

  /**
   * Known limits (test/unit/server/pipeline/execution.runner.test.ts pins both): when list
   * resolvers return a mix of values and promises, one answer's errors may be listed in another
   * order than graphql-js's (same errors, same data; no resolver of this gateway returns such a
   * list); and after a non-null field's error graphql-jit still runs that field's siblings, which
   * graphql-js skips, so such an answer may have loaded more (its extensions.cost and freshness
   * can differ).
   */
  /** An answer graphql-js makes instead: the leaf failures its errors recorded are not needed. */
  const forgetFailures = (errors: readonly { message: string }[]) => {
    for (const e of errors) serialization.take(e.message);
  };
  const finish = (compiled: Compiled, args: ExecutionArgs, r: JitResult): Promise<ExecutionResult> | ExecutionResult => {
    // An answer this module cannot read (a throw here) is made by graphql-js, for good: Apollo
    // calls responseForOperation outside its own try (@apollo/server requestPipeline.js), so a
    // throw would become an internal error there.
    try {
      // graphql-jit refused variables graphql-js accepted (nothing ran): graphql-js answers, for good.
      if (r.data === undefined && r.errors) {
        forgetFailures(r.errors);
        return abandon(compiled, args);
      }
      // graphql-jit lists the errors that nulled a parent (non-null fields) after all others;
      // graphql-js lists every error when it reached a nullable parent. Only with both kinds in
      // one answer can the orders differ: that (rare) answer is made again by graphql-js, whose
      // second run reads what the first loaded from the operation's loaders.
      if (r.errors && r.errors.length > 1 && r.errors.some((e) => nulledParent(r.data, e.path))) {
        forgetFailures(r.errors);
        return graphqlExecute(args);
      }
      const answer = asGraphqlJsResult(r, serialization);
      stats.compiledExecutions++;
      return answer;
    } catch {
      return abandon(compiled, args);
    }
  };

  const settle = async (compiled: Compiled, args: ExecutionArgs, pending: Promise<JitResult>): Promise<ExecutionResult> => {
    let r: JitResult;
    try {
      r = await pending;
    } catch {
      return abandon(compiled, args);
    }
    return finish(compiled, args, r);
  };

  const runCompiled = (compiled: Compiled, args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult => {
    const query = compiled.query;
    if (!query) return graphqlExecute(args);
    // graphql-js's coercion and messages (as `execute` reports them: at most 50 errors, no data).
    const coerced = getVariableValues(schema, compiled.operation.variableDefinitions ?? [], args.variableValues ?? {}, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    // The raw values, as graphql-js's `execute` takes them: graphql-jit coerces them itself, and
    // coercing graphql-js's output again would run custom scalars' and enums' parsers twice. An
    // omitted variable is sent its default, as written: graphql-jit refuses an omitted `Int! = 20`
    // (graphql-js, as the spec, takes the default). One copy, only when a default is missing.
    let variables = args.variableValues ?? {};
    for (const name in compiled.defaults) {
      if (!Object.prototype.hasOwnProperty.call(variables, name)) {
        variables = { ...compiled.defaults, ...variables };
        break;
      }
    }
    // Input-object variables are compiled as the pass-through scalar: graphql-js's coerced values.
    if (compiled.coercedInputs.length > 0) {
      const handed: Record<string, unknown> = { ...variables };
      for (const name of compiled.coercedInputs) {
        if (Object.prototype.hasOwnProperty.call(coerced.coerced, name)) handed[name] = coerced.coerced[name];
        else delete handed[name];
      }
      variables = handed;
    }
    let result: JitResult | Promise<JitResult>;
    try {
      result = query(args.rootValue, args.contextValue, variables) as JitResult | Promise<JitResult>;
    } catch {
      return abandon(compiled, args);
    }
    return isPromise(result) ? settle(compiled, args, result) : finish(compiled, args, result);
  };

  return {
    execute(args) {
      if (compileOnRun <= 0 || stats.compilerUnavailable) return graphqlExecute(args);
      // What never compiles is refused before the text is looked up (which hashes all of it).
      const source = args.document.loc?.source.body;
      const operation = source === undefined ? undefined : getOperationAST(args.document, args.operationName);
      if (source === undefined || !operation || operation.operation !== "query") return graphqlExecute(args);
      let operations = byText.get(source);
      if (!operations) byText.set(source, (operations = new Map()));
      const compiled = turn(operations, args.document, args.operationName);
      return compiled ? runCompiled(compiled, args) : graphqlExecute(args);
    },
    compiled(args) {
      if (compileOnRun <= 0 || stats.compilerUnavailable) return undefined;
      let operations = byDocument.get(args.document);
      if (!operations) byDocument.set(args.document, (operations = new Map()));
      return turn(operations, args.document, args.operationName);
    },
    runCompiled: (query, args) => runCompiled(query as Compiled, args),
    stats: () => ({ ...stats }),
  };
}
