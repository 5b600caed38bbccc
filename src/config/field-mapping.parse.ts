/**
 * The field mapping file (`FIELD_MAPPING`, format in README "Field mapping"): the product's own field names mapped to
 * HighLevel custom-field keys with their GraphQL types,
 *   { "contact": { "<graphqlName>": { "key": "contact.<fieldKey>", "type": "Float", "values": {…} } } }
 * `type` is one of String, Int, Float, Boolean, Date, DateTime, [String], Enum; an Enum lists its
 * `values` (GraphQL enum value → picklist option). `parseFieldMapping` checks everything and
 * throws a `ConfigError` whose message is ONE line naming the file, the field and the
 * problem; `mappingProblems` checks a mapping against one location's field definitions (missing
 * key, incompatible data type, an option the picklist lacks). Pure, but `loadFieldMappingFile`
 * reads the file once at start-up.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, type Config } from "./config.js";

export const MAPPED_TYPES = ["String", "Int", "Float", "Boolean", "Date", "DateTime", "[String]", "Enum"] as const;
export type MappedType = (typeof MAPPED_TYPES)[number];

export interface MappedField {
  /** The GraphQL field name (`loanAmount`). */
  readonly name: string;
  /** The HighLevel key, `contact.<fieldKey>`. */
  readonly key: string;
  readonly type: MappedType;
  /** Enum only: GraphQL enum value → picklist option. */
  readonly values?: Readonly<Record<string, string>>;
  /** Enum only: the GraphQL enum type's name (the field name capitalised: `loanStage` → `LoanStage`). */
  readonly enumName?: string;
}

export interface FieldMapping {
  /** Where it was read from (for messages). */
  readonly source: string;
  readonly contact: readonly MappedField[];
}

/** A `ConfigError` (one line) naming the file, the field and the problem. A factory, not a subclass: config.ts imports this module. */
export function fieldMappingError(source: string, where: string, problem: string): ConfigError {
  const error = new ConfigError("FIELD_MAPPING", `${source}: ${where}: ${problem}`);
  error.message = `Invalid configuration: FIELD_MAPPING (${source}): ${where}: ${problem}`;
  return error;
}

const NAME = /^[a-z][A-Za-z0-9]{0,49}$/;
const KEY = /^contact\.[a-z0-9_]{1,100}$/;
const ENUM_VALUE = /^[A-Z][A-Z0-9_]{0,49}$/;
/** Names a mapped field may not take (the schema's own enum and object names it would clash with are checked by the schema build). */
const MAX_FIELDS = 100;

export function parseFieldMapping(json: unknown, source: string): FieldMapping {
  const fail = (where: string, problem: string): never => {
    throw fieldMappingError(source, where, problem);
  };
  if (json === null || typeof json !== "object" || Array.isArray(json)) fail("the file", 'expected a JSON object { "contact": { … } }');
  const root = json as Record<string, unknown>;
  for (const key of Object.keys(root)) if (key !== "contact") fail(key, 'unknown section (only "contact" is mapped)');
  const contact = root.contact;
  if (contact === null || typeof contact !== "object" || Array.isArray(contact)) fail("contact", "expected an object of mapped fields");
  const entries = Object.entries(contact as Record<string, unknown>);
  if (entries.length === 0) fail("contact", "expected at least one mapped field");
  if (entries.length > MAX_FIELDS) fail("contact", `expected at most ${MAX_FIELDS} mapped fields, received ${entries.length}`);
  const keys = new Map<string, string>();
  const fields = entries.map(([name, raw]): MappedField => {
    const where = `field ${name}`;
    if (!NAME.test(name)) fail(where, "expected a GraphQL field name (a lower-case letter, then letters and digits, at most 50)");
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(where, 'expected an object { "key", "type" }');
    const spec = raw as Record<string, unknown>;
    for (const k of Object.keys(spec)) if (k !== "key" && k !== "type" && k !== "values") fail(where, `unknown property "${k}" (expected key, type, values)`);
    const key = spec.key;
    if (typeof key !== "string" || !KEY.test(key)) fail(where, `expected "key" like "contact.loan_amount", received ${JSON.stringify(key)}`);
    const earlier = keys.get(key as string);
    if (earlier) fail(where, `key ${key as string} is already mapped by ${earlier}`);
    keys.set(key as string, name);
    const type = spec.type;
    if (typeof type !== "string" || !(MAPPED_TYPES as readonly string[]).includes(type)) {
      fail(where, `expected "type" to be one of ${MAPPED_TYPES.join(", ")}, received ${JSON.stringify(type)}`);
    }
    if (type !== "Enum") {
      if (spec.values !== undefined) fail(where, `"values" is for type Enum only`);
      return Object.freeze({ name, key: key as string, type: type as MappedType });
    }
    const values = spec.values;
    if (values === null || typeof values !== "object" || Array.isArray(values) || Object.keys(values).length === 0) {
      fail(where, 'type Enum needs "values": { "GRAPHQL_VALUE": "Picklist option", … }');
    }
    const options = new Set<string>();
    for (const [value, option] of Object.entries(values as Record<string, unknown>)) {
      if (!ENUM_VALUE.test(value)) fail(where, `enum value ${JSON.stringify(value)}: expected UPPER_CASE letters, digits and _`);
      if (typeof option !== "string" || option.trim() === "" || option.length > 200) fail(where, `enum value ${value}: expected a picklist option (1 to 200 characters)`);
      if (options.has(option as string)) fail(where, `picklist option ${JSON.stringify(option)} is mapped twice`);
      options.add(option as string);
    }
    return Object.freeze({
      name,
      key: key as string,
      type: "Enum",
      values: Object.freeze({ ...(values as Record<string, string>) }),
      enumName: name.charAt(0).toUpperCase() + name.slice(1),
    });
  });
  return Object.freeze({ source, contact: Object.freeze(fields) });
}

/** Reads and checks the mapping file; every failure is one line naming the file. */
export function loadFieldMappingFile(path: string): FieldMapping {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw fieldMappingError(path, "the file", `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fieldMappingError(path, "the file", `is not JSON (${(error as Error).message.split("\n")[0]})`);
  }
  return parseFieldMapping(json, path);
}

// ---- against a location's definitions ---------------------------------------------------------

/** HighLevel data types each mapped type can be read from and written to (FACTS.md "Bulk and location routes"). */
const COMPATIBLE: Readonly<Record<MappedType, readonly string[]>> = {
  String: ["TEXT", "LARGE_TEXT", "PHONE", "SINGLE_OPTIONS", "RADIO", "EMAIL"],
  Int: ["NUMERICAL", "MONETORY", "MONETARY"],
  Float: ["NUMERICAL", "MONETORY", "MONETARY"],
  Boolean: ["CHECKBOX", "SINGLE_OPTIONS", "RADIO", "TEXT"],
  Date: ["DATE"],
  DateTime: ["DATE"],
  "[String]": ["MULTIPLE_OPTIONS", "CHECKBOX", "TEXTBOX_LIST"],
  Enum: ["SINGLE_OPTIONS", "RADIO"],
};

export interface DefinitionLike {
  id: string;
  fieldKey?: string | undefined;
  dataType?: string | undefined;
  picklistOptions?: readonly unknown[] | undefined;
}

export interface MappingProblem {
  field: string;
  key: string;
  problem: string;
}

/** What is wrong with one mapped field in a location (undefined when it is fine), and its definition. */
export function checkMappedField(field: MappedField, definitions: readonly DefinitionLike[]): { problem?: string; definition?: DefinitionLike } {
  const definition = definitions.find((d) => d.fieldKey === field.key);
  if (!definition) return { problem: `no custom field ${field.key} in this location` };
  const dataType = (definition.dataType ?? "").toUpperCase();
  if (!COMPATIBLE[field.type].includes(dataType)) {
    return { definition, problem: `${field.key} is ${dataType || "untyped"} there, which a ${field.type} cannot map (expected ${COMPATIBLE[field.type].join(" or ")})` };
  }
  if (field.type === "Enum" && field.values) {
    const options = new Set((definition.picklistOptions ?? []).filter((o): o is string => typeof o === "string"));
    const missing = Object.values(field.values).filter((o) => !options.has(o));
    if (missing.length > 0) return { definition, problem: `the picklist of ${field.key} lacks ${missing.map((o) => JSON.stringify(o)).join(", ")}` };
  }
  return { definition };
}

/** Every problem of a mapping in one location. */
export function mappingProblems(mapping: FieldMapping, definitions: readonly DefinitionLike[]): MappingProblem[] {
  const out: MappingProblem[] = [];
  for (const field of mapping.contact) {
    const { problem } = checkMappedField(field, definitions);
    if (problem) out.push({ field: field.name, key: field.key, problem });
  }
  return out;
}

/**
 * Demo mode's field mapping when FIELD_MAPPING is unset: schema/field-mapping.demo.json (the
 * simulator's broker fields), found from this module whether it runs from src/ or dist/src/. Used by
 * `npm start` and `npm run doctor` alike, so both check the same mapping. Throws ConfigError when
 * the file is invalid; the config itself when there is no such file (a package without schema/).
 */
export function withDemoFieldMapping(config: Config): Config {
  if (config.fieldMapping) return config;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++, dir = dirname(dir)) {
    const candidate = join(dir, "schema", "field-mapping.demo.json");
    if (existsSync(candidate)) return { ...config, fieldMapping: loadFieldMappingFile(candidate) };
  }
  return config;
}
