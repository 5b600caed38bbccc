// Test helper: reads `extensions.cost` (the cost stage's estimate, the upstream calls the answer
// made and the location's remaining budget) from a GraphQL answer, over HTTP or graphql-ws.
export type Cost = { estimated?: number; actual: number; budget: { intervalRemaining: number; dailyRemaining: number } };

export const costOf = (body: unknown): Cost | undefined => (body as { extensions?: { cost?: Cost } }).extensions?.cost;
