/** Per-operation DataLoaders over the shared cache and the upstream client. */
export { createLoaders, createLoaderFactory } from "./contact.loaders.js";
export type { Loaders, LoaderFactory, LoaderServices, ChildRef, ContactListRequest, BusinessListRequest, SearchPage } from "./contact.loaders.js";
export type { ContactsReadClient } from "./read-client.types.js";
export { createBulkRouteMemory } from "./bulk-route.memory.js";
export type { BulkRouteMemory, BulkRouteMemoryOptions } from "./bulk-route.memory.js";
export { createCalendarListMemory } from "./calendar-list.memory.js";
export type { CalendarListMemory, CalendarListMemoryOptions } from "./calendar-list.memory.js";
export { createFieldDefinitionsRefresh } from "./field-definitions.runner.js";
export type { FieldDefinitionsRefresh, FieldDefinitionsRefreshOptions } from "./field-definitions.runner.js";
