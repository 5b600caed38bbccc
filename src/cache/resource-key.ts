/**
 * Keys of the shared resource cache. Every key starts with the location, so an entry loaded with
 * one location's credential can never be found by a lookup for another location.
 */

export type ResourceKind =
  | "contact"
  | "tasks"
  | "task"
  | "notes"
  | "note"
  | "appointments"
  | "contactPage"
  | "businessPage";

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  "contact",
  "tasks",
  "task",
  "notes",
  "note",
  "appointments",
  "contactPage",
  "businessPage",
];

/** Kinds that hang off one contact (evicted together with it). */
export const CONTACT_RELATION_KINDS: readonly ResourceKind[] = ["tasks", "task", "notes", "note", "appointments"];
/** Kinds holding list pages (evicted by `invalidateLists`). */
export const LIST_KINDS: readonly ResourceKind[] = ["contactPage", "businessPage"];

export interface ResourceKey {
  locationId: string;
  kind: ResourceKind;
  /**
   * The resource id. For `task`/`note`: `contactId/taskId`; for `tasks`/`notes`/`appointments`:
   * the contact id; for pages: the normalised request (see `contactPageId`, `businessPageId`).
   */
  id: string;
  /** The contact a relation belongs to (relations and by-id tasks/notes), for `evictContact`. */
  contactId?: string;
}

const SEP = "\u0000";

export function serializeKey(key: ResourceKey): string {
  return `${key.locationId}${SEP}${key.kind}${SEP}${key.id}`;
}

export const keys = {
  contact: (locationId: string, contactId: string): ResourceKey => ({ locationId, kind: "contact", id: contactId, contactId }),
  tasks: (locationId: string, contactId: string): ResourceKey => ({ locationId, kind: "tasks", id: contactId, contactId }),
  task: (locationId: string, contactId: string, taskId: string): ResourceKey => ({
    locationId,
    kind: "task",
    id: `${contactId}/${taskId}`,
    contactId,
  }),
  notes: (locationId: string, contactId: string): ResourceKey => ({ locationId, kind: "notes", id: contactId, contactId }),
  note: (locationId: string, contactId: string, noteId: string): ResourceKey => ({
    locationId,
    kind: "note",
    id: `${contactId}/${noteId}`,
    contactId,
  }),
  appointments: (locationId: string, contactId: string): ResourceKey => ({
    locationId,
    kind: "appointments",
    id: contactId,
    contactId,
  }),
  contactPage: (
    locationId: string,
    page: { limit: number; startAfter?: number | undefined; startAfterId?: string | undefined; query?: string | undefined },
  ): ResourceKey => ({
    locationId,
    kind: "contactPage",
    id: JSON.stringify([page.limit, page.startAfter ?? null, page.startAfterId ?? null, page.query ?? null]),
  }),
  businessPage: (
    locationId: string,
    businessId: string,
    page: { limit: number; skip: number; query?: string | undefined },
  ): ResourceKey => ({
    locationId,
    kind: "businessPage",
    id: JSON.stringify([businessId, page.limit, page.skip, page.query ?? null]),
  }),
};
