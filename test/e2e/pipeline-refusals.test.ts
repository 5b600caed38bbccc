/**
 * Every limit and refusal of the operation pipeline (src/server/pipeline/operation.pipeline.ts),
 * over BOTH transports, from one table: HTTP (POST /graphql) and graphql-ws (ws://…/graphql)
 * answer with the same error code, make no upstream call (the simulator's request log stays
 * empty), and leave exactly one `rejected` audit line for each refused mutation (none for a query).
 *
 * How each transport says "refused":
 * - before execution (token limit, depth, aliases, cost): HTTP 400 without `data`; graphql-ws an
 *   `error` message;
 * - authentication and authorization: `{ data: null, errors }` (HTTP 200; graphql-ws `next`);
 * - a caller whose token is refused outright (missing, or for a location the gateway holds no
 *   credentials for): over graphql-ws the connection itself is refused at connection_init with
 *   4403 and a reason naming the same code; no operation ever reaches the gateway, so there is no
 *   mutation to audit on that transport.
 */
import { describe, expect, it } from "vitest";
import { LOCATION_A, READ, WRITE, useStack, type Stack } from "../support/harness.js";
import { wsOperation, type WsOutcome } from "../support/ws-operation.js";
import { auditLines } from "./write-support.js";

const RELATIONS = "tasks { id } notes { id } appointments { id }";
let nested = "id";
for (let i = 0; i < 9; i++) nested = `tasks { contact { ${nested} } }`;
const many = (n: number, text: string) => Array.from({ length: n }, () => text).join(" ");

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** The caller: scopes of a fresh token, a foreign location, or no token at all. */
  caller: { scopes: string[] } | "foreign-location" | "anonymous";
  code: string;
  reason?: string;
  /** Refused before execution (request error) or answered as a result. */
  as: "request" | "result";
  mutation: boolean;
}

const CASES: Case[] = [
  { name: "token limit (query)", query: `{ viewer { ${many(2_100, "locationId")} } }`, caller: { scopes: [READ] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: false },
  { name: "token limit (mutation)", query: `mutation { deleteContact(id: "c1") ${many(2_100, "__typename")} }`, caller: { scopes: [WRITE] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: true },
  { name: "depth (query)", query: `{ contact(id: "x") { ${nested} } }`, caller: { scopes: [READ] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: false },
  { name: "depth (mutation)", query: `mutation { createTask(contactId: "x", input: { title: "t" }) { contact { ${nested} } } }`, caller: { scopes: [WRITE] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: true },
  { name: "aliases (query)", query: `{ ${Array.from({ length: 100 }, (_, i) => `v${i}: viewer { locationId }`).join(" ")} }`, caller: { scopes: [READ] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: false },
  { name: "aliases (mutation)", query: `mutation { ${Array.from({ length: 31 }, (_, i) => `d${i}: deleteContact(id: "c${i}")`).join(" ")} }`, caller: { scopes: [WRITE] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: true },
  { name: "directives (query)", query: `{ viewer { ${many(60, "locationId @include(if: true)")} } }`, caller: { scopes: [READ] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: false },
  { name: "directives (mutation)", query: `mutation { deleteContact(id: "c1") ${many(60, "__typename @skip(if: false)")} }`, caller: { scopes: [WRITE] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: true },
  { name: "cost (query, literal first)", query: `{ contacts(first: 200) { nodes { id ${RELATIONS} } } }`, caller: { scopes: [READ] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: false },
  { name: "cost (query, first from variables)", query: `query Page($n: Int) { contacts(first: $n) { nodes { id ${RELATIONS} } } }`, variables: { n: 200 }, caller: { scopes: [READ] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: false },
  { name: "cost (mutation)", query: `mutation { createContact(input: { firstName: "x" }) { tasks { contact { tasks { contact { tasks { id } } } } } } }`, caller: { scopes: [WRITE] }, code: "GRAPHQL_VALIDATION_FAILED", as: "request", mutation: true },
  { name: "missing scope (query)", query: `{ contacts(first: 5) { nodes { id } } }`, caller: { scopes: [WRITE] }, code: "FORBIDDEN", reason: "missing_scope", as: "result", mutation: false },
  { name: "missing scope (mutation)", query: `mutation { deleteContact(id: "c1") }`, caller: { scopes: [READ] }, code: "FORBIDDEN", reason: "missing_scope", as: "result", mutation: true },
  { name: "foreign location (query)", query: `{ viewer { locationId } }`, caller: "foreign-location", code: "FORBIDDEN", reason: "unknown_location", as: "result", mutation: false },
  { name: "foreign location (mutation)", query: `mutation { deleteContact(id: "c1") }`, caller: "foreign-location", code: "FORBIDDEN", reason: "unknown_location", as: "result", mutation: true },
  { name: "unauthenticated (query)", query: `{ viewer { locationId } }`, caller: "anonymous", code: "UNAUTHENTICATED", reason: "missing_token", as: "result", mutation: false },
  { name: "unauthenticated (mutation)", query: `mutation { deleteContact(id: "c1") }`, caller: "anonymous", code: "UNAUTHENTICATED", reason: "missing_token", as: "result", mutation: true },
  // ids (graphql/limits/id-arguments.check.ts): after authentication and authorization.
  { name: "unsafe id (query)", query: `{ contact(id: "..") { id } }`, caller: { scopes: [READ] }, code: "BAD_USER_INPUT", as: "result", mutation: false },
  { name: "unsafe id (query, from variables)", query: `query($b: ID!) { contactsByBusiness(businessId: $b) { nodes { id } } }`, variables: { b: ".." }, caller: { scopes: [READ] }, code: "BAD_USER_INPUT", as: "result", mutation: false },
  { name: "unsafe id (mutation)", query: `mutation { deleteTask(contactId: "c1", taskId: "../x") }`, caller: { scopes: [WRITE] }, code: "BAD_USER_INPUT", as: "result", mutation: true },
  { name: "unsafe id, missing scope (mutation)", query: `mutation { deleteContact(id: "..") }`, caller: { scopes: [READ] }, code: "FORBIDDEN", reason: "missing_scope", as: "result", mutation: true },
  { name: "unsafe id, unauthenticated (query)", query: `{ contact(id: "..") { id } }`, caller: "anonymous", code: "UNAUTHENTICATED", reason: "missing_token", as: "result", mutation: false },
  // Refused for authentication before its cost is even estimated.
  // Search filters the route cannot express (src/graphql/contact/contact-filter.translate.ts): refused before any upstream call.
  { name: "search: contains with special characters", query: `{ contacts(filter: { or: [{ dnd: true }, { tags: { any: ["a"] } }], customFields: [{ key: "lender", operator: CONTAINS, value: "a&b" }] }) { nodes { id } } }`, caller: { scopes: [READ] }, code: "BAD_USER_INPUT", as: "result", mutation: false },
  { name: "search: a value over 75 characters", query: `{ contacts(filter: { tags: { any: ["${"t".repeat(76)}"] } }) { nodes { id } } }`, caller: { scopes: [READ] }, code: "BAD_USER_INPUT", as: "result", mutation: false },
  { name: "search: a query over 75 characters", query: `{ contacts(sort: [{ field: NAME }], query: "${"q".repeat(76)}") { nodes { id } } }`, caller: { scopes: [READ] }, code: "BAD_USER_INPUT", as: "result", mutation: false },
  { name: "search: groups nested too deep", query: `{ contacts(filter: { or: [{ or: [{ or: [{ dnd: true }, { dnd: false }] }, { dnd: true }] }, { dnd: true }] }) { nodes { id } } }`, caller: { scopes: [READ] }, code: "BAD_USER_INPUT", as: "result", mutation: false },
  { name: "search: dashboard with an empty or", query: `{ dashboard(filter: { or: [] }) { id } }`, caller: { scopes: [READ] }, code: "BAD_USER_INPUT", as: "result", mutation: false },
  { name: "search: first over 500", query: `{ contacts(first: 501, filter: { dnd: false }) { nodes { id } } }`, caller: { scopes: [READ] }, code: "BAD_USER_INPUT", as: "result", mutation: false },
  { name: "unauthenticated (over the cost budget)", query: `{ contacts(first: 200) { nodes { id ${RELATIONS} } } }`, caller: "anonymous", code: "UNAUTHENTICATED", reason: "missing_token", as: "result", mutation: false },
];

describe("the operation pipeline refuses alike over HTTP and graphql-ws", () => {
  const stack = useStack({ env: { RATE_LIMIT_BURST: "100000" } });
  let subjects = 0;

  async function authorization(s: Stack, c: Case): Promise<{ header: string | undefined; subject: string | undefined }> {
    if (c.caller === "anonymous") return { header: undefined, subject: undefined };
    const subject = `pipeline-${++subjects}`;
    const token =
      c.caller === "foreign-location"
        ? await s.tokenFor({ scopes: [READ, WRITE], locationId: "UnknownLocation00001", subject })
        : await s.tokenFor({ scopes: c.caller.scopes, subject });
    return { header: `Bearer ${token}`, subject };
  }

  function expectErrors(errors: Array<{ extensions?: Record<string, unknown> }> | undefined, c: Case) {
    expect(errors?.length).toBeGreaterThan(0);
    expect(errors?.[0]?.extensions?.["code"]).toBe(c.code);
    // the limit that was hit, named alike on both transports
    const kind = /^(token limit|depth|aliases|directives|cost)/.exec(c.name)?.[1];
    if (kind === "cost") expect(errors?.[0]?.extensions?.["cost"]).toMatchObject({ budget: 180 });
    else if (kind) expect(errors?.map((e) => (e.extensions?.["limit"] as { kind?: string } | undefined)?.kind)).toContain(kind === "token limit" ? "tokens" : kind);
    if (c.reason) expect(errors?.[0]?.extensions?.["reason"]).toBe(c.reason);
  }

  /** Audit lines written while `run` ran. */
  async function auditedDuring(s: Stack, run: () => Promise<void>): Promise<Record<string, unknown>[]> {
    const before = auditLines(s).length;
    await run();
    return auditLines(s).slice(before);
  }

  it.each(CASES)("$name over HTTP", async (c) => {
    const s = stack();
    s.sim.clearRequests();
    const { header } = await authorization(s, c);
    const lines = await auditedDuring(s, async () => {
      const res = await s.gql(c.query, c.variables ?? {}, undefined, header ? { authorization: header } : {});
      expectErrors(res.body.errors, c);
      if (c.as === "request") {
        expect(res.status).toBe(400);
        expect(res.body.data).toBeUndefined();
      } else {
        expect(res.status).toBe(200);
        expect(res.body.data).toBeNull();
      }
    });
    expect(s.sim.requests).toEqual([]);
    expect(lines).toEqual(c.mutation ? [expect.objectContaining({ outcome: "rejected", errorCode: c.code })] : []);
  });

  it.each(CASES)("$name over graphql-ws", async (c) => {
    const s = stack();
    s.sim.clearRequests();
    const { header } = await authorization(s, c);
    let outcome: WsOutcome | undefined;
    const lines = await auditedDuring(s, async () => {
      outcome = await wsOperation(s.gateway.wsUrl, header, { query: c.query, ...(c.variables ? { variables: c.variables } : {}) });
    });
    if (c.caller === "anonymous" || c.caller === "foreign-location") {
      expect(outcome).toEqual({ kind: "closed", code: 4403, reason: `Forbidden: ${c.code} (${c.reason})` });
      expect(lines).toEqual([]); // no operation was received: nothing to audit
    } else if (c.as === "request") {
      expect(outcome?.kind).toBe("error");
      expectErrors((outcome as Extract<WsOutcome, { kind: "error" }>).errors, c);
      expect(lines).toEqual(c.mutation ? [expect.objectContaining({ outcome: "rejected", errorCode: c.code })] : []);
    } else {
      expect(outcome?.kind).toBe("result");
      const { result } = outcome as Extract<WsOutcome, { kind: "result" }>;
      expect(result.data).toBeNull();
      expectErrors(result.errors, c);
      expect(lines).toEqual(c.mutation ? [expect.objectContaining({ outcome: "rejected", errorCode: c.code })] : []);
    }
    expect(s.sim.requests).toEqual([]);
  });

  it("names the mutation field in the audit line on both transports", async () => {
    const s = stack();
    const token = await s.tokenFor({ scopes: [READ], subject: "pipeline-named" });
    const query = `mutation { createContact(input: { firstName: "x" }) { id } }`;
    const http = await auditedDuring(s, async () => void (await s.gql(query, {}, token)));
    const ws = await auditedDuring(s, async () => void (await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query })));
    const shape = (l: Record<string, unknown>) => [l["operation"], l["outcome"], l["errorCode"], l["subject"], l["locationId"]];
    expect(http.map(shape)).toEqual([["createContact", "rejected", "FORBIDDEN", "pipeline-named", LOCATION_A]]);
    expect(ws.map(shape)).toEqual(http.map(shape));
  });
});
