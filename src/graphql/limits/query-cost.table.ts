/**
 * The upstream-cost table: which GraphQL fields may cost Contacts API calls, and how list sizes
 * multiply them. Data only; `query-cost.estimate.ts` walks an operation with it. Keys are
 * `Type.field` of the schema. The entries of per-contact resources (`Contact.tasks`,
 * `Contact.task`, `Task.contact`…) derive from the resource registry (src/upstream/resources.ts,
 * `fieldCostsFor`): the relation is named after the resource's kind, its item after the item kind,
 * its GraphQL type after the resource's entity. Add an entry here (or pass `fieldCosts` to
 * `createQueryLimits`) only for a field that is not a per-contact resource.
 *
 * Counting rules (worst case, cold cache):
 * - `calls`: upstream calls per parent object, always counted.
 * - `loads`: calls per parent object through a DataLoader, by key: the same key twice under one
 *   object (e.g. `Contact.tasks` and `Contact.summary { openTaskCount }`) is ONE call.
 * - `list`: how many objects the field yields per parent; everything below is multiplied by it.
 *   A list field without an entry counts `defaultListSize` objects (only matters when something
 *   below it costs). `page` + `pageItems`: a connection whose `nodes`/`edges` hold `first` objects.
 * - `partialItems`: the objects are list items of `GET /contacts/` (FACTS.md "List items differ by
 *   id"): selecting a field they do not carry (see PARTIAL_ITEMS) costs a full-contact load each.
 * - `sameObject`: a view of the parent (Contact.summary): its loads join the parent's.
 * - Load weights (`loadWeightsFor`): a load of a resource with a bulk route (tasks, appointments
 *   through calendars) is read with many contacts' lists per call, so each object's load counts
 *   1/`contactsPerCall` of a call; the estimate rounds the total up (50 contacts' tasks: one call;
 *   their appointments: 5, the listing and reads of a location with a few calendars).
 */

import { APPOINTMENTS, DEFAULT_RESOURCE_REGISTRY, NOTES, TASKS, type PerContactResource, type ResourceRegistry } from "../../upstream/resources.js";
import { LIST_ITEM_FIELDS } from "../contact/contact.record.js";

export type ListSize =
  /** From the field's argument: the request's variables, then the argument's default, then `defaultListSize`. */
  | { arg: string }
  /** A list of unknown length: `defaultListSize`. */
  | { size: "default" }
  | { size: number };

export interface FieldCost {
  calls?: number | ((args: Readonly<Record<string, unknown>>) => number);
  loads?: readonly string[];
  list?: ListSize;
  page?: { arg: string };
  pageItems?: true;
  partialItems?: true;
  /** Loads every yielded object costs even if nothing below selects them (the dashboard's ordering). */
  itemLoads?: readonly string[];
  sameObject?: true;
}

export type FieldCostTable = Readonly<Record<string, FieldCost>>;

/** Types whose objects may be list items lacking fields: the fields they carry and the load that fills the rest. */
export interface PartialItemType {
  carries: readonly string[];
  load: string;
}

/**
 * FACTS.md: a contact list item carries the fields `ContactRecord` answers without a load (one
 * list, LIST_ITEM_FIELDS: what the resolvers load is what the estimate counts); any other scalar
 * field (e.g. `timezone`) needs `GET /contacts/:id`. Fields with a cost entry (relations) are not
 * affected.
 */
export const PARTIAL_ITEMS: Readonly<Record<string, PartialItemType>> = Object.freeze({
  // `fields` (FIELD_MAPPING) reads the item's customFields, which list items carry.
  Contact: { carries: [...LIST_ITEM_FIELDS, "fields"], load: "contact" },
});

/** A write: the call itself plus, worst case, a fresh read for its precondition. */
const WRITE: FieldCost = { calls: 2 };

/**
 * A contact's per-contact resources: the list costs `costWeight` calls per contact through its
 * loader (keyed by the kind, so `Contact.tasks` and `ContactSummary.openTaskCount` share one call),
 * an item by id one call, and an item's `contact` the contact loader.
 */
export function resourceFieldCosts(registry: ResourceRegistry): FieldCostTable {
  const table: Record<string, FieldCost> = {};
  for (const resource of registry.perContact) {
    // Loads are counted once per distinct key: a weight of n is the kind plus n - 1 more keys.
    const loads = Array.from({ length: resource.costWeight }, (_, i) => (i === 0 ? resource.kind : `${resource.kind}#${i}`));
    table[`Contact.${resource.kind}`] = { loads, list: { size: "default" } };
    if (resource.item) table[`Contact.${resource.item.kind}`] = { calls: 1 };
    table[`${resource.entity}.contact`] = { loads: ["contact"] };
  }
  return Object.freeze(table);
}

/** Loads that cost less than a call each (per-contact lists read in bulk): load key → calls per object. */
export type LoadWeights = Readonly<Record<string, number>>;

/**
 * The bulk-read resources' list loads weigh 1/`contactsPerCall` (resources.ts `bulk`); with
 * `inBulk`, only those of the resources it accepts (the ones a location can read in bulk: the
 * others cost a call per contact there).
 */
export function loadWeightsFor(registry: ResourceRegistry, inBulk?: (resource: PerContactResource) => boolean): LoadWeights {
  const weights: Record<string, number> = {};
  for (const resource of registry.perContact) {
    if (resource.bulk && resource.costWeight === 1 && (inBulk?.(resource) ?? true)) weights[resource.kind] = 1 / resource.bulk.contactsPerCall;
  }
  return Object.freeze(weights);
}

/** The whole table for a registry: the per-contact resources' entries and the fields below. */
export function fieldCostsFor(registry: ResourceRegistry): FieldCostTable {
  return Object.freeze({ ...resourceFieldCosts(registry), ...OTHER_FIELD_COSTS });
}

/** Fields that are not a per-contact resource of the registry. */
const OTHER_FIELD_COSTS: FieldCostTable = Object.freeze({
  // Queries (schema/schema.graphql)
  "Query.contact": { calls: 1 }, // GET /contacts/:contactId
  "Query.contacts": { calls: 1, page: { arg: "first" }, partialItems: true }, // GET /contacts/
  "Query.contactsByBusiness": { calls: 1, page: { arg: "first" }, partialItems: true }, // GET /contacts/business/:id
  "ContactConnection.nodes": { pageItems: true },
  "ContactConnection.edges": { pageItems: true },

  // The dashboard: one page (GET /contacts/ or POST /contacts/search), and per contact its tasks
  // and appointments for the ordering; its scope reads the same page.
  "Query.dashboard": {
    calls: 1,
    list: { arg: "first" },
    partialItems: true,
    itemLoads: [TASKS.kind, APPOINTMENTS.kind],
  },
  "Query.dashboardScope": { calls: 1 },
  // Filter pickers (one location read each).
  "Query.tags": { calls: 1 }, // GET /locations/:locationId/tags
  "Query.customFieldDefinitions": { calls: 1 }, // GET /locations/:locationId/customFields
  "Contact.summary": { sameObject: true },
  "ContactSummary.openTaskCount": { loads: [TASKS.kind] },
  "ContactSummary.overdueTaskCount": { loads: [TASKS.kind] },
  "ContactSummary.openTasks": { loads: [TASKS.kind], list: { size: "default" } },
  "ContactSummary.nextAppointment": { loads: [APPOINTMENTS.kind] },
  "ContactSummary.latestNote": { loads: [NOTES.kind] },
  "ContactSummary.lastActivityAt": { loads: [NOTES.kind, APPOINTMENTS.kind] },

  // Subscriptions: per event
  "ContactEvent.contact": { loads: ["contact"] },
  "ContactEvent.task": { loads: [TASKS.item?.kind ?? TASKS.kind] },
  "ContactEvent.note": { loads: [NOTES.item?.kind ?? NOTES.kind] },
  "ContactEvent.appointment": { loads: [APPOINTMENTS.kind] },

  // Mutations
  "Mutation.createContact": WRITE,
  "Mutation.updateContact": WRITE,
  "Mutation.deleteContact": WRITE,
  "Mutation.createTask": WRITE,
  "Mutation.updateTask": WRITE,
  "Mutation.completeTask": WRITE,
  "Mutation.deleteTask": WRITE,
  "Mutation.addContactTags": WRITE,
  // The remaining contact actions (schema/schema.graphql): one upstream call each, no precondition read.
  "Query.duplicateContact": { calls: 1 }, // GET /contacts/search/duplicate
  "Mutation.removeContactTags": { calls: 1 },
  "Mutation.upsertContact": { calls: 1 },
  "Mutation.createNote": { calls: 1 },
  "Mutation.updateNote": { calls: 1 },
  "Mutation.deleteNote": { calls: 1 },
  "Mutation.addContactFollowers": { calls: 1 },
  "Mutation.removeContactFollowers": { calls: 1 },
  "Mutation.addContactToCampaign": { calls: 1 },
  "Mutation.removeContactFromCampaign": { calls: 1 },
  "Mutation.removeContactFromAllCampaigns": { calls: 1 },
  "Mutation.addContactToWorkflow": { calls: 1 },
  "Mutation.removeContactFromWorkflow": { calls: 1 },
  "Mutation.updateContactsTags": { calls: 1 }, // POST /contacts/bulk/tags/update/:type, one call for all
  "Mutation.setContactsBusiness": { calls: 1 }, // POST /contacts/bulk/business
});

export const DEFAULT_FIELD_COSTS: FieldCostTable = fieldCostsFor(DEFAULT_RESOURCE_REGISTRY);
export const DEFAULT_LOAD_WEIGHTS: LoadWeights = loadWeightsFor(DEFAULT_RESOURCE_REGISTRY);
