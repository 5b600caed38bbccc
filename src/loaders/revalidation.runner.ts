/**
 * Stale-while-revalidate for what webhooks keep current: when the resource cache serves an entry
 * past its revalidation age (src/cache/resource-cache.ts, `onStale`), the entry is fetched again
 * here, in the background, inside the background budget's revalidation lane
 * (src/upstream/background-budget.ts: a small share of the location's interval budget). A task
 * list is revalidated through the bulk route when the location can use it (the lists of every
 * contact queued, `contactsPerCall` at a time), appointment lists through the location's
 * calendars when that costs fewer calls than one per contact (bulk-read.ts), other kinds one call each. What comes back goes
 * through the cache's `endRevalidation`: unchanged, the entry is younger again; changed, it is a
 * `set` on the cache's one change path (answers that showed the old value are evicted, other
 * instances hear of it) after the load listeners saw it (src/events/task-update.emitter.ts derives
 * TASK_UPDATE from a task list fetched again); gone, it is dropped. A value a webhook or a write
 * replaced meanwhile is never overwritten by an older fetch.
 * Per location, one key at a time, queued keys de-duplicated and bounded.
 */
import type { ResourceCache } from "../cache/resource-cache.js";
import { serializeKey, type ResourceKey } from "../cache/resource-key.js";
import { CORE_KINDS, type PerContactResource } from "../upstream/resources.js";
import { isUpstreamError } from "../upstream/upstream.error.js";
import type { BackgroundBudget } from "../upstream/background-budget.js";
import type { BulkRouteMemory } from "./bulk-route.memory.js";
import type { CalendarListMemory } from "./calendar-list.memory.js";
import { MAX_BULK_CONTACTS, readInBulk } from "./bulk-read.js";
import type { ContactsReadClient } from "./read-client.types.js";

export interface RevalidationOptions {
  cache: Pick<ResourceCache, "onStale" | "beginRevalidation" | "endRevalidation" | "registry">;
  /** The shared client (no operation deadline: background work outlives the request that found the entry stale). */
  client: ContactsReadClient;
  bulkRoutes?: BulkRouteMemory;
  /** Each location's calendars, for appointments read through them (bulk-read.ts). */
  calendars?: CalendarListMemory;
  budget: Pick<BackgroundBudget, "run">;
  /** The budget lane (default "revalidation"). */
  lane?: string;
  /** Keys queued per location at most; more are dropped until the queue drains. Default 10_000. */
  maxQueuedPerLocation?: number;
  onError?: (error: unknown) => void;
}

export interface RevalidationStats {
  queued: number;
  unchanged: number;
  changed: number;
  failed: number;
}

export interface Revalidation {
  /** Resolves when nothing is queued or running (tests, shutdown). */
  idle(): Promise<void>;
  stats(): RevalidationStats;
  stop(): void;
}

type Outcome = { value: unknown } | { gone: true };

export function createRevalidation(options: RevalidationOptions): Revalidation {
  const { cache, client, bulkRoutes, calendars, budget } = options;
  const lane = options.lane ?? "revalidation";
  const maxQueued = options.maxQueuedPerLocation ?? 10_000;
  const registry = cache.registry;
  const queues = new Map<string, Map<string, ResourceKey>>();
  const running = new Map<string, Promise<void>>();
  const counts = { unchanged: 0, changed: 0, failed: 0 };
  let stopped = false;

  // Only the upstream reads run in the lane: what a result sets off (listeners, TASK_UPDATE and the
  // subscriptions resolving it) runs outside it, like any other change.
  const inLane = <T>(read: () => Promise<T>): Promise<T> => budget.run(lane, read);

  const fetchOne = async (key: ResourceKey): Promise<Outcome | undefined> => {
    const { locationId } = key;
    const resource = registry.resourceOf(key.kind);
    try {
      if (key.kind === CORE_KINDS.contact) return { value: await inLane(() => client.getContact(locationId, key.id)) };
      if (resource && registry.isListKind(key.kind) && key.contactId) {
        const contactId = key.contactId;
        return { value: await inLane(() => client.listOf(resource, locationId, contactId)) };
      }
      if (resource?.item?.kind === key.kind && key.contactId) {
        const contactId = key.contactId;
        const itemId = key.id.slice(contactId.length + 1);
        return { value: await inLane(() => client.itemOf(resource, locationId, contactId, itemId)) };
      }
      if (key.kind === CORE_KINDS.contactPage) {
        const [limit, startAfter, startAfterId, query] = JSON.parse(key.id) as [number, number | null, string | null, string | null];
        const params = {
          limit,
          ...(startAfter !== null ? { startAfter } : {}),
          ...(startAfterId !== null ? { startAfterId } : {}),
          ...(query !== null ? { query } : {}),
        };
        return { value: await inLane(() => client.listContacts(locationId, params)) };
      }
      if (key.kind === CORE_KINDS.businessPage) {
        const [businessId, limit, skip, query] = JSON.parse(key.id) as [string, number, number, string | null];
        const params = { limit, skip, ...(query !== null ? { query } : {}) };
        return { value: await inLane(() => client.listBusinessContacts(locationId, businessId, params)) };
      }
      return undefined; // a kind this runner cannot fetch again: it expires instead
    } catch (error) {
      if (isUpstreamError(error) && error.code === "NOT_FOUND") return { gone: true };
      throw error;
    }
  };

  const finish = (key: ResourceKey, token: unknown, outcome: Outcome | undefined) => {
    if (!outcome) return;
    const verdict = cache.endRevalidation(key, token, outcome);
    if (verdict === "changed") counts.changed += 1;
    else if (verdict === "unchanged") counts.unchanged += 1;
  };

  /** Takes the next unit of work of a location: one key, or every queued list of a bulk-readable kind. */
  const next = (locationId: string, queue: Map<string, ResourceKey>): ResourceKey[] => {
    const [id, first] = queue.entries().next().value as [string, ResourceKey];
    queue.delete(id);
    const resource = registry.resourceOf(first.kind);
    if (!resource?.bulk || !registry.isListKind(first.kind) || !client.bulkListsOf || !bulkRoutes?.usable(locationId, resource)) return [first];
    // Tasks: a page's worth of contacts; through calendars the cost does not grow with the batch.
    const most = resource.bulk.via === "contacts" ? resource.bulk.contactsPerCall : MAX_BULK_CONTACTS;
    const batch = [first];
    for (const [other, key] of queue) {
      if (batch.length >= most) break;
      if (key.kind !== first.kind) continue;
      queue.delete(other);
      batch.push(key);
    }
    return batch;
  };

  const revalidate = async (locationId: string, batch: ResourceKey[]) => {
    const started = batch.flatMap((key) => {
      const token = cache.beginRevalidation(key);
      return token === undefined ? [] : [{ key, token }];
    });
    if (started.length === 0) return;
    const resource = registry.resourceOf(started[0]!.key.kind) as PerContactResource | undefined;
    let alone = started;
    if (started.length > 1 || (resource?.bulk && batch.length > 1)) {
      let lists: Map<string, { id: string }[]> | undefined;
      try {
        const contactIds = started.map((s) => s.key.contactId!);
        lists = await readInBulk({ client, calendars, locationId, resource: resource!, contactIds, run: inLane });
      } catch (error) {
        counts.failed += started.length;
        bulkRoutes?.failed(locationId, resource!, error);
        options.onError?.(error);
        return;
      }
      // What the bulk read did not answer (cheaper per contact, or not certain) is read one by one.
      alone = [];
      for (const entry of started) {
        const list = lists?.get(entry.key.contactId!);
        if (list) finish(entry.key, entry.token, { value: list });
        else alone.push(entry);
      }
    }
    for (const { key, token } of alone) {
      try {
        finish(key, token, await fetchOne(key));
      } catch (error) {
        counts.failed += 1;
        options.onError?.(error);
      }
    }
  };

  const pump = (locationId: string) => {
    if (running.has(locationId) || stopped) return;
    const work = (async () => {
      // Let one operation's stale reads gather first: its task lists then share one bulk read.
      await new Promise((resolve) => setImmediate(resolve));
      const queue = queues.get(locationId);
      while (queue && queue.size > 0 && !stopped) await revalidate(locationId, next(locationId, queue));
    })();
    running.set(
      locationId,
      work.catch(options.onError ?? (() => undefined)).finally(() => {
        running.delete(locationId);
        if ((queues.get(locationId)?.size ?? 0) > 0) pump(locationId);
      }),
    );
  };

  const stopListening = cache.onStale((key) => {
    if (stopped) return;
    let queue = queues.get(key.locationId);
    if (!queue) queues.set(key.locationId, (queue = new Map()));
    const id = serializeKey(key);
    if (queue.has(id) || queue.size >= maxQueued) return;
    queue.set(id, key);
    pump(key.locationId);
  });

  return {
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
    stats: () => ({ queued: [...queues.values()].reduce((n, q) => n + q.size, 0), ...counts }),
    stop() {
      stopped = true;
      stopListening();
    },
  };
}
