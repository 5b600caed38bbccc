/**
 * The typed HighLevel Contacts API v2 client: one method per route of apps/contacts.json, plus the
 * location reads dashboards filter with (custom-field definitions, tags; apps/locations.json),
 * the per-contact reads (a contact's tasks, notes, appointments and their items) as `listOf` /
 * `itemOf` over a descriptor of the resource registry (resources.ts), many contacts' lists at once
 * through a resource's bulk route (`bulkListsOf`: tasks' `POST /locations/:locationId/tasks/search`), plus `iterateContacts`, which pages `GET /contacts/` with BOTH cursor parts (`startAfter` and
 * `startAfterId`; either alone returns page 1 again). Methods return unwrapped data (`{contact}` →
 * contact, `{events}` → appointments…), normalised once here (resources.ts: a task or note always
 * names its contact), and throw one typed `UpstreamError`.
 *
 * Every call runs through a middleware chain (`pipeline.types.ts`): the credential step first,
 * then the caller's middlewares (rate governor, retries, breaker, metrics), then the HTTP transport.
 * Knows no GraphQL.
 */
import type { Logger } from "../observability/logger.js";
import type { CredentialProvider } from "./credentials.types.js";
import type {
  BulkTagsResult,
  BusinessContactsPage,
  FollowersResult,
  NoteBody,
  UpsertContactResult,
  ContactListPage,
  CreateContactBody,
  CreateTaskBody,
  ListBusinessContactsParams,
  ListContactsParams,
  UpdateContactBody,
  UpdateTaskBody,
  BulkPlan,
  UpstreamAppointment,
  UpstreamCalendar,
  UpstreamContact,
  UpstreamContactListItem,
  UpstreamNote,
  UpstreamTask,
  SearchContactsBody,
  SearchContactsPage,
  UpstreamCustomFieldDefinition,
  UpstreamLocationTag,
  UpstreamSearchContact,
} from "./contacts.types.js";
import { HttpTransport } from "./http.transport.js";
import { compose } from "./pipeline.js";
import type { HttpMethod, UpstreamHandler, UpstreamMiddleware, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";
import { NOTES, TASKS, inResourceOrder, type CalendarsBulkRoute, type PerContactResource } from "./resources.js";
import { UpstreamError, isUpstreamError } from "./upstream.error.js";
import { deadlineExceeded, type OperationDeadline } from "./deadline.js";
import { errorFromResponse, scopeForMethod } from "./upstream-error.mapping.js";

export interface ContactsClientOptions {
  /** e.g. `https://services.leadconnectorhq.com`. */
  baseUrl: string;
  /** `Version` header. */
  version?: string; // default "2021-07-28"
  credentials: CredentialProvider;
  /** Outermost first; they run after the credential step and before the transport. */
  middlewares?: UpstreamMiddleware[];
  connectTimeoutMs?: number; // default 5_000
  headersTimeoutMs?: number; // default 15_000
  bodyTimeoutMs?: number; // default 15_000
  logger?: Logger;
  /** Replace the HTTP transport (tests); default: undici pools. */
  transport?: UpstreamHandler;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** The operation's deadline (deadline.ts): no queue wait, retry or answer past it. */
  deadline?: OperationDeadline;
}

/** HighLevel's id of one instance of a recurring event: `<eventId>_<startMs>_<durationMinutes>` (calendars OpenAPI spec, CalendarEventDTO). */
const RECURRING_INSTANCE_ID = /_\d{10,}_\d+$/;

export interface IterateContactsOptions extends CallOptions {
  /** Items per upstream page, 1..100. */
  pageSize?: number; // default 100
  query?: string;
}

const API_VERSION = "2021-07-28";
const MAX_PAGE_SIZE = 100;
/** `POST /contacts/search` bounds (FACTS.md "Search"). */
export const MAX_SEARCH_PAGE_LIMIT = 500;
export const MAX_SEARCH_PAGED_RESULTS = 10_000;

export class ContactsClient {
  private readonly handler: UpstreamHandler;
  private readonly transport: HttpTransport | undefined;
  private readonly credentials: CredentialProvider;

  constructor(options: ContactsClientOptions) {
    this.credentials = options.credentials;
    let terminal = options.transport;
    if (!terminal) {
      this.transport = new HttpTransport({
        baseUrl: options.baseUrl,
        version: options.version ?? API_VERSION,
        connectTimeoutMs: options.connectTimeoutMs,
        headersTimeoutMs: options.headersTimeoutMs,
        bodyTimeoutMs: options.bodyTimeoutMs,
        logger: options.logger,
      });
      terminal = this.transport.handler;
    }
    this.handler = compose([credentialStep(options.credentials), ...(options.middlewares ?? [])], terminal);
  }

  async close(): Promise<void> {
    await this.transport?.close();
  }

  /** Deadline of the calls of a client bound by `withDeadline` (undefined on the shared client). */
  private boundDeadline: OperationDeadline | undefined;

  /**
   * This client for one operation: every call (including ones added later) carries `deadline`.
   * A cheap view (prototype delegation), never a second middleware chain or connection pool.
   */
  withDeadline(deadline: OperationDeadline): ContactsClient {
    const bound = Object.create(this) as ContactsClient;
    bound.boundDeadline = deadline;
    return bound;
  }

  // ---- reads (scope contacts.readonly) -------------------------------------------------------

  /** `GET /contacts/:contactId` → the full contact. A missing contact (observed 400) is NOT_FOUND. */
  async getContact(locationId: string, contactId: string, options?: CallOptions): Promise<UpstreamContact> {
    const body = await this.call("GET", "/contacts/:contactId", { contactId }, locationId, options);
    return field<UpstreamContact>(body, "contact", "GET /contacts/:contactId");
  }

  /**
   * A contact's whole list of a per-contact resource (resources.ts): `GET <list.route>`, unwrapped
   * from `list.wrapper`, every item normalised by the descriptor (e.g. `contactId` filled in).
   */
  async listOf<T extends { id: string }>(resource: PerContactResource<T>, locationId: string, contactId: string, options?: CallOptions): Promise<T[]> {
    const { route, wrapper } = resource.list;
    const body = await this.call("GET", route, { contactId }, locationId, options);
    const scope = { locationId, contactId };
    return arrayField<T>(body, wrapper, `GET ${route}`).map((item) => resource.normalize(item, scope));
  }

  /**
   * Many contacts' lists of a resource with a bulk route (resources.ts `bulk`). Every contact the
   * answer covers gets its list (empty when it has none), each item normalised, in the order
   * `resourceOrder` gives; items of contacts not asked for are dropped, an item seen twice is kept
   * once. A contact the read cannot answer for certain is left out of the map (its caller reads it
   * per contact). An item without a string `id` fails the whole read (the specs type items
   * loosely, FACTS.md): the caller falls back to the per-contact route.
   * - `via: "contacts"` (tasks' `POST /locations/:locationId/tasks/search`): paged with
   *   `limit`/`skip` until a short page; an item must name its `contactId`.
   * - `via: "calendars"` (appointments' `GET /calendars/events`): one call per calendar of
   *   `plan.calendarIds` (the location's, from `calendarsOf`), the first alone (a refused scope
   *   then costs one call), the others at once. An event naming no contact is no contact's
   *   appointment and is skipped; a contact with an instance of a recurring event is left out: the
   *   events route answers each instance (id `<id>_<startMs>_<duration>`), the contact's route the
   *   event itself.
   */
  async bulkListsOf<T extends { id: string }>(
    resource: PerContactResource<T>,
    locationId: string,
    contactIds: readonly string[],
    plan: BulkPlan = {},
    options?: CallOptions,
  ): Promise<Map<string, T[]>> {
    const bulk = resource.bulk;
    if (!bulk) throw invalidArgument("POST", resource.list.route, `${resource.kind} has no bulk route upstream`);
    const lists = new Map<string, T[]>(contactIds.map((id) => [id, []]));
    const seen = new Set<string>();
    const add = (item: { id: string; contactId: string }) => {
      const list = lists.get(item.contactId);
      if (!list || seen.has(item.id)) return;
      seen.add(item.id);
      list.push(resource.normalize(item as unknown as T, { locationId, contactId: item.contactId }));
    };
    if (bulk.via === "contacts") {
      const what = `POST ${bulk.route}`;
      for (let skip = 0; ; skip += bulk.pageSize) {
        const body = await this.call("POST", bulk.route, { locationId }, locationId, options, undefined,
          { [bulk.contactsField]: [...contactIds], limit: bulk.pageSize, skip },
          { priority: "read", idempotent: true, scope: bulk.scope });
        const page = arrayField<unknown>(body, bulk.wrapper, what);
        for (const raw of page) {
          const item = raw as { id?: unknown; contactId?: unknown } | null;
          if (typeof item?.id !== "string" || typeof item.contactId !== "string") throw unexpectedShape(what, `items with a string "id" and "contactId"`);
          add(item as { id: string; contactId: string });
        }
        if (page.length < bulk.pageSize) return sorted(resource, lists);
      }
    }
    const calendarIds = plan.calendarIds;
    if (!calendarIds) throw invalidArgument("GET", bulk.eventsRoute, `reading ${resource.kind} through calendars needs the location's calendar ids`);
    const what = `GET ${bulk.eventsRoute}`;
    const uncertain = new Set<string>();
    const readCalendar = async (calendarId: string) => {
      const body = await this.call("GET", bulk.eventsRoute, {}, locationId, options,
        { locationId, calendarId, startTime: bulk.windowStartMs, endTime: bulk.windowEndMs },
        undefined, { priority: "read", idempotent: true, scope: bulk.eventsScope, version: bulk.version });
      for (const raw of arrayField<unknown>(body, bulk.eventsWrapper, what)) {
        const item = raw as { id?: unknown; contactId?: unknown; masterEventId?: unknown; isRecurring?: unknown } | null;
        if (typeof item?.id !== "string") throw unexpectedShape(what, `events with a string "id"`);
        if (typeof item.contactId !== "string" || item.contactId === "") continue;
        // The spec's example sends `isRecurring` as the string "true".
        const recurring = item.isRecurring === true || item.isRecurring === "true";
        const instance = RECURRING_INSTANCE_ID.test(item.id) || (typeof item.masterEventId === "string" && item.masterEventId !== "" && item.masterEventId !== item.id);
        if (recurring || instance) {
          uncertain.add(item.contactId);
          continue;
        }
        add(item as { id: string; contactId: string });
      }
    };
    const [first, ...rest] = calendarIds;
    if (first !== undefined) await readCalendar(first);
    await Promise.all(rest.map(readCalendar));
    for (const contactId of uncertain) lists.delete(contactId);
    return sorted(resource, lists);
  }

  /**
   * The location's calendars (`GET /calendars/?locationId`, HighLevel's calendars OpenAPI spec)
   * for a resource read through them (resources.ts `bulk.via === "calendars"`). A calendar
   * without a string `id` fails the read.
   */
  async calendarsOf(resource: PerContactResource, locationId: string, options?: CallOptions): Promise<UpstreamCalendar[]> {
    const bulk = resource.bulk;
    if (bulk?.via !== "calendars") throw invalidArgument("GET", resource.list.route, `${resource.kind} is not read through calendars`);
    const body = await this.call("GET", bulk.calendarsRoute, {}, locationId, options, { locationId }, undefined, {
      priority: "read",
      idempotent: true,
      scope: bulk.calendarsScope,
      version: bulk.version,
    });
    return calendarListOf(body, bulk);
  }

  /** One item of a per-contact resource by id (`GET <item.route>`), normalised. */
  async itemOf<T extends { id: string }>(
    resource: PerContactResource<T>,
    locationId: string,
    contactId: string,
    itemId: string,
    options?: CallOptions,
  ): Promise<T> {
    const item = resource.item;
    if (!item) throw invalidArgument("GET", resource.list.route, `${resource.kind} has no by-id route upstream`);
    const body = await this.call("GET", item.route, { contactId, [item.idParam]: itemId }, locationId, options);
    return resource.normalize(field<T>(body, item.wrapper, `GET ${item.route}`), { locationId, contactId });
  }

  /** One page of `GET /contacts/` (newest first). Pass both cursor parts from the previous page's `meta`. */
  async listContacts(locationId: string, params: ListContactsParams = {}, options?: CallOptions): Promise<ContactListPage> {
    if (params.limit !== undefined) assertLimit(params.limit, "limit");
    if ((params.startAfter === undefined) !== (params.startAfterId === undefined)) {
      throw invalidArgument("GET", "/contacts/", "startAfter and startAfterId must be given together (either alone returns page 1 again)");
    }
    const body = await this.call("GET", "/contacts/", {}, locationId, options, {
      locationId,
      limit: params.limit,
      startAfter: params.startAfter,
      startAfterId: params.startAfterId,
      query: params.query || undefined,
    });
    const contacts = arrayField<UpstreamContactListItem>(body, "contacts", "GET /contacts/");
    const meta = (body as { meta?: Record<string, unknown> }).meta ?? {};
    return {
      contacts,
      meta: {
        total: typeof meta.total === "number" ? meta.total : contacts.length,
        nextPageUrl: (meta.nextPageUrl as string | null | undefined) ?? null,
        startAfterId: (meta.startAfterId as string | null | undefined) ?? null,
        startAfter: typeof meta.startAfter === "number" ? meta.startAfter : meta.startAfter == null ? null : Number(meta.startAfter),
        currentPage: (meta.currentPage as number | null | undefined) ?? null,
        nextPage: (meta.nextPage as number | null | undefined) ?? null,
        prevPage: (meta.prevPage as number | null | undefined) ?? null,
      },
    };
  }

  /**
   * Every contact of the location, page by page, advancing with both cursor parts. Stops at the
   * last page; fails (instead of looping) if the upstream hands back a cursor that does not advance.
   */
  async *iterateContacts(locationId: string, options: IterateContactsOptions = {}): AsyncGenerator<UpstreamContactListItem> {
    const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    assertLimit(pageSize, "pageSize");
    let cursor: { startAfter: number; startAfterId: string } | undefined;
    const seenCursors = new Set<string>();
    let yielded = 0;
    for (;;) {
      const page = await this.listContacts(
        locationId,
        { limit: pageSize, query: options.query, ...(cursor ?? {}) },
        { signal: options.signal },
      );
      for (const contact of page.contacts) yield contact;
      yielded += page.contacts.length;
      const { startAfter, startAfterId, total } = page.meta;
      if (page.contacts.length < pageSize || yielded >= total || startAfter == null || !startAfterId) return;
      const key = `${startAfter}:${startAfterId}`;
      if (seenCursors.has(key)) {
        throw new UpstreamError({
          code: "UPSTREAM_ERROR",
          reason: "unexpected",
          message: `GET /contacts/ returned the same cursor twice (startAfterId ${startAfterId}): paging stopped`,
          method: "GET",
          route: "/contacts/",
        });
      }
      seenCursors.add(key);
      cursor = { startAfter, startAfterId };
    }
  }

  /** `GET /contacts/business/:businessId` with `skip`/`limit` paging. */
  async listBusinessContacts(
    locationId: string,
    businessId: string,
    params: ListBusinessContactsParams = {},
    options?: CallOptions,
  ): Promise<BusinessContactsPage> {
    if (params.limit !== undefined) assertLimit(params.limit, "limit");
    if (params.skip !== undefined && (!Number.isInteger(params.skip) || params.skip < 0)) {
      throw invalidArgument("GET", "/contacts/business/:businessId", `skip must be a non-negative integer, got ${params.skip}`);
    }
    const body = await this.call("GET", "/contacts/business/:businessId", { businessId }, locationId, options, {
      locationId,
      limit: params.limit,
      skip: params.skip,
      query: params.query || undefined,
    });
    const contacts = arrayField<UpstreamContactListItem>(body, "contacts", "GET /contacts/business/:businessId");
    const count = (body as { count?: unknown }).count;
    return { contacts, count: typeof count === "number" ? count : contacts.length };
  }

  /**
   * `POST /contacts/search` (a read: scope `contacts.readonly`, retried like a GET). Answers
   * `{contacts, total}` (FACTS.md "Search"); the body is checked here for what the route is known
   * to refuse, so a bad page never costs an upstream call.
   */
  async searchContacts(locationId: string, body: SearchContactsBody, options?: CallOptions): Promise<SearchContactsPage> {
    const route = "/contacts/search";
    if (!Number.isInteger(body.pageLimit) || body.pageLimit < 1 || body.pageLimit > MAX_SEARCH_PAGE_LIMIT) {
      throw invalidArgument("POST", route, `pageLimit must be an integer from 1 to ${MAX_SEARCH_PAGE_LIMIT}, got ${body.pageLimit}`);
    }
    if (body.page !== undefined && body.searchAfter !== undefined) throw invalidArgument("POST", route, "page and searchAfter cannot be used together");
    if (body.page !== undefined && (!Number.isInteger(body.page) || body.page < 1 || body.page * body.pageLimit > MAX_SEARCH_PAGED_RESULTS)) {
      throw invalidArgument("POST", route, `page * pageLimit reaches at most ${MAX_SEARCH_PAGED_RESULTS} results (use searchAfter beyond), got page ${body.page}`);
    }
    const response = await this.call("POST", route, {}, locationId, options, undefined, { locationId, ...body }, {
      priority: "read",
      idempotent: true,
      scope: "contacts.readonly",
    });
    const contacts = arrayField<UpstreamSearchContact>(response, "contacts", `POST ${route}`);
    const total = (response as { total?: unknown }).total;
    if (typeof total !== "number") throw unexpectedShape(`POST ${route}`, `a number "total"`);
    return { contacts, total };
  }

  /** `GET /locations/:locationId/customFields?model=contact`: the location's contact custom-field definitions. */
  async listCustomFieldDefinitions(locationId: string, options?: CallOptions): Promise<UpstreamCustomFieldDefinition[]> {
    const route = "/locations/:locationId/customFields";
    const body = await this.call("GET", route, { locationId }, locationId, options, { model: "contact" }, undefined, {
      priority: "read",
      idempotent: true,
      scope: "locations/customFields.readonly",
    });
    return arrayField<UpstreamCustomFieldDefinition>(body, "customFields", `GET ${route}`).filter(
      (f) => f !== null && typeof f === "object" && typeof f.id === "string",
    );
  }

  /** `GET /locations/:locationId/tags`: the location's tags. */
  async listLocationTags(locationId: string, options?: CallOptions): Promise<UpstreamLocationTag[]> {
    const route = "/locations/:locationId/tags";
    const body = await this.call("GET", route, { locationId }, locationId, options, undefined, undefined, {
      priority: "read",
      idempotent: true,
      scope: "locations/tags.readonly",
    });
    return arrayField<UpstreamLocationTag>(body, "tags", `GET ${route}`).filter(
      (t) => t !== null && typeof t === "object" && typeof t.name === "string",
    );
  }

  // ---- writes (scope contacts.write) ---------------------------------------------------------

  /** `POST /contacts/` (201 `{contact}`); `locationId` goes in the body, as the upstream requires. */
  async createContact(locationId: string, body: Omit<CreateContactBody, "locationId">, options?: CallOptions): Promise<UpstreamContact> {
    const response = await this.call("POST", "/contacts/", {}, locationId, options, undefined, { ...body, locationId });
    return field<UpstreamContact>(response, "contact", "POST /contacts/");
  }

  /** `PUT /contacts/:contactId` (`{succeded, contact}`); the body must not carry `locationId`. */
  async updateContact(locationId: string, contactId: string, body: UpdateContactBody, options?: CallOptions): Promise<UpstreamContact> {
    if ("locationId" in (body as Record<string, unknown>)) {
      throw invalidArgument("PUT", "/contacts/:contactId", "the update body must not carry locationId (the upstream rejects it)");
    }
    const response = await this.call("PUT", "/contacts/:contactId", { contactId }, locationId, options, undefined, body);
    return field<UpstreamContact>(response, "contact", "PUT /contacts/:contactId");
  }

  async deleteContact(locationId: string, contactId: string, options?: CallOptions): Promise<void> {
    const response = await this.call("DELETE", "/contacts/:contactId", { contactId }, locationId, options);
    assertSucceeded(response, "DELETE /contacts/:contactId");
  }

  async createTask(locationId: string, contactId: string, body: CreateTaskBody, options?: CallOptions): Promise<UpstreamTask> {
    const response = await this.call("POST", "/contacts/:contactId/tasks", { contactId }, locationId, options, undefined, body);
    return TASKS.normalize(field<UpstreamTask>(response, "task", "POST /contacts/:contactId/tasks"), { locationId, contactId });
  }

  async updateTask(locationId: string, contactId: string, taskId: string, body: UpdateTaskBody, options?: CallOptions): Promise<UpstreamTask> {
    const response = await this.call("PUT", "/contacts/:contactId/tasks/:taskId", { contactId, taskId }, locationId, options, undefined, body);
    return TASKS.normalize(field<UpstreamTask>(response, "task", "PUT /contacts/:contactId/tasks/:taskId"), { locationId, contactId });
  }

  async completeTask(locationId: string, contactId: string, taskId: string, completed: boolean, options?: CallOptions): Promise<UpstreamTask> {
    const response = await this.call(
      "PUT",
      "/contacts/:contactId/tasks/:taskId/completed",
      { contactId, taskId },
      locationId,
      options,
      undefined,
      { completed },
    );
    return TASKS.normalize(field<UpstreamTask>(response, "task", "PUT /contacts/:contactId/tasks/:taskId/completed"), { locationId, contactId });
  }

  async deleteTask(locationId: string, contactId: string, taskId: string, options?: CallOptions): Promise<void> {
    const response = await this.call("DELETE", "/contacts/:contactId/tasks/:taskId", { contactId, taskId }, locationId, options);
    assertSucceeded(response, "DELETE /contacts/:contactId/tasks/:taskId");
  }

  /** `POST /contacts/:contactId/tags` (201 `{tags}`): adds tags, returns the contact's tag set. */
  async addTags(locationId: string, contactId: string, tags: string[], options?: CallOptions): Promise<string[]> {
    const response = await this.call("POST", "/contacts/:contactId/tags", { contactId }, locationId, options, undefined, { tags });
    return arrayField<string>(response, "tags", "POST /contacts/:contactId/tags");
  }

  /** `DELETE /contacts/:contactId/tags` (`{tags}`): removes tags, returns the tags left. */
  async removeTags(locationId: string, contactId: string, tags: string[], options?: CallOptions): Promise<string[]> {
    const response = await this.call("DELETE", "/contacts/:contactId/tags", { contactId }, locationId, options, undefined, { tags });
    return arrayField<string>(response, "tags", "DELETE /contacts/:contactId/tags");
  }

  /**
   * `GET /contacts/search/duplicate`: the contact the location would treat as a duplicate of this
   * email and/or phone (`number`), or null. The query is percent-encoded, so `+1…` arrives as `%2B1…`.
   */
  async findDuplicateContact(locationId: string, lookup: { email?: string | undefined; phone?: string | undefined }, options?: CallOptions): Promise<UpstreamContact | null> {
    if (!lookup.email && !lookup.phone) throw invalidArgument("GET", "/contacts/search/duplicate", "email or phone must be given");
    const body = await this.call("GET", "/contacts/search/duplicate", {}, locationId, options, {
      locationId,
      email: lookup.email || undefined,
      number: lookup.phone || undefined,
    });
    const contact = (body as { contact?: unknown }).contact;
    if (contact === null || contact === undefined) return null;
    if (typeof contact !== "object") throw unexpectedShape("GET /contacts/search/duplicate", `an object "contact" or null`);
    return contact as UpstreamContact;
  }

  /** `POST /contacts/upsert` (`{new, contact}`): updates the location's matching contact or creates one. */
  async upsertContact(locationId: string, body: Omit<CreateContactBody, "locationId">, options?: CallOptions): Promise<UpsertContactResult> {
    const response = await this.call("POST", "/contacts/upsert", {}, locationId, options, undefined, { ...body, locationId });
    const created = (response as { new?: unknown }).new;
    if (typeof created !== "boolean") throw unexpectedShape("POST /contacts/upsert", `a boolean "new"`);
    return { created, contact: field<UpstreamContact>(response, "contact", "POST /contacts/upsert") };
  }

  /** `POST /contacts/:contactId/notes` (201 `{note}`). */
  async createNote(locationId: string, contactId: string, body: NoteBody & { body: string }, options?: CallOptions): Promise<UpstreamNote> {
    const response = await this.call("POST", "/contacts/:contactId/notes", { contactId }, locationId, options, undefined, body);
    return NOTES.normalize(field<UpstreamNote>(response, "note", "POST /contacts/:contactId/notes"), { locationId, contactId });
  }

  /** `PUT /contacts/:contactId/notes/:id` (`{note}`). */
  async updateNote(locationId: string, contactId: string, noteId: string, body: NoteBody, options?: CallOptions): Promise<UpstreamNote> {
    const response = await this.call("PUT", "/contacts/:contactId/notes/:id", { contactId, id: noteId }, locationId, options, undefined, body);
    return NOTES.normalize(field<UpstreamNote>(response, "note", "PUT /contacts/:contactId/notes/:id"), { locationId, contactId });
  }

  async deleteNote(locationId: string, contactId: string, noteId: string, options?: CallOptions): Promise<void> {
    const response = await this.call("DELETE", "/contacts/:contactId/notes/:id", { contactId, id: noteId }, locationId, options);
    assertSucceeded(response, "DELETE /contacts/:contactId/notes/:id");
  }

  /** `POST /contacts/:contactId/followers` (201 `{followers, followersAdded}`). */
  async addFollowers(locationId: string, contactId: string, followers: string[], options?: CallOptions): Promise<FollowersResult> {
    const response = await this.call("POST", "/contacts/:contactId/followers", { contactId }, locationId, options, undefined, { followers });
    const what = "POST /contacts/:contactId/followers";
    return { followers: arrayField<string>(response, "followers", what), changed: optionalArray<string>(response, "followersAdded") };
  }

  /** `DELETE /contacts/:contactId/followers` (`{followers, followersRemoved}`). */
  async removeFollowers(locationId: string, contactId: string, followers: string[], options?: CallOptions): Promise<FollowersResult> {
    const response = await this.call("DELETE", "/contacts/:contactId/followers", { contactId }, locationId, options, undefined, { followers });
    const what = "DELETE /contacts/:contactId/followers";
    return { followers: arrayField<string>(response, "followers", what), changed: optionalArray<string>(response, "followersRemoved") };
  }

  /** `POST /contacts/:contactId/campaigns/:campaignId` (201 `{succeded}`; the body DTO has no properties). */
  async addToCampaign(locationId: string, contactId: string, campaignId: string, options?: CallOptions): Promise<void> {
    const route = "/contacts/:contactId/campaigns/:campaignId";
    assertSucceeded(await this.call("POST", route, { contactId, campaignId }, locationId, options, undefined, {}), `POST ${route}`);
  }

  async removeFromCampaign(locationId: string, contactId: string, campaignId: string, options?: CallOptions): Promise<void> {
    const route = "/contacts/:contactId/campaigns/:campaignId";
    assertSucceeded(await this.call("DELETE", route, { contactId, campaignId }, locationId, options), `DELETE ${route}`);
  }

  async removeFromAllCampaigns(locationId: string, contactId: string, options?: CallOptions): Promise<void> {
    const route = "/contacts/:contactId/campaigns/removeAll";
    assertSucceeded(await this.call("DELETE", route, { contactId }, locationId, options), `DELETE ${route}`);
  }

  /** `POST /contacts/:contactId/workflow/:workflowId` (`{succeded}`), optionally starting at `eventStartTime` (ISO 8601). */
  async addToWorkflow(locationId: string, contactId: string, workflowId: string, eventStartTime?: string, options?: CallOptions): Promise<void> {
    const route = "/contacts/:contactId/workflow/:workflowId";
    const body = eventStartTime === undefined ? {} : { eventStartTime };
    assertSucceeded(await this.call("POST", route, { contactId, workflowId }, locationId, options, undefined, body), `POST ${route}`);
  }

  async removeFromWorkflow(locationId: string, contactId: string, workflowId: string, options?: CallOptions): Promise<void> {
    const route = "/contacts/:contactId/workflow/:workflowId";
    assertSucceeded(await this.call("DELETE", route, { contactId, workflowId }, locationId, options, undefined, {}), `DELETE ${route}`);
  }

  /**
   * `POST /contacts/bulk/tags/update/:type` (201): adds or removes tags on many contacts; one
   * outcome per requested id. `removeAllTags` only with `remove`.
   */
  async bulkUpdateTags(
    locationId: string,
    type: "add" | "remove",
    contactIds: string[],
    tags: string[],
    removeAllTags?: boolean,
    options?: CallOptions,
  ): Promise<BulkTagsResult> {
    const route = "/contacts/bulk/tags/update/:type";
    const body: Record<string, unknown> = { locationId, contacts: contactIds, tags };
    if (removeAllTags !== undefined) body.removeAllTags = removeAllTags;
    const response = await this.call("POST", route, { type }, locationId, options, undefined, body);
    const responses = arrayField<Record<string, unknown>>(response, "responses", `POST ${route}`).map((item) =>
      item !== null && typeof item === "object" ? (item as unknown as BulkTagsResult["responses"][number]) : { contactId: "", type: "error", message: String(item) },
    );
    const errorCount = (response as { errorCount?: unknown }).errorCount;
    return { errorCount: typeof errorCount === "number" ? errorCount : responses.filter((r) => r.type !== "success").length, responses };
  }

  /** `POST /contacts/bulk/business` (`{success, ids}`): sets `businessId` (or clears it with null); answers the ids updated. */
  async bulkSetBusiness(locationId: string, contactIds: string[], businessId: string | null, options?: CallOptions): Promise<string[]> {
    const route = "/contacts/bulk/business";
    const response = await this.call("POST", route, {}, locationId, options, undefined, { locationId, ids: contactIds, businessId });
    return arrayField<string>(response, "ids", `POST ${route}`);
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private async call(
    method: HttpMethod,
    route: string,
    params: Record<string, string>,
    locationId: string,
    options: CallOptions | undefined,
    query?: Record<string, string | number | undefined>,
    body?: unknown,
    /** A route outside the Contacts rule (a POST that only reads, another API's route): its priority, retry safety, scope and Version. */
    kind?: Pick<UpstreamRequest, "priority" | "idempotent"> & Partial<Pick<UpstreamRequest, "scope" | "version">>,
  ): Promise<unknown> {
    if (typeof locationId !== "string" || locationId.length === 0) {
      throw invalidArgument(method, route, "locationId must be a non-empty string");
    }
    const request: UpstreamRequest = {
      method,
      route,
      path: buildPath(method, route, params),
      query,
      body,
      locationId,
      priority: kind?.priority ?? (method === "GET" ? "read" : "write"),
      idempotent: kind?.idempotent ?? method !== "POST",
      ...(kind?.scope !== undefined ? { scope: kind.scope } : {}),
      ...(kind?.version !== undefined ? { version: kind.version } : {}),
      attempt: 1,
      signal: options?.signal,
    };
    const deadline = options?.deadline ?? this.boundDeadline;
    let response: UpstreamResponse;
    if (deadline) {
      if (deadline.expired()) throw deadlineExceeded(request, deadline);
      request.deadlineAt = deadline.at;
      // The operation's class and caller order it in the location's queue (rate-governor.ts).
      request.lane = deadline.lane;
      if (deadline.caller !== undefined) request.caller = deadline.caller;
      request.onGrant = deadline.countCall;
      request.signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
      try {
        // Raced against the deadline too: a step that ignores the signal cannot hold the caller.
        response = await untilDeadline(this.handler(request), deadline);
      } catch (error) {
        // A rate budget that cannot be had in time keeps its own code and Retry-After.
        if (deadline.expired() && !(isUpstreamError(error) && error.code === "UPSTREAM_RATE_LIMITED")) throw deadlineExceeded(request, deadline, error);
        throw error;
      }
    } else {
      response = await this.handler(request);
    }
    if (response.status >= 200 && response.status < 300) {
      // A 2xx whose body is not JSON (the transport hands back the text): after a write, the write
      // may well have happened although its result cannot be read. Flagged like a dropped
      // connection, so the write path neither retries it nor lets an Idempotency-Key repeat it.
      if (typeof response.body === "string" && request.priority === "write") throw unreadableWriteAnswer(request, response.status);
      return response.body ?? {};
    }
    const error = errorFromResponse(request, response);
    if (error.reason === "missing_scope") this.credentials.markScopeMissing?.(locationId, request.scope ?? scopeForMethod(method));
    throw error;
  }
}

/**
 * Puts the location's bearer token on the request and, once per call, asks the provider for a
 * fresh one after an "Invalid token" 401 (OAuth refresh). A missing-scope or missing-Version 401
 * is not a token problem and is never "refreshed".
 */
function credentialStep(credentials: CredentialProvider): UpstreamMiddleware {
  return (next) => async (request) => {
    const token = await credentials.getAccessToken(request.locationId);
    const response: UpstreamResponse = await next({ ...request, accessToken: token });
    if (response.status !== 401 || !credentials.refreshAfterRejection) return response;
    if (errorFromResponse(request, response).reason !== "invalid_token") return response;
    const fresh = await credentials.refreshAfterRejection(request.locationId, token);
    if (fresh === undefined || fresh === token) return response;
    return next({ ...request, accessToken: fresh });
  };
}

/** A route template split once into literal parts (even indexes) and parameter names (odd). */
const routeParts = new Map<string, string[]>();

function buildPath(method: string, route: string, params: Record<string, string>): string {
  let parts = routeParts.get(route);
  if (parts === undefined) {
    parts = route.split(/:([A-Za-z]+)/);
    routeParts.set(route, parts);
  }
  let path = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string;
    const value = params[name];
    if (typeof value !== "string" || value.length === 0 || value.length > 128) {
      throw invalidArgument(method, route, `${name} must be a non-empty id of at most 128 characters, got ${JSON.stringify(value)}`);
    }
    path += encodeURIComponent(value) + (parts[i + 1] as string);
  }
  return path;
}

function assertLimit(limit: number, name: string): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw invalidArgument("GET", "/contacts/", `${name} must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
  }
}

function invalidArgument(method: string, route: string, message: string): UpstreamError {
  return new UpstreamError({ code: "BAD_USER_INPUT", reason: "validation", message, method, route });
}

function untilDeadline<T>(work: Promise<T>, deadline: OperationDeadline): Promise<T> {
  const { signal } = deadline;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function unreadableWriteAnswer(request: UpstreamRequest, status: number): UpstreamError {
  return new UpstreamError({
    code: "UPSTREAM_ERROR",
    reason: "unexpected",
    status,
    message: `${request.method} ${request.route} answered ${status} with a body that is not JSON: the write may have happened`,
    method: request.method,
    route: request.route,
    outcomeUnknown: true,
  });
}

/**
 * The calendars of a `GET <calendarsRoute>` answer, as the gateway reads them (`calendarsOf`, and
 * the doctor's probe of the same read): the wrapper's array, each calendar with a string `id`;
 * anything else is an UPSTREAM_ERROR (`unexpected`) naming what was expected.
 */
export function calendarListOf(body: unknown, bulk: Pick<CalendarsBulkRoute, "calendarsRoute" | "calendarsWrapper">): UpstreamCalendar[] {
  const what = `GET ${bulk.calendarsRoute}`;
  const calendars = arrayField<unknown>(body, bulk.calendarsWrapper, what);
  for (const calendar of calendars) {
    if (typeof (calendar as { id?: unknown } | null)?.id !== "string") throw unexpectedShape(what, `calendars with a string "id"`);
  }
  return calendars as UpstreamCalendar[];
}

function unexpectedShape(what: string, expected: string): UpstreamError {
  const [method = "GET", route = what] = what.split(" ");
  return new UpstreamError({
    code: "UPSTREAM_ERROR",
    reason: "unexpected",
    message: `${what}: expected a response body with ${expected}`,
    method,
    route,
  });
}

/** Each list in the resource's order (`order`, else as read), so a bulk read lists like the per-contact route. */
function sorted<T extends { id: string }>(resource: PerContactResource<T>, lists: Map<string, T[]>): Map<string, T[]> {
  for (const list of lists.values()) inResourceOrder(resource, list);
  return lists;
}

function field<T>(body: unknown, name: string, what: string): T {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (value === null || typeof value !== "object") throw unexpectedShape(what, `an object "${name}"`);
  return value as T;
}

function arrayField<T>(body: unknown, name: string, what: string): T[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (!Array.isArray(value)) throw unexpectedShape(what, `an array "${name}"`);
  return value as T[];
}

function optionalArray<T>(body: unknown, name: string): T[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return Array.isArray(value) ? (value as T[]) : [];
}

function assertSucceeded(body: unknown, what: string): void {
  const record = body as { succeded?: unknown; succeeded?: unknown } | undefined;
  if (record?.succeded !== true && record?.succeeded !== true) throw unexpectedShape(what, `"succeded": true`);
}
