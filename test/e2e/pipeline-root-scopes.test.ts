/**
 * Authorisation happens once per operation, in the pipeline's authorize stage, from the scopes
 * each root field declares (`@Scopes`, read by src/graphql/root-scopes.ts); no resolver checks
 * them again. So every root field of the running gateway's schema is asked here by a caller
 * holding only the OTHER scope, over HTTP and over graphql-ws: each must be refused with FORBIDDEN
 * (`missing_scope`) as `{ data: null }`, before any upstream call, and each refused mutation must
 * leave its one `rejected` audit line. A root field the stage let through would reach its
 * resolver (and the upstream) here.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import { describe, expect, it } from "vitest";
import { READ, WRITE, useStack } from "../support/harness.js";
import { wsOperation, type WsOutcome } from "../support/ws-operation.js";
import { auditLines } from "./write-support.js";

/** A literal of `type` that passes validation (required input fields only). */
function literal(type: GraphQLInputType): string {
  if (isNonNullType(type)) return literal(type.ofType);
  if (isListType(type)) return `[${literal(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{ ${fields.map((f) => `${f.name}: ${literal(f.type)}`).join(", ")} }`;
  }
  switch (type.name) {
    case "Int":
    case "Float":
      return "1";
    case "Boolean":
      return "true";
    case "DateTime":
      return `"2026-01-01T00:00:00.000Z"`;
    default:
      return `"c1"`; // ID, String: a safe upstream id
  }
}

/** `field(requiredArgs) { __typename }` (no selection for a leaf). */
function selection(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const argText = args.length > 0 ? `(${args.map((a) => `${a.name}: ${literal(a.type)}`).join(", ")})` : "";
  return `${field.name}${argText}${isLeafType(getNamedType(field.type)) ? "" : " { __typename }"}`;
}

interface RootCase {
  name: string;
  type: "query" | "mutation" | "subscription";
  query: string;
  /** The caller's only scope: the one the field does not need. */
  grants: string;
}

function rootCases(schema: GraphQLSchema): RootCase[] {
  const cases: RootCase[] = [];
  const roots = [
    ["query", schema.getQueryType(), WRITE],
    ["mutation", schema.getMutationType(), READ],
    ["subscription", schema.getSubscriptionType(), WRITE],
  ] as const;
  for (const [type, root, grants] of roots) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      cases.push({ name: `${type} ${field.name}`, type, query: `${type} { ${selection(field)} }`, grants });
    }
  }
  return cases;
}

describe("every root field is authorised once per operation, over HTTP and graphql-ws", () => {
  const stack = useStack({ env: { RATE_LIMIT_BURST: "100000" } });

  it("refuses each root field to a caller lacking its scope, before any upstream call", async () => {
    const s = stack();
    const cases = rootCases(s.gateway.schema);
    // The schema has queries, mutations and a subscription (a vacuous loop proves nothing).
    expect(new Set(cases.map((c) => c.type))).toEqual(new Set(["query", "mutation", "subscription"]));
    const tokens: Record<string, string> = { [READ]: await s.tokenFor({ scopes: [READ], subject: "root-scopes-r" }), [WRITE]: await s.tokenFor({ scopes: [WRITE], subject: "root-scopes-w" }) };
    s.sim.clearRequests();
    const refused = (errors: Array<{ extensions?: Record<string, unknown> }> | undefined) => errors?.[0]?.extensions;
    for (const c of cases) {
      const token = tokens[c.grants]!;
      const before = auditLines(s).length;
      if (c.type !== "subscription") {
        const res = await s.gql(c.query, {}, token);
        expect({ case: c.name, status: res.status, data: res.body.data, error: refused(res.body.errors) }).toEqual({
          case: c.name,
          status: 200,
          data: null,
          error: expect.objectContaining({ code: "FORBIDDEN", reason: "missing_scope" }),
        });
      }
      const outcome: WsOutcome = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: c.query });
      expect({ case: c.name, kind: outcome.kind }).toEqual({ case: c.name, kind: "result" });
      const { result } = outcome as Extract<WsOutcome, { kind: "result" }>;
      expect({ case: c.name, data: result.data, error: refused(result.errors) }).toEqual({
        case: c.name,
        data: null,
        error: expect.objectContaining({ code: "FORBIDDEN", reason: "missing_scope" }),
      });
      const lines = auditLines(s).slice(before);
      const expected = c.type === "mutation" ? [expect.objectContaining({ outcome: "rejected", errorCode: "FORBIDDEN" })] : [];
      expect({ case: c.name, lines }).toEqual({ case: c.name, lines: c.type === "mutation" ? [...expected, ...expected] : [] });
    }
    expect(s.sim.requests).toEqual([]);
  });
});
