/**
 * The query limits as a gateway feature (structurally a `GatewayFeature`: graphql/ does not import
 * server/): depth and aliases for HTTP and graphql-ws alike, the cost of subscriptions (their
 * arguments set no list sizes, so no variables are needed) as a validation rule, and for HTTP the
 * token-limit label and the cost check with the request's variables as Apollo plugins. The token
 * limit itself is `parseOptions` of the ApolloServer (`queryLimitsParseOptions`).
 */
import type { ApolloServerPlugin } from "@apollo/server";
import type { OperationDefinitionNode, ValidationRule } from "graphql";
import type { Config } from "../../config/config.js";
import { createQueryLimits, type QueryLimits, type QueryLimitsOptions } from "./query-limits.js";

export interface QueryLimitsFeature {
  name: "query-limits";
  apolloPlugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  limits: QueryLimits;
}

/** Only subscriptions: HTTP operations are costed by the Apollo plugin, which has their variables. */
function subscriptionsOnly(rule: ValidationRule): ValidationRule {
  return (context) => {
    const visitor = rule(context) as { OperationDefinition?: (node: OperationDefinitionNode) => void };
    return {
      OperationDefinition(node) {
        if (node.operation === "subscription") visitor.OperationDefinition?.(node);
      },
    };
  };
}

export function queryLimitsFeature(
  internals: { config: Pick<Config, "queryLimits"> },
  options: Omit<QueryLimitsOptions, "queryLimits"> = {},
): QueryLimitsFeature {
  const limits = createQueryLimits({ ...options, queryLimits: internals.config.queryLimits });
  return {
    name: "query-limits",
    apolloPlugins: limits.apolloPlugins,
    validationRules: [...limits.validationRules, subscriptionsOnly(limits.costRule())],
    limits,
  };
}

/** `parseOptions` for the ApolloServer: the token limit (graphql-js enforces it while lexing). */
export function queryLimitsParseOptions(config: Pick<Config, "queryLimits">): { maxTokens: number } {
  return { maxTokens: config.queryLimits.maxTokens };
}
