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
 *   scopes. Bounded by entries, by the bytes of the stored bodies (`maxBytes`; an answer larger
 *   than a quarter of them is not stored) and by `ttlMs` (a backstop for missed webhooks).
 * - Stores the answer as its HTTP body, bytes (`answerBody`, UTF-8): what an HTTP hit sends as it
 *   is. A result kept as objects (graphql-js' null-prototype objects, Dates) held ~100 KB of heap
 *   per 50-contact page, which every major GC marked again; a transport that needs the object
 *   (graphql-ws) parses the bytes per hit. The bytes live in memory a dropped answer held before
 *   where one fits (answer-bytes.ts): a hit that sends them lends them (`StoredAnswer.lend`).
 * Knows no transport: operation.pipeline.ts serves hits (after authentication and authorization)
 * and stores misses, for HTTP and graphql-ws alike.
 */
import type { ExecutionResult } from "graphql";
import { LRUCache } from "lru-cache";
import type { InvalidationEvent } from "../../cache/resource-cache.js";
import { serializeKey, type ResourceKey } from "../../cache/resource-key.js";
import { CORE_KINDS, PAGE_KINDS, type ResourceRegistry } from "../../upstream/resources.js";
import { createAnswerBytes, MIN_POOLED_BYTES, type AnswerBytesStats } from "./answer-bytes.js";

export interface ResponseCacheOptions {
  /** Lifetime of a stored response, ms. 0 disables the cache. Default 60_000. */
  ttlMs?: number;
  /** Max stored responses. Default 1_000. */
  maxEntries?: number;
  /**
   * Max bytes of stored bodies (each charged its buffer's size plus `ENTRY_OVERHEAD_BYTES`; the
   * least recently used go first). Default 16 MiB.
   */
  maxBytes?: number;
  /** Root query fields whose operations may be stored, or `"*"` for every query. Default `"*"`. */
  rootFields?: readonly string[] | "*";
  /**
   * Root fields never stored: answers about the caller rather than the location (`viewer`,
   * introspection), and `duplicateContact`, which asks the upstream every time (a stored "none"
   * would let a caller create the duplicate). Default those.
   */
  neverStored?: readonly string[];
  /** The per-contact resources (their list kinds and `changesAt`). */
  registry: Pick<ResourceRegistry, "resourceOf" | "isListKind" | "listKinds">;
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
  /** What it is charged against `maxBytes`. */
  size: number;
  operationKey: string;
  /** The index nodes of its tags (released when the LRU drops it). */
  tags: readonly TagNode[];
  /** Epoch ms after which the answer would differ by the clock alone (Infinity: never). */
  changesAt: number;
  /** What the answer's per-answer extensions keep for later hits (response-extensions.build.ts). */
  kept?: unknown;
}

/**
 * A stored answer: its HTTP body, the result it holds, and what its extensions kept. Read at once:
 * once the answer is dropped its memory may hold another answer (answer-bytes.ts), unless lent.
 */
export interface StoredAnswer {
  readonly kept: unknown;
  /** `answerBody(result)` as UTF-8: the same bytes at every hit. */
  body(): Buffer;
  /**
   * Before the body is written to a socket: keeps its memory from being reused until
   * `done(finished)` (`finished` false: the connection closed before the write completed).
   */
  lend(): (finished: boolean) => void;
  /** The result, parsed from the body (a new object per call). */
  result(): ExecutionResult;
}

/**
 * A successful result's HTTP body as Apollo writes it (`JSON.stringify` + newline), without
 * per-answer extensions: what the response cache stores (as UTF-8). Apollo's own body of an answer
 * that has no `extensions` is the same string, so the HTTP adapter stores that instead of
 * serialising twice.
 */
export function answerBody(result: Pick<ExecutionResult, "data">): string {
  return `${JSON.stringify({ data: result.data })}\n`;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stores: number;
  evictions: number;
  /** Answers dropped, least recently used first, to make room (entries or `maxBytes`). */
  capacityEvictions: number;
  size: number;
  /** Bytes charged for the stored answers (`maxBytes`). */
  bytes: number;
  /** How the stored bodies' memory was had (answer-bytes.ts). */
  memory: AnswerBytesStats;
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
   * location changed since `generation` (or the answer is too large to store).
   */
  store(
    operationKey: string,
    viewer: { locationId: string; scopes: readonly string[] },
    generation: number,
    body: string,
    reads: ReadonlyArray<readonly [ResourceKey, unknown, number?]>,
    kept?: unknown,
  ): boolean;
  /** Applies one resource-cache change. */
  onChange(event: InvalidationEvent): void;
  stats(): ResponseCacheStats;
}

const DEFAULTS = { ttlMs: 60_000, maxEntries: 1_000, maxBytes: 16 * 1024 * 1024, neverStored: ["viewer", "__schema", "__type", "duplicateContact"] } as const;

/** What an entry costs beside its body (key, tags, LRU slots), charged against `maxBytes`. */
export const ENTRY_OVERHEAD_BYTES = 1024;

/**
 * One tag of the index and the stored answers carrying it, each with the bits (`KindBits`) of the
 * reads of that answer that reached the tag: under a contact's tag, which of the contact and its
 * lists it read. Only a contact's tag is evicted by bits; every other tag is evicted whole, so the
 * bits a list kind's tag also gets from the lists read under it are never looked at. Held as
 * the answer's key and `soleBits` while one answer does (most tags: one contact on one
 * stored page), a Map from the second on (a Set per tag was ~3 MB per 1,000 stored answers of 20
 * tags). Stored answers and the facts of the values they read hold the node itself, so indexing an
 * answer looks up no tag: a node is in the index while it has holders; one whose last answer went
 * left it, and is looked up again or re-enters (`resolve`).
 */
class TagNode {
  holders: string | Map<string, number> | undefined = undefined;
  soleBits = 0;
  /** The store that last reached this node (`bits`: what that store read under it). */
  mark = 0;
  bits = 0;
  constructor(readonly tag: string) {}
}

/**
 * What one value read under one key adds to every answer that reads it: its tags, the clock times
 * of its items (the registry's `changesAt`, ascending) and the expiry of a short-lived page. A
 * function of (key, value), computed once per value object the resource cache holds, not once per
 * answer that read it: a contacts page of 50 reads 151 values, every stored page of them the same.
 * This relies on the rule src/cache/resource-cache.ts states (a stored value is shared and never
 * changed in place; a change is a new value): a value changed in place would keep its old times.
 */
interface ReadFacts {
  readonly locationId: string;
  readonly kind: string;
  readonly id: string;
  /**
   * Key (unless `bits` stands for it), contact, list kind, pages: replaced by the indexed node
   * when one has left the index.
   */
  readonly tags: TagNode[];
  /** The key's bit under its contact's tag (`KindBits`), or 0 when the key has its own tag. */
  readonly bits: number;
  readonly times: readonly number[];
  readonly expiresAtMs: number | undefined;
}

const NO_TIMES: readonly number[] = Object.freeze([]);

/**
 * A bit for the contact and for each per-contact list kind (the first 30): a read of a contact or
 * of one of its lists is indexed under the contact's tag with that bit instead of under a tag of
 * its own, and a change to that key evicts the holders of the contact's tag that carry the bit.
 * For these kinds the key's `id` is the contact id (src/cache/resource-key.ts), so the tag comes
 * from the key's identity (`serializeKey`) alone, never from its optional `contactId`.
 * A contacts page reads 3 lists a contact: 50 tags instead of 200 to index and release per answer,
 * evicting the same answers.
 */
type KindBits = ReadonlyMap<string, number>;
const kindBitsOf = (registry: Pick<ResourceRegistry, "listKinds">): KindBits =>
  new Map([[CORE_KINDS.contact, 1], ...registry.listKinds.slice(0, 30).map((kind, i) => [kind, 2 << i] as const)]);

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
  const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  // At least room for four answers too large for node's allocation pool.
  const minBytes = 4 * (ENTRY_OVERHEAD_BYTES + MIN_POOLED_BYTES);
  if (!Number.isFinite(maxBytes) || maxBytes < minBytes) throw new TypeError(`ResponseCache: maxBytes must be >= ${minBytes}, received ${maxBytes}`);
  const maxEntryBytes = Math.floor(maxBytes / 4);
  // Spare memory kept for the next stores: enough for what one store usually drops, bounded.
  const bytes = createAnswerBytes({ spareBytes: Math.min(Math.floor(maxBytes / 8), 4 * 1024 * 1024) });
  const enabled = ttlMs > 0;
  const rootFields = options.rootFields === undefined || options.rootFields === "*" ? "*" : new Set(options.rootFields);
  const neverStored = new Set(options.neverStored ?? DEFAULTS.neverStored);
  const { registry } = options;
  const now = options.now ?? Date.now;
  let evictions = 0;
  let capacityEvictions = 0;
  let hits = 0;
  let misses = 0;
  let stores = 0;
  let storeMark = 0;
  // operationKey -> how many stored entries use it (for the pre-check).
  const perOperation = new Map<string, number>();
  // tag -> its node (the stored entries carrying it); a tag no entry carries is not here.
  const byTag = new Map<string, TagNode>();
  /**
   * The indexed node of `node`'s tag: `node` while it has holders, else the index's, else `node`,
   * entered without holders (only `store` calls this, and it adds its answer to every node it
   * resolved before it returns).
   */
  const resolve = (node: TagNode): TagNode => {
    if (node.holders !== undefined) return node;
    const found = byTag.get(node.tag);
    if (found !== undefined) return found;
    byTag.set(node.tag, node);
    return node;
  };
  /** Adds `key` to `node`'s holders with what it read under the tag (`node.bits`). */
  const hold = (node: TagNode, key: string) => {
    const holders = node.holders;
    if (holders === undefined || holders === key) {
      node.holders = key;
      node.soleBits = node.bits;
    } else if (typeof holders === "string") {
      node.holders = new Map([
        [holders, node.soleBits],
        [key, node.bits],
      ]);
    } else holders.set(key, node.bits);
  };
  const release = (node: TagNode, key: string) => {
    const holders = node.holders;
    if (typeof holders === "string") {
      if (holders !== key) return;
    } else if (holders === undefined || !holders.delete(key) || holders.size > 0) return;
    node.holders = undefined;
    byTag.delete(node.tag);
  };
  const generations = new Map<string, number>();
  let globalGeneration = 0; // bumped by `clear`: part of every location's generation
  const generationOf = (locationId: string) => (generations.get(locationId) ?? 0) + globalGeneration;
  const lru = new LRUCache<string, Entry>({
    max: Math.max(1, maxEntries),
    maxSize: maxBytes,
    sizeCalculation: (entry) => entry.size,
    ttl: Math.max(1, ttlMs),
    dispose: (entry, key, reason) => {
      if (reason === "evict") capacityEvictions++;
      const n = (perOperation.get(entry.operationKey) ?? 1) - 1;
      if (n <= 0) perOperation.delete(entry.operationKey);
      else perOperation.set(entry.operationKey, n);
      for (const node of entry.tags) release(node, key);
      bytes.release(entry.body);
    },
  });
  const fullKey = (operationKey: string, locationId: string, scopes: readonly string[]) =>
    `${locationId}${SEP}${scopeKey(scopes)}${SEP}${operationKey}`;

  const bump = (locationId: string) => generations.set(locationId, (generations.get(locationId) ?? 0) + 1);
  /** Evicts the answers carrying tag `t` (with `bits`: those that read, under it, what one of them stands for). */
  const evictTagged = (t: string, bits?: number) => {
    const node = byTag.get(t);
    const holders = node?.holders;
    if (holders === undefined) return;
    const keys: string[] = [];
    if (typeof holders === "string") {
      if (bits === undefined || (node!.soleBits & bits) !== 0) keys.push(holders);
    } else {
      for (const [key, read] of holders) if (bits === undefined || (read & bits) !== 0) keys.push(key);
    }
    for (const key of keys) if (lru.delete(key)) evictions++;
  };
  const kindBits = kindBitsOf(registry);
  /** A contact's or a list's key: its bit under the tag of its contact, `key.id` (`KindBits`); 0 for every other key. */
  const keyBits = (key: ResourceKey): number => kindBits.get(key.kind) ?? 0;
  /**
   * The contact a key belongs to, from what identifies an entry of the resource cache
   * (`serializeKey`, src/cache/resource-key.ts: location, kind, id): a contact's and a per-contact
   * list's id is the contact id, an item's id is `contactId/itemId`. Not the key's `contactId`,
   * which that identity ignores: a key built without it (another instance's invalidation, accepted
   * by src/events/cache-invalidation.broadcast.ts) must evict the same answers.
   */
  const contactOf = (key: ResourceKey): string | undefined => {
    if (key.kind === CORE_KINDS.contact || registry.isListKind(key.kind)) return key.id;
    if (registry.resourceOf(key.kind) === undefined) return undefined;
    const slash = key.id.indexOf("/");
    return slash > 0 ? key.id.slice(0, slash) : undefined;
  };

  /** The facts of one read (see `ReadFacts`): new nodes, which enter the index when an answer holds them. */
  function describeRead(key: ResourceKey, value: unknown): ReadFacts {
    const bits = keyBits(key);
    const contactId = contactOf(key);
    const page = PAGE_KINDS.includes(key.kind);
    const list = registry.isListKind(key.kind);
    // Sized exactly: kept as long as the value (`push` would reserve 17 slots).
    const tags: TagNode[] = new Array(Number(bits === 0) + Number(contactId !== undefined) + Number(page) + Number(list));
    let n = 0;
    if (bits === 0) tags[n++] = new TagNode(tag.key(key));
    if (contactId !== undefined) tags[n++] = new TagNode(tag.contact(key.locationId, contactId));
    if (list) tags[n++] = new TagNode(tag.kind(key.locationId, key.kind));
    let expiresAtMs: number | undefined;
    if (page) {
      tags[n++] = new TagNode(tag.pages(key.locationId));
      // A page the resource cache keeps for a short time only (search pages: the upstream
      // indexes late, and no event says when) takes the answer with it.
      const expires = (value as { expiresAtMs?: unknown } | null | undefined)?.expiresAtMs;
      if (typeof expires === "number") expiresAtMs = expires;
    }
    let times = NO_TIMES;
    const changes = registry.resourceOf(key.kind)?.changesAt;
    if (changes && value !== null && value !== undefined) {
      const found: number[] = [];
      for (const item of Array.isArray(value) ? value : [value]) {
        const at = changes(item as { id: string });
        if (at !== undefined) found.push(at);
      }
      if (found.length > 0) times = found.sort((x, y) => x - y);
    }
    return { locationId: key.locationId, kind: key.kind, id: key.id, tags, bits, times, expiresAtMs };
  }

  // The facts of each value object read (see `ReadFacts`); a value goes with its resource-cache entry.
  const factsByValue = new WeakMap<object, ReadFacts>();
  function factsOf(key: ResourceKey, value: unknown): ReadFacts {
    if (typeof value !== "object" || value === null) return describeRead(key, value);
    const known = factsByValue.get(value);
    if (known === undefined) {
      const facts = describeRead(key, value);
      factsByValue.set(value, facts);
      return facts;
    }
    if (known.id === key.id && known.kind === key.kind && known.locationId === key.locationId) return known;
    return describeRead(key, value); // one object under two keys: the first keeps the memo
  }

  /** The first time after `nowMs` at which the answer changes with what `facts` says (Infinity: never). */
  function changesAtOf(facts: ReadFacts, nowMs: number): number {
    let at = facts.expiresAtMs ?? Infinity;
    for (const time of facts.times) {
      if (time > nowMs) return time < at ? time : at;
    }
    return at;
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
      return { kept: entry.kept, body: () => body, lend: () => bytes.lend(body), result: () => JSON.parse(body.toString("utf8")) as ExecutionResult };
    },
    generation: generationOf,
    store(operationKey, viewer, generation, text, reads, kept) {
      if (!enabled || generationOf(viewer.locationId) !== generation) return false;
      const nowMs = now();
      const facts: ReadFacts[] = new Array(reads.length);
      let changesAt = Infinity;
      for (let i = 0; i < reads.length; i++) {
        const read = reads[i]!;
        const readFacts = (facts[i] = factsOf(read[0], read[1]));
        const at = changesAtOf(readFacts, nowMs);
        if (at < changesAt) changesAt = at;
      }
      if (changesAt <= nowMs) return false;
      const length = Buffer.byteLength(text, "utf8");
      const size = bytes.sizeFor(length) + ENTRY_OVERHEAD_BYTES;
      if (size > maxEntryBytes) return false;
      const body = bytes.encode(text, length);
      const key = fullKey(operationKey, viewer.locationId, viewer.scopes);
      if (lru.has(key)) lru.delete(key); // its tags are indexed again below
      perOperation.set(operationKey, (perOperation.get(operationKey) ?? 0) + 1);
      const tags: TagNode[] = [];
      // Set before indexing: the LRU may drop its oldest answer here, and with it the last holder of a tag.
      lru.set(key, { body, size, operationKey, tags, changesAt, ...(kept !== undefined ? { kept } : {}) });
      // Each tag once, with the bits of everything read under it, then indexed.
      const mark = ++storeMark;
      for (const readFacts of facts) {
        const nodes = readFacts.tags;
        for (let j = 0; j < nodes.length; j++) {
          let node = nodes[j]!;
          if (node.holders === undefined) node = nodes[j] = resolve(node);
          if (node.mark !== mark) {
            node.mark = mark;
            node.bits = readFacts.bits;
            tags.push(node);
          } else node.bits |= readFacts.bits;
        }
      }
      // An answer that read nothing of the cache depends on its location as a whole.
      if (reads.length === 0) {
        const node = resolve(new TagNode(tag.location(viewer.locationId)));
        node.bits = 0;
        tags.push(node);
      }
      for (const node of tags) hold(node, key);
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
        case "delete": {
          const bits = keyBits(event.key);
          if (bits === 0) evictTagged(tag.key(event.key));
          else evictTagged(tag.contact(locationId, event.key.id), bits); // a contact's or a list's id is its contact (`keyBits`)
          break;
        }
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
    stats: () => ({ hits, misses, stores, evictions, capacityEvictions, size: lru.size, bytes: lru.calculatedSize, memory: bytes.stats() }),
  };
}
