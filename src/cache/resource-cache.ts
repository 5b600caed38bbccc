/**
 * The shared resource cache under the loaders: one `lru-cache` per gateway, bounded by entries
 * and TTL (CACHE_MAX_ENTRIES, CACHE_TTL_MS), keyed by location + resource kind + id.
 *
 * - `load(key, fetch)` answers from the cache or runs `fetch` once: identical loads in flight at
 *   the same time share one upstream call (single-flight), across requests and subscriptions.
 * - A load that is invalidated while in flight still answers its waiters but is not stored, so an
 *   eviction is never undone by a response that was already on its way.
 * - NOT_FOUND answers are cached briefly (`notFoundTtlMs`, default 10 s, at most `ttlMs`): a
 *   dashboard polling a deleted contact costs one call per 10 s, and a `set` of the resource
 *   (webhook write-through) replaces the tombstone immediately. Other errors are never cached.
 * - `ttlMs: 0` stores nothing (single-flight only).
 * - Every change goes through ONE method, `applyChange`, with an exhaustive switch over the change
 *   kinds (`CacheChange`): webhooks (src/events/event-cache.apply.ts), mutations (the write
 *   resolvers, through `changes` below) and other instances' invalidations
 *   (src/events/cache-invalidation.broadcast.ts) all call it; `set`, `delete`, `evictContact`,
 *   `invalidateLists`, `invalidateKind` and `clear` are shorthands for it. Listeners
 *   (`onInvalidate`: the broadcast, the webhook applier's ordering log, the dashboard's response
 *   cache) see every applied change once, with its origin.
 * - List pages live under a per-location generation: `invalidateLists` makes every cached page of
 *   that location unreachable in O(1) (they age out of the LRU); `invalidateKind` does the same for
 *   one kind of per-contact list (a list kind of the resource registry) of a location.
 * - The kinds come from the resource registry (src/upstream/resources.ts): what is evicted with a
 *   contact and which lists can be dropped location-wide is derived from it, never listed here.
 *
 * - A shared tier (`shared`, src/cache/resource-cache.redis.ts with REDIS_URL) sits under the
 *   local LRU: a local miss asks it before the upstream, and what the upstream answers is stored
 *   there too, so every instance (and a restarted one) serves what any instance loaded. Local
 *   changes (webhooks, mutations, fresh reads) are applied to it before the listeners hear of them
 *   (other instances get the broadcast and only update their own LRU). The shared tier is best
 *   effort: unreachable, it is a miss.
 *
 * A stored value is shared (by every request that reads it, and by listeners that remember facts
 * per value object: src/server/pipeline/response-cache.ts) and is never changed in place, neither
 * by a reader nor by whoever stored it: a change is a new value, stored with `set` (as
 * src/events/event-cache.apply.ts does: a new array for a list with one item more).
 * Knows no GraphQL.
 */
import { LRUCache } from "lru-cache";
import { isUpstreamError } from "../upstream/upstream.error.js";
import { DEFAULT_RESOURCE_REGISTRY, PAGE_KINDS, type ResourceRegistry } from "../upstream/resources.js";
import { serializeKey, keys, type ResourceKey } from "./resource-key.js";

/** A second cache level shared by every instance (resource-cache.redis.ts). Never throws. */
export interface SharedCacheTier {
  /** The stored value, or a miss carrying what `store` needs to refuse a value an invalidation overtook. */
  get(key: ResourceKey): Promise<{ hit: true; value: unknown; fetchedAt?: number; token?: unknown } | { hit: false; token: unknown }>;
  /** Stores a value loaded after the miss `token` came from (dropped when the key was invalidated since). */
  store(key: ResourceKey, value: unknown, token: unknown, meta?: SharedEntryMeta): void;
  /** Applies a local change (write-through for `set`, eviction for the others). */
  apply(change: CacheChange, meta?: SharedEntryMeta): void;
}

/**
 * What the shared tier keeps with a value: when it was fetched (epoch ms), a shorter lifetime for a
 * short-lived kind (`ttlMs`), a longer one for what webhooks keep current (`keptMs`).
 */
export interface SharedEntryMeta {
  fetchedAt: number;
  ttlMs?: number;
  keptMs?: number;
}

export interface ResourceCacheOptions {
  /** Lifetime of an entry, ms. 0 = store nothing (single-flight only). Default 300_000 (5 min). */
  ttlMs?: number;
  /** Max entries before the least recently used go. Default 100_000. */
  maxEntries?: number;
  /** Lifetime of a cached NOT_FOUND, ms (0 = never cache them). Default 10_000, capped at ttlMs. */
  notFoundTtlMs?: number;
  /** The shared second level (Redis), when several instances run. */
  shared?: SharedCacheTier;
  /** Injectable clock (ms) for tests; also stamps when each value was fetched (`fetchedAt`). Default `Date.now`. */
  nowMs?: () => number;
  /** The per-contact resources (kinds evicted with a contact, list kinds). Default: the gateway's. */
  registry?: ResourceRegistry;
  /**
   * Kept current by webhooks (stale-while-revalidate): an entry of a kind webhooks announce (the
   * registry's `coverageOf`) is kept up to `ttlMs` here (more than the cache's `ttlMs`) and,
   * while `flowing(locationId)`, served past the cache's `ttlMs`: fully covered kinds until
   * `revalidateAfterMs` old, partly covered ones (tasks) until the cache's `ttlMs` old, and past
   * that still served while `onStale` listeners revalidate it in the background. Past `ttlMs` (or
   * when the location's webhooks do not flow) it expires as any other entry.
   */
  webhookKept?: { ttlMs: number; revalidateAfterMs: number; flowing(locationId: string): boolean };
}

/** Who made a change: listeners re-broadcast local ones only, the webhook applier orders on them. */
export type ChangeOrigin = "webhook" | "mutation" | "remote" | "local";

export interface ChangeOptions {
  /** True when applying a change another instance announced (listeners should not re-broadcast). Same as `origin: "remote"`. */
  remote?: boolean;
  /** Default `"local"` (or `"remote"` with `remote: true`). */
  origin?: ChangeOrigin;
}

/** Every change the cache knows, closed: `applyChange` switches over it exhaustively. */
export type CacheChange =
  /** Writes a value through (webhook payloads, mutation results); supersedes a load in flight. */
  | { type: "set"; key: ResourceKey; value: unknown; ttlMs?: number }
  /** Drops one entry (and a load of it in flight). */
  | { type: "delete"; key: ResourceKey }
  /** Drops a contact and everything cached under it (every per-contact kind of the registry). */
  | { type: "contact"; locationId: string; contactId: string }
  /** Makes every list page of a location unreachable. */
  | { type: "lists"; locationId: string }
  /** Makes every per-contact list of one kind in a location unreachable. */
  | { type: "kind"; locationId: string; kind: PerContactListKind }
  /** Drops everything of one location (the app was uninstalled there). */
  | { type: "location"; locationId: string }
  /** Drops everything. */
  | { type: "clear" };

/** What listeners receive: the applied change, who made it, and whether it came from another instance. */
export type InvalidationEvent = CacheChange & { remote: boolean; origin: ChangeOrigin };

/** A per-contact list kind of the resource registry (`tasks`, `notes`, `appointments`…). */
export type PerContactListKind = string;

export type InvalidationListener = (event: InvalidationEvent) => void;

/** Receives a value fetched from the upstream and stored by `load` (read-only: it is the cached object). */
export type LoadListener = (key: ResourceKey, value: unknown) => void;

/** Receives the key of a stale entry just served (kept current by webhooks): revalidate it. */
export type StaleListener = (key: ResourceKey) => void;

export interface CacheStats {
  hits: number;
  misses: number;
  /** Loads that joined an identical load already in flight. */
  coalesced: number;
  /** Upstream fetches started by `load`. */
  fetches: number;
  /** Local misses answered by the shared tier (no upstream call). */
  sharedHits: number;
  size: number;
  inFlight: number;
}

/** `fetchedAt`: when the value was read from the upstream (or written through by a webhook or mutation), clock ms. */
type Entry =
  | { kind: "value"; value: unknown; fetchedAt: number; contactIndex?: string }
  | { kind: "notFound"; error: unknown; fetchedAt: number; contactIndex?: string };

interface InFlight {
  promise: Promise<unknown>;
  invalidated: boolean;
}

/** Same data (upstream objects are plain JSON). */
function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

const DEFAULTS = {
  ttlMs: 300_000, // 5 minutes
  maxEntries: 100_000,
  notFoundTtlMs: 10_000, // 10 seconds
};

export class ResourceCache {
  readonly ttlMs: number;
  readonly notFoundTtlMs: number;
  readonly registry: ResourceRegistry;
  readonly #lru: LRUCache<string, Entry>;
  readonly #inFlight = new Map<string, InFlight>();
  /** `location\0contactId` → storage keys of that contact's relations (for evictContact). */
  readonly #byContact = new Map<string, Set<string>>();
  readonly #listGeneration = new Map<string, number>();
  /** `location\0kind` → generation of that location's per-contact lists of one kind (`invalidateKind`). */
  readonly #kindGeneration = new Map<string, number>();
  readonly #listeners = new Set<InvalidationListener>();
  readonly #loadListeners = new Set<LoadListener>();
  readonly #staleListeners = new Set<StaleListener>();
  readonly #webhookKept: ResourceCacheOptions["webhookKept"];
  /** Stale entries already announced to the stale listeners (one revalidation per stored value). */
  readonly #staleAnnounced = new WeakSet<Entry>();
  #hits = 0;
  #misses = 0;
  #coalesced = 0;
  #fetches = 0;
  #sharedHits = 0;
  readonly #shared: SharedCacheTier | undefined;
  readonly #now: () => number;

  constructor(options: ResourceCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULTS.ttlMs;
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 0) {
      throw new TypeError(`ResourceCache: ttlMs must be an integer >= 0, received ${options.ttlMs}`);
    }
    const maxEntries = options.maxEntries ?? DEFAULTS.maxEntries;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`ResourceCache: maxEntries must be an integer >= 1, received ${options.maxEntries}`);
    }
    this.notFoundTtlMs = Math.min(options.notFoundTtlMs ?? DEFAULTS.notFoundTtlMs, this.ttlMs);
    this.registry = options.registry ?? DEFAULT_RESOURCE_REGISTRY;
    this.#shared = this.ttlMs > 0 ? options.shared : undefined;
    const kept = options.webhookKept;
    this.#webhookKept = kept && this.ttlMs > 0 && kept.ttlMs > this.ttlMs ? kept : undefined;
    const nowMs = options.nowMs;
    this.#now = nowMs ?? Date.now;
    this.#lru = new LRUCache<string, Entry>({
      // Bounded by a size of 1 per entry rather than `max`: with `max` lru-cache preallocates its
      // index arrays for every possible entry (100,000 by default: ~2.5 MB resident from start-up,
      // cached or not); this way they grow with what is cached. The same LRU eviction.
      maxSize: maxEntries,
      sizeCalculation: () => 1,
      ttl: Math.max(this.ttlMs, 1),
      // An injected clock is read on every access (lru-cache otherwise caches "now" for 1 ms).
      ...(nowMs ? { perf: { now: nowMs }, ttlResolution: 0 } : {}),
      dispose: (entry, storageKey, reason) => {
        if (reason !== "set" && entry.contactIndex) this.#byContact.get(entry.contactIndex)?.delete(storageKey);
      },
    });
  }

  /**
   * The value for `key`: cached, joined to an identical in-flight load, or fetched now.
   * `bypass` skips the cached value and any in-flight load (a fresh read) and stores the result;
   * when that differs from what was cached (or nothing was), it is announced as a `set` change
   * (origin `local`), so what was derived from the old value (stored responses, other instances'
   * copies) is dropped too. With a shared tier, a local miss asks it first, so `fetch` may run
   * after an await (callers must not rely on it running synchronously). `ttlMs` shortens the
   * lifetime of what this load stores (at most the cache's own; e.g. search pages, which the
   * upstream indexes with a delay no event announces). The value answered is the stored one:
   * read-only (see the header).
   */
  load<T>(key: ResourceKey, fetch: () => Promise<T>, options: { bypass?: boolean; ttlMs?: number } = {}): Promise<T> {
    const ttlMs = options.ttlMs === undefined ? this.ttlMs : Math.min(this.ttlMs, options.ttlMs);
    const storageKey = this.#storageKey(key);
    if (!options.bypass) {
      const entry = this.#localHit(key, storageKey);
      if (entry) return entry.kind === "value" ? Promise.resolve(entry.value as T) : Promise.reject(entry.error);
      const running = this.#inFlight.get(storageKey);
      if (running) {
        this.#coalesced += 1;
        return running.promise as Promise<T>;
      }
    } else {
      this.#abandonInFlight(storageKey);
    }
    const before = options.bypass ? this.#lru.peek(storageKey) : undefined;
    const shared = options.bypass ? undefined : this.#shared;
    this.#misses += 1;
    const record: InFlight = { promise: Promise.resolve(), invalidated: false };
    record.promise = (async () => {
      try {
        let token: unknown;
        if (shared) {
          const found = await shared.get(key);
          const entry: Entry | undefined = found.hit ? { kind: "value", value: found.value, fetchedAt: found.fetchedAt ?? this.#now() } : undefined;
          const verdict = entry && this.#verdict(key, entry);
          if (found.hit && entry && verdict !== "expired") {
            this.#sharedHits += 1;
            if (!record.invalidated) this.#store(key, storageKey, entry, ttlMs);
            if (verdict === "stale") this.#announceStale(key, entry);
            return found.value as T;
          }
          // An expired shared entry counts as a miss; its generations still guard the store below.
          token = found.token;
        }
        this.#fetches += 1;
        const value = await fetch();
        if (record.invalidated) return value;
        if (options.bypass && !(before?.kind === "value" && sameJson(before.value, value))) {
          this.applyChange(ttlMs === this.ttlMs ? { type: "set", key, value } : { type: "set", key, value, ttlMs }, { origin: "local" });
        } else {
          const fetchedAt = this.#now();
          this.#store(key, storageKey, { kind: "value", value, fetchedAt }, ttlMs);
          if (ttlMs > 0) shared?.store(key, value, token, ttlMs === this.ttlMs ? { fetchedAt, ...this.#sharedKept(key) } : { fetchedAt, ttlMs });
          this.#announceLoad(key, value);
        }
        return value;
      } catch (error) {
        if (!record.invalidated && isUpstreamError(error) && error.code === "NOT_FOUND") {
          this.#store(key, storageKey, { kind: "notFound", error, fetchedAt: this.#now() }, this.notFoundTtlMs);
        }
        throw error;
      } finally {
        if (this.#inFlight.get(storageKey) === record) this.#inFlight.delete(storageKey);
      }
    })();
    this.#inFlight.set(storageKey, record);
    return record.promise as Promise<T>;
  }

  /**
   * What `load(key, …)` would answer from this instance's LRU, synchronously and with the same
   * bookkeeping (a hit counted, a stale entry announced for revalidation): the value and when it
   * was fetched, or the cached NOT_FOUND `load` would reject with; undefined when `load` would have
   * to wait (in flight, the shared tier, the upstream). Lets a caller that reads many keys skip a
   * promise per key when they are all cached (src/loaders/contact.loaders.ts).
   */
  lookup<T>(key: ResourceKey): { value: T; fetchedAt: number } | { error: unknown } | undefined {
    const entry = this.#localHit(key, this.#storageKey(key));
    if (!entry) return undefined;
    return entry.kind === "value" ? { value: entry.value as T, fetchedAt: entry.fetchedAt } : { error: entry.error };
  }

  /** The cached value without loading (undefined when absent, expired or a cached NOT_FOUND); read-only (see the header). */
  peek<T>(key: ResourceKey): T | undefined {
    const entry = this.#lru.get(this.#storageKey(key));
    if (!entry || this.#verdict(key, entry) === "expired") return undefined;
    return entry.kind === "value" ? (entry.value as T) : undefined;
  }

  /** Subscribes to stale entries served (see `webhookKept`); returns the unsubscribe function. */
  onStale(listener: StaleListener): () => void {
    this.#staleListeners.add(listener);
    return () => this.#staleListeners.delete(listener);
  }

  /**
   * Starts a background revalidation of `key`: an opaque token of the entry now, or undefined
   * when nothing is cached to revalidate. Pass it to `endRevalidation` with what the upstream said.
   */
  beginRevalidation(key: ResourceKey): unknown {
    const entry = this.#lru.peek(this.#storageKey(key));
    return entry?.kind === "value" ? entry : undefined;
  }

  /**
   * Ends a revalidation begun with `token`: dropped when the entry changed meanwhile (a webhook or
   * a write is newer than the fetch); the same value → the entry is fetched now (younger);
   * another value → the load listeners see it, then it is a `set` (origin `local`) on the one
   * change path; gone upstream → a `delete`.
   */
  endRevalidation(key: ResourceKey, token: unknown, outcome: { value: unknown } | { gone: true }): "unchanged" | "changed" | "dropped" {
    const storageKey = this.#storageKey(key);
    const entry = this.#lru.peek(storageKey);
    if (entry === undefined || entry !== token || entry.kind !== "value") return "dropped";
    if ("gone" in outcome) {
      this.applyChange({ type: "delete", key }, { origin: "local" });
      return "changed";
    }
    if (sameJson(entry.value, outcome.value)) {
      const fetchedAt = this.#now();
      this.#store(key, storageKey, { kind: "value", value: entry.value, fetchedAt }, this.ttlMs);
      this.#shared?.apply({ type: "set", key, value: entry.value }, { fetchedAt, ...this.#sharedKept(key) });
      this.#announceLoad(key, entry.value);
      return "unchanged";
    }
    this.#announceLoad(key, outcome.value);
    this.applyChange({ type: "set", key, value: outcome.value }, { origin: "local" });
    return "changed";
  }

  /**
   * When the cached value of `key` was fetched from the upstream (or written through by a webhook or
   * a mutation), on this cache's clock; undefined when nothing is cached. Does not count as a use.
   */
  fetchedAt(key: ResourceKey): number | undefined {
    return this.#lru.peek(this.#storageKey(key))?.fetchedAt;
  }

  /** This cache's clock (ms): ages are `now() - fetchedAt(key)`. */
  now(): number {
    return this.#now();
  }

  /**
   * Applies one change, the only way anything in the cache changes besides loads, and tells the
   * listeners. Throws a TypeError for a per-contact list kind the registry does not know.
   */
  applyChange(change: CacheChange, options: ChangeOptions = {}): void {
    switch (change.type) {
      case "set": {
        const storageKey = this.#storageKey(change.key);
        this.#abandonInFlight(storageKey);
        this.#store(change.key, storageKey, { kind: "value", value: change.value, fetchedAt: this.#now() }, change.ttlMs ?? this.ttlMs);
        break;
      }
      case "delete": {
        const storageKey = this.#storageKey(change.key);
        this.#abandonInFlight(storageKey);
        this.#lru.delete(storageKey);
        break;
      }
      case "contact":
        this.#evictContact(change.locationId, change.contactId);
        break;
      case "lists":
        this.#listGeneration.set(change.locationId, (this.#listGeneration.get(change.locationId) ?? 0) + 1);
        break;
      case "kind": {
        // Loads in flight store under the old generation, so nothing they bring back is served.
        if (!this.registry.isListKind(change.kind)) {
          throw new TypeError(`ResourceCache: expected a per-contact list kind (${this.registry.listKinds.join(", ")}), received ${JSON.stringify(change.kind)}`);
        }
        const generationKey = `${change.locationId}\u0000${change.kind}`;
        this.#kindGeneration.set(generationKey, (this.#kindGeneration.get(generationKey) ?? 0) + 1);
        break;
      }
      case "location": {
        const prefix = `${change.locationId}\u0000`;
        for (const storageKey of [...this.#inFlight.keys()]) if (storageKey.startsWith(prefix)) this.#abandonInFlight(storageKey);
        for (const storageKey of [...this.#lru.keys()]) if (storageKey.startsWith(prefix)) this.#lru.delete(storageKey);
        for (const index of [...this.#byContact.keys()]) if (index.startsWith(prefix)) this.#byContact.delete(index);
        this.#listGeneration.set(change.locationId, (this.#listGeneration.get(change.locationId) ?? 0) + 1);
        break;
      }
      case "clear":
        for (const record of this.#inFlight.values()) record.invalidated = true;
        this.#inFlight.clear();
        this.#lru.clear();
        this.#byContact.clear();
        break;
      default:
        return assertNever(change);
    }
    const origin = options.origin ?? (options.remote ? "remote" : "local");
    // The origin instance updates the shared tier (before the listeners broadcast the change, on
    // the same Redis connection, so another instance never re-reads the old value after the broadcast).
    if (origin !== "remote") {
      this.#shared?.apply(change, { fetchedAt: this.#now(), ...(change.type === "set" && change.ttlMs === undefined ? this.#sharedKept(change.key) : {}) });
    }
    this.#emit({ ...change, remote: origin === "remote", origin });
  }

  /** Several changes in order (one mutation's or one event's effect). */
  applyChanges(changes: readonly CacheChange[], options: ChangeOptions = {}): void {
    for (const change of changes) this.applyChange(change, options);
  }

  /**
   * Shorthand for `applyChange({ type: "set" })`. `value` is stored as it is, shared from now on:
   * not to be changed after (a later change is another `set` with a new value; see the header).
   */
  set<T>(key: ResourceKey, value: T, options: ChangeOptions & { ttlMs?: number } = {}): void {
    this.applyChange(options.ttlMs === undefined ? { type: "set", key, value } : { type: "set", key, value, ttlMs: options.ttlMs }, options);
  }

  /** Shorthand for `applyChange({ type: "delete" })`. */
  delete(key: ResourceKey, options: ChangeOptions = {}): void {
    this.applyChange({ type: "delete", key }, options);
  }

  /** Evicts a contact and everything cached under it (each per-contact list and item of the registry). */
  evictContact(locationId: string, contactId: string, options: ChangeOptions = {}): void {
    this.applyChange({ type: "contact", locationId, contactId }, options);
  }

  /** Makes every cached list page (contacts, business contacts) of a location unreachable. */
  invalidateLists(locationId: string, options: ChangeOptions = {}): void {
    this.applyChange({ type: "lists", locationId }, options);
  }

  /**
   * Makes every cached per-contact list of one kind in a location unreachable (e.g. all task lists
   * after a TaskCreate webhook that names no contact).
   */
  invalidateKind(locationId: string, kind: PerContactListKind, options: ChangeOptions = {}): void {
    this.applyChange({ type: "kind", locationId, kind }, options);
  }

  clear(options: ChangeOptions = {}): void {
    this.applyChange({ type: "clear" }, options);
  }

  /**
   * Subscribes to values fetched from the upstream and stored (a cold load or a revalidation after
   * expiry; not a change, so not an invalidation). Returns the unsubscribe function.
   */
  onLoad(listener: LoadListener): () => void {
    this.#loadListeners.add(listener);
    return () => this.#loadListeners.delete(listener);
  }

  /** Subscribes to invalidations; returns the unsubscribe function. */
  onInvalidate(listener: InvalidationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stats(): CacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      coalesced: this.#coalesced,
      fetches: this.#fetches,
      sharedHits: this.#sharedHits,
      size: this.#lru.size,
      inFlight: this.#inFlight.size,
    };
  }

  #evictContact(locationId: string, contactId: string): void {
    const contactIndex = `${locationId}\u0000${contactId}`;
    const storageKeys = new Set(this.#byContact.get(contactIndex) ?? []);
    storageKeys.add(this.#storageKey(keys.contact(locationId, contactId)));
    for (const kind of this.registry.listKinds) storageKeys.add(this.#storageKey(keys.list(locationId, kind, contactId)));
    for (const storageKey of storageKeys) {
      this.#abandonInFlight(storageKey);
      this.#lru.delete(storageKey);
    }
    // In-flight loads of single items are not in the index yet: abandon them by prefix.
    for (const resource of this.registry.perContact) {
      if (!resource.item) continue;
      const prefix = `${locationId}\u0000${resource.item.kind}\u0000${contactId}/`;
      for (const storageKey of this.#inFlight.keys()) if (storageKey.startsWith(prefix)) this.#abandonInFlight(storageKey);
    }
    this.#byContact.delete(contactIndex);
  }

  #storageKey(key: ResourceKey): string {
    const base = serializeKey(key);
    if (PAGE_KINDS.includes(key.kind)) return `${base}\u0000g${this.#listGeneration.get(key.locationId) ?? 0}`;
    if (this.#kindGeneration.size > 0 && this.registry.isListKind(key.kind)) {
      const generation = this.#kindGeneration.get(`${key.locationId}\u0000${key.kind}`);
      if (generation !== undefined) return `${base}\u0000k${generation}`;
    }
    return base;
  }

  /** The entry `load` answers from without waiting (a hit, counted; a stale one announced), if any. */
  #localHit(key: ResourceKey, storageKey: string): Entry | undefined {
    const entry = this.#lru.get(storageKey);
    if (!entry) return undefined;
    const verdict = this.#verdict(key, entry);
    if (verdict === "expired") return undefined;
    this.#hits += 1;
    if (verdict === "stale") this.#announceStale(key, entry);
    return entry;
  }

  /** Kept current by webhooks? `fresh`, `stale` (serve and revalidate) or `expired` (a miss). */
  #verdict(key: ResourceKey, entry: Entry): "fresh" | "stale" | "expired" {
    const kept = this.#webhookKept;
    if (!kept || entry.kind !== "value") return "fresh"; // the LRU's own TTL applies
    const ageMs = this.#now() - entry.fetchedAt;
    if (ageMs < this.ttlMs) return "fresh";
    const coverage = this.registry.coverageOf(key.kind);
    if (coverage === "none" || ageMs >= kept.ttlMs || !kept.flowing(key.locationId)) return "expired";
    return ageMs >= (coverage === "full" ? kept.revalidateAfterMs : this.ttlMs) ? "stale" : "fresh";
  }

  #announceStale(key: ResourceKey, entry: Entry): void {
    if (this.#staleAnnounced.has(entry)) return; // one revalidation per stored value
    this.#staleAnnounced.add(entry);
    for (const listener of this.#staleListeners) {
      try {
        listener(key);
      } catch {
        // as #emit
      }
    }
  }

  /** The lifetime an entry of `key`'s kind gets: longer for what webhooks keep current. */
  #lifetime(key: ResourceKey, ttlMs: number): number {
    const kept = this.#webhookKept;
    if (!kept || ttlMs !== this.ttlMs || this.registry.coverageOf(key.kind) === "none") return ttlMs;
    return kept.ttlMs;
  }

  /** What the shared tier keeps an entry of `key`'s kind for at least (kept current by webhooks). */
  #sharedKept(key: ResourceKey): { keptMs?: number } {
    const lifetime = this.#lifetime(key, this.ttlMs);
    return lifetime !== this.ttlMs ? { keptMs: lifetime } : {};
  }

  #store(key: ResourceKey, storageKey: string, entry: Entry, requestedTtlMs: number): void {
    const ttlMs = this.#lifetime(key, requestedTtlMs);
    if (ttlMs <= 0) return;
    if (key.contactId !== undefined && this.registry.contactScopedKinds.includes(key.kind)) {
      const contactIndex = `${key.locationId}\u0000${key.contactId}`;
      entry.contactIndex = contactIndex;
      let set = this.#byContact.get(contactIndex);
      if (!set) this.#byContact.set(contactIndex, (set = new Set()));
      set.add(storageKey);
    }
    this.#lru.set(storageKey, entry, { ttl: ttlMs });
  }

  #abandonInFlight(storageKey: string): void {
    const record = this.#inFlight.get(storageKey);
    if (record) {
      record.invalidated = true;
      this.#inFlight.delete(storageKey);
    }
  }

  #announceLoad(key: ResourceKey, value: unknown): void {
    for (const listener of this.#loadListeners) {
      try {
        listener(key, value);
      } catch {
        // as #emit
      }
    }
  }

  #emit(event: InvalidationEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not break cache maintenance; listeners log their own errors.
      }
    }
  }
}

function assertNever(change: never): never {
  throw new TypeError(`ResourceCache: unknown change ${JSON.stringify(change)}`);
}

export function createResourceCache(options: ResourceCacheOptions = {}): ResourceCache {
  return new ResourceCache(options);
}
