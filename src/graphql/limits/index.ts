/** Query limits (depth, aliases, tokens, upstream cost): the folder's public surface. */
export { createQueryLimits, costExceededError, VALIDATION_FAILED } from "./query-limits.js";
export type { QueryLimits, QueryLimitsOptions } from "./query-limits.js";
export { estimateOperationCost } from "./query-cost.estimate.js";
export type { CostEstimateOptions } from "./query-cost.estimate.js";
export { DEFAULT_FIELD_COSTS, DEFAULT_LOAD_WEIGHTS, PARTIAL_ITEMS, fieldCostsFor, loadWeightsFor, resourceFieldCosts } from "./query-cost.table.js";
export type { FieldCost, FieldCostTable, ListSize, LoadWeights, PartialItemType } from "./query-cost.table.js";
export { createIdArgumentCheck, isSafeId, SAFE_ID_EXPECTED, SAFE_ID_MAX_LENGTH, SAFE_ID_PATTERN } from "./id-arguments.check.js";
export type { IdArgumentCheck } from "./id-arguments.check.js";
export { visitOperation } from "./operation-visit.js";
