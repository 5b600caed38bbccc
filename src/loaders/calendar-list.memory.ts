/**
 * Each location's calendar ids (`GET /calendars/`), remembered for the whole gateway: a read of
 * many contacts' appointments through the calendars (resources.ts APPOINTMENTS `bulk`) needs them,
 * and a location's calendars change rarely (no webhook announces it), so one read serves for
 * `ttlMs`. An appointment naming a calendar the list lacks (a webhook) means the list is out of
 * date: it is forgotten, and the next bulk read lists the calendars again. Another instance's
 * webhook is heard only as a change of a contact's appointments (the invalidation broadcast ships
 * no values): the composition root then forgets the location's list (`forget`), one more listing
 * per appointment change elsewhere, so a calendar created meanwhile is never missed for long.
 * Per instance, never the resource cache: the list only routes reads and is no answer's data.
 * Knows no GraphQL.
 */

export interface CalendarListMemory {
  /** The location's calendar ids, when read less than `ttlMs` ago. */
  peek(locationId: string): readonly string[] | undefined;
  /** The location's calendar ids: remembered ones, or `read` (one read per location at a time). */
  load(locationId: string, read: () => Promise<readonly string[]>): Promise<readonly string[]>;
  /** An appointment of `locationId` names `calendarId`: a list that lacks it is forgotten. */
  noteCalendar(locationId: string, calendarId: string): void;
  /** The location's appointments changed where this instance cannot see which calendar: list them again. */
  forget(locationId: string): void;
}

export interface CalendarListMemoryOptions {
  /** How long a location's calendar list is used, ms. Default 3_600_000 (1 hour). */
  ttlMs?: number;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
}

const DEFAULT_TTL_MS = 3_600_000; // 1 hour: calendars are created by hand, and a new one shows in the next webhook

export function createCalendarListMemory(options: CalendarListMemoryOptions = {}): CalendarListMemory {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new TypeError(`calendar list memory: expected ttlMs to be an integer >= 0, received ${ttlMs}`);
  const now = options.now ?? Date.now;
  const lists = new Map<string, { ids: readonly string[]; readAt: number }>();
  const reading = new Map<string, Promise<readonly string[]>>();

  const peek = (locationId: string): readonly string[] | undefined => {
    const entry = lists.get(locationId);
    if (!entry) return undefined;
    if (now() - entry.readAt < ttlMs) return entry.ids;
    lists.delete(locationId);
    return undefined;
  };

  return {
    peek,
    load(locationId, read) {
      const known = peek(locationId);
      if (known) return Promise.resolve(known);
      let pending = reading.get(locationId);
      if (!pending) {
        const readAt = now();
        pending = read()
          .then((ids) => {
            const frozen = Object.freeze([...new Set(ids)]);
            // Forgotten while being read (a webhook named a calendar): the answer may predate it.
            if (reading.get(locationId) === pending && ttlMs > 0) lists.set(locationId, { ids: frozen, readAt });
            return frozen;
          })
          .finally(() => {
            if (reading.get(locationId) === pending) reading.delete(locationId);
          });
        reading.set(locationId, pending);
      }
      return pending;
    },
    noteCalendar(locationId, calendarId) {
      const entry = lists.get(locationId);
      if (entry) {
        if (!entry.ids.includes(calendarId)) lists.delete(locationId);
        return;
      }
      // A read in flight may not know it either: its answer is not remembered.
      reading.delete(locationId);
    },
    forget(locationId) {
      lists.delete(locationId);
      reading.delete(locationId);
    },
  };
}
