/**
 * Query limits checked before execution: depth and aliases as validation rules from
 * `@escape.tech/graphql-armor`, the token count at parse time (graphql-js' `maxTokens`, see below);
 * and the upstream-cost
 * budget (query-cost.estimate.ts), which needs the request's variables and therefore runs after
 * authentication, as its own stage (`checkCost`).
 *
 * Every rejection is a `GraphQLError` with `extensions.code = "GRAPHQL_VALIDATION_FAILED"` (the
 * closed list in README "Architecture") and what was exceeded: `extensions.cost = { estimated, budget }` or
 * `extensions.limit = { kind, max }`. No upstream call is made for a rejected operation.
 *
 * Wiring: the gateway's operation pipeline (server/pipeline/operation.pipeline.ts) calls
 * `parseAndValidate`, `parseError` and `checkCost` for HTTP and graphql-ws alike; `checkDocument`
 * runs every limit over one document (the unit tests of the limits, embedders).
 */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Config } from "../../config/config.js";
import { estimateOperationCost } from "./query-cost.estimate.js";
import { DEFAULT_FIELD_COSTS, PARTIAL_ITEMS, type FieldCostTable, type LoadWeights, type PartialItemType } from "./query-cost.table.js";

export const VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED";

export interface QueryLimitsOptions {
  /** `config.queryLimits`: maxDepth 10, maxAliases 30, maxTokens 2000, costBudget 300, defaultListSize 20. */
  queryLimits: Config["queryLimits"];
  /** Entries added to (or replacing) the default cost table, keyed `Type.field`. */
  fieldCosts?: FieldCostTable;
  partialItems?: Readonly<Record<string, PartialItemType>>;
  /** Each walk of a named fragment's selection while estimating (tests count them: each fragment once). */
  onFragmentVisit?(name: string): void;
  /** Every estimate, accepted or not (metrics, logs). */
  onEstimate?(event: { operationName: string | undefined; operation: string; estimated: number; budget: number; rejected: boolean }): void;
}

export interface QueryLimits {
  /** Depth and aliases (graphql-armor): static, variables not needed. */
  validationRules: ValidationRule[];
  /** The token limit for `parse` (ApolloServer's `parseOptions`). */
  parseOptions: { maxTokens: number };
  /**
   * Parse with the token limit, then validate (graphql's rules, depth, aliases, directives). A
   * token-limit failure is GRAPHQL_VALIDATION_FAILED with `extensions.limit`, any other syntax
   * error GRAPHQL_PARSE_FAILED; validation errors without a code get GRAPHQL_VALIDATION_FAILED.
   */
  parseAndValidate(
    schema: GraphQLSchema,
    source: string,
  ): { document: DocumentNode; errors: readonly GraphQLError[] } | { document: undefined; errors: readonly GraphQLError[] };
  /** A parse error as a caller sees it: the token limit relabelled as a query limit, others unchanged. */
  parseError(error: GraphQLError): GraphQLError;
  /** Parse (with the token limit) and run every limit including the cost with `variables`; [] when all pass. */
  checkDocument(
    schema: GraphQLSchema,
    source: string | DocumentNode,
    variables?: Readonly<Record<string, unknown>> | null,
  ): readonly GraphQLError[];
  /**
   * The cost stage: estimates `operation` with the request's variables, stopping as soon as the
   * budget is exceeded; the refusal (GRAPHQL_VALIDATION_FAILED with `extensions.cost`) or undefined.
   */
  checkCost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables?: Readonly<Record<string, unknown>> | null,
  ): GraphQLError | undefined;
  /**
   * `checkCost` with the estimate: the full count when within the budget (the walk never stops
   * below it), else the refusal and the partial sum it stopped at.
   */
  costOf(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables?: Readonly<Record<string, unknown>> | null,
    /** The caller's location's load weights (which bulk reads it can use); default: every bulk read. */
    loadWeights?: LoadWeights,
  ): { estimated: number; error: GraphQLError | undefined };
  /** The worst-case upstream calls of one operation (the full count, no early stop). */
  estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables?: Readonly<Record<string, unknown>> | null,
    operationName?: string | null,
  ): number;
  readonly fieldCosts: FieldCostTable;
}

/** graphql-js: "Syntax Error: Document contains more that N tokens. Parsing aborted." (sic) */
function isTokenLimitMessage(message: string): boolean {
  return /contains more tha[nt] \d+ tokens/i.test(message);
}

function stripPrefix(message: string): string {
  return message.replace(/^Syntax Error:\s*/, "");
}

/** An armor rejection, re-issued with our code and the limit that was hit. */
function reporter(kind: "depth" | "aliases" | "directives", max: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(
      new GraphQLError(stripPrefix(error.message), {
        nodes: error.nodes,
        extensions: { code: VALIDATION_FAILED, limit: { kind, max } },
      }),
    );
  };
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

export function costExceededError(estimated: number, budget: number, operation?: OperationDefinitionNode): GraphQLError {
  return new GraphQLError(
    `Operation too expensive: it may cost at least ${estimated} upstream calls (counting stopped there), the budget is ${budget}. ` +
      "Ask for fewer items (first) or fewer relations per item.",
    {
      nodes: operation ? [operation] : undefined,
      extensions: { code: VALIDATION_FAILED, cost: { estimated, budget } },
    },
  );
}

export function createQueryLimits(options: QueryLimitsOptions): QueryLimits {
  const limits = options.queryLimits;
  const fieldCosts: FieldCostTable = Object.freeze({ ...DEFAULT_FIELD_COSTS, ...(options.fieldCosts ?? {}) });
  const partialItems = options.partialItems ?? PARTIAL_ITEMS;
  const budget = limits.costBudget;

  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    costLimit: { enabled: false }, // its cost model knows nothing of upstream calls: ours below
    maxDirectives: {
      n: limits.maxDirectives,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [reporter("directives", limits.maxDirectives)],
    },
    maxDepth: {
      n: limits.maxDepth,
      exposeLimits: true,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [reporter("depth", limits.maxDepth)],
    },
    maxAliases: {
      n: limits.maxAliases,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [reporter("aliases", limits.maxAliases)],
    },
    // Not armor's token plugin: under Apollo 5 it throws from parsingDidStart, which Apollo treats
    // as an unexpected error (500). graphql-js' own `maxTokens` parse option (the same limit,
    // enforced while lexing) fails cleanly as a 400; `tokenLimitPlugin` relabels that error.
    maxTokens: { enabled: false },
  });
  const protection = armor.protect();

  function estimateOne(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
    variables: Readonly<Record<string, unknown>> | null | undefined,
    stopAbove?: number,
    loadWeights?: LoadWeights,
  ): number {
    return estimateOperationCost({
      schema,
      operation,
      fragments,
      variables,
      fieldCosts,
      partialItems,
      ...(loadWeights ? { loadWeights } : {}),
      defaultListSize: limits.defaultListSize,
      ...(stopAbove !== undefined ? { stopAbove } : {}),
      ...(options.onFragmentVisit ? { onFragmentVisit: options.onFragmentVisit } : {}),
    });
  }

  function costOf(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables?: Readonly<Record<string, unknown>> | null,
    loadWeights?: LoadWeights,
  ): { estimated: number; error: GraphQLError | undefined } {
    const estimated = estimateOne(schema, operation, fragmentsOf(document), variables, budget, loadWeights);
    report(operation, estimated);
    return { estimated, error: estimated > budget ? costExceededError(estimated, budget, operation) : undefined };
  }

  function checkCost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables?: Readonly<Record<string, unknown>> | null,
  ): GraphQLError | undefined {
    return costOf(schema, document, operation, variables).error;
  }

  function report(operation: OperationDefinitionNode, estimated: number) {
    try {
      options.onEstimate?.({
        operationName: operation.name?.value,
        operation: operation.operation,
        estimated,
        budget,
        rejected: estimated > budget,
      });
    } catch {
      // metrics must never break a request
    }
  }

  function estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables?: Readonly<Record<string, unknown>> | null,
    operationName?: string | null,
  ): number {
    const fragments = fragmentsOf(document);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const chosen = operationName ? operations.filter((o) => o.name?.value === operationName) : operations;
    return Math.max(0, ...chosen.map((o) => estimateOne(schema, o, fragments, variables)));
  }

  const rules = [...specifiedRules, ...protection.validationRules];

  function parseError(error: GraphQLError): GraphQLError {
    const message = stripPrefix(error.message);
    if (!isTokenLimitMessage(message)) return error;
    return new GraphQLError(message, { extensions: { code: VALIDATION_FAILED, limit: { kind: "tokens", max: limits.maxTokens } } });
  }

  function parseAndValidate(schema: GraphQLSchema, source: string): ReturnType<QueryLimits["parseAndValidate"]> {
    let document: DocumentNode;
    try {
      document = parse(source, { maxTokens: limits.maxTokens });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const labelled = parseError(error);
      return {
        document: undefined,
        errors: [
          labelled === error
            ? new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: "GRAPHQL_PARSE_FAILED" } })
            : labelled,
        ],
      };
    }
    const errors = validate(schema, document, rules).map((e) =>
      e.extensions["code"] ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: VALIDATION_FAILED } }),
    );
    return { document, errors };
  }

  function checkDocument(
    schema: GraphQLSchema,
    source: string,
    variables?: Readonly<Record<string, unknown>> | null,
  ): readonly GraphQLError[] {
    const parsed = parseAndValidate(schema, source);
    if (!parsed.document || parsed.errors.length > 0) return parsed.errors;
    const { document } = parsed;
    return document.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .flatMap((operation) => checkCost(schema, document, operation, variables) ?? []);
  }

  return {
    validationRules: protection.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    parseAndValidate,
    parseError,
    checkDocument,
    checkCost,
    costOf,
    estimate,
    fieldCosts,
  };
}
