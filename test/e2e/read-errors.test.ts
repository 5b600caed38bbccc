/**
 * Error policy end to end (schema/schema.graphql): an upstream failure is a field error with the contract's
 * code and the rest of the response arrives; unexpected errors are masked; list items never yield
 * a false null for a field they lack.
 */
import { Field, ObjectType, Query, Resolver } from "type-graphql";
import { describe, expect, it } from "vitest";
import { SCOPES } from "../../src/auth/index.js";
import { Scopes } from "../../src/graphql/index.js";
import { LOCATION_A, startStack } from "../support/harness.js";

@ObjectType("ReadErrorsProbe")
class Probe {
  @Field(() => String)
  value!: string;
}

@Resolver(() => Probe)
class ExplodingResolver {
  @Scopes(SCOPES.read)
  @Query(() => Probe, { nullable: true })
  readErrorsProbe(): Probe {
    throw new Error("secret internals at /srv/app/db.ts:42 token=abc");
  }
}

describe("errors (read path)", () => {
  it("an upstream 500 on one contact's notes nulls that field with UPSTREAM_ERROR; everything else arrives", async () => {
    await using stack = await startStack();
    const contacts = stack.sim.data.listContacts(LOCATION_A).slice(0, 5);
    const broken = contacts[2]!;
    stack.sim.addFault({ method: "GET", path: `/contacts/${broken.id}/notes`, status: 500, body: { statusCode: 500, message: "boom" } });
    const res = await stack.gql<{
      contacts: { nodes: Array<{ id: string; name: string; notes: unknown[] | null; tasks: unknown[] | null }> };
    }>(`{ contacts(first: 5) { nodes { id name tasks { id } notes { id body } } } }`, {}, await stack.tokenFor());

    const nodes = res.body.data!.contacts.nodes;
    expect(nodes.map((n) => n.id)).toEqual(contacts.map((c) => c.id));
    for (const [i, node] of nodes.entries()) {
      expect(node.name).toBeTruthy();
      expect(Array.isArray(node.tasks)).toBe(true);
      if (i === 2) expect(node.notes).toBeNull();
      else expect(Array.isArray(node.notes)).toBe(true);
    }
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]).toMatchObject({
      path: ["contacts", "nodes", 2, "notes"],
      extensions: { code: "UPSTREAM_ERROR", upstreamStatus: 500 },
    });
    expect(JSON.stringify(res.body.errors)).not.toContain(broken.id); // route templates, not concrete paths
  });

  it("a failed relation is not cached: the next request tries again", async () => {
    await using stack = await startStack();
    const contact = stack.sim.data.listContacts(LOCATION_A)[0]!;
    const remove = stack.sim.addFault({ method: "GET", path: `/contacts/${contact.id}/tasks`, status: 500 });
    const query = `query($id: ID!) { contact(id: $id) { tasks { id } } }`;
    const token = await stack.tokenFor();
    const first = await stack.gql(query, { id: contact.id }, token);
    expect(first.body.errors?.[0]?.extensions?.["code"]).toBe("UPSTREAM_ERROR");
    remove();
    const second = await stack.gql(query, { id: contact.id }, token);
    expect(second.body.errors).toBeUndefined();
  });

  it("masks unexpected errors: no message, no stack, INTERNAL_SERVER_ERROR; the log has it without a stack", async () => {
    await using stack = await startStack({ gateway: { features: [() => ({ name: "probe", resolvers: [ExplodingResolver] })] } });
    const res = await stack.gql(`{ readErrorsProbe { value } viewer { locationId } }`, {}, await stack.tokenFor());
    expect(res.body.data).toEqual({ readErrorsProbe: null, viewer: { locationId: LOCATION_A } });
    expect(res.body.errors).toEqual([
      { message: "Internal server error", locations: [{ line: 1, column: 3 }], path: ["readErrorsProbe"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
    ]);
    const logged = stack.logs.filter((l) => l.includes("masked"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toMatch(/\bat \S+ \(|stack/);
  });

  it("validation errors carry GRAPHQL_VALIDATION_FAILED and bad arguments BAD_USER_INPUT naming the argument", async () => {
    await using stack = await startStack();
    const token = await stack.tokenFor();
    const invalid = await stack.gql(`{ contacts { nope } }`, {}, token);
    expect(invalid.body.errors?.[0]?.extensions?.["code"]).toBe("GRAPHQL_VALIDATION_FAILED");
    const syntax = await stack.gql(`{ contacts {`, {}, token);
    expect(syntax.body.errors?.[0]?.extensions?.["code"]).toBe("GRAPHQL_VALIDATION_FAILED");
    const tooMany = await stack.gql(`{ contacts(first: 500) { nodes { id } } }`, {}, token);
    expect(tooMany.body.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", argument: "first" } });
    expect(tooMany.body.errors?.[0]?.message).toMatch(/first.*1 to 100.*500/);
    const badCursor = await stack.gql(`{ contacts(after: "garbage!") { nodes { id } } }`, {}, token);
    expect(badCursor.body.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", argument: "after" } });
    expect(stack.upstream("/contacts/")).toHaveLength(0);
  });

  it("a field a list item lacks (timezone) loads the full contact instead of answering a false null", async () => {
    await using stack = await startStack();
    const seeded = stack.sim.data.listContacts(LOCATION_A).slice(0, 3);
    expect(seeded.every((c) => typeof c.timezone === "string")).toBe(true);
    const res = await stack.gql<{ contacts: { nodes: Array<{ id: string; firstName: string; timezone: string; email: string }> } }>(
      `{ contacts(first: 3) { nodes { id firstName email timezone } } }`,
      {},
      await stack.tokenFor(),
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.contacts.nodes).toEqual(
      seeded.map((c) => ({ id: c.id, firstName: c.firstName, email: c.email, timezone: c.timezone })),
    );
    expect(stack.upstream("/contacts/:contactId")).toHaveLength(3);

    // Without such a field, list items answer on their own (first names in their original case).
    stack.sim.clearRequests();
    const lean = await stack.gql<{ contacts: { nodes: Array<{ firstName: string }> } }>(
      `{ contacts(first: 3) { nodes { id firstName lastName name email tags } } }`,
      {},
      await stack.tokenFor(),
    );
    expect(lean.body.data!.contacts.nodes.map((n) => n.firstName)).toEqual(seeded.map((c) => c.firstName));
    expect(stack.upstream("/contacts/:contactId")).toHaveLength(0);
  });
});
