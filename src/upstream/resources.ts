/**
 * The resource registry: one descriptor per per-contact upstream resource (a contact's tasks,
 * notes, appointments…). The descriptor is the only place that says where the resource lives
 * (route, response wrapper), how its cache keys are shaped (location + contact, plus the item id
 * for by-id reads), what one load costs upstream, how a raw object is normalised at the boundary
 * (`contactId` filled in from the route: HighLevel leaves it out of some items, FACTS.md) and which
 * webhook events change it (`<entity>Create`, `<entity>Update`, … see
 * ../shared/reference/contacts-api webhook docs, mirrored in test/fixtures/contacts-api).
 *
 * Everything else derives from the registry: the client's list/item reads (contacts.client.ts),
 * the loaders (src/loaders), the cache kinds and what is evicted with a contact (src/cache), the
 * kinds the invalidation broadcast accepts (src/events) and the upstream-cost table
 * (src/graphql/limits/query-cost.table.ts). Adding a per-contact resource is a descriptor here, a
 * GraphQL type and a simulator route (README, "Adding a resource").
 * Pure data and pure functions: no I/O, no GraphQL.
 */
import type { UpstreamAppointment, UpstreamNote, UpstreamTask } from "./contacts.types.js";
import { upstreamTimeMs } from "./upstream-time.js";

/** Where a per-contact resource is read: a route template with `:contactId`, and the response field holding the data. */
export interface ResourceRoute {
  /** Route template as in FACTS.md, e.g. `/contacts/:contactId/tasks`. */
  readonly route: string;
  /** The response wrapper: `{ tasks: [...] }` → `"tasks"`. */
  readonly wrapper: string;
}

/** The by-id read of one item of a per-contact list. */
export interface ResourceItemRoute extends ResourceRoute {
  /** Cache kind of one item (key id `contactId/itemId`). */
  readonly kind: string;
  /** The route parameter naming the item, e.g. `taskId` in `/contacts/:contactId/tasks/:taskId`. */
  readonly idParam: string;
}

/**
 * A read of many contacts' lists in one call, paged with `limit`/`skip` (tasks:
 * `POST /locations/:locationId/tasks/search`, apps/locations.json `task-search`; FACTS.md "Bulk
 * and location routes"). The body is `{ [contactsField]: contactIds, limit, skip }`; the answer
 * `{ [wrapper]: items }`, each item naming its `contactId`. The loaders use it when the
 * credential has `scope`, and fall back to the per-contact route when it fails.
 */
export interface ContactsBulkRoute {
  readonly via: "contacts";
  /** Route template with `:locationId`. */
  readonly route: string;
  readonly wrapper: string;
  /** The body property holding the contact ids. */
  readonly contactsField: string;
  /** The scope the route needs (not one of the Contacts scopes). */
  readonly scope: string;
  /** Items asked for per call (`limit`). */
  readonly pageSize: number;
  /**
   * Contacts one call is assumed to cover, for the upstream-cost estimate: a bulk page holds
   * `pageSize` items, a contact has a few (the estimate cannot know how many).
   */
  readonly contactsPerCall: number;
}

/**
 * A read of a whole location's items through its calendars (appointments; HighLevel's calendars
 * OpenAPI spec, `Version` `version`): `GET <calendarsRoute>?locationId` lists the calendars
 * (`{ [calendarsWrapper]: [...] }`), then `GET <eventsRoute>?locationId&calendarId&startTime&endTime`
 * answers one calendar's events (`{ [eventsWrapper]: [...] }`, each naming its `contactId`) between
 * two epoch-ms times. It costs 1 + calendars calls whatever the number of contacts, so the loaders
 * use it only when that is fewer calls than one per contact, over a window (`windowStartMs`,
 * `windowEndMs`) wide enough to hold every appointment the per-contact route lists.
 */
export interface CalendarsBulkRoute {
  readonly via: "calendars";
  readonly calendarsRoute: string;
  readonly calendarsWrapper: string;
  readonly calendarsScope: string;
  readonly eventsRoute: string;
  readonly eventsWrapper: string;
  readonly eventsScope: string;
  /** The `Version` header these routes need (not the Contacts API's). */
  readonly version: string;
  /** The window asked for, epoch ms: it must contain every time an item can have. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Contacts one call is assumed to cover, for the upstream-cost estimate (see `ContactsBulkRoute`). */
  readonly contactsPerCall: number;
}

/** A route (or pair of routes) reading many contacts' lists at once. */
export type ResourceBulkRoute = ContactsBulkRoute | CalendarsBulkRoute;

/** Every scope a bulk read needs. */
export function bulkScopes(bulk: ResourceBulkRoute): readonly string[] {
  return bulk.via === "contacts" ? [bulk.scope] : [bulk.calendarsScope, bulk.eventsScope];
}

/** Where a normalised object came from: the route it was read or written through says whose it is. */
export interface NormalizeScope {
  readonly locationId: string;
  readonly contactId: string;
}

/**
 * A list of objects that hangs off one contact of one location. Scope: every key is
 * `location + contact` (the list) or `location + contact + id` (an item), so a contact eviction
 * drops everything under it and no location can read another's entries.
 */
export interface PerContactResource<T extends { id: string } = { id: string }> {
  /** Cache kind of a contact's list; also the relation's name on a contact (`Contact.tasks`). */
  readonly kind: string;
  /**
   * HighLevel's entity name: webhook types are `<entity>Create`, `<entity>Update`, `<entity>Delete`…
   * (`TaskCreate`), and the GraphQL object type of one item carries the same name.
   */
  readonly entity: string;
  /** `GET` of a contact's whole list. */
  readonly list: ResourceRoute;
  /** `GET` of one item by id, when the upstream has one (appointments have none). */
  readonly item?: ResourceItemRoute;
  /** Upstream calls one load of the list costs through `list` (1 per contact). */
  readonly costWeight: number;
  /** A route reading many contacts' lists at once, when the upstream has one. */
  readonly bulk?: ResourceBulkRoute;
  /** Fills what the upstream may leave out (e.g. `contactId`); runs once, at the client. Returns a new object. */
  normalize(raw: T, scope: NormalizeScope): T;
  /** Order of a cached list, for changes written into it (webhooks); undefined = upstream order, new items last. */
  order?(a: T, b: T): number;
  /**
   * When answers derived from this item change with the clock alone (a task falls overdue, an
   * appointment starts and stops being "next"): that time, epoch ms, or undefined (never). A time
   * already past changes nothing more. The response cache stores such answers only until the
   * first time still ahead; a function of the item alone, so it reads it once per cached value.
   */
  changesAt?(item: T): number | undefined;
  /**
   * Which of its changes HighLevel announces by webhook: `full` (every create, update and delete:
   * a cached copy stays current while the location's webhooks flow), `partial` (some changes are
   * never announced, e.g. a task edit: a cached copy must be revalidated), `none`. Default `none`.
   */
  readonly webhookCoverage?: WebhookCoverage;
}

/** How completely HighLevel's webhooks announce the changes of a kind (see `PerContactResource.webhookCoverage`). */
export type WebhookCoverage = "full" | "partial" | "none";

/**
 * The core kinds' coverage: a contact's every change is a Contact* webhook carrying it, and every
 * one of them drops the location's list pages (src/events/event-cache.apply.ts).
 */
const CORE_KIND_COVERAGE: Readonly<Record<string, WebhookCoverage>> = Object.freeze({
  contact: "full",
  contactPage: "full",
  businessPage: "full",
});

/**
 * Cache kinds that are not per-contact resources: the contact itself, list pages, search pages
 * (`POST /contacts/search`), and the location reads (custom-field definitions, tags).
 */
export const CORE_KINDS = Object.freeze({
  contact: "contact",
  contactPage: "contactPage",
  businessPage: "businessPage",
  searchPage: "searchPage",
  fieldDefinitions: "fieldDefinitions",
  locationTags: "locationTags",
} as const);

/**
 * Kinds derived from the location's contacts as a whole (evicted together by `invalidateLists`):
 * a change to any contact can change any list or search page, and its tags can add a location tag.
 */
export const PAGE_KINDS: readonly string[] = Object.freeze([
  CORE_KINDS.contactPage,
  CORE_KINDS.businessPage,
  CORE_KINDS.searchPage,
  CORE_KINDS.locationTags,
]);

export interface ResourceRegistry {
  /** Every per-contact resource, in registration order. */
  readonly perContact: readonly PerContactResource[];
  /** Every cache kind: the core kinds, each resource's list kind and item kind. */
  readonly kinds: readonly string[];
  /** Per-contact list kinds (`tasks`, `notes`, `appointments`…): evicted with their contact, droppable location-wide. */
  readonly listKinds: readonly string[];
  /** Kinds cached under one contact (lists and items): evicted with it. */
  readonly contactScopedKinds: readonly string[];
  /** The resource whose list kind or item kind is `kind`. */
  resourceOf(kind: string): PerContactResource | undefined;
  /** The resource of a HighLevel entity (`Task`), for webhook events. */
  byEntity(entity: string): PerContactResource | undefined;
  isListKind(kind: string): boolean;
  /** How completely webhooks announce changes of a cache kind (core kinds included); `none` for an unknown kind. */
  coverageOf(kind: string): WebhookCoverage;
}

const KIND = /^[a-z][A-Za-z]{0,39}$/;

/** Builds a registry, checking that every kind and entity is named once (a clash would share cache entries). */
export function createResourceRegistry(perContact: readonly PerContactResource[]): ResourceRegistry {
  const byKind = new Map<string, PerContactResource>();
  const byEntity = new Map<string, PerContactResource>();
  const taken = new Set<string>(Object.values(CORE_KINDS));
  const claim = (kind: string, resource: PerContactResource) => {
    if (!KIND.test(kind)) {
      throw new TypeError(`resource registry: expected a kind of 1-40 letters starting lower-case, received ${JSON.stringify(kind)}`);
    }
    if (taken.has(kind)) throw new TypeError(`resource registry: kind "${kind}" is registered twice`);
    taken.add(kind);
    byKind.set(kind, resource);
  };
  for (const resource of perContact) {
    claim(resource.kind, resource);
    if (resource.item) claim(resource.item.kind, resource);
    if (byEntity.has(resource.entity)) throw new TypeError(`resource registry: entity "${resource.entity}" is registered twice`);
    byEntity.set(resource.entity, resource);
    if (!resource.list.route.includes(":contactId")) {
      throw new TypeError(`resource registry: ${resource.kind}: expected a list route with :contactId, received ${resource.list.route}`);
    }
    if (!(Number.isInteger(resource.costWeight) && resource.costWeight >= 1)) {
      throw new TypeError(`resource registry: ${resource.kind}: expected costWeight to be an integer >= 1, received ${resource.costWeight}`);
    }
    const bulk = resource.bulk;
    const bulkValid =
      !bulk ||
      (Number.isInteger(bulk.contactsPerCall) &&
        bulk.contactsPerCall >= 1 &&
        (bulk.via === "contacts"
          ? bulk.route.includes(":locationId") && Number.isInteger(bulk.pageSize) && bulk.pageSize >= 1
          : Number.isSafeInteger(bulk.windowStartMs) && Number.isSafeInteger(bulk.windowEndMs) && bulk.windowStartMs < bulk.windowEndMs));
    if (!bulkValid) {
      throw new TypeError(
        `resource registry: ${resource.kind}: expected a bulk route with integer contactsPerCall >= 1 and either a :locationId route with integer pageSize >= 1 or a time window, received ${JSON.stringify(bulk)}`,
      );
    }
  }
  const listKinds = Object.freeze(perContact.map((r) => r.kind));
  const contactScopedKinds = Object.freeze(perContact.flatMap((r) => (r.item ? [r.kind, r.item.kind] : [r.kind])));
  return Object.freeze({
    perContact: Object.freeze([...perContact]),
    kinds: Object.freeze([...Object.values(CORE_KINDS), ...contactScopedKinds]),
    listKinds,
    contactScopedKinds,
    resourceOf: (kind: string) => byKind.get(kind),
    byEntity: (entity: string) => byEntity.get(entity),
    isListKind: (kind: string) => listKinds.includes(kind),
    coverageOf: (kind: string): WebhookCoverage => CORE_KIND_COVERAGE[kind] ?? byKind.get(kind)?.webhookCoverage ?? "none",
  });
}

/** Defines a descriptor with its item type (identity; keeps `T` for the loaders and resolvers). */
export function definePerContactResource<T extends { id: string }>(resource: PerContactResource<T>): PerContactResource<T> {
  return Object.freeze(resource);
}

/** The route says whose object it is; an object that names its contact keeps it. */
const withContactId = <T extends { id: string; contactId?: string | null }>(raw: T, scope: NormalizeScope): T =>
  raw.contactId ? raw : { ...raw, contactId: scope.contactId };

// ---- the built-in resources (apps/contacts.json, FACTS.md "The 16 routes") ---------------------

/** A list in its resource's order (`order`), else as read; sorts in place. */
export function inResourceOrder<T extends { id: string }>(resource: { order?(a: T, b: T): number }, list: T[]): T[] {
  return resource.order ? list.sort((a, b) => resource.order!(a, b)) : list;
}

export const TASKS = definePerContactResource<UpstreamTask>({
  kind: "tasks",
  entity: "Task",
  list: { route: "/contacts/:contactId/tasks", wrapper: "tasks" },
  item: { kind: "task", route: "/contacts/:contactId/tasks/:taskId", idParam: "taskId", wrapper: "task" },
  costWeight: 1,
  bulk: {
    via: "contacts",
    route: "/locations/:locationId/tasks/search",
    wrapper: "tasks",
    contactsField: "contactId",
    scope: "locations/tasks.readonly",
    // The spec's default is 25 and names no maximum; 100 is the maximum of HighLevel's list routes
    // (FACTS.md "Listing quirks"). A short page ends the paging.
    pageSize: 100,
    // A mortgage file has a handful of open and done tasks: 50 contacts fill about one page.
    contactsPerCall: 50,
  },
  normalize: withContactId,
  // TaskCreate, TaskComplete and TaskDelete exist; an edit sends nothing (FACTS.md "Webhooks").
  webhookCoverage: "partial",
  // An open task falls overdue at its due time.
  changesAt: (task) => (task.completed ? undefined : upstreamTimeMs(task.dueDate)),
});

/** Newest first, as the upstream lists them. */
const newestFirst = (a: UpstreamNote, b: UpstreamNote) =>
  (b.dateAdded ?? "").localeCompare(a.dateAdded ?? "") || b.id.localeCompare(a.id);

export const NOTES = definePerContactResource<UpstreamNote>({
  kind: "notes",
  entity: "Note",
  list: { route: "/contacts/:contactId/notes", wrapper: "notes" },
  item: { kind: "note", route: "/contacts/:contactId/notes/:id", idParam: "id", wrapper: "note" },
  costWeight: 1,
  normalize: withContactId,
  webhookCoverage: "full", // NoteCreate, NoteUpdate, NoteDelete
  order: newestFirst,
});

export const APPOINTMENTS = definePerContactResource<UpstreamAppointment>({
  kind: "appointments",
  entity: "Appointment",
  // The route answers `{ events: [...] }` (apps/contacts.json).
  list: { route: "/contacts/:contactId/appointments", wrapper: "events" },
  costWeight: 1,
  bulk: {
    via: "calendars",
    calendarsRoute: "/calendars/",
    calendarsWrapper: "calendars",
    calendarsScope: "calendars.readonly",
    eventsRoute: "/calendars/events",
    eventsWrapper: "events",
    eventsScope: "calendars/events.readonly",
    version: "2021-04-15",
    // The per-contact route lists ALL of a contact's appointments, past and future, so the window
    // must hold every time an appointment can have: from the epoch (before HighLevel existed) to
    // 2100-01-01 (no calendar books that far ahead). Fixed bounds keep the requests identical.
    windowStartMs: 0,
    windowEndMs: Date.UTC(2100, 0, 1),
    // 1 + calendars calls per batch: with a few calendars a location, 50 contacts cost ~5 calls.
    contactsPerCall: 10,
  },
  normalize: withContactId,
  webhookCoverage: "full", // AppointmentCreate, AppointmentUpdate, AppointmentDelete
  // By time, then id, as the contact's route lists them: the upstream sends times in several forms
  // (FACTS.md "Timestamps"), so their text does not sort. A bulk read (calendars) merges in this order.
  order: (a, b) => (upstreamTimeMs(a.startTime) ?? 0) - (upstreamTimeMs(b.startTime) ?? 0) || a.id.localeCompare(b.id),
  // Once it starts, it is no longer the contact's next appointment.
  changesAt: (appointment) => upstreamTimeMs(appointment.startTime),
});

/** The gateway's registry. Tests build their own with `createResourceRegistry`. */
export const DEFAULT_RESOURCE_REGISTRY: ResourceRegistry = createResourceRegistry([TASKS, NOTES, APPOINTMENTS]);
