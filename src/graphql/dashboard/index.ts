/** The dashboard view: `Contact.summary`, `Query.dashboard` and the arithmetic behind them. */
export { DASHBOARD_RESOLVERS, DashboardContactResolver, ContactSummaryResolver, DashboardQueryResolver, DASHBOARD_MAX_FIRST } from "./dashboard.resolver.js";
export { ContactSummary } from "./summary.type.js";
export * from "./summary.compute.js";
