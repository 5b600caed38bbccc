/**
 * The Contacts API routes the simulator serves: every route of apps/contacts.json except
 * `POST /contacts/search`, with HighLevel's wrappers, statuses and observed quirks (FACTS.md):
 * 201 on creates, `{succeded: true}` (sic), the lean list-item shape, the two-part list cursor,
 * 400 for a missing resource, 422 for unknown body properties.
 *
 * Location policy (documented choice): a contact id that exists in ANOTHER location answers 403
 * "The token does not have access to this location." (like a foreign `locationId` parameter);
 * an id that exists nowhere answers 400 "Contact with id X not found".
 */
import type { SimulatorContact } from "./simulator.types.js";
import { errors, httpError, validateBody, type FieldSpec, type RouteContext, type RouteResult } from "./simulator.http.js";
import type { MemoryStore } from "./simulator.store.js";
import type { ContactInput, NoteInput, SimulatorScope, TaskInput } from "./simulator.types.js";

export type Scope = SimulatorScope;

export interface RouteDefinition {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Template as logged, e.g. `/contacts/:contactId/tasks`. */
  route: string;
  scope: Scope;
  /** The `Version` header the route accepts; default the Contacts API's (simulator.server.ts API_VERSION). */
  version?: string;
  handle(ctx: RouteContext): RouteResult;
}

const LIST_LIMIT_DEFAULT = 20;
const LIST_LIMIT_MAX = 100;
const BUSINESS_LIMIT_DEFAULT = 25;

const CONTACT_WRITE_FIELDS: Record<string, FieldSpec> = {
  firstName: { type: "string" },
  lastName: { type: "string" },
  name: { type: "string" },
  email: { type: "string" },
  gender: { type: "string" },
  phone: { type: "string" },
  address1: { type: "string" },
  city: { type: "string" },
  state: { type: "string" },
  postalCode: { type: "string" },
  website: { type: "string" },
  timezone: { type: "string" },
  dnd: { type: "boolean" },
  dndSettings: { type: "object" },
  inboundDndSettings: { type: "object" },
  tags: { type: "array" },
  customFields: { type: "array" },
  source: { type: "string" },
  dateOfBirth: { type: "any" },
  country: { type: "string" },
  // Not in the spec's UpdateContactDto/CreateContactDto but accepted by HighLevel in practice
  // (and part of the gateway's write model): companyName, assignedTo, businessId.
  companyName: { type: "string" },
  assignedTo: { type: "string" },
  businessId: { type: "string" },
};
const CREATE_CONTACT_FIELDS: Record<string, FieldSpec> = { ...CONTACT_WRITE_FIELDS, locationId: { type: "string", required: true } };
const CREATE_TASK_FIELDS: Record<string, FieldSpec> = {
  title: { type: "string", required: true },
  body: { type: "string" },
  dueDate: { type: "isoDate", required: true },
  completed: { type: "boolean", required: true },
  assignedTo: { type: "string" },
};
const UPDATE_TASK_FIELDS: Record<string, FieldSpec> = {
  title: { type: "string" },
  body: { type: "string" },
  dueDate: { type: "isoDate" },
  completed: { type: "boolean" },
  assignedTo: { type: "string" },
};
/** UpsertContactDto: the create fields plus `createNewIfDuplicateAllowed`. */
const UPSERT_CONTACT_FIELDS: Record<string, FieldSpec> = { ...CREATE_CONTACT_FIELDS, createNewIfDuplicateAllowed: { type: "boolean" } };
/** CreateWorkflowDto (also the body of the DELETE). */
const WORKFLOW_FIELDS: Record<string, FieldSpec> = { eventStartTime: { type: "isoDate" } };

const NOTE_FIELDS: Record<string, FieldSpec> = {
  userId: { type: "string" },
  body: { type: "string" },
  title: { type: "string" },
  color: { type: "string" },
  pinned: { type: "boolean" },
};

export function createContactRoutes(store: MemoryStore): RouteDefinition[] {
  /** The contact, checked against the token's location. */
  const ownContact = (ctx: RouteContext): SimulatorContact => {
    const id = ctx.params.contactId ?? "";
    const contact = store.contactRecord(id);
    if (!contact) throw errors.notFound("Contact", id);
    if (contact.locationId !== ctx.token.locationId) throw errors.location();
    return contact;
  };
  const locationParam = (ctx: RouteContext): string => {
    const locationId = ctx.query.locationId;
    if (!locationId) throw errors.unprocessable(["locationId should not be empty", "locationId must be a string"]);
    if (locationId !== ctx.token.locationId) throw errors.location();
    return locationId;
  };
  const mapStoreErrors = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof Error && error.name === "SimulatorNotFoundError") {
        const e = error as Error & { resource: string; id: string };
        throw errors.notFound(e.resource, e.id);
      }
      if (error instanceof Error && error.name === "SimulatorDuplicateError") {
        const e = error as Error & { contactId: string; matchingField: string };
        throw httpError(400, "This location does not allow duplicated contacts.", {
          meta: { contactId: e.contactId, matchingField: e.matchingField },
        });
      }
      throw error;
    }
  };
  const tags = (value: unknown): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((t) => typeof t !== "string")) {
      throw errors.unprocessable(["each value in tags must be a string"]);
    }
    return value as string[];
  };
  /** `[{id|key, field_value}]`, checked like NestJS's nested validation (422 `customFields.0.key must be a string`). */
  const customFields = (value: unknown): ContactInput["customFields"] => {
    if (value === undefined) return undefined;
    const messages: string[] = [];
    (value as unknown[]).forEach((item, i) => {
      if (item === null || typeof item !== "object" || Array.isArray(item)) {
        messages.push(`customFields.${i} must be an object`);
        return;
      }
      for (const name of ["id", "key"] as const) {
        const v = (item as Record<string, unknown>)[name];
        if (v !== undefined && v !== null && typeof v !== "string") messages.push(`customFields.${i}.${name} must be a string`);
      }
    });
    if (messages.length) throw errors.unprocessable(messages);
    return value as ContactInput["customFields"];
  };
  /** A required array of strings (`tags`, `followers`, `contacts`, `ids`), NestJS-style messages. */
  const stringArray = (value: unknown, name: string): string[] => {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw errors.unprocessable([`each value in ${name} must be a string`]);
    return value as string[];
  };
  /** An optional body (DELETE routes, empty DTOs): absent = `{}`. */
  const optionalBody = (body: unknown, fields: Record<string, FieldSpec>): Record<string, unknown> =>
    body === undefined ? {} : validateBody(body, fields);
  const bodyLocation = (body: Record<string, unknown>, ctx: RouteContext): string => {
    if (body.locationId !== ctx.token.locationId) throw errors.location();
    return ctx.token.locationId;
  };
  const contactInput = (body: Record<string, unknown>): ContactInput => {
    const { locationId: _locationId, gender: _gender, inboundDndSettings: _inbound, ...rest } = body;
    const input = rest as ContactInput;
    const parsedTags = tags(body.tags);
    if (parsedTags) input.tags = parsedTags;
    const parsedCustomFields = customFields(body.customFields);
    if (parsedCustomFields) input.customFields = parsedCustomFields;
    if (input.dateOfBirth !== undefined && typeof input.dateOfBirth !== "string") {
      input.dateOfBirth = String(input.dateOfBirth);
    }
    if (input.dateOfBirth) {
      const ms = Date.parse(input.dateOfBirth);
      if (!Number.isNaN(ms)) input.dateOfBirth = new Date(ms).toISOString();
    }
    return input;
  };

  return [
    {
      method: "GET",
      route: "/contacts/",
      scope: "contacts.readonly",
      handle: (ctx) => listContacts(store, ctx, locationParam(ctx)),
    },
    {
      method: "GET",
      route: "/contacts/search/duplicate",
      scope: "contacts.readonly",
      handle: (ctx) => {
        const locationId = locationParam(ctx);
        // `number` and `email` arrive URL-encoded (`%2B1423…`): a raw `+` would read as a space.
        const contact = store.findDuplicate(locationId, { email: ctx.query.email || undefined, phone: ctx.query.number || undefined });
        return { status: 200, body: { contact: contact ? fullContact(contact) : null } };
      },
    },
    {
      method: "POST",
      route: "/contacts/upsert",
      scope: "contacts.write",
      handle: (ctx) => {
        const body = validateBody(ctx.body, UPSERT_CONTACT_FIELDS);
        const locationId = bodyLocation(body, ctx);
        const { createNewIfDuplicateAllowed: _allowed, ...rest } = body;
        const result = mapStoreErrors(() => store.upsertContact(locationId, contactInput(rest), { emit: true }));
        return { status: 200, body: { new: result.created, contact: fullContact(result.contact) } };
      },
    },
    {
      method: "POST",
      route: "/contacts/bulk/tags/update/:type",
      scope: "contacts.write",
      handle: (ctx) => {
        const type = ctx.params.type;
        if (type !== "add" && type !== "remove") throw errors.unprocessable(["type must be one of the following values: add, remove"]);
        const body = validateBody(ctx.body, {
          contacts: { type: "array", required: true },
          tags: { type: "array", required: true },
          locationId: { type: "string", required: true },
          removeAllTags: { type: "boolean" },
        });
        const locationId = bodyLocation(body, ctx);
        if (body.removeAllTags === true && type !== "remove") throw errors.unprocessable(["removeAllTags can only be used with the remove type"]);
        const responses = store.bulkUpdateTags(
          locationId,
          type,
          stringArray(body.contacts, "contacts"),
          stringArray(body.tags, "tags"),
          body.removeAllTags === true,
          { emit: true },
        );
        const errorCount = responses.filter((r) => r.type === "error").length;
        return { status: 201, body: { succeded: errorCount < responses.length || responses.length === 0, errorCount, responses } };
      },
    },
    {
      method: "POST",
      route: "/contacts/bulk/business",
      scope: "contacts.write",
      handle: (ctx) => {
        const body = validateBody(ctx.body, {
          locationId: { type: "string", required: true },
          ids: { type: "array", required: true },
          businessId: { type: "any" },
        });
        const locationId = bodyLocation(body, ctx);
        const ids = stringArray(body.ids, "ids");
        const messages: string[] = [];
        if (ids.some((id) => id.length > 50)) messages.push("each value in ids must be shorter than or equal to 50 characters");
        // Required but nullable: `null` clears the contacts' business (the route's description).
        if (!("businessId" in body)) messages.push("businessId should not be empty");
        else if (body.businessId !== null && typeof body.businessId !== "string") messages.push("businessId must be a string");
        if (messages.length) throw errors.unprocessable(messages);
        const updated = store.bulkSetBusiness(locationId, ids, body.businessId as string | null, { emit: true });
        return { status: 200, body: { success: true, ids: updated } };
      },
    },
    {
      method: "GET",
      route: "/contacts/business/:businessId",
      scope: "contacts.readonly",
      handle: (ctx) => {
        const locationId = locationParam(ctx);
        const limit = intParam(ctx.query.limit, "limit", BUSINESS_LIMIT_DEFAULT, 1, LIST_LIMIT_MAX);
        const skip = intParam(ctx.query.skip, "skip", 0, 0, Number.MAX_SAFE_INTEGER);
        const matches = queryMatcher(store, ctx.query.query);
        const matching = store.sortedContacts(locationId).filter((c) => c.businessId === ctx.params.businessId && matches(c));
        return {
          status: 200,
          body: { contacts: matching.slice(skip, skip + limit).map(listItem), count: matching.length },
        };
      },
    },
    {
      method: "POST",
      route: "/contacts/",
      scope: "contacts.write",
      handle: (ctx) => {
        const body = validateBody(ctx.body, CREATE_CONTACT_FIELDS);
        if (body.locationId !== ctx.token.locationId) throw errors.location();
        const contact = mapStoreErrors(() => store.createContact(ctx.token.locationId, contactInput(body), { emit: true }));
        return { status: 201, body: { contact: fullContact(contact) } };
      },
    },
    {
      method: "GET",
      route: "/contacts/:contactId",
      scope: "contacts.readonly",
      handle: (ctx) => ({ status: 200, body: { contact: fullContact(ownContact(ctx)) } }),
    },
    {
      method: "PUT",
      route: "/contacts/:contactId",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, CONTACT_WRITE_FIELDS);
        const updated = mapStoreErrors(() => store.updateContact(contact.id, contactInput(body), { emit: true }));
        return { status: 200, body: { succeded: true, contact: fullContact(updated) } };
      },
    },
    {
      method: "DELETE",
      route: "/contacts/:contactId",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        mapStoreErrors(() => store.deleteContact(contact.id, { emit: true }));
        return { status: 200, body: { succeded: true } };
      },
    },
    {
      method: "GET",
      route: "/contacts/:contactId/tasks",
      scope: "contacts.readonly",
      handle: (ctx) => ({ status: 200, body: { tasks: store.listTasks(ownContact(ctx).id).map(withoutNulls) } }),
    },
    {
      method: "POST",
      route: "/contacts/:contactId/tasks",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, CREATE_TASK_FIELDS) as TaskInput;
        const task = mapStoreErrors(() => store.createTask(contact.id, body, { emit: true }));
        return { status: 201, body: { task: withoutNulls(task) } };
      },
    },
    {
      method: "GET",
      route: "/contacts/:contactId/tasks/:taskId",
      scope: "contacts.readonly",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const task = mapStoreErrors(() => store.requireTask(contact.id, ctx.params.taskId ?? ""));
        return { status: 200, body: { task: withoutNulls(store.getTask(contact.id, task.id) ?? task) } };
      },
    },
    {
      method: "PUT",
      route: "/contacts/:contactId/tasks/:taskId",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, UPDATE_TASK_FIELDS) as TaskInput;
        const task = mapStoreErrors(() => store.updateTask(contact.id, ctx.params.taskId ?? "", body, { emit: true }));
        return { status: 200, body: { task: withoutNulls(task) } };
      },
    },
    {
      method: "PUT",
      route: "/contacts/:contactId/tasks/:taskId/completed",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, { completed: { type: "boolean", required: true } });
        const task = mapStoreErrors(() =>
          store.completeTask(contact.id, ctx.params.taskId ?? "", body.completed as boolean, { emit: true }),
        );
        return { status: 200, body: { task: withoutNulls(task) } };
      },
    },
    {
      method: "DELETE",
      route: "/contacts/:contactId/tasks/:taskId",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        mapStoreErrors(() => store.deleteTask(contact.id, ctx.params.taskId ?? "", { emit: true }));
        return { status: 200, body: { succeded: true } };
      },
    },
    {
      method: "GET",
      route: "/contacts/:contactId/notes",
      scope: "contacts.readonly",
      handle: (ctx) => ({ status: 200, body: { notes: store.listNotes(ownContact(ctx).id).map(withoutNulls) } }),
    },
    {
      method: "POST",
      route: "/contacts/:contactId/notes",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, { ...NOTE_FIELDS, body: { type: "string", required: true } }) as NoteInput;
        const note = mapStoreErrors(() => store.createNote(contact.id, body, { emit: true }));
        return { status: 201, body: { note: withoutNulls(note) } };
      },
    },
    {
      method: "GET",
      route: "/contacts/:contactId/notes/:id",
      scope: "contacts.readonly",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const note = mapStoreErrors(() => store.requireNote(contact.id, ctx.params.id ?? ""));
        return { status: 200, body: { note: withoutNulls(store.getNote(contact.id, note.id) ?? note) } };
      },
    },
    {
      method: "PUT",
      route: "/contacts/:contactId/notes/:id",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, NOTE_FIELDS) as NoteInput;
        const note = mapStoreErrors(() => store.updateNote(contact.id, ctx.params.id ?? "", body, { emit: true }));
        return { status: 200, body: { note: withoutNulls(note) } };
      },
    },
    {
      method: "DELETE",
      route: "/contacts/:contactId/notes/:id",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        mapStoreErrors(() => store.deleteNote(contact.id, ctx.params.id ?? "", { emit: true }));
        return { status: 200, body: { succeded: true } };
      },
    },
    {
      method: "GET",
      route: "/contacts/:contactId/appointments",
      scope: "contacts.readonly",
      handle: (ctx) => ({ status: 200, body: { events: store.listAppointments(ownContact(ctx).id).map(withoutNulls) } }),
    },
    {
      method: "POST",
      route: "/contacts/:contactId/tags",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, { tags: { type: "array", required: true } });
        const added = mapStoreErrors(() => store.addTags(contact.id, tags(body.tags) ?? [], { emit: true }));
        return { status: 201, body: { tags: added } };
      },
    },
    {
      method: "DELETE",
      route: "/contacts/:contactId/tags",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, { tags: { type: "array", required: true } });
        const left = mapStoreErrors(() => store.removeTags(contact.id, tags(body.tags) ?? [], { emit: true }));
        return { status: 200, body: { tags: left } };
      },
    },
    {
      method: "POST",
      route: "/contacts/:contactId/followers",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, { followers: { type: "array", required: true } });
        return { status: 201, body: store.addFollowers(contact.id, stringArray(body.followers, "followers")) };
      },
    },
    {
      method: "DELETE",
      route: "/contacts/:contactId/followers",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = validateBody(ctx.body, { followers: { type: "array", required: true } });
        return { status: 200, body: store.removeFollowers(contact.id, stringArray(body.followers, "followers")) };
      },
    },
    {
      // Before `/campaigns/:campaignId`: `removeAll` is a literal segment of its own route.
      method: "DELETE",
      route: "/contacts/:contactId/campaigns/removeAll",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        optionalBody(ctx.body, {});
        store.removeFromCampaign(contact.id, undefined);
        return { status: 200, body: { succeded: true } };
      },
    },
    {
      method: "POST",
      route: "/contacts/:contactId/campaigns/:campaignId",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        optionalBody(ctx.body, {}); // AddContactToCampaignDto has no properties
        store.addToCampaign(contact.id, ctx.params.campaignId ?? "");
        return { status: 201, body: { succeded: true } };
      },
    },
    {
      method: "DELETE",
      route: "/contacts/:contactId/campaigns/:campaignId",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        optionalBody(ctx.body, {});
        store.removeFromCampaign(contact.id, ctx.params.campaignId ?? "");
        return { status: 200, body: { succeded: true } };
      },
    },
    {
      method: "POST",
      route: "/contacts/:contactId/workflow/:workflowId",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        const body = optionalBody(ctx.body, WORKFLOW_FIELDS);
        const start = typeof body.eventStartTime === "string" ? body.eventStartTime : undefined;
        store.addToWorkflow(contact.id, ctx.params.workflowId ?? "", start);
        return { status: 200, body: { succeded: true } };
      },
    },
    {
      method: "DELETE",
      route: "/contacts/:contactId/workflow/:workflowId",
      scope: "contacts.write",
      handle: (ctx) => {
        const contact = ownContact(ctx);
        optionalBody(ctx.body, WORKFLOW_FIELDS);
        store.removeFromWorkflow(contact.id, ctx.params.workflowId ?? "");
        return { status: 200, body: { succeded: true } };
      },
    },
  ];
}

/** `GET /contacts/`: newest first; only startAfter AND startAfterId advance (observed quirk). */
function listContacts(store: MemoryStore, ctx: RouteContext, locationId: string): RouteResult {
  const limit = intParam(ctx.query.limit, "limit", LIST_LIMIT_DEFAULT, 1, LIST_LIMIT_MAX);
  const all = store.sortedContacts(locationId);
  const matching = ctx.query.query?.trim() ? all.filter(queryMatcher(store, ctx.query.query)) : all;
  let start = 0;
  const startAfterRaw = ctx.query.startAfter;
  const startAfterId = ctx.query.startAfterId;
  if (startAfterRaw !== undefined && startAfterId) {
    const startAfter = Number(startAfterRaw);
    if (!Number.isFinite(startAfter)) throw errors.unprocessable(["startAfter must be a number (epoch ms)"]);
    start = firstAfter(matching, startAfter, startAfterId);
  }
  const page = matching.slice(start, start + limit);
  const currentPage = Math.floor(start / limit) + 1;
  const meta: Record<string, unknown> = {
    total: matching.length,
    currentPage,
    prevPage: currentPage > 1 ? currentPage - 1 : null,
  };
  const last = page[page.length - 1];
  if (last && start + page.length < matching.length) {
    const startAfter = Date.parse(last.dateAdded ?? "");
    const next = new URLSearchParams({ locationId, startAfter: String(startAfter), startAfterId: last.id, limit: String(limit) });
    if (ctx.query.query) next.set("query", ctx.query.query);
    Object.assign(meta, {
      nextPageUrl: `${ctx.baseUrl}/contacts/?${next.toString()}`,
      startAfterId: last.id,
      startAfter,
      nextPage: currentPage + 1,
    });
  }
  return { status: 200, body: { contacts: page.map(listItem), meta } };
}

/**
 * Index of the first contact strictly after the cursor (`dateAdded` ms, id) in newest-first order
 * (dateAdded desc, then id desc), by binary search over the sorted list.
 */
function firstAfter(sorted: readonly SimulatorContact[], startAfterMs: number, startAfterId: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const contact = sorted[mid]!;
    const ms = Date.parse(contact.dateAdded ?? "");
    const after = ms < startAfterMs || (ms === startAfterMs && contact.id < startAfterId);
    if (after) high = mid;
    else low = mid + 1;
  }
  return low;
}

function intParam(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw errors.unprocessable([`${name} must be an integer number`]);
  if (value < min) throw errors.unprocessable([`${name} must not be less than ${min}`]);
  if (value > max) throw errors.unprocessable([`${name} must not be greater than ${max}`]);
  return value;
}

/** `query` matches a substring of name, first/last name, email, company or phone (or the phone's digits). */
function queryMatcher(store: MemoryStore, query: string | undefined): (contact: SimulatorContact) => boolean {
  const needle = (query ?? "").trim().toLowerCase().replaceAll("\u0000", "");
  if (!needle) return () => true;
  const digits = needle.replace(/\D/g, "");
  return (contact) => {
    const { text, phoneDigits } = store.searchFields(contact);
    return text.includes(needle) || (digits.length >= 3 && phoneDigits.includes(digits));
  };
}

/** The full record of `GET /contacts/:id` (undefined/null fields omitted, as the spec types them). */
export function fullContact(contact: SimulatorContact): Record<string, unknown> {
  return withoutNulls(structuredClone(contact));
}

/** The lean list item of `GET /contacts/` (observed shape, see FACTS "List items differ"). */
export function listItem(contact: SimulatorContact): Record<string, unknown> {
  return withoutNulls({
    id: contact.id,
    locationId: contact.locationId,
    contactName: contact.name ?? [contact.firstName, contact.lastName].filter(Boolean).join(" "),
    firstName: contact.firstName?.toLowerCase(),
    lastName: contact.lastName?.toLowerCase(),
    firstNameRaw: contact.firstName,
    lastNameRaw: contact.lastName,
    companyName: contact.companyName,
    email: contact.email,
    phone: contact.phone,
    dnd: contact.dnd,
    type: contact.type,
    source: contact.source,
    assignedTo: contact.assignedTo,
    city: contact.city,
    state: contact.state,
    postalCode: contact.postalCode,
    address1: contact.address1,
    country: contact.country,
    dateAdded: contact.dateAdded,
    dateUpdated: contact.dateUpdated,
    dateOfBirth: contact.dateOfBirth,
    businessId: contact.businessId,
    tags: [...(contact.tags ?? [])],
    customFields: structuredClone(contact.customFields ?? []),
    followers: [...((contact.followers as string[] | undefined) ?? [])],
    attributions: [],
  });
}

/** HighLevel leaves null fields out of its answers. */
export function withoutNulls<T extends object>(value: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined && v !== null) out[key] = v;
  return out;
}
