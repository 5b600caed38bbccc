/**
 * Applies an accepted event to the shared resource cache (README, "Live events": "an accepted event updates
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
 *
 * Out-of-order deliveries: HighLevel re-sends a webhook after a 429 (up to 6 times, 10 minutes
 * apart, the same payload), so an OLD event can arrive after a newer write went through the gateway
 * or a newer webhook. An event never overwrites a cached value that may be newer than itself:
 * - a contact event whose payload has `dateUpdated`, over a cached copy with `dateUpdated`: older
 *   → skipped (the newer cached copy stays); same or newer → written through. Exact: one clock.
 * - anything else (a contact payload without `dateUpdated` — HighLevel's documented schema has
 *   none —, tasks, notes and appointments, which carry no version) is written only when it is
 *   FRESH (its payload `timestamp` at most `freshWindowMs` old: a retry never is) and no other
 *   write touched the same resource since shortly before that timestamp (gateway mutations,
 *   evictions announced by other instances; `clockSkewMs` covers the two clocks), nor an event
 *   applied here with a later `timestamp`. A contact payload timestamped before the cached
 *   `dateUpdated` is older for sure: skipped. Otherwise the resource is evicted (the next read
 *   loads it): correctness over saved calls.
 * - deletes are final (ids are never reused): a ContactDelete, TaskDelete, NoteDelete or
 *   AppointmentDelete leaves a tombstone for `tombstoneTtlMs` (default: the replay window, as long
 *   as a late retry can be accepted); a later create/update for that contact or item writes
 *   nothing (evicts at most), so a late ContactUpdate or TaskComplete cannot resurrect it.
 * Cached values are shared and read-only: every change writes a new array/object.
 * A TaskCreate without `contactId` names no cached entry (tasks are cached per contact, and no
 * index from task id to contact exists for a task created outside the gateway): every cached task
 * list of the location is dropped, so the next read of any contact's tasks refetches it.
 */
import type { CacheChange, ResourceCache, ResourceKey, ResourceKind } from "../cache/index.js";
import { cacheKeys, serializeKey } from "../cache/index.js";
import type { UpstreamAppointment, UpstreamContact, UpstreamNote, UpstreamTask } from "../upstream/contacts.types.js";
import { APPOINTMENTS, CORE_KINDS, NOTES, TASKS, inResourceOrder } from "../upstream/resources.js";
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

/** The slice of the cache the applier drives: every change goes through `applyChange` with origin `webhook`. */
export type EventCacheTarget = Pick<ResourceCache, "peek" | "applyChange" | "onInvalidate">;

/** What the rules below call: the cache's one change path, marked as a webhook's. */
interface WebhookCache {
  peek<T>(key: ResourceKey): T | undefined;
  set(key: ResourceKey, value: unknown): void;
  delete(key: ResourceKey): void;
  evictContact(locationId: string, contactId: string): void;
  invalidateLists(locationId: string): void;
  invalidateKind(locationId: string, kind: string): void;
}

function webhookCache(cache: EventCacheTarget): WebhookCache {
  const apply = (change: CacheChange) => cache.applyChange(change, { origin: "webhook" });
  return {
    peek: (key) => cache.peek(key),
    set: (key, value) => apply({ type: "set", key, value }),
    delete: (key) => apply({ type: "delete", key }),
    evictContact: (locationId, contactId) => apply({ type: "contact", locationId, contactId }),
    invalidateLists: (locationId) => apply({ type: "lists", locationId }),
    invalidateKind: (locationId, kind) => apply({ type: "kind", locationId, kind }),
  };
}

export interface EventCacheApplierOptions {
  cache: EventCacheTarget;
  /** Clock, ms since the epoch (compared with HighLevel's `timestamp`). */
  now?: () => number;
  /** How old (by its payload `timestamp`) an event may be and still be written through. Default 2 minutes. */
  freshWindowMs?: number;
  /** Tolerated difference between HighLevel's clock and ours when ordering writes. Default 30 s. */
  clockSkewMs?: number;
  /** How long a deleted contact/item stays deleted for late events. Default 90 minutes (the replay window). */
  tombstoneTtlMs?: number;
  /**
   * Bound on remembered writes, versions and tombstones (each). Default 50_000. Past it, forgotten
   * writes make events evict instead of write (never the reverse); forgotten tombstones are lost.
   */
  maxTracked?: number;
}

export interface EventCacheApplier {
  apply(event: ContactEvent): void;
  /** Stops observing the cache. */
  close(): void;
}

const DEFAULTS = {
  freshWindowMs: 120_000, // 2 minutes; HighLevel's first retry comes 10 minutes later
  clockSkewMs: 30_000, // 30 seconds
  tombstoneTtlMs: 90 * 60_000, // 90 minutes
  maxTracked: 50_000,
};

type Verdict = "write" | "skip" | "evict";

/** The resources events are ordered on (an item, or a contact's appointments: they have no item key). */
const ORDERED_KINDS: ReadonlySet<ResourceKind> = new Set<ResourceKind>([CORE_KINDS.contact, itemKind(TASKS), itemKind(NOTES), APPOINTMENTS.kind]);

/** One applier per cache: it remembers recent writes (from anyone) and deletions. */
export function createEventCacheApplier(options: EventCacheApplierOptions): EventCacheApplier {
  const { cache, now = Date.now } = options;
  const freshWindowMs = options.freshWindowMs ?? DEFAULTS.freshWindowMs;
  const clockSkewMs = options.clockSkewMs ?? DEFAULTS.clockSkewMs;
  const maxTracked = options.maxTracked ?? DEFAULTS.maxTracked;
  /** Resource identity → OUR time of the last write/eviction of it by someone else (only recent ones matter). */
  // Over `maxTracked`, the latest time/version forgotten stands for every resource (evict when unsure).
  let forgottenWriteMs = Number.NEGATIVE_INFINITY;
  let forgottenVersionMs = Number.NEGATIVE_INFINITY;
  const writes = expiringMap<number>({
    ttlMs: freshWindowMs + clockSkewMs,
    max: maxTracked,
    now,
    onDropLive: (atMs) => void (forgottenWriteMs = Math.max(forgottenWriteMs, atMs)),
  });
  /** Resource identity → HighLevel's `timestamp` of the last event this applier wrote it for. */
  const versions = expiringMap<number>({
    ttlMs: freshWindowMs + clockSkewMs,
    max: maxTracked,
    now,
    onDropLive: (sentMs) => void (forgottenVersionMs = Math.max(forgottenVersionMs, sentMs)),
  });
  /** The `timestamp` of the event being applied (its own writes are versions, not foreign writes). */
  let applying: number | undefined;
  /** Deleted contact (`contact` scope) or item → true. */
  const tombstones = expiringMap<true>({ ttlMs: options.tombstoneTtlMs ?? DEFAULTS.tombstoneTtlMs, max: maxTracked, now });

  const stopObserving = cache.onInvalidate((change) => {
    const [log, at] = applying === undefined || change.remote ? [writes, now()] : [versions, applying];
    switch (change.type) {
      case "set":
      case "delete":
        if (ORDERED_KINDS.has(change.key.kind)) log.set(serializeKey(change.key), at);
        return;
      case "contact":
        log.set(contactScope(change.locationId, change.contactId), at);
        return;
      case "clear": // drops everything, brings nothing newer in
      case "location":
      case "lists":
      case "kind":
        return;
    }
  });

  /** Whether something wrote one of `resources` at or after `sinceMs` (our clock). */
  const writtenSince = (sinceMs: number, resources: readonly string[]): boolean =>
    forgottenWriteMs >= sinceMs || resources.some((r) => (writes.get(r) ?? Number.NEGATIVE_INFINITY) >= sinceMs);

  /** The fresh/unwritten rule for an event without an exact version (see the header). */
  const timestampVerdict = (event: ContactEvent, resources: readonly string[]): Verdict => {
    if (event.timestamped === false) return "evict"; // no `timestamp`: its age is unknown
    const sentMs = Date.parse(event.occurredAt);
    if (!Number.isFinite(sentMs) || now() - sentMs > freshWindowMs) return "evict";
    if (writtenSince(sentMs - clockSkewMs, resources)) return "evict";
    // Ordered after an event applied here before: HighLevel's timestamps order them.
    const newer = forgottenVersionMs > sentMs || resources.some((r) => (versions.get(r) ?? Number.NEGATIVE_INFINITY) > sentMs);
    return newer ? "evict" : "write";
  };

  const context: ApplyContext = {
    cache: webhookCache(cache),
    tombstoned: (...ids) => ids.some((id) => tombstones.get(id) !== undefined),
    bury: (id) => void tombstones.set(id, true),
    timestampVerdict,
  };

  return {
    apply(event) {
      const sentMs = event.timestamped === false ? Number.NaN : Date.parse(event.occurredAt);
      applying = Number.isFinite(sentMs) ? sentMs : undefined; // undated: its writes count as foreign
      try {
        if (isContactResourceEvent(event)) return applyContactEvent(context, event);
        if (isTaskEvent(event)) return applyTaskEvent(context, event);
        if (isNoteEvent(event)) return applyNoteEvent(context, event);
        if (isAppointmentEvent(event)) return applyAppointmentEvent(context, event);
      } finally {
        applying = undefined;
      }
    },
    close: () => void stopObserving(),
  };
}

/**
 * A map whose entries expire `ttlMs` after their last write, at most `max` of them (oldest dropped).
 * Insertion order is expiry order (one TTL), so pruning stops at the first live entry. Memory grows
 * with use only (an LRU with a `max` preallocates for it).
 */
function expiringMap<V>({ ttlMs, max, now, onDropLive }: { ttlMs: number; max: number; now: () => number; onDropLive?: (value: V) => void }) {
  const entries = new Map<string, { value: V; expiresAtMs: number }>();
  return {
    get(key: string): V | undefined {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAtMs > now()) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key: string, value: V): void {
      const nowMs = now();
      entries.delete(key);
      entries.set(key, { value, expiresAtMs: nowMs + ttlMs });
      for (const [oldest, entry] of entries) {
        if (entries.size <= max && entry.expiresAtMs > nowMs) break;
        entries.delete(oldest);
        if (entry.expiresAtMs > nowMs) onDropLive?.(entry.value); // over `max`: forgotten while it mattered
      }
    },
  };
}

interface ApplyContext {
  cache: WebhookCache;
  tombstoned(...ids: string[]): boolean;
  bury(id: string): void;
  timestampVerdict(event: ContactEvent, resources: readonly string[]): Verdict;
}

/** The item kind of a resource with a by-id route (tasks, notes). */
function itemKind(resource: { kind: string; item?: { kind: string } }): string {
  if (!resource.item) throw new TypeError(`event-cache.apply: ${resource.kind} has no item kind`);
  return resource.item.kind;
}

const contactScope = (locationId: string, contactId: string) => `contact-scope\u0000${locationId}\u0000${contactId}`;
const id = (key: ResourceKey) => serializeKey(key);
const timeOf = (value: unknown): number | undefined => {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

function applyContactEvent(ctx: ApplyContext, event: ContactResourceEvent): void {
  const { cache } = ctx;
  const { locationId, contactId } = event;
  const key = cacheKeys.contact(locationId, contactId);
  const scope = contactScope(locationId, contactId);
  if (event.type === ContactEventType.CONTACT_DELETE) {
    ctx.bury(scope);
    cache.evictContact(locationId, contactId);
    cache.invalidateLists(locationId);
    return;
  }
  if (ctx.tombstoned(scope)) {
    // Deleted: a late create/update must not bring it back. A cached NOT_FOUND stays.
    if (cache.peek(key) !== undefined) cache.delete(key);
    return;
  }
  const cached = cache.peek<UpstreamContact>(key);
  if (!cached) {
    // The payload lacks fields of the full record (timezone, businessId, the contact's own type…):
    // stored alone it would answer those with false nulls. Drop any load in flight instead.
    cache.delete(key);
    cache.invalidateLists(locationId);
    return;
  }
  const verdict = contactVerdict(ctx, event, cached, [id(key), scope]);
  if (verdict === "skip") return; // older than the cached copy: the newer state stays
  if (verdict === "evict") {
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

/** Orders a contact event against the cached copy (see the header). */
function contactVerdict(ctx: ApplyContext, event: ContactResourceEvent, cached: UpstreamContact, resources: readonly string[]): Verdict {
  const cachedVersion = timeOf(cached.dateUpdated);
  if (cachedVersion === undefined) return ctx.timestampVerdict(event, resources);
  const eventVersion = timeOf(event.contact.dateUpdated);
  if (eventVersion !== undefined) return eventVersion < cachedVersion ? "skip" : "write";
  // Sent before the cached version was written: older for sure.
  const sentMs = event.timestamped === false ? undefined : timeOf(event.occurredAt);
  if (sentMs !== undefined && sentMs < cachedVersion) return "skip";
  return ctx.timestampVerdict(event, resources);
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

/** A deleted item leaves the contact's cached list (a new array); a list not cached here is evicted (see the header). */
function removeFromCachedList(cache: WebhookCache, listKey: ResourceKey, itemId: string): void {
  const list = cache.peek<ReadonlyArray<{ id: string }>>(listKey);
  if (list) cache.set(listKey, list.filter((item) => item.id !== itemId));
  else cache.delete(listKey);
}

function applyTaskEvent(ctx: ApplyContext, event: TaskEvent): void {
  const { cache } = ctx;
  const { locationId, task } = event;
  const contactId = task.contactId;
  if (contactId === null) {
    // HighLevel sometimes leaves contactId out of a TaskCreate (FACTS.md): whose task list grew is
    // unknown, so every cached task list of the location is dropped (a refetch per list read
    // next, instead of a list that misses the new task until it expires).
    cache.invalidateKind(locationId, TASKS.kind);
    return;
  }
  const listKey = cacheKeys.list(locationId, TASKS.kind, contactId);
  const itemKey = cacheKeys.item(locationId, itemKind(TASKS), contactId, task.id);
  const scope = contactScope(locationId, contactId);
  if (event.type === ContactEventType.TASK_DELETE) {
    ctx.bury(id(itemKey));
    cache.delete(itemKey);
    removeFromCachedList(cache, listKey, task.id);
    return;
  }
  if (ctx.tombstoned(scope, id(itemKey))) return; // deleted: nothing to write, nothing cached to fix
  if (ctx.timestampVerdict(event, [id(itemKey), scope]) === "evict") {
    cache.delete(itemKey);
    cache.delete(listKey);
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

function applyNoteEvent(ctx: ApplyContext, event: NoteEvent): void {
  const { cache } = ctx;
  const { locationId, note } = event;
  const contactId = note.contactId;
  if (contactId === null) return;
  const listKey = cacheKeys.list(locationId, NOTES.kind, contactId);
  const itemKey = cacheKeys.item(locationId, itemKind(NOTES), contactId, note.id);
  const scope = contactScope(locationId, contactId);
  if (event.type === ContactEventType.NOTE_DELETE) {
    ctx.bury(id(itemKey));
    cache.delete(itemKey);
    removeFromCachedList(cache, listKey, note.id);
    return;
  }
  if (ctx.tombstoned(scope, id(itemKey))) return;
  if (note.body === null || ctx.timestampVerdict(event, [id(itemKey), scope]) === "evict") {
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
  if (list) cache.set(listKey, upsert(list, full, (l, n) => inResourceOrder(NOTES, [...l, n])));
  else cache.delete(listKey);
}


function applyAppointmentEvent(ctx: ApplyContext, event: AppointmentEvent): void {
  const { cache } = ctx;
  const { locationId, appointment } = event;
  const contactId = appointment.contactId;
  if (!contactId) return;
  const listKey = cacheKeys.list(locationId, APPOINTMENTS.kind, contactId);
  const scope = contactScope(locationId, contactId);
  const itemId = `${id(listKey)}/${appointment.id}`;
  if (event.type === ContactEventType.APPOINTMENT_DELETE) {
    ctx.bury(itemId);
    removeFromCachedList(cache, listKey, appointment.id);
    return;
  }
  if (ctx.tombstoned(scope, itemId)) return;
  const list = cache.peek<UpstreamAppointment[]>(listKey);
  // No item key: any recent write to the contact's list counts.
  if (!list || ctx.timestampVerdict(event, [id(listKey), scope]) === "evict") {
    cache.delete(listKey);
    return;
  }
  cache.set(listKey, inResourceOrder(APPOINTMENTS, upsert(list, appointment as UpstreamAppointment, (l, a) => [...l, a])));
}
