/**
 * Keys of the shared resource cache. Every key starts with the location, so an entry loaded with
 * one location's credential can never be found by a lookup for another location. The kinds are
 * the core kinds (a contact, list pages) and those of the resource registry
 * (src/upstream/resources.ts): a per-contact list is keyed by its contact, an item by
 * `contactId/itemId`. No kind is listed here.
 */
import { CORE_KINDS, type PerContactResource } from "../upstream/resources.js";

/** A core kind (`contact`, pages, `fieldDefinitions`, `locationTags`) or a kind of the resource registry. */
export type ResourceKind = string;

export interface ResourceKey {
  locationId: string;
  kind: ResourceKind;
  /**
   * The resource id. For an item (`task`, `note`): `contactId/itemId`; for a per-contact list
   * (`tasks`, `notes`, `appointments`): the contact id; for pages: the normalised request (see
   * `contactPage`, `businessPage`).
   */
  id: string;
  /** The contact a per-contact entry belongs to (lists and items), for `evictContact`. */
  contactId?: string;
}

const SEP = "\u0000";

export function serializeKey(key: ResourceKey): string {
  return `${key.locationId}${SEP}${key.kind}${SEP}${key.id}`;
}

export const keys: {
  contact(locationId: string, contactId: string): ResourceKey;
  list(locationId: string, kind: string, contactId: string): ResourceKey;
  item(locationId: string, itemKind: string, contactId: string, itemId: string): ResourceKey;
  itemOf(resource: Pick<PerContactResource, "kind" | "item">, locationId: string, contactId: string, itemId: string): ResourceKey;
  contactPage(locationId: string, page: { limit: number; startAfter?: number | undefined; startAfterId?: string | undefined; query?: string | undefined }): ResourceKey;
  businessPage(locationId: string, businessId: string, page: { limit: number; skip: number; query?: string | undefined }): ResourceKey;
  searchPage(locationId: string, body: unknown): ResourceKey;
  fieldDefinitions(locationId: string): ResourceKey;
  locationTags(locationId: string): ResourceKey;
} = {
  contact: (locationId: string, contactId: string): ResourceKey => ({ locationId, kind: CORE_KINDS.contact, id: contactId, contactId }),
  /** A contact's list of a per-contact resource (its `kind`, e.g. `tasks`). */
  list: (locationId: string, kind: string, contactId: string): ResourceKey => ({ locationId, kind, id: contactId, contactId }),
  /** One item of a per-contact resource by its item kind (e.g. `task`). */
  item: (locationId: string, itemKind: string, contactId: string, itemId: string): ResourceKey => ({
    locationId,
    kind: itemKind,
    id: `${contactId}/${itemId}`,
    contactId,
  }),
  /** `item` by descriptor: the key of one item of `resource` (which must have a by-id route). */
  itemOf: (resource: Pick<PerContactResource, "kind" | "item">, locationId: string, contactId: string, itemId: string): ResourceKey => {
    if (!resource.item) throw new TypeError(`cache keys: ${resource.kind} has no items (no by-id route upstream)`);
    return keys.item(locationId, resource.item.kind, contactId, itemId);
  },
  contactPage: (
    locationId: string,
    page: { limit: number; startAfter?: number | undefined; startAfterId?: string | undefined; query?: string | undefined },
  ): ResourceKey => ({
    locationId,
    kind: CORE_KINDS.contactPage,
    id: JSON.stringify([page.limit, page.startAfter ?? null, page.startAfterId ?? null, page.query ?? null]),
  }),
  businessPage: (
    locationId: string,
    businessId: string,
    page: { limit: number; skip: number; query?: string | undefined },
  ): ResourceKey => ({
    locationId,
    kind: CORE_KINDS.businessPage,
    id: JSON.stringify([businessId, page.limit, page.skip, page.query ?? null]),
  }),
  /** One page of `POST /contacts/search`: the body as sent (built in one fixed key order by the loaders). */
  searchPage: (locationId: string, body: unknown): ResourceKey => ({ locationId, kind: CORE_KINDS.searchPage, id: JSON.stringify(body) }),
  /** The location's contact custom-field definitions. */
  fieldDefinitions: (locationId: string): ResourceKey => ({ locationId, kind: CORE_KINDS.fieldDefinitions, id: "contact" }),
  /** The location's tags. */
  locationTags: (locationId: string): ResourceKey => ({ locationId, kind: CORE_KINDS.locationTags, id: "all" }),
};
