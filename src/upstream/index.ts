/** Public surface of the upstream layer (the REST client; knows no GraphQL). */
export { ContactsClient, calendarListOf } from "./contacts.client.js";
export type { ContactsClientOptions, CallOptions, IterateContactsOptions } from "./contacts.client.js";
export { HttpTransport, transportError, wasNotSent } from "./http.transport.js";
export { request } from "./undici-modules.js";
export type { HttpTransportOptions } from "./http.transport.js";
export { compose } from "./pipeline.js";
export type { HttpMethod, RequestLane, RequestPriority, UpstreamHandler, UpstreamMiddleware, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";
export { UpstreamError, isUpstreamError } from "./upstream.error.js";
export type { UpstreamErrorCode, UpstreamErrorReason, UpstreamErrorOptions } from "./upstream.error.js";
export { errorFromResponse, retryAfterFromHeaders, headerValue, scopeForMethod } from "./upstream-error.mapping.js";
export type { CredentialProvider } from "./credentials.types.js";
export type * from "./contacts.types.js";
export { APPOINTMENTS, CORE_KINDS, DEFAULT_RESOURCE_REGISTRY, NOTES, PAGE_KINDS, TASKS, bulkScopes, createResourceRegistry, definePerContactResource } from "./resources.js";
export type { CalendarsBulkRoute, ContactsBulkRoute, NormalizeScope, PerContactResource, ResourceBulkRoute, ResourceItemRoute, ResourceRegistry, ResourceRoute } from "./resources.js";
export { StaticCredentialProvider, credentialsFromConfig } from "./static-credentials.js";
export type { StaticCredential } from "./static-credentials.js";

// Governance: circuit breaker → retry → rate governor, assembled (governance.ts) and as parts.
export { createGovernanceMiddlewares, createGovernanceRuntime } from "./governance.js";
export type {
  Governance,
  GovernanceHooks,
  GovernanceMetricsSources,
  GovernanceConfig,
  GovernanceOptions,
  GovernanceRuntime,
  GovernanceRuntimeOptions,
  LocationGovernanceSnapshot,
} from "./governance.js";
export { DEFAULT_BREAKER_POLICY, createCircuitBreaker } from "./breaker.js";
export type { BreakerHooks, BreakerPolicy, BreakerState, CircuitBreaker, LocationBreakerSnapshot } from "./breaker.js";
export { DEFAULT_RETRY_POLICY, createRetryMiddleware } from "./retry.js";
export type { RetryHooks, RetryPolicy } from "./retry.js";
export { DEFAULT_RATE_POLICY, createRateGovernor } from "./rate-governor.js";
export type { Grant, LocationRateSnapshot, RateGovernor, RateGovernorHooks, RatePolicy } from "./rate-governor.js";
export { systemClock } from "./governance.clock.js";
export type { Clock } from "./governance.clock.js";
export { createOperationDeadline, deadlineExceeded } from "./deadline.js";
export type { OperationDeadline, OperationDeadlineOptions } from "./deadline.js";
