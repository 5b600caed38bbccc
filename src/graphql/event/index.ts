/** Live events in the schema: `Subscription.contactEvents`, `ContactEvent`, and the per-event-context `subscribe` for graphql-ws. */
export { ContactEvent, ContactEventType } from "./contact-event.type.js";
export { ContactEventResolver, EVENT_RESOLVERS, contactEventStream, createSchemaPubSub } from "./contact-event.resolver.js";
export { createPerEventSubscribe } from "./contact-event.subscribe.js";
export type { PerEventContext } from "./contact-event.subscribe.js";
