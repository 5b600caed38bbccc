/**
 * Attack: read ids `.` and `..` reached other upstream routes — `contact(id: "..")` became `GET /`
 * and `contactsByBusiness(businessId: "..")` became `GET /contacts/`, answering unrelated contacts
 * as the business's members. The pipeline's ids stage (graphql/limits/id-arguments.check.ts)
 * refuses every unsafe ID argument with BAD_USER_INPUT naming it, before any upstream call, over
 * HTTP and graphql-ws alike (test/unit/graphql/limits/id-arguments.test.ts walks the schema for
 * every ID argument; test/e2e/pipeline-refusals.test.ts keeps the stage order and audit lines).
 */
import { describe, expect, it } from "vitest";
import { READ, useStack } from "../../support/harness.js";
import { wsOperation } from "../../support/ws-operation.js";

const ATTACKS = [
  { query: `query($id: ID!) { contact(id: $id) { id } }`, variables: { id: ".." }, argument: "id" },
  { query: `query($id: ID!) { contact(id: $id) { id } }`, variables: { id: "." }, argument: "id" },
  { query: `query($b: ID!) { contactsByBusiness(businessId: $b) { nodes { id } } }`, variables: { b: ".." }, argument: "businessId" },
  { query: `{ contacts(first: 1) { nodes { task(id: "../../contacts") { id } } } }`, variables: {}, argument: "id" },
];

describe("path-unsafe ids", () => {
  const stack = useStack();

  it.each(ATTACKS)("$query with $variables is BAD_USER_INPUT naming the argument, no upstream call, on both transports", async (attack) => {
    const s = stack();
    const token = await s.tokenFor({ scopes: [READ] });
    s.sim.clearRequests();
    const http = await s.gql(attack.query, attack.variables, token);
    expect(http.body.data).toBeNull();
    expect(http.body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: attack.argument });
    expect(http.body.errors?.[0]?.message).toMatch(/letters, digits/);
    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: attack.query, variables: attack.variables });
    expect(ws.kind === "result" && ws.result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: attack.argument });
    expect(s.sim.requests).toEqual([]);
  });
});
