/**
 * Applies an accepted event to the shared resource cache (contract §6: "an accepted event updates
 * or evicts the cached resources it names"), so a dashboard that re-queries after an event costs no
 * upstream call where the payload was complete:
 * - contact events carry the contact: written through over a cached copy (the payload decides the
 *   fields of its schema; fields it cannot carry — timezone, businessId, the contact's own `type`,
 *   shadowed by the event `type` — keep their cached value). With no cached copy nothing is
 *   written (it would answer those fields with false nulls): the next read loads the full record;
 *   list pages of the location are invalidated (names, tags, membership may have changed);
 *   ContactDelete evicts the contact and everything under it.
 * - task / note / appointment events update the item and the contact's cached list in place when
 *   the payload is complete, remove it on delete, and evict what they cannot rebuild (an
 *   incomplete payload). A list that is not cached here is still deleted: that drops a load of it
 *   already in flight (it left the upstream before the change and would store the old list), and
 *   the eviction reaches the other instances (REDIS_URL), whose cached copy is now stale — the
 *   delivery arrives at one instance only.
 * Cached values are shared and read-only: every change writes a new array/object.
 * A TaskCreate without `contactId` names no cached entry (tasks are cached per contact): nothing to do.
 */
import type { ResourceCache } from "../cache/index.js";
import { cacheKeys } from "../cache/index.js";
import type { UpstreamAppointment, UpstreamContact, UpstreamNote, UpstreamTask } from "../upstream/contacts.types.js";
import {
  ContactEventType,
  isAppointmentEvent,
  isContactResourceEvent,
  isNoteEvent,
  isTaskEvent,
  type AppointmentEvent,
  type ContactEvent,
  type ContactResourceEvent,
  type NoteEvent,
  type TaskEvent,
} from "./contact-event.types.js";

/** The slice of the cache the applier drives. */
export type EventCacheTarget = Pick<ResourceCache, "peek" | "set" | "delete" | "evictContact" | "invalidateLists">;

export function applyEventToCache(cache: EventCacheTarget, event: ContactEvent): void {
  if (isContactResourceEvent(event)) return applyContactEvent(cache, event);
  if (isTaskEvent(event)) return applyTaskEvent(cache, event);
  if (isNoteEvent(event)) return applyNoteEvent(cache, event);
  if (isAppointmentEvent(event)) return applyAppointmentEvent(cache, event);
}

function applyContactEvent(cache: EventCacheTarget, event: ContactResourceEvent): void {
  const { locationId, contactId } = event;
  if (event.type === ContactEventType.CONTACT_DELETE) {
    cache.evictContact(locationId, contactId);
    cache.invalidateLists(locationId);
    return;
  }
  const key = cacheKeys.contact(locationId, contactId);
  const cached = cache.peek<UpstreamContact>(key);
  if (!cached) {
    // The payload lacks fields of the full record (timezone, businessId, the contact's own type…):
    // stored alone it would answer those with false nulls. Drop any load in flight instead.
    cache.delete(key);
  } else {
    // The payload is authoritative for the fields its schema has (absent = cleared); fields it
    // cannot carry keep their cached value.
    const merged: UpstreamContact = { ...cached };
    for (const field of WEBHOOK_CONTACT_FIELDS) delete merged[field];
    cache.set(key, Object.assign(merged, event.contact));
  }
  cache.invalidateLists(locationId);
}

/** Fields of the contact webhook payload schema (docs/webhook events/Contact*.md). */
const WEBHOOK_CONTACT_FIELDS = [
  "address1", "city", "companyName", "country", "source", "dateAdded", "dateOfBirth", "dnd", "email", "name",
  "firstName", "lastName", "phone", "postalCode", "state", "tags", "website", "assignedTo", "customFields",
] as const;

/** Replaces (merging over) or inserts `item` in a cached list; returns a new array. */
function upsert<T extends { id: string }>(list: readonly T[], item: T, insert: (list: T[], item: T) => T[]): T[] {
  const index = list.findIndex((x) => x.id === item.id);
  if (index === -1) return insert([...list], item);
  const next = [...list];
  next[index] = { ...list[index], ...item };
  return next;
}

function applyTaskEvent(cache: EventCacheTarget, event: TaskEvent): void {
  const { locationId, task } = event;
  const contactId = task.contactId;
  if (contactId === null) return;
  const listKey = cacheKeys.tasks(locationId, contactId);
  const itemKey = cacheKeys.task(locationId, contactId, task.id);
  if (event.type === ContactEventType.TASK_DELETE) {
    cache.delete(itemKey);
    const list = cache.peek<UpstreamTask[]>(listKey);
    if (list) cache.set(listKey, list.filter((t) => t.id !== task.id));
    else cache.delete(listKey);
    return;
  }
  const cachedItem =
    cache.peek<UpstreamTask>(itemKey) ?? cache.peek<UpstreamTask[]>(listKey)?.find((t) => t.id === task.id);
  const title = task.title ?? cachedItem?.title ?? null;
  const completed = task.completed ?? cachedItem?.completed ?? null;
  if (title === null || completed === null) {
    // Not enough to rebuild the task: drop what could now be stale.
    cache.delete(itemKey);
    cache.delete(listKey);
    return;
  }
  const full: UpstreamTask = {
    ...(cachedItem ?? {}),
    id: task.id,
    contactId,
    title,
    completed,
    body: task.body ?? cachedItem?.body ?? null,
    assignedTo: task.assignedTo ?? cachedItem?.assignedTo ?? null,
    dueDate: task.dueDate ?? cachedItem?.dueDate ?? null,
  };
  if (task.dateAdded !== null) full.dateAdded = task.dateAdded;
  cache.set(itemKey, full);
  const list = cache.peek<UpstreamTask[]>(listKey);
  if (list) cache.set(listKey, upsert(list, full, (l, t) => [...l, t]));
  else cache.delete(listKey);
}

const newestFirst = (a: { dateAdded?: string | null; id: string }, b: { dateAdded?: string | null; id: string }) =>
  (b.dateAdded ?? "").localeCompare(a.dateAdded ?? "") || b.id.localeCompare(a.id);

function applyNoteEvent(cache: EventCacheTarget, event: NoteEvent): void {
  const { locationId, note } = event;
  const contactId = note.contactId;
  if (contactId === null) return;
  const listKey = cacheKeys.notes(locationId, contactId);
  const itemKey = cacheKeys.note(locationId, contactId, note.id);
  if (event.type === ContactEventType.NOTE_DELETE) {
    cache.delete(itemKey);
    const list = cache.peek<UpstreamNote[]>(listKey);
    if (list) cache.set(listKey, list.filter((n) => n.id !== note.id));
    else cache.delete(listKey);
    return;
  }
  if (note.body === null) {
    cache.delete(itemKey);
    cache.delete(listKey);
    return;
  }
  const cachedItem = cache.peek<UpstreamNote>(itemKey) ?? cache.peek<UpstreamNote[]>(listKey)?.find((n) => n.id === note.id);
  const full: UpstreamNote = {
    ...(cachedItem ?? {}),
    id: note.id,
    contactId,
    body: note.body,
    userId: note.userId ?? cachedItem?.userId ?? null,
    dateAdded: note.dateAdded ?? cachedItem?.dateAdded ?? null,
  };
  cache.set(itemKey, full);
  const list = cache.peek<UpstreamNote[]>(listKey);
  if (list) cache.set(listKey, upsert(list, full, (l, n) => [...l, n].sort(newestFirst)));
  else cache.delete(listKey);
}

const byStartTime = (a: UpstreamAppointment, b: UpstreamAppointment) => (a.startTime ?? "").localeCompare(b.startTime ?? "");

function applyAppointmentEvent(cache: EventCacheTarget, event: AppointmentEvent): void {
  const { locationId, appointment } = event;
  const contactId = appointment.contactId;
  if (!contactId) return;
  const listKey = cacheKeys.appointments(locationId, contactId);
  const list = cache.peek<UpstreamAppointment[]>(listKey);
  if (!list) {
    cache.delete(listKey);
    return;
  }
  if (event.type === ContactEventType.APPOINTMENT_DELETE) {
    cache.set(listKey, list.filter((a) => a.id !== appointment.id));
    return;
  }
  cache.set(listKey, upsert(list, appointment, (l, a) => [...l, a].sort(byStartTime)).sort(byStartTime));
}
