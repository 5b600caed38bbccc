/**
 * The cache changes of a successful (or NOT_FOUND) upstream write, as data for
 * `ResourceCache.applyChanges(…, { origin: "mutation" })`: the write resolvers of src/graphql
 * state what happened, and these rules say what it does to the cache, for every per-contact
 * resource of the registry alike. A written object is cached as the upstream returned it; lists it
 * belongs to are dropped (the next read refetches that list only).
 */
import type { UpstreamContact } from "../upstream/contacts.types.js";
import type { PerContactResource } from "../upstream/resources.js";
import { keys } from "./resource-key.js";
import type { CacheChange } from "./resource-cache.js";

export const writeChanges = {
  /** Created or updated: the contact as returned; pages of the location may list it differently now. */
  contactWritten: (locationId: string, contact: UpstreamContact): CacheChange[] => [
    { type: "set", key: keys.contact(locationId, contact.id), value: contact },
    { type: "lists", locationId },
  ],
  /** Changed, but the answer is not the whole contact (e.g. added tags): drop it, keep what hangs off it. */
  contactChanged: (locationId: string, contactId: string): CacheChange[] => [
    { type: "delete", key: keys.contact(locationId, contactId) },
    { type: "lists", locationId },
  ],
  /** Deleted: the contact and everything under it; pages listed it. */
  contactDeleted: (locationId: string, contactId: string): CacheChange[] => [
    { type: "contact", locationId, contactId },
    { type: "lists", locationId },
  ],
  /** The upstream says the contact does not exist (NOT_FOUND on a write naming it). */
  contactGone: (locationId: string, contactId: string): CacheChange[] => [{ type: "contact", locationId, contactId }],
  /** An item of a per-contact resource written (`item` as returned) or gone (`undefined`); the contact's list is dropped. */
  itemWritten: <T extends { id: string }>(
    resource: PerContactResource<T>,
    locationId: string,
    contactId: string,
    itemId: string,
    item: T | undefined,
  ): CacheChange[] => {
    const changes: CacheChange[] = [];
    if (resource.item) {
      const key = keys.item(locationId, resource.item.kind, contactId, itemId);
      changes.push(item ? { type: "set", key, value: item } : { type: "delete", key });
    }
    changes.push({ type: "delete", key: keys.list(locationId, resource.kind, contactId) });
    return changes;
  },
};
