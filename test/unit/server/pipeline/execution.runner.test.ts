/**
 * Stage 9's executor (src/server/pipeline/execution.runner.ts): an operation is compiled on its
 * `compileOnRun`-th execution (default 3) and runs compiled from then on; a compile failure leaves it on graphql-js, for
 * good; mutations are never compiled; graphql-jit loads without fast-json-stringify.
 */
import { createRequire } from "node:module";
import {
  execute,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from "graphql";
import { describe, expect, it } from "vitest";
import { createExecutionRunner, loadGraphqlJit, type CompileOperation } from "../../../../src/server/pipeline/execution.runner.js";

/** An input object whose fields have defaults (a nullable one and a non-null one), as ContactSort in schema/schema.graphql. */
const Sort = new GraphQLInputObjectType({
  name: "Sort",
  fields: {
    field: { type: new GraphQLNonNull(GraphQLString) },
    // Internal values unlike the names: an answer shows whether the enum was coerced.
    direction: { type: new GraphQLNonNull(new GraphQLEnumType({ name: "Direction", values: { ASC: { value: "asc" }, DESC: { value: "desc" } } })), defaultValue: "desc" },
    note: { type: GraphQLString, defaultValue: "default note" },
  },
});

/** An input object that contains itself, as ContactFilter (`and`, `or`) in schema/schema.graphql. */
const Filter: GraphQLInputObjectType = new GraphQLInputObjectType({
  name: "Filter",
  fields: () => ({ x: { type: GraphQLInt }, or: { type: new GraphQLList(new GraphQLNonNull(Filter)) } }),
});

/** A scalar that passes a value through, as graphql-scalars' JSON; and one that copies it (no pass-through). */
const Json = new GraphQLScalarType({ name: "Json", parseValue: (value) => value });
const Copying = new GraphQLScalarType({ name: "Copying", parseValue: (value) => structuredClone(value) });
/** Passes an object through but refuses a list, as graphql-scalars' JSONObject. */
const ObjectOnly = new GraphQLScalarType({
  name: "ObjectOnly",
  parseValue: (value) => {
    if (Array.isArray(value)) throw new TypeError("not an object");
    return value;
  },
});

const schema = new GraphQLSchema({
  types: [Json, Copying, ObjectOnly],
  query: new GraphQLObjectType({
    name: "Query",
    fields: {
      greeting: {
        type: new GraphQLNonNull(GraphQLString),
        args: { name: { type: new GraphQLNonNull(GraphQLString), defaultValue: "world" }, times: { type: GraphQLInt } },
        resolve: (_root, args: { name: string; times?: number | null }) => `hello ${args.name}`.repeat(args.times ?? 1),
      },
      // Non-Error throws, from a resolver and from a leaf's serialize.
      thrown: {
        type: GraphQLString,
        resolve: () => {
          throw "a string";
        },
      },
      odd: {
        type: new GraphQLScalarType({
          name: "Odd",
          serialize: () => {
            throw { odd: true };
          },
        }),
        resolve: () => 1,
      },
      filtered: { type: GraphQLString, args: { f: { type: Filter }, fs: { type: new GraphQLList(Filter) } }, resolve: (_root, args: unknown) => JSON.stringify(args) },
      sorted: { type: GraphQLString, args: { sort: { type: new GraphQLList(new GraphQLNonNull(Sort)) } }, resolve: (_root, args: { sort: unknown }) => JSON.stringify(args.sort) },
      // A list of non-null items, as `dashboardScope(tags: [String!])` in schema/schema.graphql.
      tagged: { type: GraphQLString, args: { tags: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) } }, resolve: (_root, args: { tags: string[] }) => args.tags.map((t) => t.toUpperCase()).join() },
    },
  }),
  mutation: new GraphQLObjectType({ name: "Mutation", fields: { touch: { type: GraphQLString, resolve: () => "touched" } } }),
});

/** graphql-jit's compiler, counting its calls and compiled runs. */
function countingCompiler() {
  const jit = loadGraphqlJit();
  const counts = { compiles: 0, runs: 0 };
  const compile: CompileOperation = (s, document, operationName, options) => {
    counts.compiles++;
    const compiled = jit(s, document, operationName, options);
    if (!("query" in compiled)) return compiled;
    return {
      query: (root: unknown, context: unknown, variables: Record<string, unknown> | null | undefined) => {
        counts.runs++;
        return compiled.query(root, context, variables);
      },
    };
  };
  return { compile, counts };
}

async function run(runner: ReturnType<typeof createExecutionRunner>, query: string, variableValues?: Record<string, unknown>): Promise<string> {
  const result: ExecutionResult = await runner.execute({ schema, document: parse(query), variableValues: variableValues ?? null, contextValue: {} });
  return JSON.stringify(result);
}

/** Each case run 4 times answers as graphql-js and is never compiled. */
async function expectNeverCompiled(cases: readonly (readonly [query: string, variables: Record<string, unknown>])[]): Promise<void> {
  for (const [query, variables] of cases) {
    const { compile, counts } = countingCompiler();
    const runner = createExecutionRunner({ schema, compile });
    const expected = JSON.stringify(await execute({ schema, document: parse(query), variableValues: variables }));
    for (let i = 0; i < 4; i++) expect(await run(runner, query, variables), query).toBe(expected);
    expect(counts, query).toEqual({ compiles: 0, runs: 0 });
    expect(runner.stats(), query).toEqual({ compiled: 0, compiledExecutions: 0, notCompiled: 1, compilerUnavailable: false });
  }
}

describe("execution runner", () => {
  it("compiles a query on its 3rd execution and runs it compiled from then on, with graphql-js's answers", async () => {
    const { compile, counts } = countingCompiler();
    const runner = createExecutionRunner({ schema, compile });
    const query = `query Greet($name: String! = "you", $times: Int) { greeting(name: $name, times: $times) }`;
    const first = await run(runner, query, { times: 2 });
    await run(runner, query, { times: 2 });
    expect(counts).toEqual({ compiles: 0, runs: 0 });
    expect(await run(runner, query, { times: 2 })).toBe(first);
    expect(await run(runner, query, { times: 2 })).toBe(first);
    expect(counts).toEqual({ compiles: 1, runs: 2 });
    expect(runner.stats()).toEqual({ compiled: 1, compiledExecutions: 2, notCompiled: 0, compilerUnavailable: false });
    // graphql-js checks variables first, with its own messages; nothing runs.
    const refused = await run(runner, query, { times: "two" });
    expect(refused).toBe(JSON.stringify(await execute({ schema, document: parse(query), variableValues: { times: "two" } })));
    expect(refused).toContain('Variable \\"$times\\" got invalid value \\"two\\"');
    expect(counts.runs).toBe(2);
  });

  it("a compile failure leaves the operation on graphql-js, remembered", async () => {
    let compiles = 0;
    const failing: CompileOperation = () => {
      compiles++;
      throw new Error("cannot compile");
    };
    const erring: CompileOperation = () => {
      compiles++;
      return { errors: [new Error("cannot compile either")] };
    };
    for (const compile of [failing, erring]) {
      compiles = 0;
      const runner = createExecutionRunner({ schema, compile });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await run(runner, `{ greeting }`));
      expect(new Set(answers)).toEqual(new Set([JSON.stringify({ data: { greeting: "hello world" } })]));
      expect(compiles).toBe(1);
      expect(runner.stats()).toEqual({ compiled: 0, compiledExecutions: 0, notCompiled: 1, compilerUnavailable: false });
    }
  });

  it("keeps an operation with a variable inside a list or input-object literal on graphql-js (graphql-jit coerces it differently)", async () => {
    const cases: [query: string, variables: Record<string, unknown>][] = [
      // Explicit null into a list of non-null items: graphql-js refuses the argument.
      [`query($t: String = "vip") { tagged(tags: [$t]) }`, { t: null }],
      [`query($t: String = "vip") { tagged(tags: ["a", $t]) }`, {}],
      // Omitted nullable variable: graphql-js leaves the field out, so its default applies.
      [`query($d: Direction) { sorted(sort: [{ field: "x", direction: $d }]) }`, {}],
      [`query($n: String) { sorted(sort: { field: "x", note: $n }) }`, {}],
      // Explicit null into a non-null field with a default: graphql-js refuses the argument.
      [`query($d: Direction) { sorted(sort: [{ field: "x", direction: $d }]) }`, { d: null }],
    ];
    await expectNeverCompiled(cases);
  });

  it("keeps an operation with a variable of an input-object type on graphql-js (graphql-jit never finishes compiling one that contains itself)", async () => {
    const cases: [query: string, variables: Record<string, unknown>][] = [
      [`query($f: Filter) { filtered(f: $f) }`, { f: { or: [{ x: 1 }] } }],
      [`query($fs: [Filter]) { filtered(fs: $fs) }`, { fs: [{ x: 2 }] }],
    ];
    await expectNeverCompiled(cases);
    // The same input as a literal compiles (its value is in the document, not coerced by generated code).
    const { compile, counts } = countingCompiler();
    const runner = createExecutionRunner({ schema, compile });
    for (let i = 0; i < 3; i++) await run(runner, `{ filtered(f: { or: [{ x: 1 }] }) }`, {});
    expect(counts.compiles).toBe(1);
  });

  it("compiles input-object variables as a pass-through scalar, handing them graphql-js's coerced values", async () => {
    const cases: [query: string, variables: Record<string, unknown>[]][] = [
      [`query($f: Filter) { filtered(f: $f) }`, [{ f: { or: [{ x: 1 }, { or: [{ x: 2 }] }] } }, { f: null }, {}, { f: { x: "one" } }, { f: { y: 1 } }]],
      [`query($fs: [Filter]) { filtered(fs: $fs) }`, [{ fs: [{ x: 2 }, null] }, { fs: { x: 3 } }]],
      // Defaults of the variable and of its input fields, enums coerced to their internal values.
      [`query($s: [Sort!] = [{ field: "d" }]) { sorted(sort: $s) }`, [{}, { s: [{ field: "x", direction: "ASC" }] }, { s: { field: "y" } }, { s: [{ field: "x", direction: null }] }, { s: [null] }]],
      [`query($s: [Sort!]!, $t: Int) { sorted(sort: $s) greeting(times: $t) }`, [{ s: [{ field: "z" }], t: 2 }, { t: 1 }, { s: null }]],
    ];
    for (const [query, variableSets] of cases) {
      const { compile, counts } = countingCompiler();
      const runner = createExecutionRunner({ schema, compile, passThroughScalar: "Json" });
      const expected = async (variables: Record<string, unknown>) => JSON.stringify(await execute({ schema, document: parse(query), variableValues: variables }));
      for (let i = 0; i < 3; i++) expect(await run(runner, query, variableSets[0]!), query).toBe(await expected(variableSets[0]!));
      for (const variables of variableSets) expect(await run(runner, query, variables), `${query} ${JSON.stringify(variables)}`).toBe(await expected(variables));
      expect(counts.compiles, query).toBe(1);
      expect(runner.stats().compiledExecutions, query).toBeGreaterThanOrEqual(2);
    }
    // Not a pass-through scalar (or none of that name): such operations stay on graphql-js.
    for (const passThroughScalar of ["Copying", "ObjectOnly", "Missing", "String"]) {
      const { compile, counts } = countingCompiler();
      const runner = createExecutionRunner({ schema, compile, passThroughScalar });
      for (let i = 0; i < 4; i++) await run(runner, `query($f: Filter) { filtered(f: $f) }`, { f: { x: 1 } });
      expect(counts, passThroughScalar).toEqual({ compiles: 0, runs: 0 });
    }
  });

  it("a compiled query that throws, rejects or answers what cannot be read is answered by graphql-js, which keeps the operation", async () => {
    const broken: Record<string, () => unknown> = {
      throws: () => {
        throw new Error("compiled code failed");
      },
      rejects: () => Promise.reject(new Error("compiled code failed")),
      "answers an unreadable error": () => ({ data: { greeting: "x" }, errors: [null] }),
      "resolves to an unreadable error": () => Promise.resolve({ data: { greeting: "x" }, errors: [null] }),
    };
    for (const [name, query] of Object.entries(broken)) {
      let runs = 0;
      const compile: CompileOperation = () => ({
        query: () => {
          runs++;
          return query();
        },
      });
      const runner = createExecutionRunner({ schema, compile });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await run(runner, `{ greeting }`));
      expect(new Set(answers), name).toEqual(new Set([JSON.stringify({ data: { greeting: "hello world" } })]));
      // The compiled function ran once (3rd execution); the 4th and 5th went to graphql-js.
      expect(runs, name).toBe(1);
      expect(runner.stats().compiledExecutions, name).toBe(0);
    }
  });

  it("a compiler that cannot be loaded is reported once, remembered, and shown in the stats", async () => {
    let loads = 0;
    const reported: string[] = [];
    const runner = createExecutionRunner({
      schema,
      loadCompiler: () => {
        loads++;
        throw new Error("Cannot find module 'graphql-jit'");
      },
      onLoadError: (error) => reported.push(error.message),
    });
    for (const query of [`{ a: greeting }`, `{ b: greeting }`]) {
      for (let i = 0; i < 4; i++) expect(await run(runner, query)).toBe(JSON.stringify({ data: { [query.slice(2, 3)]: "hello world" } }));
    }
    expect(loads).toBe(1);
    expect(reported).toEqual(["Cannot find module 'graphql-jit'"]);
    expect(runner.stats()).toEqual({ compiled: 0, compiledExecutions: 0, notCompiled: 1, compilerUnavailable: true });
  });

  it("a thrown non-Error is reported as graphql-js reports it (NonErrorThrown, \"Unexpected error value: …\")", async () => {
    const { compile, counts } = countingCompiler();
    const runner = createExecutionRunner({ schema, compile });
    const query = `{ thrown odd }`;
    const expected = await execute({ schema, document: parse(query) });
    const describe = (result: ExecutionResult) => [JSON.stringify(result), ...(result.errors ?? []).map((e) => [e.originalError?.name, (e.originalError as { thrownValue?: unknown }).thrownValue])];
    for (let i = 0; i < 3; i++) expect(describe(await runner.execute({ schema, document: parse(query), contextValue: {} }))).toEqual(describe(expected));
    expect(counts).toEqual({ compiles: 1, runs: 1 });
    expect(runner.stats().compiledExecutions).toBe(1);
  });

  it("known limits (beside the runner's `finish`): error order with lists mixing values and promises; siblings of a failed non-null field run", async () => {
    let siblingRuns = 0;
    const Item: GraphQLObjectType = new GraphQLObjectType({
      name: "Item",
      fields: () => ({
        bad: {
          type: GraphQLString,
          resolve: (n: number) => {
            throw new Error(`bad ${n}`);
          },
        },
        slow: {
          type: GraphQLString,
          resolve: async (n: number) => {
            await null;
            throw new Error(`slow ${n}`);
          },
        },
        kids: { type: new GraphQLList(Item), resolve: (n: number) => (n % 2 ? [Promise.resolve(n * 10), n * 10 + 1] : [n * 10, Promise.resolve(n * 10 + 1)]) },
      }),
    });
    const limits = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: "Query",
        fields: {
          mixed: { type: new GraphQLList(Item), resolve: () => [Promise.resolve(0), 1, Promise.resolve(2), 3] },
          parent: {
            type: new GraphQLObjectType({
              name: "Parent",
              fields: {
                failing: {
                  type: new GraphQLNonNull(GraphQLString),
                  resolve: () => {
                    throw new Error("failing");
                  },
                },
                sibling: { type: GraphQLInt, resolve: () => ++siblingRuns },
              },
            }),
            resolve: () => ({}),
          },
        },
      }),
    });
    const thrice = async (query: string) => {
      const runner = createExecutionRunner({ schema: limits });
      const answers: ExecutionResult[] = [];
      for (let i = 0; i < 3; i++) answers.push(await runner.execute({ schema: limits, document: parse(query), contextValue: {} }));
      expect(runner.stats().compiledExecutions).toBe(1);
      return answers;
    };
    const paths = (result: ExecutionResult) => (result.errors ?? []).map((e) => e.path!.join("."));
    // The same errors and data (their order may differ).
    const [first, , third] = await thrice(`{ mixed { kids { bad slow } } }`);
    expect(third!.data).toEqual(first!.data);
    expect([...paths(third!)].sort()).toEqual([...paths(first!)].sort());
    // graphql-js stops at the failed non-null field; graphql-jit also runs its sibling.
    siblingRuns = 0;
    await execute({ schema: limits, document: parse(`{ parent { failing sibling } }`) });
    expect(siblingRuns).toBe(0);
    const answers = await thrice(`{ parent { failing sibling } }`);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(siblingRuns).toBe(1);
  });

  it("never compiles a mutation (a query in the same runner compiles)", async () => {
    const { compile, counts } = countingCompiler();
    const runner = createExecutionRunner({ schema, compile });
    for (let i = 0; i < 4; i++) expect(await run(runner, `mutation { touch }`)).toBe(JSON.stringify({ data: { touch: "touched" } }));
    expect(counts).toEqual({ compiles: 0, runs: 0 });
    for (let i = 0; i < 3; i++) expect(await run(runner, `{ greeting }`)).toBe(JSON.stringify({ data: { greeting: "hello world" } }));
    expect(counts).toEqual({ compiles: 1, runs: 1 });
  });

  it("judges only the operation run and the fragments it reaches", async () => {
    const { compile, counts } = countingCompiler();
    const runner = createExecutionRunner({ schema, compile });
    const query = `query Q { ...G } fragment G on Query { greeting }
      mutation M($n: String) { touch sorted(sort: { field: "x", note: $n }) } fragment Unused on Query { tagged(tags: [$t]) }`;
    const document = parse(query);
    for (let i = 0; i < 3; i++) {
      const result = await runner.execute({ schema, document, operationName: "Q", contextValue: {} });
      expect(JSON.stringify(result)).toBe(JSON.stringify({ data: { greeting: "hello world" } }));
    }
    expect(counts).toEqual({ compiles: 1, runs: 1 });
  });

  it("keeps its compiled operations however many operations stay on graphql-js", async () => {
    const { compile, counts } = countingCompiler();
    const runner = createExecutionRunner({ schema, compile, maxCompiled: 2 });
    const compiledOnes = [`{ a: greeting }`, `{ b: greeting }`];
    for (const query of compiledOnes) for (let i = 0; i < 3; i++) await run(runner, query);
    expect(counts).toEqual({ compiles: 2, runs: 2 });
    // Ten operations refused at their compile turn (a variable inside an input-object literal).
    for (let n = 0; n < 10; n++) for (let i = 0; i < 3; i++) await run(runner, `query($n: String) { s${n}: sorted(sort: { field: "x", note: $n }) }`);
    expect(runner.stats().notCompiled).toBe(10);
    for (const query of compiledOnes) await run(runner, query);
    expect(counts).toEqual({ compiles: 2, runs: 4 });
    // A third compiled operation drops the least recently run one, which is counted again.
    for (let i = 0; i < 3; i++) await run(runner, `{ c: greeting }`);
    expect(counts).toEqual({ compiles: 3, runs: 5 });
    for (let i = 0; i < 3; i++) await run(runner, compiledOnes[0]!);
    expect(counts).toEqual({ compiles: 4, runs: 6 });
  });

  it("over Apollo's path counts by DocumentNode and runs what `compiled` returned", async () => {
    const { compile, counts } = countingCompiler();
    const runner = createExecutionRunner({ schema, compile });
    const document = parse(`query Greet($times: Int = 2) { greeting(times: $times) }`);
    expect(runner.compiled({ document, operationName: "Greet" })).toBeUndefined();
    expect(runner.compiled({ document, operationName: "Greet" })).toBeUndefined();
    // Another DocumentNode of the same text is counted on its own (Apollo's store hands out one per text).
    expect(runner.compiled({ document: parse(`query Greet($times: Int = 2) { greeting(times: $times) }`), operationName: "Greet" })).toBeUndefined();
    const compiled = runner.compiled({ document, operationName: "Greet" });
    expect(compiled).toBeDefined();
    const result = await runner.runCompiled(compiled!, { schema, document, variableValues: {}, operationName: "Greet", contextValue: {} });
    expect(JSON.stringify(result)).toBe(JSON.stringify({ data: { greeting: "hello worldhello world" } }));
    expect(counts).toEqual({ compiles: 1, runs: 1 });
    // A mutation's document is refused before anything is counted.
    const mutation = parse(`mutation { touch }`);
    for (let i = 0; i < 4; i++) expect(runner.compiled({ document: mutation })).toBeUndefined();
    expect(counts.compiles).toBe(1);
  });

  it("loads graphql-jit without fast-json-stringify (customJSONSerializer is off); the stand-in loads the real one for anyone else", async () => {
    const runner = createExecutionRunner({ schema });
    for (let i = 0; i < 3; i++) expect(await run(runner, `{ greeting(name: "jit") }`)).toBe(JSON.stringify({ data: { greeting: "hello jit" } }));
    expect(runner.stats().compiledExecutions).toBe(1);
    const require = createRequire(import.meta.url);
    const path = createRequire(require.resolve("graphql-jit")).resolve("fast-json-stringify");
    const loaded = () => Object.keys(require.cache).some((p) => /[\\/]node_modules[\\/](ajv|fast-json-stringify[\\/]lib)[\\/]/.test(p));
    // graphql-jit loaded and ran a compiled query without ever calling it.
    expect(loaded()).toBe(false);
    const standIn = require(path) as ((schema: object) => (value: unknown) => string) & { default: unknown };
    // Another dependent calls it: the real module is loaded, answers, and takes the stand-in's place.
    expect(standIn({ type: "object", properties: { a: { type: "string" } } })({ a: "x", b: 1 })).toBe('{"a":"x"}');
    expect(loaded()).toBe(true);
    const real = require(path) as { default: unknown };
    expect(real).not.toBe(standIn);
    expect(standIn.default).toBe(real.default);
  });
});
