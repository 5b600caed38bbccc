/**
 * The ids stage (src/graphql/limits/id-arguments.check.ts) against the committed schema
 * (schema/schema.graphql): a walk over EVERY field of every type finds each place an ID can be
 * passed (an argument, a list element, an input-object field at any depth) and proves the check
 * refuses `..` there, naming that argument — so an ID argument added later is covered without a
 * list to edit. Plus the forms that pass, literals, fragments and values that do not coerce.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from "graphql";
import { describe, expect, it } from "vitest";
import { createIdArgumentCheck } from "../../../../src/graphql/limits/index.js";

const schema = buildSchema(readFileSync(resolve(import.meta.dirname, "../../../../schema/schema.graphql"), "utf8"));
const ids = createIdArgumentCheck(schema);

function check(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === "OperationDefinition") as OperationDefinitionNode;
  return ids.check(document, operation, variables);
}

/** A valid value of `type` (required parts only). */
function sample(type: GraphQLInputType): unknown {
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) return [sample(nullable.ofType)];
  if (isInputObjectType(nullable)) {
    return Object.fromEntries(Object.values(nullable.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, sample(f.type)]));
  }
  if (isEnumType(nullable)) return nullable.getValues()[0]!.name;
  switch (nullable.name) {
    case "ID":
      return "ocQHyuzHvysMo5N5VsXc";
    case "Int":
    case "Float":
      return 1;
    case "Boolean":
      return true;
    default:
      return "2026-01-01T00:00:00.000Z";
  }
}

interface IdPlace {
  /** e.g. `input.assignedTo[0]` */
  path: string;
  /** The argument's value with `..` at that place. */
  value: unknown;
}

/** Every place an ID can be passed in a value of `type`. */
function idPlaces(type: GraphQLInputType, path: string, seen: ReadonlySet<string> = new Set()): IdPlace[] {
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) return idPlaces(nullable.ofType, `${path}[0]`, seen).map((p) => ({ path: p.path, value: [p.value] }));
  if (isInputObjectType(nullable)) {
    if (seen.has(nullable.name)) return [];
    const base = sample(nullable) as Record<string, unknown>;
    return Object.values(nullable.getFields()).flatMap((field) =>
      idPlaces(field.type, `${path}.${field.name}`, new Set([...seen, nullable.name])).map((p) => ({ path: p.path, value: { ...base, [field.name]: p.value } })),
    );
  }
  return nullable.name === "ID" ? [{ path, value: ".." }] : [];
}

const cases = Object.values(schema.getTypeMap())
  .filter((type) => isObjectType(type) && !isIntrospectionType(type))
  .flatMap((type) =>
    Object.values((type as import("graphql").GraphQLObjectType).getFields()).flatMap((field) =>
      field.args.flatMap((arg) =>
        idPlaces(arg.type, arg.name).map((place) => {
          const declared = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(", ");
          const passed = field.args.map((a) => `${a.name}: $${a.name}`).join(", ");
          const selection = isObjectType(getNamedType(field.type)) || !("serialize" in getNamedType(field.type)) ? " { __typename }" : "";
          const variables = Object.fromEntries(field.args.map((a) => [a.name, a === arg ? place.value : sample(a.type)]));
          return {
            name: `${type.name}.${field.name}(${place.path})`,
            field: field.name,
            path: place.path,
            query: `query Q(${declared}) { __typename ...F } fragment F on ${type.name} { ${field.name}(${passed})${selection} }`,
            variables,
          };
        }),
      ),
    ),
  );

describe("ids stage", () => {
  it("finds the ID arguments of the read and write paths (the walk is not empty)", () => {
    const names = cases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["Query.contact(id)", "Mutation.deleteContact(id)", "Mutation.createTask(contactId)"]));
  });

  it.each(cases.map((c) => [c.name, c] as const))("refuses `..` in %s, naming the argument", (_name, c) => {
    const error = check(c.query, c.variables);
    expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: c.path });
    expect(error?.message).toContain(`"${c.path}"`);
    expect(error?.message).toContain(`"${c.field}"`);
    // the same operation with a real id everywhere passes
    const fine = Object.fromEntries(Object.entries(c.variables).map(([k, v]) => [k, JSON.parse(JSON.stringify(v).replaceAll('".."', '"ocQHyuzHvysMo5N5VsXc"'))]));
    expect(check(c.query, fine)).toBeUndefined();
  });

  it("checks literals, inline fragments and nested fields too, and never echoes the value", () => {
    const error = check(`{ contacts(first: 1) { nodes { ... on Contact { id } } } contact(id: "../locations") { id } }`);
    expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    expect(error?.message).not.toContain("../locations");
    expect(check(`query { contact(id: "a/b") { id } }`)?.extensions?.["argument"]).toBe("id");
    expect(check(`query { contact(id: "a%2Fb") { id } }`)?.extensions?.["argument"]).toBe("id");
    expect(check(`query { contact(id: "") { id } }`)?.extensions?.["argument"]).toBe("id");
    expect(check(`query { contact(id: "${"a".repeat(65)}") { id } }`)?.extensions?.["argument"]).toBe("id");
    expect(check(`query { contact(id: "${"a".repeat(64)}") { id } }`)).toBeUndefined();
    expect(check(`query { contact(id: 12345) { id } }`)).toBeUndefined();
  });

  it("checks each request's values against the same operation object (what is walked once is where ids go, not their values)", () => {
    const document = parse(`query Q($id: ID!, $n: Int) { contacts(first: $n) { nodes { id } } ...F } fragment F on Query { contact(id: $id) { id } }`);
    const operation = document.definitions.find((d) => d.kind === "OperationDefinition") as OperationDefinitionNode;
    expect(ids.check(document, operation, { id: "ocQHyuzHvysMo5N5VsXc", n: 5 })).toBeUndefined();
    expect(ids.check(document, operation, { id: "..", n: 5 })?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    expect(ids.check(document, operation, { id: "ocQHyuzHvysMo5N5VsXc" })).toBeUndefined();
  });

  it("leaves variables that do not coerce to the executor", () => {
    expect(check(`query Q($id: ID!) { contact(id: $id) { id } }`, { id: { not: "an id" } })).toBeUndefined();
    expect(check(`query Q($id: ID!) { contact(id: $id) { id } }`, {})).toBeUndefined();
  });
});
