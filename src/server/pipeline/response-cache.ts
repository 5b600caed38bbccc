/**
 * The response cache behind the operation pipeline's cache stage: every successful read operation
 * (any query, any root field but the caller's own `viewer` and introspection), keyed by the
 * caller's location and scopes and the operation (text, variables, operation name), and evicted
 * exactly by what it showed.
 *
 * - Tags: each stored answer carries the resource-cache keys its loaders read (cache/read-log.ts):
 *   contacts, per-contact lists and items, list and search pages, definitions. Every change the
 *   shared resource cache announces (webhook applies, mutation write-throughs, invalidations
 *   broadcast by other instances) evicts the answers tagged with what it changed: a key → the
 *   answers that read it; a contact → those that read anything of that contact; "lists" → those
 *   that read a list page of the location; a kind → those that read a list of that kind; "clear"
 *   → all. An answer that read nothing of the cache depends on its location as a whole.
 *   A response computed while a change to its location arrived is not stored (generation check),
 *   so an eviction is never undone by an answer that was already on its way.
 * - Clock: an answer that read a task or an appointment is stored only until the first time at
 *   which one of them changes by the clock alone (the registry's `changesAt`: a task falls
 *   overdue, an appointment starts), so "overdue" and "next" are never served stale.
 * - Never stores an answer with errors; never serves an answer to another location or to other
 *   scopes. Bounded by entries and by `ttlMs` (a backstop for missed webhooks).
 * - Stores the answer as its HTTP body, bytes (`answerBody`): what an HTTP hit sends as it is. A
 *   result kept as objects (graphql-js' null-prototype objects, Dates) held ~100 KB of heap per
 *   50-contact page, which every major GC marked again; a transport that needs the object
 *   (graphql-ws) parses the bytes per hit.
 * Knows no transport: operation.pipeline.ts serves hits (after authentication and authorization)
 * and stores misses, for HTTP and graphql-ws alike.
 */
import type { ExecutionResult } from "graphql";
import { LRUCache } from "lru-cache";
import type { InvalidationEvent } from "../../cache/resource-cache.js";
import { serializeKey, type ResourceKey } from "../../cache/resource-key.js";
import { PAGE_KINDS, type ResourceRegistry } from "../../upstream/resources.js";

export interface ResponseCacheOptions {
  /** Lifetime of a stored response, ms. 0 disables the cache. Default 60_000. */
  ttlMs?: number;
  /** Max stored responses. Default 1_000. */
  maxEntries?: number;
  /** Root query fields whose operations may be stored, or `"*"` for every query. Default `"*"`. */
  rootFields?: readonly string[] | "*";
  /**
   * Root fields never stored: answers about the caller rather than the location (`viewer`,
   * introspection), and `duplicateContact`, which asks the upstream every time (a stored "none"
   * would let a caller create the duplicate). Default those.
   */
  neverStored?: readonly string[];
  /** The per-contact resources (their list kinds and `changesAt`). */
  registry: Pick<ResourceRegistry, "resourceOf" | "isListKind">;
  /** The clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export interface CachedOperation {
  query: string;
  variables?: unknown;
  operationName?: unknown;
}

interface Entry {
  /** The successful result's HTTP body (`answerBody`): every hit sends these same bytes. */
  body: Buffer;
  operationKey: string;
  tags: readonly string[];
  /** Epoch ms after which the answer would differ by the clock alone (Infinity: never). */
  changesAt: number;
  /** What the answer's per-answer extensions keep for later hits (response-extensions.build.ts). */
  kept?: unknown;
}

/** A stored answer: its HTTP body, the result it holds, and what its extensions kept. */
export interface StoredAnswer {
  readonly kept: unknown;
  /** `answerBody(result)`: the same bytes at every hit. */
  body(): Buffer;
  /** The result, parsed from the body (a new object per call). */
  result(): ExecutionResult;
}

/**
 * A successful result's HTTP body as Apollo writes it (`JSON.stringify` + newline, UTF-8), without
 * per-answer extensions: what the response cache stores. Apollo's own body of an answer that has
 * no `extensions` is the same string, so the HTTP adapter stores that instead of serialising twice.
 */
export function answerBody(result: Pick<ExecutionResult, "data">): Buffer {
  return Buffer.from(`${JSON.stringify({ data: result.data })}\n`, "utf8");
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
  get(operationKey: string, locationId: string, scopes: readonly string[]): ExecutionResult | undefined;
  /** `get` with what the answer's extensions kept and its HTTP body. */
  find(operationKey: string, locationId: string, scopes: readonly string[]): StoredAnswer | undefined;
  /** The location's change generation now (take it before executing). */
  generation(locationId: string): number;
  /**
   * Stores a successful result's body (`answerBody`), tagged with what it read, unless the
   * location changed since `generation`.
   */
  store(
    operationKey: string,
    viewer: { locationId: string; scopes: readonly string[] },
    generation: number,
    body: Buffer,
    reads: ReadonlyArray<readonly [ResourceKey, unknown, number?]>,
    kept?: unknown,
  ): boolean;
  /** Applies one resource-cache change. */
  onChange(event: InvalidationEvent): void;
  stats(): ResponseCacheStats;
}

const DEFAULTS = { ttlMs: 60_000, maxEntries: 1_000, neverStored: ["viewer", "__schema", "__type", "duplicateContact"] } as const;

/** The stored answers carrying a tag, from the second on, and the one copy of the tag they share. */
class TagHolders extends Set<string> {
  constructor(
    readonly tag: string,
    keys: readonly string[],
  ) {
    super(keys);
  }
}

const scopeKey = (scopes: readonly string[]) => [...scopes].sort().join(" ");
const SEP = "\u0000";
// Tags are built with `join`, which makes one flat string: a template literal makes a chain of
// V8 cons strings (~4 per tag, 32 bytes each) that a stored tag keeps for the entry's lifetime.
const tag = {
  key: (key: ResourceKey) => ["k", serializeKey(key)].join(SEP),
  contact: (locationId: string, contactId: string) => ["c", locationId, contactId].join(SEP),
  pages: (locationId: string) => ["p", locationId].join(SEP),
  kind: (locationId: string, kind: string) => ["l", locationId, kind].join(SEP),
  location: (locationId: string) => ["L", locationId].join(SEP),
};

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const ttlMs = options.ttlMs ?? DEFAULTS.ttlMs;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new TypeError(`ResponseCache: ttlMs must be >= 0, received ${ttlMs}`);
  const maxEntries = options.maxEntries ?? DEFAULTS.maxEntries;
  const enabled = ttlMs > 0;
  const rootFields = options.rootFields === undefined || options.rootFields === "*" ? "*" : new Set(options.rootFields);
  const neverStored = new Set(options.neverStored ?? DEFAULTS.neverStored);
  const { registry } = options;
  const now = options.now ?? Date.now;
  let evictions = 0;
  let hits = 0;
  let misses = 0;
  let stores = 0;
  // operationKey -> how many stored entries use it (for the pre-check).
  const perOperation = new Map<string, number>();
  // tag -> the stored entries (full keys) carrying it: the key itself while one entry carries the
  // tag (most tags: one contact on one stored page), a Set from the second on (a Set per tag was
  // ~3 MB per 1,000 stored answers of 20 tags), which also holds one copy of the tag for the
  // entries stored after it (`addHolder`).
  const byTag = new Map<string, string | TagHolders>();
  const holdersOf = (t: string): readonly string[] => {
    const holders = byTag.get(t);
    return holders === undefined ? [] : typeof holders === "string" ? [holders] : [...holders];
  };
  /**
   * Indexes `key` under `t`; returns the copy of `t` the entry should keep: the one its tag's
   * holders already share, if any. Each stored answer otherwise kept its own copy of every tag,
   * built afresh from its reads (a contacts page of 50 with three relations: ~250 tags, ~18 KB),
   * which the garbage collector then promoted and marked with the answer, when every page of the
   * same contacts carries the same tags.
   */
  const addHolder = (t: string, key: string): string => {
    const holders = byTag.get(t);
    if (holders === undefined) byTag.set(t, key);
    else if (typeof holders !== "string") {
      holders.add(key);
      return holders.tag;
    } else if (holders !== key) byTag.set(t, new TagHolders(t, [holders, key]));
    return t;
  };
  const removeHolder = (t: string, key: string) => {
    const holders = byTag.get(t);
    if (holders === undefined) return;
    if (typeof holders === "string") {
      if (holders === key) byTag.delete(t);
      return;
    }
    holders.delete(key);
    if (holders.size === 0) byTag.delete(t);
  };
  const generations = new Map<string, number>();
  let globalGeneration = 0; // bumped by `clear`: part of every location's generation
  const generationOf = (locationId: string) => (generations.get(locationId) ?? 0) + globalGeneration;
  const lru = new LRUCache<string, Entry>({
    max: Math.max(1, maxEntries),
    ttl: Math.max(1, ttlMs),
    dispose: (entry, key) => {
      const n = (perOperation.get(entry.operationKey) ?? 1) - 1;
      if (n <= 0) perOperation.delete(entry.operationKey);
      else perOperation.set(entry.operationKey, n);
      for (const t of entry.tags) removeHolder(t, key);
    },
  });
  const fullKey = (operationKey: string, locationId: string, scopes: readonly string[]) =>
    `${locationId}${SEP}${scopeKey(scopes)}${SEP}${operationKey}`;

  const bump = (locationId: string) => generations.set(locationId, (generations.get(locationId) ?? 0) + 1);
  const evictTagged = (t: string) => {
    for (const key of holdersOf(t)) {
      if (lru.delete(key)) evictions++;
    }
  };

  /** The tags of an answer and the time it changes by the clock, from what it read. */
  function describe(locationId: string, reads: ReadonlyArray<readonly [ResourceKey, unknown, number?]>, nowMs: number) {
    const tags = new Set<string>();
    // The contacts and list kinds of this location already tagged: a page's reads name each
    // contact once per relation and each kind once per contact, so their tags are built once.
    const taggedContacts = new Set<string>();
    const taggedKinds = new Set<string>();
    const once = (seen: Set<string>, id: string) => !seen.has(id) && seen.add(id) !== undefined;
    let changesAt = Infinity;
    for (const [key, value] of reads) {
      tags.add(tag.key(key));
      const here = key.locationId === locationId;
      if (key.contactId !== undefined && (!here || once(taggedContacts, key.contactId))) tags.add(tag.contact(key.locationId, key.contactId));
      if (PAGE_KINDS.includes(key.kind)) {
        tags.add(tag.pages(key.locationId));
        // A page the resource cache keeps for a short time only (search pages: the upstream
        // indexes late, and no event says when) takes the answer with it.
        const expiresAtMs = (value as { expiresAtMs?: unknown } | null | undefined)?.expiresAtMs;
        if (typeof expiresAtMs === "number" && expiresAtMs < changesAt) changesAt = expiresAtMs;
      }
      if (registry.isListKind(key.kind) && (!here || once(taggedKinds, key.kind))) tags.add(tag.kind(key.locationId, key.kind));
      const changes = registry.resourceOf(key.kind)?.changesAt;
      if (changes && value !== null && value !== undefined) {
        for (const item of Array.isArray(value) ? value : [value]) {
          const at = changes(item as { id: string }, nowMs);
          if (at !== undefined && at < changesAt) changesAt = at;
        }
      }
    }
    if (tags.size === 0) tags.add(tag.location(locationId));
    return { tags: [...tags], changesAt };
  }

  function lookup(operationKey: string, locationId: string, scopes: readonly string[]): Entry | undefined {
    const key = fullKey(operationKey, locationId, scopes);
    let entry = enabled ? lru.get(key) : undefined;
    if (entry && now() >= entry.changesAt) {
      // The clock moved past a due time or a start time it showed: the answer is different now.
      lru.delete(key);
      evictions++;
      entry = undefined;
    }
    if (entry) hits++;
    else misses++;
    return entry;
  }

  return {
    enabled,
    covers: (fields) =>
      enabled && fields.length > 0 && fields.every((f) => !neverStored.has(f) && (rootFields === "*" || rootFields.has(f))),
    operationKey: (op) => JSON.stringify([op.query, op.variables ?? null, op.operationName ?? null]),
    mayHave: (operationKey) => enabled && perOperation.has(operationKey),
    get(operationKey, locationId, scopes) {
      const entry = lookup(operationKey, locationId, scopes);
      return entry && (JSON.parse(entry.body.toString("utf8")) as ExecutionResult);
    },
    find(operationKey, locationId, scopes) {
      const entry = lookup(operationKey, locationId, scopes);
      if (!entry) return undefined;
      const { body } = entry;
      return { kept: entry.kept, body: () => body, result: () => JSON.parse(body.toString("utf8")) as ExecutionResult };
    },
    generation: generationOf,
    store(operationKey, viewer, generation, body, reads, kept) {
      if (!enabled || generationOf(viewer.locationId) !== generation) return false;
      const nowMs = now();
      const { tags, changesAt } = describe(viewer.locationId, reads, nowMs);
      if (changesAt <= nowMs) return false;
      const key = fullKey(operationKey, viewer.locationId, viewer.scopes);
      if (lru.has(key)) lru.delete(key); // its tags are re-indexed below
      perOperation.set(operationKey, (perOperation.get(operationKey) ?? 0) + 1);
      lru.set(key, { body, operationKey, tags, changesAt, ...(kept !== undefined ? { kept } : {}) });
      for (let i = 0; i < tags.length; i++) tags[i] = addHolder(tags[i]!, key);
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
      const locationId = event.type === "set" || event.type === "delete" ? event.key.locationId : event.locationId;
      bump(locationId);
      evictTagged(tag.location(locationId));
      switch (event.type) {
        case "set":
        case "delete":
          evictTagged(tag.key(event.key));
          break;
        case "contact":
          evictTagged(tag.contact(locationId, event.contactId));
          break;
        case "lists":
          evictTagged(tag.pages(locationId));
          break;
        case "kind":
          evictTagged(tag.kind(locationId, event.kind));
          break;
        case "location":
          for (const key of [...lru.keys()]) if (key.startsWith(`${locationId}${SEP}`) && lru.delete(key)) evictions++;
          break;
      }
    },
    stats: () => ({ hits, misses, stores, evictions, size: lru.size }),
  };
}
