/**
 * Estimates an operation's worst-case upstream calls (cold cache) from the cost table
 * (query-cost.table.ts): list sizes from `first` (the request's variables resolved, then the
 * variable's and the argument's defaults, then `defaultListSize`), multiplied down the tree.
 * `first` is not clamped: a page size the upstream would refuse is refused by the resolver anyway,
 * and the estimate reflects what was asked for. Pure: no I/O.
 *
 * Linear in the document: a named fragment is costed once per context it is spread in (the type,
 * whether its objects are partial list items, the enclosing page size) and the result reused, so
 * a chain of fragments that each spread the next twice costs one visit per fragment, not 2^n.
 * With `stopAbove`, the walk stops as soon as a partial sum exceeds it: every term is non-negative
 * and every multiplier at least 1 (a list of 0 items skips its selection), so any partial sum is a
 * lower bound of the total and the verdict cannot change.
 */
import {
  getNamedType,
  getNullableType,
  isInputType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  typeFromAST,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import {
  DEFAULT_FIELD_COSTS,
  DEFAULT_LOAD_WEIGHTS,
  PARTIAL_ITEMS,
  type FieldCostTable,
  type ListSize,
  type LoadWeights,
  type PartialItemType,
} from "./query-cost.table.js";

export interface CostEstimateOptions {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode | undefined>>;
  /** The request's variables (undefined while validating without them). */
  variables?: Readonly<Record<string, unknown>> | null;
  fieldCosts?: FieldCostTable;
  /** Loads costing a fraction of a call per object (bulk reads). Default: the gateway's registry's. */
  loadWeights?: LoadWeights;
  partialItems?: Readonly<Record<string, PartialItemType>>;
  /** List size assumed when neither the request nor the schema gives one (config.queryLimits.defaultListSize). */
  defaultListSize: number;
  /** Stop as soon as the estimate exceeds this (the budget); the result is then a lower bound above it. */
  stopAbove?: number;
  /** Called each time a named fragment's selection is walked (not when a costed fragment is reused). */
  onFragmentVisit?(name: string): void;
}

/** Thrown inside the walk when a partial sum exceeds `stopAbove`; caught by `estimateOperationCost`. */
class StopAbove {
  constructor(readonly atLeast: number) {}
}

interface Walk {
  schema: GraphQLSchema;
  fragments: CostEstimateOptions["fragments"];
  variables: Record<string, unknown>;
  costs: FieldCostTable;
  weights: LoadWeights;
  partial: Readonly<Record<string, PartialItemType>>;
  defaultListSize: number;
  /** Fragments on the current path (cycles are reported by graphql's own rule; we just stop). */
  visiting: Set<string>;
  /** A fragment's cost and loads per context, computed once. */
  costed: Map<string, { below: number; loads: readonly string[] }>;
  stopAbove: number;
  onFragmentVisit: ((name: string) => void) | undefined;
}

/** Worst-case upstream calls of one operation. */
export function estimateOperationCost(options: CostEstimateOptions): number {
  const { schema, operation } = options;
  const root =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return 0;
  const walk: Walk = {
    schema,
    fragments: options.fragments,
    variables: resolveVariables(schema, operation, options.variables ?? undefined),
    costs: options.fieldCosts ?? DEFAULT_FIELD_COSTS,
    weights: options.loadWeights ?? DEFAULT_LOAD_WEIGHTS,
    partial: options.partialItems ?? PARTIAL_ITEMS,
    defaultListSize: options.defaultListSize,
    visiting: new Set(),
    costed: new Map(),
    stopAbove: options.stopAbove ?? Number.POSITIVE_INFINITY,
    onFragmentVisit: options.onFragmentVisit,
  };
  try {
    return wholeCalls(objectCost(walk, operation.selectionSet, root, { partial: false }));
  } catch (error) {
    if (error instanceof StopAbove) return wholeCalls(error.atLeast);
    throw error;
  }
}

/** Weighted loads add fractions of calls: round up, forgiving the float error of a sum of fractions. */
function wholeCalls(cost: number): number {
  return Math.ceil(cost - 1e-9);
}

function checkStop(walk: Walk, partialSum: number): void {
  if (partialSum > walk.stopAbove) throw new StopAbove(partialSum);
}

/** Provided variables over the operation's declared defaults. */
function resolveVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  provided: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (provided && provided[name] !== undefined) {
      values[name] = provided[name];
    } else if (definition.defaultValue) {
      const type = typeFromAST(schema, definition.type);
      values[name] = (isInputType(type) ? valueFromAST(definition.defaultValue, type) : undefined) ?? literalValue(definition.defaultValue);
    }
  }
  return values;
}

/** A literal's plain value, for defaults whose type we do not need to coerce (numbers, lists, strings). */
function literalValue(node: NonNullable<OperationDefinitionNode["variableDefinitions"]>[number]["defaultValue"]): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.INT:
      return Number.parseInt(node.value, 10);
    case Kind.FLOAT:
      return Number.parseFloat(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.LIST:
      return node.values.map((v) => literalValue(v as typeof node));
    default:
      return undefined;
  }
}

function argumentValues(walk: Walk, def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const argDef of def.args) {
    const argNode = node.arguments?.find((a) => a.name.value === argDef.name);
    let value: unknown;
    if (argNode) {
      value =
        argNode.value.kind === Kind.VARIABLE
          ? walk.variables[argNode.value.name.value]
          : valueFromAST(argNode.value, argDef.type, walk.variables);
    }
    if (value === undefined || value === null) value = argDef.defaultValue;
    if (value !== undefined) values[argDef.name] = value;
  }
  return values;
}

function listSize(walk: Walk, size: ListSize, args: Record<string, unknown>): number {
  if ("arg" in size) {
    const value = args[size.arg];
    return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.ceil(value) : walk.defaultListSize;
  }
  return size.size === "default" ? walk.defaultListSize : size.size;
}

interface ObjectContext {
  /** The objects are upstream list items lacking fields. */
  partial: boolean;
  /** The page size of the enclosing connection, for its `pageItems` fields. */
  pageSize?: number;
  initialLoads?: readonly string[];
}

/** Cost of ONE object of `type` with this selection: its distinct loads plus everything below. */
function objectCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLNamedType, context: ObjectContext): number {
  const loads = new Set<string>(context.initialLoads ?? []);
  const below = collect(walk, selectionSet, type, context, loads);
  let own = 0;
  for (const load of loads) own += walk.weights[load] ?? 1;
  checkStop(walk, own + below);
  return own + below;
}

function collect(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLNamedType, context: ObjectContext, loads: Set<string>): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      total += fieldCost(walk, selection, type, context, loads);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : undefined;
      total += collect(walk, selection.selectionSet, condition ?? type, context, loads);
    } else {
      total += fragmentCost(walk, selection.name.value, type, context, loads);
    }
    checkStop(walk, total);
  }
  return total;
}

/**
 * A named fragment's cost in this context: walked once, then reused. What `collect` returns and
 * the loads it adds depend only on the selection, the type and the context (never on the loads
 * already in the set), so reusing them is exact.
 */
function fragmentCost(walk: Walk, name: string, type: GraphQLNamedType, context: ObjectContext, loads: Set<string>): number {
  const fragment = walk.fragments[name];
  if (!fragment || walk.visiting.has(name)) return 0;
  const condition = walk.schema.getType(fragment.typeCondition.name.value) ?? type;
  const key = `${name}\u0000${condition.name}\u0000${context.partial ? 1 : 0}\u0000${context.pageSize ?? ""}`;
  let costed = walk.costed.get(key);
  if (costed === undefined) {
    walk.onFragmentVisit?.(name);
    walk.visiting.add(name);
    const own = new Set<string>();
    const below = collect(walk, fragment.selectionSet, condition, context, own);
    walk.visiting.delete(name);
    costed = { below, loads: [...own] };
    walk.costed.set(key, costed);
  }
  for (const load of costed.loads) loads.add(load);
  return costed.below;
}

function fieldCost(walk: Walk, node: FieldNode, parentType: GraphQLNamedType, context: ObjectContext, loads: Set<string>): number {
  const name = node.name.value;
  if (name.startsWith("__")) return 0;
  if (!isObjectType(parentType) && !isInterfaceType(parentType)) return 0;
  const def = parentType.getFields()[name];
  if (!def) return 0; // unknown fields are reported by graphql's own rules
  const spec = walk.costs[`${parentType.name}.${name}`];

  if (context.partial && !spec) {
    const partial = walk.partial[parentType.name];
    if (partial && !partial.carries.includes(name)) loads.add(partial.load);
  }

  const args = argumentValues(walk, def, node);
  let total = 0;
  if (spec) {
    for (const key of spec.loads ?? []) loads.add(key);
    total += typeof spec.calls === "function" ? spec.calls(args) : (spec.calls ?? 0);
  }
  if (!node.selectionSet) return total;

  const childType = getNamedType(def.type);
  if (spec?.sameObject) {
    // A view of the parent: its loads are the parent's (one DataLoader call each).
    return total + collect(walk, node.selectionSet, childType, { partial: false }, loads);
  }
  let count = 1;
  if (spec?.list) count = listSize(walk, spec.list, args);
  else if (spec?.pageItems) count = context.pageSize ?? walk.defaultListSize;
  else if (isListType(getNullableType(def.type))) count = walk.defaultListSize;
  if (count === 0) return total; // nothing below is fetched for no objects

  const fetches = spec !== undefined && (spec.calls !== undefined || spec.loads !== undefined);
  const childContext: ObjectContext = {
    partial: spec?.partialItems ? true : fetches ? false : context.partial,
    pageSize: spec?.page ? listSize(walk, spec.page, args) : undefined,
    initialLoads: spec?.itemLoads,
  };
  const each = objectCost(walk, node.selectionSet, childType, childContext);
  checkStop(walk, total + count * each);
  return total + count * each;
}
