/**
 * Every `ID` an operation passes — a field argument, an element of a list argument, a field of an
 * input object at any depth — must be a safe upstream id before anything runs: the ids end up in
 * upstream URL paths (`/contacts/:contactId`), where `.`, `..`, `/`, `?` or `%` would address
 * another route (`contact(id: "..")` would become `GET /`). HighLevel's ids are short runs of
 * letters and digits (e.g. `ocQHyuzHvysMo5N5VsXc`, test/fixtures/contacts-api/apps/contacts.json),
 * so the accepted form is narrow; the write rules (graphql/write/input-write.rules.ts) use the same one.
 *
 * The check is a walk over the operation and the fragments it reaches (each once), reading the
 * argument values graphql's executor would see (`getArgumentValues` over the coerced variables),
 * and visits only fields that have an ID somewhere in their arguments. Values that do not coerce
 * are left to the executor, which reports them. Refusals never echo the value.
 */
import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { visitOperation } from "./operation-visit.js";

export const SAFE_ID_MAX_LENGTH = 64;
/** Letters, digits, `-` and `_`: nothing a URL path or query string treats specially. */
export const SAFE_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${SAFE_ID_MAX_LENGTH}}$`);
export const SAFE_ID_EXPECTED = `an id of 1 to ${SAFE_ID_MAX_LENGTH} letters, digits, - or _ (e.g. ocQHyuzHvysMo5N5VsXc)`;

export function isSafeId(value: unknown): boolean {
  return typeof value === "string" && SAFE_ID_PATTERN.test(value);
}

/** Whether a value of `type` can hold an ID anywhere (input objects followed once each). */
function holdsId(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === "ID") return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => holdsId(field.type, seen));
}

/** The first unsafe ID in `value` (of `type`), as an argument path like `input.assignedTo[2]`. */
function unsafeIdPath(value: unknown, type: GraphQLInputType, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (isNonNullType(type)) return unsafeIdPath(value, type.ofType, path);
  if (isListType(type)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const found = unsafeIdPath(items[i], type.ofType, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== "object") return undefined;
    for (const field of Object.values(type.getFields())) {
      const found = unsafeIdPath((value as Record<string, unknown>)[field.name], field.type, `${path}.${field.name}`);
      if (found) return found;
    }
    return undefined;
  }
  return type.name === "ID" && !isSafeId(value) ? path : undefined;
}

export function unsafeIdError(argument: string, fieldName: string, value: unknown): GraphQLError {
  const received =
    typeof value !== "string" ? `a ${typeof value}` : value.length === 0 ? "an empty string" : `${value.length} characters with other symbols or too long`;
  return new GraphQLError(`Argument "${argument}" of field "${fieldName}" must be ${SAFE_ID_EXPECTED}; received ${received}`, {
    extensions: { code: "BAD_USER_INPUT", field: argument, argument, expected: SAFE_ID_EXPECTED },
  });
}

function valueAt(root: Record<string, unknown>, path: string): unknown {
  let current: unknown = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export interface IdArgumentCheck {
  /** The refusal for the first unsafe ID the operation passes, or undefined. */
  check(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): GraphQLError | undefined;
}

/** A field of an operation that takes an argument able to hold an ID, with its definition. */
interface IdField {
  node: FieldNode;
  field: GraphQLField<unknown, unknown>;
}

export function createIdArgumentCheck(schema: GraphQLSchema): IdArgumentCheck {
  // Per field definition: the names of its arguments that can hold an ID (most have none), and
  // whether one of them has a default (then it is checked whenever the node passes any argument).
  const withIds = new WeakMap<GraphQLField<unknown, unknown>, { names: ReadonlySet<string>; defaulted: boolean }>();
  const idArgumentsOf = (field: GraphQLField<unknown, unknown>) => {
    let known = withIds.get(field);
    if (known === undefined) {
      const holding = field.args.filter((arg) => holdsId(arg.type));
      known = { names: new Set(holding.map((arg) => arg.name)), defaulted: holding.some((arg) => arg.defaultValue !== undefined) };
      withIds.set(field, known);
    }
    return known;
  };
  /**
   * Whether the field as written can get an ID: it passes an argument that can hold one, or passes
   * any argument while one has a default (a field written without arguments is not checked).
   */
  const passesIds = (field: GraphQLField<unknown, unknown>, node: FieldNode): boolean => {
    const passed = node.arguments ?? [];
    if (passed.length === 0) return false;
    const { names, defaulted } = idArgumentsOf(field);
    return names.size > 0 && (defaulted || passed.some((argument) => names.has(argument.name.value)));
  };

  /**
   * The fields of `operation` (and the fragments it reaches, each once) with an argument that can
   * hold an ID, in the order graphql's visitor meets them: a walk of the document with type
   * information, which depends on the operation alone, so it is done once per operation object
   * (over HTTP, Apollo's document store hands every request of the same text the same document;
   * graphql-ws parses each subscribe, so its operations are walked each time); each request then
   * reads only these fields' arguments. A field is kept only when it passes an argument that can
   * hold an ID (or one has a default): `contacts(first: $n)` has an ID-holding argument (`filter`)
   * but passes none. Most operations (a contacts page, a dashboard) keep none: their check is free
   * (no coercion of the variables either).
   */
  const idFieldsByOperation = new WeakMap<OperationDefinitionNode, readonly IdField[]>();
  const idFieldsOf = (document: DocumentNode, operation: OperationDefinitionNode): readonly IdField[] => {
    let known = idFieldsByOperation.get(operation);
    if (known) return known;
    const found: IdField[] = [];
    visitOperation(schema, document, operation, (typeInfo) => ({
      Field(node) {
        const field = typeInfo.getFieldDef();
        if (field && passesIds(field, node)) found.push({ node, field });
      },
    }));
    known = found;
    idFieldsByOperation.set(operation, known);
    return known;
  };

  return {
    check(document, operation, variables) {
      const fields = idFieldsOf(document, operation);
      if (fields.length === 0) return undefined;
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
      if (coerced.errors) return undefined; // the executor answers these
      for (const { node, field } of fields) {
        let args: Record<string, unknown>;
        try {
          args = getArgumentValues(field, node, coerced.coerced);
        } catch {
          continue; // a value that does not coerce: the executor reports it
        }
        for (const arg of field.args) {
          const path = unsafeIdPath(args[arg.name], arg.type, arg.name);
          if (path) return unsafeIdError(path, field.name, valueAt(args, path));
        }
      }
      return undefined;
    },
  };
}
