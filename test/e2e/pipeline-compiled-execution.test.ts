/**
 * Stage 9 compiles a query on its 3rd execution (COMPILE_ON_RUN's default;
 * src/server/pipeline/execution.runner.ts): every
 * operation of schema/operations and crafted cases (errors in a list, null bubbling, masked
 * errors, aliases, fragments, @skip/@include with variables, defaults, bad variables, custom
 * scalars, enums, values a leaf type cannot serialise, __typename) answer the 3rd time (compiled) exactly as the 1st (graphql-js),
 * byte for byte without `extensions` (HTTP: the response text; graphql-ws: the message, members in
 * the order sent), over HTTP and graphql-ws; /metrics shows the compiled runs.
 * Each run adds an undeclared variable, so the response cache never answers instead.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Arg, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import { describe, expect, it } from "vitest";
import { SCOPES } from "../../src/auth/index.js";
import { DateTimeScalar, gatewayError, Scopes } from "../../src/graphql/index.js";
import { JSONScalar } from "../../src/graphql/common/scalars.js";
import { SortDirection } from "../../src/graphql/contact/contact-filter.type.js";
import { LOCATION_A, useStack, WRITE, READ, type Stack } from "../support/harness.js";
import { parsePrometheusText } from "../support/ops-prometheus.js";
import { wsOperation } from "../support/ws-operation.js";

@ObjectType("CompiledProbeItem")
class ProbeItem {
  @Field(() => Int)
  n!: number;
  @Field(() => SortDirection)
  direction!: SortDirection;
}

@Resolver(() => ProbeItem)
class ProbeItemResolver {
  /** Non-null: item 2's error nulls the item (or its non-null parent). */
  @FieldResolver(() => String)
  label(@Root() item: ProbeItem): string {
    if (item.n === 2) throw gatewayError("NOT_FOUND", `item ${item.n} is gone`);
    return `item ${item.n}`;
  }

  /** An unexpected error: masked, at its path. */
  @FieldResolver(() => String, { nullable: true })
  async secret(@Root() item: ProbeItem): Promise<string | null> {
    await Promise.resolve();
    if (item.n === 1) throw new Error("internal detail /srv/app.ts:1");
    return `secret ${item.n}`;
  }

  @FieldResolver(() => DateTimeScalar)
  at(@Root() item: ProbeItem): Date {
    return new Date(Date.UTC(2026, 0, item.n, 12, 30));
  }

  @FieldResolver(() => JSONScalar)
  json(@Root() item: ProbeItem): unknown {
    return { n: item.n, list: [item.n, null, "x"] };
  }

  /** Values their types cannot serialise: graphql-js's error for each (the scalar's own, or its message). */
  @FieldResolver(() => DateTimeScalar, { nullable: true })
  badDate(): string {
    return "not a date";
  }

  @FieldResolver(() => Int, { nullable: true })
  badInt(@Root() item: ProbeItem): number {
    return item.n + 0.5;
  }

  @FieldResolver(() => SortDirection, { nullable: true })
  badEnum(): string {
    return "SIDEWAYS";
  }

  @FieldResolver(() => [ProbeItem], { nullable: true })
  async children(@Root() item: ProbeItem): Promise<ProbeItem[]> {
    return [1, 2, 3].map((n) => ({ n: item.n * 10 + n, direction: item.direction }));
  }
}

@Resolver()
class ProbeResolver {
  @Scopes(SCOPES.read)
  @Query(() => [ProbeItem], { nullable: "items" })
  compiledProbe(
    @Arg("count", () => Int, { defaultValue: 3 }) count: number,
    @Arg("direction", () => SortDirection, { defaultValue: SortDirection.ASC }) direction: SortDirection,
  ): ProbeItem[] {
    return Array.from({ length: count }, (_, i) => ({ n: i + 1, direction }));
  }

  @Scopes(SCOPES.read)
  @Query(() => ProbeItem)
  compiledProbeRequired(): ProbeItem {
    return { n: 2, direction: SortDirection.DESC };
  }
}

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Runs on graphql-js every time (mutations, bad variables): the compiled counter does not move. */
  compiled: boolean;
  scopes?: string[];
  /** The upstream fails this contact's notes (HTTP 500) while the case runs. */
  failingNotesOf?: string;
}

const OPERATIONS = resolve(import.meta.dirname, "../../schema/operations");

describe("compiled execution (graphql-jit) answers exactly as graphql-js", () => {
  const stack = useStack({
    // The failing relation of one case must not open the location's circuit for the others.
    env: { RATE_LIMIT_BURST: "10000", BREAKER_FAILURE_THRESHOLD: "1000" },
    gateway: { features: [() => ({ name: "compiled-probe", resolvers: [ProbeResolver, ProbeItemResolver] })] },
  });

  function cases(s: Stack): Case[] {
    const contacts = s.sim.data.listContacts(LOCATION_A);
    const withTask = contacts.find((c) => s.sim.data.listTasks(c.id).length > 0)!;
    const variables: Record<string, Record<string, unknown>> = {
      BusinessContacts: { businessId: s.sim.data.businessIds(LOCATION_A)[0]!, first: 3 },
      ContactDetail: { id: contacts.find((c) => (c.customFields?.length ?? 0) > 0)!.id },
      ContactsDashboard: {},
      ContactsPage: { first: 5 },
      DuplicateContact: { email: contacts[4]!.email },
      SearchPipeline: {},
      TaskWithContact: { contactId: withTask.id, taskId: s.sim.data.listTasks(withTask.id)[0]!.id },
      Viewer: {},
    };
    const named = readdirSync(OPERATIONS)
      .filter((f) => f.endsWith(".graphql"))
      .map((file): Case => {
        const query = readFileSync(resolve(OPERATIONS, file), "utf8");
        const name = file.replace(/\.graphql$/, "");
        const mutation = /^\s*mutation\b/m.test(query);
        // Mutations stay on graphql-js; run without their required variables, they change nothing.
        return { name, query, operationName: name, variables: mutation ? {} : variables[name]!, compiled: !mutation, ...(mutation ? { scopes: [READ, WRITE] } : {}) };
      });
    return [
      ...named,
      {
        name: "aliases, fragments, __typename, @skip/@include with variables and defaults",
        query: `query Crafted($n: Int = 3, $withTasks: Boolean!, $noNotes: Boolean = true) {
          __typename
          first: contacts(first: $n) { totalCount nodes { ...C __typename } }
          again: contacts(first: 2) { nodes { id alias: name ... on Contact { email } ... @include(if: $withTasks) { tags } } }
        }
        fragment C on Contact { id name tasks @include(if: $withTasks) { id dueDate completed } notes @skip(if: $noNotes) { id } }`,
        variables: { withTasks: true },
        compiled: true,
      },
      {
        name: "an upstream failure in a list: that item's relation null, UPSTREAM_ERROR at its path",
        query: `{ contacts(first: 5) { nodes { id notes { id body } tasks { id title } } } }`,
        compiled: true,
        failingNotesOf: contacts[2]!.id,
      },
      {
        name: "null bubbling in a list, custom scalars, JSON, enums, __typename",
        query: `query Probe($count: Int, $dir: SortDirection = DESC) {
          compiledProbe(count: $count, direction: $dir) { n label at json direction __typename children { n label at } }
        }`,
        variables: { count: 3 },
        compiled: true,
      },
      {
        name: "an unexpected error masked at its path, enum variable",
        query: `query Masked($dir: SortDirection!) { compiledProbe(direction: $dir) { n secret direction } }`,
        variables: { dir: "ASC" },
        compiled: true,
      },
      {
        name: "values their leaf types cannot serialise",
        query: `{ compiledProbe(count: 2) { n badDate badInt badEnum } }`,
        compiled: true,
      },
      {
        name: "a bubbled and a nullable field's error in one answer: made again by graphql-js (error order)",
        query: `{ compiledProbe { n label secret } }`,
        compiled: false,
      },
      {
        name: "null bubbling to the root",
        query: `{ ok: compiledProbe(count: 1) { n } compiledProbeRequired { n label } }`,
        compiled: true,
      },
      // graphql-jit coerces a variable inside an input-object or list literal itself, unlike graphql-js:
      // such operations stay on graphql-js (and graphql-js's refusal is never stored as data).
      {
        name: "a variable inside an input-object literal, omitted: the input field's default applies",
        query: `query OmittedDirection($d: SortDirection) { contacts(first: 5, sort: [{ field: NAME, direction: $d }]) { totalCount } }`,
        variables: {},
        compiled: false,
      },
      {
        name: "a variable inside an input-object literal, explicit null into a non-null field with a default: an argument error",
        query: `query NullDirection($d: SortDirection) { contacts(first: 5, sort: [{ field: NAME, direction: $d }]) { totalCount } }`,
        variables: { d: null },
        compiled: false,
      },
      // The same for a variable inside a list literal: graphql-jit lets null into `[String!]`.
      {
        name: "a variable inside a list literal, explicit null into a list of non-null items: an argument error",
        query: `query NullTag($t: String = "vip") { dashboardScope(tags: [$t]) { totalCount } }`,
        variables: { t: null },
        compiled: false,
      },
      // graphql-jit never finishes compiling the coercion of an input type that contains itself
      // (ContactFilter's and/or): variables of input-object types are compiled as the JSON scalar
      // and handed graphql-js's coerced values (execution.runner.ts `withCoercedInputs`).
      {
        name: "a variable of a self-containing input type (a search filter) and a sort list",
        query: `query Filtered($f: ContactFilter, $s: [ContactSort!] = [{ field: NAME }]) { contacts(first: 5, filter: $f, sort: $s) { totalCount nodes { id name } } }`,
        variables: { f: { or: [{ dnd: false }, { tags: { any: ["vip"] } }] } },
        compiled: true,
      },
      {
        name: "bad variables: graphql-js's coercion messages",
        query: `query Bad($count: Int!, $dir: SortDirection) { compiledProbe(count: $count, direction: $dir) { n } }`,
        variables: { count: "three", dir: "SIDEWAYS" },
        compiled: false,
      },
    ];
  }

  async function compiledExecutions(s: Stack): Promise<number> {
    const response = await fetch(`${s.gateway.url}/metrics`);
    return parsePrometheusText(await response.text()).value("cgw_compiled_executions_total");
  }

  /**
   * An HTTP answer's text as the client received it, byte for byte, without its `extensions`
   * (appended last, response-extensions.build.ts; they differ per run: cost, freshness).
   */
  const withoutExtensions = (text: string): string => {
    const { extensions } = JSON.parse(text) as { extensions?: unknown };
    if (extensions === undefined) return text;
    const json = text.trimEnd();
    const tail = `,"extensions":${JSON.stringify(extensions)}}`;
    expect(json.endsWith(tail), `extensions are the last member of ${text}`).toBe(true);
    return `${json.slice(0, -tail.length)}}${text.slice(json.length)}`;
  };

  async function overHttp(s: Stack, c: Case, token: string, run: number): Promise<string> {
    const response = await fetch(`${s.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: c.query, variables: { ...c.variables, compiledRun: run }, ...(c.operationName ? { operationName: c.operationName } : {}) }),
    });
    return `${response.status} ${withoutExtensions(await response.text())}`;
  }

  async function overWebSocket(s: Stack, c: Case, token: string, run: number): Promise<string> {
    // Another document text than HTTP's: its own three executions.
    const outcome = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, {
      query: `${c.query}\n# graphql-ws`,
      variables: { ...c.variables, compiledRun: run },
      ...(c.operationName ? { operationName: c.operationName } : {}),
    });
    if (outcome.kind !== "result") return JSON.stringify(outcome);
    // The message as parsed (members in the order sent), without its per-run `extensions`.
    const { extensions: _extensions, ...result } = outcome.result as typeof outcome.result & { extensions?: unknown };
    return JSON.stringify(result);
  }

  for (const transport of ["HTTP", "graphql-ws"] as const) {
    it(`${transport}: the 3rd (compiled) answer of every case equals the 1st`, async () => {
      const s = stack();
      for (const c of cases(s)) {
        const removeFault = c.failingNotesOf
          ? s.sim.addFault({ method: "GET", path: `/contacts/${c.failingNotesOf}/notes`, status: 500, body: { statusCode: 500, message: "boom" } })
          : () => undefined;
        try {
          const token = await s.tokenFor({ scopes: c.scopes ?? [READ] });
          const run = transport === "HTTP" ? overHttp : overWebSocket;
          const first = await run(s, c, token, 1);
          await run(s, c, token, 2);
          const before = await compiledExecutions(s);
          const third = await run(s, c, token, 3);
          expect(third, c.name).toBe(first);
          expect((await compiledExecutions(s)) - before, c.name).toBe(c.compiled ? 1 : 0);
          if (c.compiled) expect(first, c.name).toMatch(/^(200 )?\{("errors":.*,)?"data":/s);
        } finally {
          removeFault();
        }
      }
    });
  }
});
