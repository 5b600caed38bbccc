/**
 * The plan of one read of many contacts' lists through a resource's bulk route (resources.ts
 * `bulk`), shared by the per-operation loaders (contact.loaders.ts) and the background
 * revalidation (revalidation.runner.ts): the lists, or undefined when reading them per contact
 * costs fewer calls (the caller then does).
 * - Tasks' `POST /locations/:locationId/tasks/search` costs ceil(tasks / page size) calls: always
 *   worth it.
 * - Appointments through calendars cost one call per calendar, plus one to list the calendars
 *   when the location's list is not remembered (calendar-list.memory.ts), whatever the number of
 *   contacts: used only for more contacts than calendars, and the calendars are listed only for
 *   `MIN_CONTACTS_TO_LIST_CALENDARS` contacts or more (with fewer, even one calendar would not pay
 *   the listing back). A list read for a batch it then does not pay off for is remembered for the next.
 * Throws what the upstream answered; the caller decides whether to remember a failure.
 */
import type { PerContactResource } from "../upstream/resources.js";
import type { CalendarListMemory } from "./calendar-list.memory.js";
import type { ContactsReadClient } from "./read-client.types.js";

/** Listing the calendars (1 call) and reading one (1 call) beats per-contact reads from 3 contacts on. */
export const MIN_CONTACTS_TO_LIST_CALENDARS = 3;

/** The most contact ids one bulk read takes (a loader batch, a revalidation batch). */
export const MAX_BULK_CONTACTS = 100;

export interface BulkReadOptions {
  client: Pick<ContactsReadClient, "bulkListsOf" | "calendarsOf">;
  calendars: CalendarListMemory | undefined;
  locationId: string;
  resource: PerContactResource;
  contactIds: readonly string[];
  /** Runs each upstream read (the background budget's lane); default: as is. */
  run?: <T>(read: () => Promise<T>) => Promise<T>;
}

export async function readInBulk(options: BulkReadOptions): Promise<Map<string, { id: string }[]> | undefined> {
  const { client, calendars, locationId, resource, contactIds } = options;
  const run = options.run ?? (<T>(read: () => Promise<T>) => read());
  const bulk = resource.bulk;
  const bulkListsOf = client.bulkListsOf?.bind(client);
  if (!bulk || !bulkListsOf || contactIds.length === 0) return undefined;
  if (bulk.via === "contacts") return run(() => bulkListsOf(resource, locationId, contactIds));
  const calendarsOf = client.calendarsOf?.bind(client);
  if (!calendars || !calendarsOf) return undefined;
  let calendarIds = calendars.peek(locationId);
  if (calendarIds === undefined) {
    if (contactIds.length < MIN_CONTACTS_TO_LIST_CALENDARS) return undefined;
    calendarIds = await calendars.load(locationId, async () => (await run(() => calendarsOf(resource, locationId))).map((c) => c.id));
  }
  if (calendarIds.length >= contactIds.length) return undefined;
  const ids = calendarIds;
  return run(() => bulkListsOf(resource, locationId, contactIds, { calendarIds: ids }));
}
