/**
 * The typed GraphQL of a field mapping (FIELD_MAPPING; src/config/field-mapping.parse.ts):
 * `Contact.fields: ContactFields!` with one typed field per mapped field, the input
 * `ContactFieldsInput` on `CreateContactInput` / `UpdateContactInput` (`fields`), and an enum per
 * Enum field (its values map to the picklist options). Built per gateway with graphql-js's
 * `extendSchema` over the type-graphql schema, so two gateways with different mappings in one
 * process never share types (type-graphql's metadata is process-wide).
 *
 * Reading: a mapped field is checked against the location's definitions (cached per location):
 * a key the location lacks, or defines with an incompatible type, resolves to `null` with an
 * UPSTREAM_ERROR (`reason: "field_mapping"`) for that field only. Writing: `mappedFieldWrites`
 * turns the `fields` input into the upstream's `{ key, field_value }` writes; GraphQL's own
 * coercion already refused a wrong type or a value outside the enum (BAD_USER_INPUT naming
 * `input.fields.<name>` when sent as variables), before any upstream call.
 */
import { extendSchema, getArgumentValues, GraphQLSchema, parse, type GraphQLField, type GraphQLObjectType, type GraphQLResolveInfo } from "graphql";
import { DateResolver } from "graphql-scalars";
import { checkMappedField, type DefinitionLike, type FieldMapping, type MappedField } from "../../config/field-mapping.parse.js";
import type { UpstreamCustomFieldValue, UpstreamCustomFieldWrite } from "../../upstream/contacts.types.js";
import { badUserInput, gatewayError } from "../common/errors.js";
import type { GatewayContext } from "../context.js";
import { ContactRecord } from "./contact.record.js";
import { typedCustomFieldValue } from "./custom-field.mapping.js";

const GRAPHQL_TYPE: Readonly<Record<Exclude<MappedField["type"], "Enum">, string>> = {
  String: "String",
  Int: "Int",
  Float: "Float",
  Boolean: "Boolean",
  Date: "Date",
  DateTime: "DateTime",
  "[String]": "[String!]",
};
const MAX_TEXT = 10_000;
const MAX_LIST = 100;

const typeOf = (field: MappedField) => (field.type === "Enum" ? (field.enumName as string) : GRAPHQL_TYPE[field.type]);
const quote = (text: string) => JSON.stringify(text);

/** The schema with the mapping's types and fields; the schema itself when there is no mapping. */
export function extendWithFieldMapping(schema: GraphQLSchema, mapping: FieldMapping | undefined): GraphQLSchema {
  if (!mapping) return schema;
  for (const field of mapping.contact) {
    if (field.enumName && schema.getType(field.enumName)) {
      throw new TypeError(`FIELD_MAPPING: field ${field.name}: its enum ${field.enumName} clashes with a type of the schema; rename the field`);
    }
  }
  // The mapping's Date fields need graphql-scalars' Date (YYYY-MM-DD), which the base schema lacks.
  const base = schema.getType("Date") ? schema : new GraphQLSchema({ ...schema.toConfig(), types: [...schema.toConfig().types, DateResolver] });
  const lines: string[] = [];
  for (const field of mapping.contact) {
    if (field.type !== "Enum" || !field.values) continue;
    lines.push(`"""Options of ${field.key} (GraphQL value → picklist option)."""`, `enum ${field.enumName} {`);
    for (const [value, option] of Object.entries(field.values)) lines.push(`  ${quote(option)} ${value}`);
    lines.push("}");
  }
  const fieldLines = (input: boolean) =>
    mapping.contact.map((f) => `  ${quote(`${f.key} (${f.type})${input ? "; null clears it" : ""}`)} ${f.name}: ${typeOf(f)}`).join("\n");
  lines.push(
    `"""The contact's mapped custom fields (FIELD_MAPPING): null when unset; null with an error when the location lacks the field or types it differently."""`,
    `type ContactFields {\n${fieldLines(false)}\n}`,
    `"""Mapped custom fields to write (FIELD_MAPPING), sent as { key, field_value }."""`,
    `input ContactFieldsInput {\n${fieldLines(true)}\n}`,
    `extend type Contact {\n  "The mapped custom fields, typed (FIELD_MAPPING)."\n  fields: ContactFields!\n}`,
    `extend input CreateContactInput {\n  fields: ContactFieldsInput\n}`,
    `extend input UpdateContactInput {\n  fields: ContactFieldsInput\n}`,
  );
  const extended = extendSchema(base, parse(lines.join("\n")), { assumeValidSDL: false });
  const contact = extended.getType("Contact") as GraphQLObjectType;
  (contact.getFields()["fields"] as GraphQLField<unknown, unknown>).resolve = (root) => root;
  const fieldsType = extended.getType("ContactFields") as GraphQLObjectType;
  // The check of a field against a location's definitions, once per definitions list (the loaders
  // hand out the same cached list to every contact of the location), not once per contact.
  const checks = new WeakMap<readonly DefinitionLike[], Map<MappedField, ReturnType<typeof checkMappedField>>>();
  const checked = (field: MappedField, definitions: readonly DefinitionLike[]) => {
    let byField = checks.get(definitions);
    if (!byField) checks.set(definitions, (byField = new Map()));
    let result = byField.get(field);
    if (!result) byField.set(field, (result = checkMappedField(field, definitions)));
    return result;
  };
  for (const field of mapping.contact) {
    (fieldsType.getFields()[field.name] as GraphQLField<unknown, unknown>).resolve = (root, _args, ctx) =>
      readMappedField(field, root as ContactRecord, ctx as GatewayContext, checked);
  }
  return extended;
}

async function readMappedField(
  field: MappedField,
  record: ContactRecord,
  ctx: GatewayContext,
  check: (field: MappedField, definitions: readonly DefinitionLike[]) => ReturnType<typeof checkMappedField>,
): Promise<unknown> {
  const [values, definitions] = await Promise.all([record.read("customFields", ctx.loaders), ctx.loaders.fieldDefinitions()]);
  const { problem, definition } = check(field, definitions);
  if (problem || !definition) {
    throw gatewayError("UPSTREAM_ERROR", `Field "${field.name}" is not available in this location: ${problem ?? "no definition"}`, {
      reason: "field_mapping",
      field: field.name,
    });
  }
  const raw = Array.isArray(values) ? (values as UpstreamCustomFieldValue[]).find((v) => v?.id === definition.id)?.value : undefined;
  const value = typedCustomFieldValue(raw, definition.dataType);
  if (value === null || value === undefined || value === "") return null;
  const wrong = () =>
    gatewayError("UPSTREAM_ERROR", `Field "${field.name}": the stored value ${JSON.stringify(value).slice(0, 80)} is not a ${field.type}`, {
      reason: "field_mapping",
      field: field.name,
    });
  switch (field.type) {
    case "Float":
      if (typeof value !== "number") throw wrong();
      return value;
    case "Int":
      if (typeof value !== "number" || !Number.isSafeInteger(value)) throw wrong();
      return value;
    case "String":
      if (typeof value !== "string" && typeof value !== "number") throw wrong();
      return String(value);
    case "Boolean": {
      if (typeof value === "boolean") return value;
      if (Array.isArray(value)) return value.length > 0;
      const text = String(value).trim().toLowerCase();
      if (["true", "yes", "1", "on"].includes(text)) return true;
      if (["false", "no", "0", "off"].includes(text)) return false;
      throw wrong();
    }
    case "Date":
    case "DateTime": {
      const ms = Date.parse(String(value));
      if (Number.isNaN(ms)) throw wrong();
      return field.type === "Date" ? new Date(ms).toISOString().slice(0, 10) : new Date(ms);
    }
    case "[String]":
      return Array.isArray(value) ? value.map(String) : [String(value)];
    case "Enum": {
      const entry = Object.entries(field.values ?? {}).find(([, option]) => option === value);
      if (!entry) throw wrong();
      return entry[0];
    }
  }
}

/** The upstream writes of a mutation's mapped fields, what is wrong with them, and which mapped field each write is. */
export interface MappedWrites {
  writes: UpstreamCustomFieldWrite[];
  problems: MappedWriteProblem[];
  written: { field: MappedField; path: string }[];
}

/** A problem with one mapped input field, in the write path's form (write/input-write.rules.ts). */
export interface MappedWriteProblem {
  field: string;
  expected: string;
  received: string;
}

/**
 * The upstream writes of a mutation's `input.fields` (read from the operation itself: type-graphql
 * drops input fields it did not declare), and what is wrong with them. Nothing without a mapping
 * or without `fields`. A field also written through `customFields` by the same key is a problem.
 */
export function mappedFieldWrites(
  mapping: FieldMapping | undefined,
  info: GraphQLResolveInfo,
  customFieldKeys: readonly (string | null | undefined)[] = [],
  argument = "input",
): MappedWrites {
  const writes: UpstreamCustomFieldWrite[] = [];
  const problems: MappedWriteProblem[] = [];
  const written: MappedWrites["written"] = [];
  if (!mapping) return { writes, problems, written };
  const definition = info.parentType.getFields()[info.fieldName];
  const node = info.fieldNodes[0];
  if (!definition || !node) return { writes, problems, written };
  const args = getArgumentValues(definition, node, info.variableValues);
  const fields = (args[argument] as { fields?: Record<string, unknown> | null } | undefined)?.fields;
  if (!fields) return { writes, problems, written };
  const alsoRaw = new Set(customFieldKeys.filter((k): k is string => typeof k === "string").map((k) => (k.startsWith("contact.") ? k : `contact.${k}`)));
  for (const field of mapping.contact) {
    if (!(field.name in fields)) continue;
    const path = `${argument}.fields.${field.name}`;
    if (alsoRaw.has(field.key)) {
      problems.push({ field: path, expected: `${field.key} written once (it is also in ${argument}.customFields)`, received: "both" });
      continue;
    }
    const result = writeValue(field, fields[field.name]);
    if ("problem" in result) problems.push({ field: path, expected: result.problem, received: JSON.stringify(fields[field.name])?.slice(0, 80) ?? "" });
    else {
      writes.push({ key: field.key, field_value: result.value } as UpstreamCustomFieldWrite);
      written.push({ field, path });
    }
  }
  return { writes, problems, written };
}

/** The body with the mapped fields' writes (FIELD_MAPPING) after any `customFields` given directly. */
export function withMappedWrites<B extends { customFields?: UpstreamCustomFieldWrite[] | undefined }>(body: B, writes: UpstreamCustomFieldWrite[]): B {
  if (writes.length === 0) return body;
  return { ...body, customFields: [...(body.customFields ?? []), ...writes] };
}

/**
 * The location's own definitions against the mapped writes, for `MutationPlan.checkInput`: a key the
 * location does not define, or defines with a type the mapped type cannot hold, is refused before
 * the write. Sent anyway, HighLevel would store the value under a key nothing reads as that field
 * (the simulator, like the API, creates an untyped field for an unknown key), and the caller would
 * believe it saved. When the definitions cannot be read (a token without
 * `locations/customFields.readonly`, the upstream failing), the writes go out checked against the
 * mapping only, as before the definitions were known.
 */
export function mappedWritesCheck(mapped: MappedWrites, ctx: Pick<GatewayContext, "loaders">): (() => Promise<MappedWriteProblem[]>) | undefined {
  if (mapped.written.length === 0) return undefined;
  return async () => {
    let definitions: Awaited<ReturnType<GatewayContext["loaders"]["fieldDefinitions"]>>;
    try {
      definitions = await ctx.loaders.fieldDefinitions();
    } catch {
      return [];
    }
    const problems: MappedWriteProblem[] = [];
    for (const { field, path } of mapped.written) {
      const { problem } = checkMappedField(field, definitions);
      if (problem) problems.push({ field: path, expected: `a field this location defines as a ${field.type} (${problem})`, received: field.key });
    }
    return problems;
  };
}

function writeValue(field: MappedField, value: unknown): { value: unknown } | { problem: string } {
  if (value === null || value === undefined) return { value: "" }; // clears the field
  switch (field.type) {
    case "String":
      return typeof value === "string" && value.length <= MAX_TEXT ? { value } : { problem: `a string of at most ${MAX_TEXT} characters` };
    case "[String]":
      return Array.isArray(value) && value.length <= MAX_LIST && value.every((v) => typeof v === "string" && v.length <= MAX_TEXT)
        ? { value }
        : { problem: `a list of at most ${MAX_LIST} strings` };
    case "Float":
    case "Int":
      return typeof value === "number" && Number.isFinite(value) ? { value } : { problem: `a ${field.type}` };
    case "Boolean":
      return typeof value === "boolean" ? { value } : { problem: "a Boolean" };
    case "Date":
      return value instanceof Date ? { value: value.toISOString().slice(0, 10) } : { problem: "a date (YYYY-MM-DD)" };
    case "DateTime":
      return value instanceof Date ? { value: value.toISOString() } : { problem: "a date-time (ISO 8601)" };
    case "Enum": {
      const option = field.values?.[String(value)];
      return option === undefined ? { problem: `one of ${Object.keys(field.values ?? {}).join(", ")}` } : { value: option };
    }
  }
}

/**
 * Resolves a filter condition's key that names a mapped field (`loanStage`) to its HighLevel key,
 * with the value written as the route stores it (an Enum value → its picklist option).
 */
export function mappedFilterField(mapping: FieldMapping | undefined, key: string): { key: string; value(value: unknown, path: string): unknown } | undefined {
  const field = mapping?.contact.find((f) => f.name === key);
  if (!field) return undefined;
  return {
    key: field.key,
    value: (value, path) => {
      if (field.type !== "Enum") return value;
      const option = field.values?.[String(value)];
      if (option === undefined) throw badUserInput(path, `one of ${Object.keys(field.values ?? {}).join(", ")} (the values of ${field.name})`, value);
      return option;
    },
  };
}
