/** The composition root's public surface. */
export { createGateway, GRAPHQL_PATH } from "./gateway.js";
export type { Gateway, GatewayOptions, GatewayFeature, GatewayFeatureFactory, GatewayInternals } from "./gateway.js";
export { renderSandboxPage, SAMPLE_DASHBOARD_QUERY } from "./sandbox.page.js";
export type { SandboxOptions } from "./sandbox.page.js";
