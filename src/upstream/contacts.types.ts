/**
 * Shapes of the HighLevel Contacts API v2 (`Version: 2021-07-28`) as the gateway sees them on the
 * wire, after the client has unwrapped `{contact}`, `{tasks}`, `{events}`… wrappers.
 * Source: test/fixtures/contacts-api/apps/contacts.json and FACTS.md ("Objects").
 * Pure types: no GraphQL, no I/O.
 */

/** Read form of a custom field value: `[{id, value}]` (written as `{id|key, field_value}`). */
export interface UpstreamCustomFieldValue {
  id: string;
  value?: unknown;
}

/** A contact as returned by `GET /contacts/:contactId` (the full record). */
export interface UpstreamContact {
  id: string;
  locationId: string;
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  companyName?: string | null;
  businessId?: string | null;
  tags?: string[];
  source?: string | null;
  type?: string | null;
  dnd?: boolean | null;
  dndSettings?: Record<string, unknown>;
  assignedTo?: string | null;
  timezone?: string | null;
  address1?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  postalCode?: string | null;
  website?: string | null;
  dateOfBirth?: string | null;
  dateAdded?: string | null;
  dateUpdated?: string | null;
  lastActivity?: string | null;
  /** User ids following the contact. */
  followers?: string[];
  /** How the contact first arrived (`AttributionSource` of apps/contacts.json: url, campaign, utm…). */
  attributionSource?: Record<string, unknown> | null;
  customFields?: UpstreamCustomFieldValue[];
  [extra: string]: unknown;
}

/**
 * An item of `GET /contacts/` or `GET /contacts/business/:id` (observed): leaner than a contact by
 * id. `contactName` instead of `name`; `firstName`/`lastName` lower-cased, `firstNameRaw`/`lastNameRaw`
 * in their original case; no `timezone`, `locationId` may be present.
 */
export interface UpstreamContactListItem {
  id: string;
  locationId?: string;
  contactName?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  firstNameRaw?: string | null;
  lastNameRaw?: string | null;
  email?: string | null;
  phone?: string | null;
  companyName?: string | null;
  tags?: string[];
  dateAdded?: string | null;
  dateUpdated?: string | null;
  assignedTo?: string | null;
  dnd?: boolean | null;
  type?: string | null;
  source?: string | null;
  businessId?: string | null;
  customFields?: UpstreamCustomFieldValue[];
  followers?: string[];
  attributions?: unknown[];
  [extra: string]: unknown;
}

export interface UpstreamTask {
  id: string;
  contactId: string;
  title: string;
  body?: string | null;
  assignedTo?: string | null;
  dueDate?: string | null;
  completed: boolean;
  [extra: string]: unknown;
}

export interface UpstreamNote {
  id: string;
  contactId?: string;
  body: string;
  userId?: string | null;
  dateAdded?: string | null;
  title?: string | null;
  color?: string | null;
  pinned?: boolean | null;
  [extra: string]: unknown;
}

/** An item of a contact's `events` (`GET /contacts/:contactId/appointments`). */
export interface UpstreamAppointment {
  id: string;
  calendarId?: string | null;
  status?: string | null;
  title?: string | null;
  assignedUserId?: string | null;
  notes?: string | null;
  startTime?: string | null;
  endTime?: string | null;
  address?: string | null;
  locationId?: string | null;
  contactId?: string | null;
  groupId?: string | null;
  appointmentStatus?: string | null;
  users?: string[];
  dateAdded?: string | null;
  dateUpdated?: string | null;
  [extra: string]: unknown;
}

/** What a bulk read needs beside the contact ids: for a read through calendars, the location's calendar ids. */
export interface BulkPlan {
  calendarIds?: readonly string[];
}

/** A calendar of a location (`GET /calendars/`, HighLevel's calendars OpenAPI spec `CalendarDTO`; the fields the gateway reads). */
export interface UpstreamCalendar {
  id: string;
  name?: string | null;
  groupId?: string | null;
  [extra: string]: unknown;
}

/** `meta` of `GET /contacts/`: both `startAfter` (epoch ms) and `startAfterId` advance a page. */
export interface ContactListMeta {
  total: number;
  nextPageUrl?: string | null;
  startAfterId?: string | null;
  startAfter?: number | null;
  currentPage?: number | null;
  nextPage?: number | null;
  prevPage?: number | null;
}

export interface ContactListPage {
  contacts: UpstreamContactListItem[];
  meta: ContactListMeta;
}

export interface BusinessContactsPage {
  contacts: UpstreamContactListItem[];
  count: number;
}

export interface ListContactsParams {
  /** 1..100, upstream default 20. */
  limit?: number;
  /** Epoch ms of the last item of the previous page; only meaningful together with `startAfterId`. */
  startAfter?: number;
  startAfterId?: string;
  query?: string;
}

export interface ListBusinessContactsParams {
  limit?: number;
  skip?: number;
  query?: string;
}

/** Write form of a custom field: `{id|key, field_value}`. */
export interface UpstreamCustomFieldWrite {
  id?: string;
  key?: string;
  field_value: unknown;
}

/** Per-channel DND (`DndSettingsSchema`): `{Call: {status: "active"|"inactive"|"permanent", message, code}, Email: …}`. */
export type UpstreamDndSettings = Record<string, { status: string; message?: string; code?: string }>;

/** Body of `POST /contacts/` (`locationId` required there). */
export interface CreateContactBody {
  locationId: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  email?: string;
  phone?: string;
  companyName?: string;
  tags?: string[];
  source?: string;
  timezone?: string;
  assignedTo?: string;
  address1?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  website?: string;
  /** `YYYY-MM-DD` or an ISO date-time. */
  dateOfBirth?: string;
  dnd?: boolean;
  dndSettings?: UpstreamDndSettings;
  customFields?: UpstreamCustomFieldWrite[];
}

/** Answer of `POST /contacts/upsert` (`{new, contact}`): `created` is the API's `new`. */
export interface UpsertContactResult {
  created: boolean;
  contact: UpstreamContact;
}

/** Body of `POST /contacts/:contactId/notes` (`body` required) and of its PUT. */
export interface NoteBody {
  body?: string;
  title?: string;
  userId?: string;
  color?: string;
  pinned?: boolean;
}

/** Answer of the followers routes: the contact's followers after the change, and those it changed. */
export interface FollowersResult {
  followers: string[];
  /** `followersAdded` (POST) or `followersRemoved` (DELETE). */
  changed: string[];
}

/** One contact's outcome of `POST /contacts/bulk/tags/update/:type` (UpdateTagsResponseDTO example). */
export interface BulkTagsOutcome {
  contactId: string;
  /** `success` or `error`. */
  type: string;
  message?: string;
  oldTags?: string[];
  tagsAdded?: string[];
  tagsRemoved?: string[];
}

export interface BulkTagsResult {
  errorCount: number;
  responses: BulkTagsOutcome[];
}

/** Body of `PUT /contacts/:contactId` (must NOT carry `locationId`). `tags` replaces all tags. */
export type UpdateContactBody = Partial<Omit<CreateContactBody, "locationId">>;

/** Body of `POST /contacts/:contactId/tasks` (`title`, `dueDate`, `completed` required). */
export interface CreateTaskBody {
  title: string;
  body?: string;
  dueDate: string;
  completed: boolean;
  assignedTo?: string;
}

export type UpdateTaskBody = Partial<CreateTaskBody>;

// ---- search and the location reads (FACTS.md "Search", "Bulk and location routes") --------------

/** One condition of `POST /contacts/search`, or an AND/OR group of them. */
export type SearchFilter =
  | { field: string; operator: "eq" | "not_eq" | "contains" | "not_contains" | "exists" | "not_exists" | "range"; value?: unknown }
  | { group: "AND" | "OR"; filters: SearchFilter[] };

export interface SearchSortItem {
  field: string;
  direction: "asc" | "desc";
}

/** The body of `POST /contacts/search` without `locationId` (the client adds it). Never both `page` and `searchAfter`. */
export interface SearchContactsBody {
  /** 1..500. */
  pageLimit: number;
  /** 1-based; `page * pageLimit` at most 10,000. */
  page?: number;
  /** The `searchAfter` of the last item of the previous page (needed beyond 10,000 results). */
  searchAfter?: unknown[];
  filters?: SearchFilter[];
  sort?: SearchSortItem[];
  /** Full text, at most 75 characters. */
  query?: string;
}

/** A search item: the lean list shape plus its `searchAfter` cursor. */
export type UpstreamSearchContact = UpstreamContactListItem & { searchAfter?: unknown[] };

export interface SearchContactsPage {
  contacts: UpstreamSearchContact[];
  /** Every match (the route's `total`). */
  total: number;
}

/** `GET /locations/:locationId/customFields` item (apps/locations.json CustomFieldSchema). */
export interface UpstreamCustomFieldDefinition {
  id: string;
  name?: string;
  /** `contact.<key>`. */
  fieldKey?: string;
  dataType?: string;
  picklistOptions?: string[];
  position?: number;
  model?: string;
  [extra: string]: unknown;
}

/** `GET /locations/:locationId/tags` item. */
export interface UpstreamLocationTag {
  id: string;
  name: string;
  locationId?: string;
}
