/**
 * Apollo's document store keeps a parsed document without graphql-js' token list: what the gateway
 * does with a stored document (print it, execute it, locate an error in it) gives the same answer
 * as with the document just parsed. The stored-answer listener verifies a caller once per request.
 */
import http from "node:http";
import { GraphQLError, parse, print, type FieldNode, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { apolloPipelineOptions, storedAnswerListener } from "../../../../src/server/pipeline/apollo.adapter.js";
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

/**
 * The stored-answer fast path in front of express: a POST whose operation has an answer stored,
 * but not for this caller, is verified once; the miss gets that verification with the request.
 */
describe("the stored-answer listener", () => {
  it("hands a miss the caller's authentication it verified, and verifies nothing when nothing is stored", async () => {
    let stored = true;
    const pipeline = {
      operationKey: (op: { query: string }) => op.query,
      checkRequest: () => undefined,
      mayHaveStoredAnswer: () => stored,
      storedAnswer: () => undefined, // stored for someone else
    } as unknown as OperationPipeline;
    const auth = { status: "authenticated", viewer: { subject: "s", locationId: "l", scopes: ["contacts.readonly"] } } as const;
    const verifications: unknown[] = [];
    const missed: unknown[] = [];
    const server = http.createServer(
      storedAnswerListener(pipeline, async (authorization) => (verifications.push(authorization), auth as never), {
        path: "/graphql",
        limitBytes: 1024,
        next: (_req, res) => res.writeHead(404).end(),
        onBodyError: (_error, res) => res.writeHead(400).end(),
        missed: (_req, res, known) => {
          missed.push(known);
          res.writeHead(200).end();
        },
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const post = () =>
        fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer t" }, body: JSON.stringify({ query: "{ viewer { subject } }" }) });
      expect((await post()).status).toBe(200);
      expect(verifications).toEqual(["Bearer t"]);
      expect(missed).toEqual([auth]);
      stored = false;
      expect((await post()).status).toBe(200);
      expect(verifications).toEqual(["Bearer t"]); // nothing stored for the operation: Apollo's context verifies it
      expect(missed).toEqual([auth, undefined]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
