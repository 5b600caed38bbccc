/** Public surface of the upstream layer (the REST client; knows no GraphQL). */
export { ContactsClient } from "./contacts.client.js";
export type { ContactsClientOptions, CallOptions, IterateContactsOptions } from "./contacts.client.js";
export { HttpTransport, transportError, wasNotSent } from "./http.transport.js";
export type { HttpTransportOptions } from "./http.transport.js";
export { compose } from "./pipeline.js";
export type { HttpMethod, RequestPriority, UpstreamHandler, UpstreamMiddleware, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";
export { UpstreamError, isUpstreamError } from "./upstream.error.js";
export type { UpstreamErrorCode, UpstreamErrorReason, UpstreamErrorOptions } from "./upstream.error.js";
export { errorFromResponse, retryAfterFromHeaders, headerValue, scopeForMethod } from "./upstream-error.mapping.js";
export type { CredentialProvider } from "./credentials.types.js";
export type * from "./contacts.types.js";
