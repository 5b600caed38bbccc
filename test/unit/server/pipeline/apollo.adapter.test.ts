/**
 * Apollo's document store keeps a parsed document without graphql-js' token list: what the gateway
 * does with a stored document (print it, execute it, locate an error in it) gives the same answer
 * as with the document just parsed.
 */
import { GraphQLError, parse, print, type FieldNode, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { apolloPipelineOptions } from "../../../../src/server/pipeline/apollo.adapter.js";
import type { OperationPipeline } from "../../../../src/server/pipeline/operation.pipeline.js";

const SOURCE = `query Page($n: Int) {\n  contacts(first: $n) {\n    nodes { id\n      name tasks { dueDate } }\n  }\n}`;

/** `contacts { nodes { name } }` of SOURCE. */
const nameField = (document: ReturnType<typeof parse>): FieldNode => {
  const contacts = (document.definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
  const nodes = contacts.selectionSet!.selections[0] as FieldNode;
  return nodes.selectionSet!.selections[1] as FieldNode;
};

describe("Apollo's document store", () => {
  it("stores a document without its tokens, with the same printed form, JSON and error locations", async () => {
    const store = apolloPipelineOptions({ validationRules: [] } as unknown as OperationPipeline).documentStore;
    const fresh = parse(SOURCE);
    await store.set("page", parse(SOURCE));
    const stored = (await store.get("page"))!;
    expect(print(stored)).toBe(print(fresh));
    expect(JSON.stringify(stored)).toBe(JSON.stringify(fresh));
    expect(new GraphQLError("failed", { nodes: [nameField(stored)] }).locations).toEqual(new GraphQLError("failed", { nodes: [nameField(fresh)] }).locations);
    expect(new GraphQLError("failed", { nodes: [nameField(stored)] }).locations).toEqual([{ line: 4, column: 7 }]);
    expect(fresh.loc?.startToken).not.toBeNull();
    expect([stored.loc?.startToken, stored.loc?.endToken, nameField(stored).loc?.startToken, nameField(stored).loc?.endToken]).toEqual([null, null, null, null]);
  });
});
