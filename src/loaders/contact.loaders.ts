/**
 * Per-operation loaders (one set per GraphQL operation or per subscription event, never shared
 * between requests): DataLoader for in-request de-duplication, over the shared `ResourceCache`
 * (cross-request cache and single-flight), over the per-location concurrency limiter, over the
 * upstream client. Within one operation each upstream resource is fetched at most once, however
 * many paths ask for it.
 *
 * There is no batch endpoint upstream (FACTS.md): a batch of N keys is N calls, made in parallel
 * under the limiter. By-id lookups answer `null` for NOT_FOUND (the contract's `contact(id)`);
 * list lookups propagate it. A task or note by id is taken from the contact's list when that list
 * is cached or being loaded in the same operation; only otherwise is the single route called.
 */
import DataLoader from "dataloader";
import type { ResourceCache } from "../cache/resource-cache.js";
import { keys } from "../cache/resource-key.js";
import type {
  BusinessContactsPage,
  ContactListPage,
  ListBusinessContactsParams,
  ListContactsParams,
  UpstreamAppointment,
  UpstreamContact,
  UpstreamNote,
  UpstreamTask,
} from "../upstream/contacts.types.js";
import { isUpstreamError } from "../upstream/upstream.error.js";
import type { LocationLimiter } from "./location-limiter.js";
import type { ContactsReadClient } from "./read-client.types.js";

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
  readonly tasks: DataLoader<string, UpstreamTask[]>;
  readonly task: DataLoader<ChildRef, UpstreamTask | null, string>;
  readonly notes: DataLoader<string, UpstreamNote[]>;
  readonly note: DataLoader<ChildRef, UpstreamNote | null, string>;
  readonly appointments: DataLoader<string, UpstreamAppointment[]>;
  contactPage(request: ContactListRequest): Promise<ContactListPage>;
  businessPage(businessId: string, request: BusinessListRequest): Promise<BusinessContactsPage>;
}

export interface LoaderServices {
  client: ContactsReadClient;
  cache: ResourceCache;
  limiter: LocationLimiter;
}

export type LoaderFactory = (locationId: string) => Loaders;

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

export function createLoaders(services: LoaderServices, locationId: string): Loaders {
  const { client, cache, limiter } = services;
  const call = <T>(fn: () => Promise<T>) => limiter.run(locationId, fn);

  const tasks = new DataLoader<string, UpstreamTask[]>(
    each((contactId) => cache.load(keys.tasks(locationId, contactId), () => call(() => client.listTasks(locationId, contactId)))),
  );
  const notes = new DataLoader<string, UpstreamNote[]>(
    each((contactId) => cache.load(keys.notes(locationId, contactId), () => call(() => client.listNotes(locationId, contactId)))),
  );

  /** The list already loading or loaded for this contact, in this operation or in the shared cache. */
  async function knownList<T extends { id: string }>(
    loader: DataLoader<string, T[]>,
    listed: Set<string>,
    cached: T[] | undefined,
    contactId: string,
  ): Promise<T[] | undefined> {
    if (cached) return cached;
    if (!listed.has(contactId)) return undefined;
    try {
      return await loader.load(contactId);
    } catch {
      return undefined; // fall back to the single route
    }
  }

  // Which contacts' lists this operation asked for: a by-id child then waits for that list.
  const tasksListed = new Set<string>();
  const notesListed = new Set<string>();
  const trackTasks = tasks.load.bind(tasks);
  const trackNotes = notes.load.bind(notes);
  tasks.load = (contactId: string) => {
    tasksListed.add(contactId);
    return trackTasks(contactId);
  };
  notes.load = (contactId: string) => {
    notesListed.add(contactId);
    return trackNotes(contactId);
  };

  const task = new DataLoader<ChildRef, UpstreamTask | null, string>(
    each(async (ref) => {
      const list = await knownList(tasks, tasksListed, cache.peek<UpstreamTask[]>(keys.tasks(locationId, ref.contactId)), ref.contactId);
      const found = list?.find((t) => t.id === ref.id);
      if (found) return found;
      return nullIfNotFound(
        cache.load(keys.task(locationId, ref.contactId, ref.id), () =>
          call(() => client.getTask(locationId, ref.contactId, ref.id)),
        ),
      );
    }),
    { cacheKeyFn: childKey },
  );
  const note = new DataLoader<ChildRef, UpstreamNote | null, string>(
    each(async (ref) => {
      const list = await knownList(notes, notesListed, cache.peek<UpstreamNote[]>(keys.notes(locationId, ref.contactId)), ref.contactId);
      const found = list?.find((n) => n.id === ref.id);
      if (found) return found;
      return nullIfNotFound(
        cache.load(keys.note(locationId, ref.contactId, ref.id), () =>
          call(() => client.getNote(locationId, ref.contactId, ref.id)),
        ),
      );
    }),
    { cacheKeyFn: childKey },
  );

  const pages = new Map<string, Promise<unknown>>();
  const memo = <T>(id: string, load: () => Promise<T>): Promise<T> => {
    let p = pages.get(id) as Promise<T> | undefined;
    if (!p) pages.set(id, (p = load()));
    return p;
  };

  return {
    locationId,
    contact: new DataLoader<string, UpstreamContact | null>(
      each((contactId) =>
        nullIfNotFound(
          cache.load(keys.contact(locationId, contactId), () => call(() => client.getContact(locationId, contactId))),
        ),
      ),
    ),
    tasks,
    task,
    notes,
    note,
    appointments: new DataLoader<string, UpstreamAppointment[]>(
      each((contactId) =>
        cache.load(keys.appointments(locationId, contactId), () => call(() => client.listAppointments(locationId, contactId))),
      ),
    ),
    contactPage(request) {
      const key = keys.contactPage(locationId, request);
      const params: ListContactsParams = { limit: request.limit };
      if (request.startAfter !== undefined) params.startAfter = request.startAfter;
      if (request.startAfterId !== undefined) params.startAfterId = request.startAfterId;
      if (request.query !== undefined) params.query = request.query;
      return memo(key.id, () => cache.load(key, () => call(() => client.listContacts(locationId, params))));
    },
    businessPage(businessId, request) {
      const key = keys.businessPage(locationId, businessId, request);
      const params: ListBusinessContactsParams = { limit: request.limit, skip: request.skip };
      if (request.query !== undefined) params.query = request.query;
      return memo(`b:${key.id}`, () =>
        cache.load(key, () => call(() => client.listBusinessContacts(locationId, businessId, params))),
      );
    },
  };
}

/** Binds the shared services once; call the result per operation (or per subscription event). */
export function createLoaderFactory(services: LoaderServices): LoaderFactory {
  return (locationId) => createLoaders(services, locationId);
}
