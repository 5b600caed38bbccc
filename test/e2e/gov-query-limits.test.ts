/**
 * Query limits through the real gateway (HTTP and graphql-ws): expensive, deep and alias-heavy
 * operations are rejected before any upstream call with GRAPHQL_VALIDATION_FAILED and what was
 * exceeded; the sample operations in schema/operations and a 50-contact dashboard with its relations pass.
 */
import { readdirSync, readFileSync } from "node:fs";
import { isInterfaceType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { DEFAULT_FIELD_COSTS } from "../../src/graphql/limits/index.js";
import { useStack } from "../support/harness.js";
import { collect, wsClient } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";

const RELATIONS = "tasks { id title } notes { id body } appointments { id title }";
// The gateway's own burst budget is lifted here: this file tests query limits, not the governor.
const stack = useStack({ env: { RATE_LIMIT_BURST: "100000" } });

describe("query limits (e2e)", () => {
  it("rejects 200 contacts × 3 relations before any upstream call, with its estimate", async () => {
    const s = stack();
    s.sim.clearRequests();
    const token = await s.tokenFor();
    const res = await s.gql(`query Big($n: Int) { contacts(first: $n) { nodes { id ${RELATIONS} } } }`, { n: 200 }, token);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    // The estimate stops at the first partial sum over the budget: this location's credential
    // lacks the bulk reads' scopes, so 200 contacts × 3 relations = 600 (with the page itself, 601).
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", cost: { estimated: 600, budget: 180 } });
    // two pages of 100 through aliases cost the same
    const aliased = await s.gql(
      `{ a: contacts(first: 100) { nodes { ${RELATIONS} } } b: contacts(first: 100, after: "x") { nodes { ${RELATIONS} } } }`,
      {},
      token,
    );
    // stopped in the first alias: its 100 contacts' 3 relations are over the budget
    expect(aliased.body.errors?.[0]?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", cost: { estimated: 300, budget: 180 } });
    expect(s.sim.requests).toHaveLength(0);
  });

  it("rejects depth 20 and 100 aliases before any upstream call", async () => {
    const s = stack();
    s.sim.clearRequests();
    const token = await s.tokenFor();
    let nested = "id";
    for (let i = 0; i < 9; i++) nested = `tasks { contact { ${nested} } }`;
    const deep = await s.gql(`{ contact(id: "x") { ${nested} } }`, {}, token);
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.map((e) => e.extensions)).toContainEqual({ code: "GRAPHQL_VALIDATION_FAILED", limit: { kind: "depth", max: 10 } });

    const aliases = await s.gql(`{ ${Array.from({ length: 100 }, (_, i) => `v${i}: viewer { locationId }`).join(" ")} }`, {}, token);
    expect(aliases.status).toBe(400);
    expect(aliases.body.errors?.map((e) => e.extensions)).toContainEqual({ code: "GRAPHQL_VALIDATION_FAILED", limit: { kind: "aliases", max: 30 } });

    const tokens = await s.gql(`{ viewer { ${Array.from({ length: 2_100 }, () => "locationId").join(" ")} } }`, {}, token);
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors?.[0]?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", limit: { kind: "tokens", max: 2_000 } });
    expect(s.sim.requests).toHaveLength(0);
  });

  it("lets every sample operation and a 50-contact dashboard through", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const contact = s.sim.data.listContacts(s.config.upstream.locationId ?? "")[0] ?? s.sim.data.listContacts(s.sim.data.locations()[0]!)[0]!;
    const task = s.sim.data.listTasks(contact.id)[0];
    const variables: Record<string, unknown> = {
      id: contact.id,
      contactId: contact.id,
      taskId: task?.id ?? "none",
      businessId: contact.businessId ?? "none",
      first: 50,
    };
    const dir = "schema/operations";
    const files = readdirSync(dir).filter((f) => f.endsWith(".graphql"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const res = await s.gql(readFileSync(`${dir}/${file}`, "utf8"), variables, token);
      const limited = (res.body.errors ?? []).filter((e) => e.extensions?.["code"] === "GRAPHQL_VALIDATION_FAILED");
      expect(limited, file).toEqual([]);
    }
    const dashboard = await s.gql(`{ contacts(first: 50) { nodes { id name ${RELATIONS} } } }`, {}, token);
    expect(dashboard.body.errors).toBeUndefined();
  });

  it("checks a subscription's selection set per event", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const client = wsClient(s.gateway.wsUrl, token);
    try {
      const expensive = collect(client, `subscription { contactEvents { type contact { notes { contact { notes { contact { id } } } } } } }`);
      await waitFor(() => expensive.errors.length > 0, { what: "a rejected subscription", timeoutMs: 10_000 });
      const [error] = expensive.errors as Array<{ extensions?: Record<string, unknown> }[] | { extensions?: Record<string, unknown> }>;
      const first = Array.isArray(error) ? error[0] : error;
      expect(first?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", cost: { estimated: 440, budget: 180 } }); // stopped over the budget (full count 442)
    } finally {
      await client.dispose();
    }
  });

  it("costs only fields that exist in the gateway's schema", () => {
    const schema = stack().gateway.schema;
    for (const key of Object.keys(DEFAULT_FIELD_COSTS)) {
      const [typeName, fieldName] = key.split(".") as [string, string];
      const type = schema.getType(typeName);
      expect(type && (isObjectType(type) || isInterfaceType(type)) ? Object.keys(type.getFields()) : [], key).toContain(fieldName);
    }
  });
});
