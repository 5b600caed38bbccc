/**
 * Opaque connection cursors: base64url JSON with a version and a kind. A `contacts` cursor carries
 * BOTH upstream cursor parts (`startAfter` epoch ms and `startAfterId`: either alone makes the
 * upstream return page 1 again, FACTS.md) plus how many items came before it; a
 * `contactsByBusiness` cursor carries the `skip` offset and the business it belongs to.
 * A `search` cursor (contacts with a filter or sort) carries the match count before it and the
 * route's `searchAfter`. A cursor from another list, query, business or search is refused with
 * BAD_USER_INPUT.
 */
import { badUserInput } from "./errors.js";

export interface ContactsCursor {
  kind: "contacts";
  startAfter: number;
  startAfterId: string;
  /** Items before this cursor (for hasNextPage against meta.total). */
  offset: number;
  query: string | null;
}

export interface BusinessCursor {
  kind: "business";
  businessId: string;
  skip: number;
  query: string | null;
}

/**
 * A position in the results of `POST /contacts/search`: how many matches came before it, the
 * route's `searchAfter` of the match it follows (needed beyond 10,000 results, FACTS.md
 * "Search"), and a fingerprint of the search (filter, sort, query) it belongs to.
 */
export interface SearchCursor {
  kind: "search";
  offset: number;
  searchAfter: unknown[] | null;
  search: string;
}

const VERSION = 1;

export function encodeCursor(cursor: ContactsCursor | BusinessCursor | SearchCursor): string {
  const body =
    cursor.kind === "contacts"
      ? { v: VERSION, k: "c", sa: cursor.startAfter, sid: cursor.startAfterId, n: cursor.offset, q: cursor.query }
      : cursor.kind === "business"
        ? { v: VERSION, k: "b", b: cursor.businessId, s: cursor.skip, q: cursor.query }
        : { v: VERSION, k: "s", n: cursor.offset, a: cursor.searchAfter, f: cursor.search };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

/** A `search` cursor of the same search (`search` is its fingerprint). */
export function decodeSearchCursor(raw: string, search: string): SearchCursor {
  const c = parse(raw);
  const after = c?.["a"];
  if (
    !c ||
    c["v"] !== VERSION ||
    c["k"] !== "s" ||
    typeof c["n"] !== "number" ||
    !Number.isInteger(c["n"]) ||
    c["n"] < 0 ||
    !(after === null || (Array.isArray(after) && after.length > 0 && after.length <= 8 && after.every((x) => x === null || typeof x === "string" || typeof x === "number")))
  ) {
    throw badUserInput("after", `${EXPECTED} of contacts with a filter or sort`);
  }
  if (c["f"] !== search) throw badUserInput("after", "a cursor of the same filter, sort and query");
  return { kind: "search", offset: c["n"], searchAfter: after as unknown[] | null, search };
}

function parse(raw: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(raw)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const EXPECTED = "a cursor returned by this field (pageInfo.endCursor or an edge's cursor)";

export function decodeContactsCursor(raw: string, query: string | null): ContactsCursor {
  const c = parse(raw);
  if (
    !c ||
    c["v"] !== VERSION ||
    c["k"] !== "c" ||
    typeof c["sa"] !== "number" ||
    !Number.isFinite(c["sa"]) ||
    typeof c["sid"] !== "string" ||
    c["sid"] === "" ||
    typeof c["n"] !== "number" ||
    !Number.isInteger(c["n"]) ||
    c["n"] < 0
  ) {
    throw badUserInput("after", `${EXPECTED} of contacts`);
  }
  if ((c["q"] ?? null) !== query) throw badUserInput("after", `a cursor of the same query (${JSON.stringify(query)})`);
  return { kind: "contacts", startAfter: c["sa"], startAfterId: c["sid"], offset: c["n"], query };
}

export function decodeBusinessCursor(raw: string, businessId: string, query: string | null): BusinessCursor {
  const c = parse(raw);
  if (!c || c["v"] !== VERSION || c["k"] !== "b" || typeof c["s"] !== "number" || !Number.isInteger(c["s"]) || c["s"] < 0) {
    throw badUserInput("after", `${EXPECTED} of contactsByBusiness`);
  }
  if (c["b"] !== businessId) throw badUserInput("after", `a cursor of the same businessId (${businessId})`);
  if ((c["q"] ?? null) !== query) throw badUserInput("after", `a cursor of the same query (${JSON.stringify(query)})`);
  return { kind: "business", businessId, skip: c["s"], query };
}
