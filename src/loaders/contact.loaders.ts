/**
 * Per-operation loaders (one set per GraphQL operation or per subscription event, never shared
 * between requests): DataLoader for in-request de-duplication, over the shared `ResourceCache`
 * (cross-request cache and single-flight), over the upstream client, whose middleware chain holds
 * the one per-location queue (concurrency and rate budget, src/upstream/rate-governor.ts). Within
 * one operation each upstream resource is fetched at most once, however many paths ask for it.
 *
 * The per-contact loaders derive from the resource registry (src/upstream/resources.ts):
 * `list(resource)` for a contact's list, `item(resource)` for one item by id, created on first
 * use. The Contacts routes have no batch read (FACTS.md): a batch of N keys is N calls, except
 * for a resource with a bulk route (resources.ts `bulk`), whose batch asks the cache for every key
 * first and then reads the lists it lacks in one bulk read, each list stored under the same key
 * as the per-contact read (so webhooks and writes keep it current like any other): tasks through
 * `POST /locations/:locationId/tasks/search` in ceil(items / page size) calls; appointments
 * through the location's calendars (`GET /calendars/`, remembered, then `GET /calendars/events`
 * per calendar) when that is fewer calls than one per contact. When the location cannot use the
 * route (bulk-route.memory.ts), or a contact's list cannot be told for certain from the bulk
 * answer, the lists are read per contact. Notes have no bulk read;
 * `POST /contacts/search` answers lean list items, not the full contact `GET /contacts/:id` gives
 * (FACTS.md "Search"), so it cannot stand in for the contact loader. By-id lookups
 * answer `null` for NOT_FOUND (the contract's `contact(id)`); list lookups propagate it. An item
 * by id is taken from the contact's list when that list is cached or being loaded in the same
 * operation; only otherwise is the single route called.
 */
import DataLoader from "dataloader";
import { recordingReads, type ReadLog } from "../cache/read-log.js";
import type { ResourceCache } from "../cache/resource-cache.js";
import { keys } from "../cache/resource-key.js";
import type {
  BusinessContactsPage,
  ContactListPage,
  ListBusinessContactsParams,
  ListContactsParams,
  SearchContactsBody,
  SearchContactsPage,
  UpstreamContact,
  UpstreamCustomFieldDefinition,
  UpstreamLocationTag,
} from "../upstream/contacts.types.js";
import type { PerContactResource } from "../upstream/resources.js";
import { isUpstreamError } from "../upstream/upstream.error.js";
import type { ContactsReadClient } from "./read-client.types.js";
import type { BulkRouteMemory } from "./bulk-route.memory.js";
import type { CalendarListMemory } from "./calendar-list.memory.js";
import { MAX_BULK_CONTACTS, readInBulk } from "./bulk-read.js";
import type { OperationDeadline } from "../upstream/deadline.js";

export interface ChildRef {
  contactId: string;
  id: string;
}

export interface ContactListRequest {
  limit: number;
  startAfter?: number | undefined;
  startAfterId?: string | undefined;
  query?: string | undefined;
}

export interface BusinessListRequest {
  limit: number;
  skip: number;
  query?: string | undefined;
}

export interface Loaders {
  /** The location every loader of this set reads (the viewer's). */
  readonly locationId: string;
  readonly contact: DataLoader<string, UpstreamContact | null>;
  /** A contact's list of a per-contact resource, by contact id. */
  list<T extends { id: string }>(resource: PerContactResource<T>): DataLoader<string, T[]>;
  /** One item of a per-contact resource with a by-id route; `null` when it does not exist. */
  item<T extends { id: string }>(resource: PerContactResource<T>): DataLoader<ChildRef, T | null, string>;
  contactPage(request: ContactListRequest): Promise<ContactListPage>;
  businessPage(businessId: string, request: BusinessListRequest): Promise<BusinessContactsPage>;
  /**
   * `GET /contacts/search/duplicate`: the contact the location would treat as a duplicate, or
   * null. Always asked upstream (a stale "none" would let a caller create the duplicate), once per
   * lookup per operation; the contact found primes this operation's `contact` loader.
   */
  duplicate(lookup: DuplicateLookup): Promise<UpstreamContact | null>;
  /**
   * One page of `POST /contacts/search`, cached for `searchPageTtlMs` only (the upstream indexes
   * changes a few seconds late and no event says when) and evicted with the location's pages by
   * any contact change. `expiresAtMs` tells the response cache when an answer built on it expires.
   */
  searchPage(body: SearchContactsBody): Promise<SearchPage>;
  /**
   * The location's contact custom-field definitions (`GET /locations/:id/customFields?model=contact`),
   * cached per location; `fresh` reads them again (on demand, and the scheduled refresh).
   */
  fieldDefinitions(options?: { fresh?: boolean }): Promise<UpstreamCustomFieldDefinition[]>;
  /** The location's tags (`GET /locations/:id/tags`). */
  locationTags(): Promise<UpstreamLocationTag[]>;
}

/** A cached search page: the upstream's answer and when the cache lets it go (epoch ms). */
export interface SearchPage extends SearchContactsPage {
  readonly expiresAtMs: number;
}

export interface DuplicateLookup {
  email?: string | undefined;
  phone?: string | undefined;
}

export interface LoaderServices {
  client: ContactsReadClient;
  cache: ResourceCache;
  /** Which locations may use a resource's bulk route; absent = always per contact. */
  bulkRoutes?: BulkRouteMemory;
  /** Each location's calendars, for a resource read through them (appointments); absent = per contact. */
  calendars?: CalendarListMemory;
  /** Lifetime of a cached search page, ms. Default 5_000 (5 seconds); at most the cache's TTL. */
  searchPageTtlMs?: number;
  /** Clock for `SearchPage.expiresAtMs`, epoch ms. Default `Date.now`. */
  now?: () => number;
}

const DEFAULT_SEARCH_PAGE_TTL_MS = 5_000; // 5 seconds: HighLevel's search shows a change "after a few seconds"

/** A loader set for one location; with `reads`, every read of the shared cache is recorded there (the response cache's tags). */
export type LoaderFactory = (locationId: string, reads?: ReadLog, deadline?: OperationDeadline) => Loaders;

const nullIfNotFound = <T>(promise: Promise<T>): Promise<T | null> =>
  promise.catch((error: unknown) => {
    if (isUpstreamError(error) && (error.code === "NOT_FOUND" || error.reason === "location_forbidden")) return null;
    throw error;
  });

/** DataLoader batch fn resolving every key independently (one failing key never fails the batch). */
function each<K, V>(load: (key: K) => Promise<V>) {
  return (batch: readonly K[]): Promise<Array<V | Error>> =>
    Promise.all(
      batch.map((key) => load(key).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))),
    );
}

const childKey = (ref: ChildRef) => `${ref.contactId}/${ref.id}`;

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** Errors of the bulk read that a per-contact read would only repeat, at a higher price. */
const worthNoFallback = (error: unknown): boolean =>
  isUpstreamError(error) && (error.code === "UPSTREAM_RATE_LIMITED" || error.reason === "deadline");

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T | Promise<T>): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: Deferred<T>["resolve"];
  let reject!: Deferred<T>["reject"];
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface ListLoader {
  loader: DataLoader<string, { id: string }[]>;
  /** Contacts whose list this operation asked for: a by-id item then waits for that list. */
  listed: Set<string>;
}

export function createLoaders(services: LoaderServices, locationId: string, reads?: ReadLog, deadline?: OperationDeadline): Loaders {
  // Every upstream call of this operation carries its deadline (upstream/deadline.ts).
  const client = deadline && services.client.withDeadline ? services.client.withDeadline(deadline) : services.client;
  const cache = reads ? recordingReads(services.cache, reads) : services.cache;
  const searchPageTtlMs = services.searchPageTtlMs ?? DEFAULT_SEARCH_PAGE_TTL_MS;
  const now = services.now ?? Date.now;
  const lists = new Map<PerContactResource, ListLoader>();
  const items = new Map<PerContactResource, DataLoader<ChildRef, { id: string } | null, string>>();

  function listLoader(resource: PerContactResource): ListLoader {
    let entry = lists.get(resource);
    if (entry) return entry;
    const single = (contactId: string) => client.listOf(resource, locationId, contactId);
    const bulkRoutes = services.bulkRoutes;
    const loader =
      resource.bulk && client.bulkListsOf && bulkRoutes
        ? new DataLoader<string, { id: string }[]>((contactIds) => cachedFirst(resource, contactIds, (rest) => bulkBatch(resource, rest, single, bulkRoutes)), {
            // At most 100 contact ids per request body, the bound of HighLevel's other bulk
            // contact routes (README "Mutations": bulk tags and business, up to 100 contacts).
            maxBatchSize: MAX_BULK_CONTACTS,
          })
        : new DataLoader<string, { id: string }[]>((contactIds) =>
            cachedFirst(resource, contactIds, each((contactId) => cache.load(keys.list(locationId, resource.kind, contactId), () => single(contactId)))),
          );
    const listed = new Set<string>();
    const load = loader.load.bind(loader);
    loader.load = (contactId: string) => {
      listed.add(contactId);
      return load(contactId);
    };
    lists.set(resource, (entry = { loader, listed }));
    return entry;
  }

  /**
   * One batch of a resource's lists: those this instance has cached are answered at once through
   * the cache's synchronous `lookup` (a contacts page over warm resources: every key), without a
   * promise per key (nor, for a bulk route, the deferreds and races of `bulkBatch`); `loadRest`
   * loads the others, in order.
   */
  async function cachedFirst(
    resource: PerContactResource,
    contactIds: readonly string[],
    loadRest: (contactIds: readonly string[]) => Promise<Array<{ id: string }[] | Error>>,
  ): Promise<Array<{ id: string }[] | Error>> {
    if (!cache.lookup) return loadRest(contactIds);
    const answers: Array<{ id: string }[] | Error> = new Array(contactIds.length);
    let pending: string[] | undefined;
    for (let i = 0; i < contactIds.length; i++) {
      const contactId = contactIds[i]!;
      const hit = cache.lookup<{ id: string }[]>(keys.list(locationId, resource.kind, contactId));
      if (hit === undefined) (pending ??= []).push(contactId);
      else answers[i] = "value" in hit ? hit.value : asError(hit.error); // a cached NOT_FOUND, as `load` rejects
    }
    if (!pending) return answers;
    const loaded = await loadRest(pending);
    let next = 0;
    for (let i = 0; i < answers.length; i++) if (answers[i] === undefined) answers[i] = loaded[next++]!;
    return answers;
  }

  /**
   * The lists of a resource with a bulk route that `cachedFirst` did not find cached. Every key
   * goes through `cache.load` (so the reads are recorded, coalesced with other operations and
   * stored under the per-contact key); its fetch only enlists the contact. Whether a key needs
   * fetching is known only once its load has looked (with the shared tier in Redis, `fetch` runs
   * after an await), so the batch waits until every key either answered or enlisted, then reads
   * the enlisted lists in one bulk read.
   */
  async function bulkBatch(
    resource: PerContactResource,
    contactIds: readonly string[],
    single: (contactId: string) => Promise<{ id: string }[]>,
    bulkRoutes: BulkRouteMemory,
  ): Promise<Array<{ id: string }[] | Error>> {
    const enlisted = new Map<string, Deferred<{ id: string }[]>>();
    const decided: Promise<unknown>[] = [];
    const results = contactIds.map((contactId) => {
      const fetchAsked = deferred<void>();
      const result = cache.load(keys.list(locationId, resource.kind, contactId), () => {
        const list = deferred<{ id: string }[]>();
        enlisted.set(contactId, list);
        fetchAsked.resolve();
        return list.promise;
      });
      decided.push(Promise.race([fetchAsked.promise, result.then(() => undefined, () => undefined)]));
      return result;
    });
    await Promise.all(decided);
    if (enlisted.size > 0) {
      const wanted = [...enlisted.keys()];
      let lists: Map<string, { id: string }[]> | undefined;
      let failure: unknown;
      if (bulkRoutes.usable(locationId, resource)) {
        try {
          lists = await readInBulk({ client, calendars: services.calendars, locationId, resource, contactIds: wanted });
        } catch (error) {
          failure = error;
          if (!worthNoFallback(error)) bulkRoutes.failed(locationId, resource, error);
        }
      }
      for (const [contactId, list] of enlisted) {
        const found = lists?.get(contactId);
        if (found) list.resolve(found);
        else if (failure !== undefined && worthNoFallback(failure)) list.reject(failure);
        else list.resolve(single(contactId));
      }
    }
    return Promise.all(results.map((result) => result.catch(asError)));
  }

  /** The list already loading or loaded for this contact, in this operation or in the shared cache. */
  async function knownList(resource: PerContactResource, contactId: string): Promise<{ id: string }[] | undefined> {
    const cached = cache.peek<{ id: string }[]>(keys.list(locationId, resource.kind, contactId));
    if (cached) return cached;
    const entry = lists.get(resource);
    if (!entry?.listed.has(contactId)) return undefined;
    try {
      return await entry.loader.load(contactId);
    } catch {
      return undefined; // fall back to the single route
    }
  }

  function itemLoader(resource: PerContactResource): DataLoader<ChildRef, { id: string } | null, string> {
    let loader = items.get(resource);
    if (loader) return loader;
    const itemRoute = resource.item;
    if (!itemRoute) throw new TypeError(`loaders: ${resource.kind} has no by-id route upstream; read it through list()`);
    loader = new DataLoader<ChildRef, { id: string } | null, string>(
      each(async (ref) => {
        const found = (await knownList(resource, ref.contactId))?.find((x) => x.id === ref.id);
        if (found) return found;
        return nullIfNotFound(
          cache.load(keys.item(locationId, itemRoute.kind, ref.contactId, ref.id), () =>
            client.itemOf(resource, locationId, ref.contactId, ref.id),
          ),
        );
      }),
      { cacheKeyFn: childKey },
    );
    items.set(resource, loader);
    return loader;
  }

  const pages = new Map<string, Promise<unknown>>();
  const memo = <T>(id: string, load: () => Promise<T>): Promise<T> => {
    let p = pages.get(id) as Promise<T> | undefined;
    if (!p) pages.set(id, (p = load()));
    return p;
  };

  const contact = new DataLoader<string, UpstreamContact | null>(
    each((contactId) => nullIfNotFound(cache.load(keys.contact(locationId, contactId), () => client.getContact(locationId, contactId)))),
  );

  return {
    locationId,
    contact,
    list: <T extends { id: string }>(resource: PerContactResource<T>) =>
      listLoader(resource as unknown as PerContactResource).loader as unknown as DataLoader<string, T[]>,
    item: <T extends { id: string }>(resource: PerContactResource<T>) =>
      itemLoader(resource as unknown as PerContactResource) as unknown as DataLoader<ChildRef, T | null, string>,
    contactPage(request) {
      const key = keys.contactPage(locationId, request);
      const params: ListContactsParams = { limit: request.limit };
      if (request.startAfter !== undefined) params.startAfter = request.startAfter;
      if (request.startAfterId !== undefined) params.startAfterId = request.startAfterId;
      if (request.query !== undefined) params.query = request.query;
      return memo(key.id, () => cache.load(key, () => client.listContacts(locationId, params)));
    },
    businessPage(businessId, request) {
      const key = keys.businessPage(locationId, businessId, request);
      const params: ListBusinessContactsParams = { limit: request.limit, skip: request.skip };
      if (request.query !== undefined) params.query = request.query;
      return memo(`b:${key.id}`, () =>
        cache.load(key, () => client.listBusinessContacts(locationId, businessId, params)),
      );
    },
    searchPage(body) {
      // One fixed key order, so equal requests share one cache entry.
      const canonical: SearchContactsBody = { pageLimit: body.pageLimit };
      if (body.page !== undefined) canonical.page = body.page;
      if (body.searchAfter !== undefined) canonical.searchAfter = body.searchAfter;
      if (body.filters !== undefined) canonical.filters = body.filters;
      if (body.sort !== undefined) canonical.sort = body.sort;
      if (body.query !== undefined) canonical.query = body.query;
      const key = keys.searchPage(locationId, canonical);
      const ttlMs = Math.min(searchPageTtlMs, services.cache.ttlMs);
      return memo(`s:${key.id}`, () =>
        cache.load<SearchPage>(
          key,
          async () => ({ ...(await client.searchContacts(locationId, canonical)), expiresAtMs: now() + ttlMs }),
          { ttlMs },
        ),
      );
    },
    fieldDefinitions(options = {}) {
      const key = keys.fieldDefinitions(locationId);
      const load = () => cache.load(key, () => client.listCustomFieldDefinitions(locationId), { bypass: options.fresh === true });
      if (options.fresh) {
        // Read again now; what this operation reads afterwards is the fresh list.
        const fresh = load();
        pages.set("f", fresh);
        return fresh;
      }
      return memo("f", load);
    },
    locationTags() {
      return memo("t", () => cache.load(keys.locationTags(locationId), () => client.listLocationTags(locationId)));
    },
    duplicate(lookup) {
      const id = `d:${JSON.stringify([lookup.email ?? null, lookup.phone ?? null])}`;
      return memo(id, async () => {
        const found = await client.findDuplicateContact(locationId, lookup);
        if (found) contact.clear(found.id).prime(found.id, found);
        return found;
      });
    },
  };
}

/** Binds the shared services once; call the result per operation (or per subscription event). */
export function createLoaderFactory(services: LoaderServices): LoaderFactory {
  return (locationId, reads, deadline) => createLoaders(services, locationId, reads, deadline);
}
