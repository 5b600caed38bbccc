/**
 * The response cache behind the operation pipeline's cache stage: keyed by the caller's location
 * and scopes and invalidated exactly by the entities a webhook or a mutation touches. Only
 * successful `query` operations whose root fields are all in `rootFields` (default: `dashboard`)
 * are stored; everything else never touches it. Widening `rootFields` (or passing `"*"`) serves
 * other read operations the same way: nothing else here is specific to the dashboard.
 *
 * - Key: the caller's location + scopes + the operation (text, variables, operation name).
 * - Invalidation: every change the shared resource cache announces (webhook applies, mutation
 *   write-throughs, invalidations broadcast by other instances) evicts the responses that showed
 *   the contact it names; a change without a contact (list pages, clear) evicts the location's.
 *   A response computed while a change to its location arrived is not stored (generation check),
 *   so an eviction is never undone by an answer that was already on its way.
 * - Bounded by entries and by `ttlMs` (a backstop for missed webhooks and for "overdue", which
 *   moves with the clock).
 * Knows no transport: operation.pipeline.ts serves hits (after authentication and authorization)
 * and stores misses, for HTTP and graphql-ws alike.
 */
import type { ExecutionResult } from "graphql";
import { LRUCache } from "lru-cache";
import type { InvalidationEvent } from "../../cache/resource-cache.js";

export interface ResponseCacheOptions {
  /** Lifetime of a stored response, ms. 0 disables the cache. Default 60_000. */
  ttlMs?: number;
  /** Max stored responses. Default 1_000. */
  maxEntries?: number;
  /** Root query fields whose operations may be stored, or `"*"` for every query. Default `["dashboard"]`. */
  rootFields?: readonly string[] | "*";
}

export interface CachedOperation {
  query: string;
  variables?: unknown;
  operationName?: unknown;
}

interface Entry {
  /** The successful result, frozen: every hit answers with this same object. */
  result: Readonly<ExecutionResult>;
  locationId: string;
  /** Contact ids the response showed; undefined = depends on the whole location. */
  contactIds: ReadonlySet<string> | undefined;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stores: number;
  evictions: number;
  size: number;
}

export interface ResponseCache {
  readonly enabled: boolean;
  /** May an operation with these root fields be stored? */
  covers(rootFields: readonly string[]): boolean;
  /** The operation part of a key (same for the raw HTTP body and Apollo's parsed request). */
  operationKey(op: CachedOperation): string;
  /** Cheap pre-check before authenticating: is anything stored for this operation? */
  mayHave(operationKey: string): boolean;
  get(operationKey: string, locationId: string, scopes: readonly string[]): Readonly<ExecutionResult> | undefined;
  /** The location's change generation now (take it before executing). */
  generation(locationId: string): number;
  /** Stores a successful result unless the location changed since `generation`. */
  store(
    operationKey: string,
    viewer: { locationId: string; scopes: readonly string[] },
    generation: number,
    result: ExecutionResult,
    contactIds: ReadonlySet<string> | undefined,
  ): boolean;
  /** Applies one resource-cache change. */
  onChange(event: InvalidationEvent): void;
  stats(): ResponseCacheStats;
}

const DEFAULTS = { ttlMs: 60_000, maxEntries: 1_000, rootFields: ["dashboard"] } as const;

const scopeKey = (scopes: readonly string[]) => [...scopes].sort().join(" ");

export function createResponseCache(options: ResponseCacheOptions = {}): ResponseCache {
  const ttlMs = options.ttlMs ?? DEFAULTS.ttlMs;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new TypeError(`ResponseCache: ttlMs must be >= 0, received ${ttlMs}`);
  const maxEntries = options.maxEntries ?? DEFAULTS.maxEntries;
  const enabled = ttlMs > 0;
  const rootFields = options.rootFields === "*" ? "*" : new Set(options.rootFields ?? DEFAULTS.rootFields);
  let evictions = 0;
  let hits = 0;
  let misses = 0;
  let stores = 0;
  // operationKey -> how many stored entries use it (for the pre-check).
  const perOperation = new Map<string, number>();
  const generations = new Map<string, number>();
  let globalGeneration = 0; // bumped by `clear`: part of every location's generation
  const generationOf = (locationId: string) => (generations.get(locationId) ?? 0) + globalGeneration;
  const lru = new LRUCache<string, Entry & { operationKey: string }>({
    max: Math.max(1, maxEntries),
    ttl: Math.max(1, ttlMs),
    dispose: (entry) => {
      const n = (perOperation.get(entry.operationKey) ?? 1) - 1;
      if (n <= 0) perOperation.delete(entry.operationKey);
      else perOperation.set(entry.operationKey, n);
    },
  });
  const fullKey = (operationKey: string, locationId: string, scopes: readonly string[]) =>
    `${locationId}\u0000${scopeKey(scopes)}\u0000${operationKey}`;

  const bump = (locationId: string) => generations.set(locationId, (generations.get(locationId) ?? 0) + 1);
  const evict = (predicate: (entry: Entry) => boolean) => {
    for (const [key, entry] of lru.entries()) {
      if (predicate(entry)) {
        lru.delete(key);
        evictions++;
      }
    }
  };

  return {
    enabled,
    covers: (fields) => enabled && fields.length > 0 && (rootFields === "*" || fields.every((f) => rootFields.has(f))),
    operationKey: (op) => JSON.stringify([op.query, op.variables ?? null, op.operationName ?? null]),
    mayHave: (operationKey) => enabled && perOperation.has(operationKey),
    get(operationKey, locationId, scopes) {
      const entry = enabled ? lru.get(fullKey(operationKey, locationId, scopes)) : undefined;
      if (entry) hits++;
      else misses++;
      return entry?.result;
    },
    generation: generationOf,
    store(operationKey, viewer, generation, result, contactIds) {
      if (!enabled || generationOf(viewer.locationId) !== generation) return false;
      const key = fullKey(operationKey, viewer.locationId, viewer.scopes);
      if (!lru.has(key)) perOperation.set(operationKey, (perOperation.get(operationKey) ?? 0) + 1);
      lru.set(key, { result: Object.freeze({ ...result }), locationId: viewer.locationId, contactIds, operationKey });
      stores++;
      return true;
    },
    onChange(event) {
      if (event.type === "clear") {
        globalGeneration++;
        evictions += lru.size;
        lru.clear();
        return;
      }
      const locationId = event.type === "lists" || event.type === "contact" || event.type === "kind" ? event.locationId : event.key.locationId;
      bump(locationId);
      const contactId =
        event.type === "contact"
          ? event.contactId
          : event.type === "lists" || event.type === "kind"
            ? undefined
            : (event.key.contactId ?? (event.key.kind === "contact" ? event.key.id : undefined));
      if (contactId === undefined) evict((e) => e.locationId === locationId);
      else evict((e) => e.locationId === locationId && (e.contactIds === undefined || e.contactIds.has(contactId)));
    },
    stats: () => ({ hits, misses, stores, evictions, size: lru.size }),
  };
}
