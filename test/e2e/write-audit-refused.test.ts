// "One audit line per mutation" also for mutations refused before any resolver ran:
// GraphQL validation (wrong literal types, unknown fields), the query limits, variables that do not
// coerce. The line says `rejected` with the error's code; nothing reaches the upstream.
import { describe, expect, it } from "vitest";
import { LOCATION_A, WRITE, useStack } from "../support/harness.js";
import { auditLines, codes } from "./write-support.js";

describe("audit lines for mutations refused before execution", () => {
  const stack = useStack();
  const linesOf = (subject: string) => auditLines(stack()).filter((l) => l["subject"] === subject);

  it("a literal of the wrong type (validation) leaves one rejected line, no upstream call", async () => {
    const token = await stack().tokenFor({ scopes: [WRITE], subject: "audit-validation" });
    const res = await stack().gql(`mutation { createContact(input: { firstName: 42 }) { id } }`, {}, token);
    expect(codes(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(linesOf("audit-validation")).toEqual([
      expect.objectContaining({ operation: "createContact", outcome: "rejected", errorCode: "GRAPHQL_VALIDATION_FAILED", locationId: LOCATION_A, targetIds: {} }),
    ]);
    expect(stack().sim.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("variables that do not coerce leave one line per mutation field asked for", async () => {
    const token = await stack().tokenFor({ scopes: [WRITE], subject: "audit-variables" });
    const res = await stack().gql(
      `mutation Two($id: ID!, $tags: [String!]!) { addContactTags(contactId: $id, tags: $tags) gone: deleteContact(id: $id) }`,
      { id: "c1", tags: [{ not: "a string" }] },
      token,
    );
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(linesOf("audit-variables").map((l) => [l["operation"], l["outcome"], l["errorCode"]])).toEqual([
      ["addContactTags", "rejected", "BAD_USER_INPUT"],
      ["deleteContact", "rejected", "BAD_USER_INPUT"],
    ]);
  });

  it("a mutation over the query limits (31 aliases) leaves one line for the field, not one per alias", async () => {
    const token = await stack().tokenFor({ scopes: [WRITE], subject: "audit-limits" });
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: deleteContact(id: "c${i}")`).join(" ");
    const res = await stack().gql(`mutation { ${aliases} }`, {}, token);
    expect(codes(res)[0]).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(linesOf("audit-limits")).toEqual([expect.objectContaining({ operation: "deleteContact", outcome: "rejected", errorCode: "GRAPHQL_VALIDATION_FAILED" })]);
    expect(stack().sim.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("a refused query leaves no audit line, and an executed mutation still leaves exactly one", async () => {
    const token = await stack().tokenFor({ scopes: [WRITE], subject: "audit-query" });
    await stack().gql(`query { contact(id: 42, nope: true) { id } }`, {}, token);
    expect(linesOf("audit-query")).toEqual([]);
    const res = await stack().gql(`mutation { deleteContact(id: "doesnotexist00000001") }`, {}, token);
    expect(res.body.errors?.[0]?.path).toEqual(["deleteContact"]);
    expect(linesOf("audit-query")).toHaveLength(1);
  });
});
