/**
 * Opaque connection cursors: base64url JSON with a version and a kind. A `contacts` cursor carries
 * BOTH upstream cursor parts (`startAfter` epoch ms and `startAfterId`: either alone makes the
 * upstream return page 1 again, FACTS.md) plus how many items came before it; a
 * `contactsByBusiness` cursor carries the `skip` offset and the business it belongs to.
 * A cursor from another list, query or business is refused with BAD_USER_INPUT.
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

const VERSION = 1;

export function encodeCursor(cursor: ContactsCursor | BusinessCursor): string {
  const body =
    cursor.kind === "contacts"
      ? { v: VERSION, k: "c", sa: cursor.startAfter, sid: cursor.startAfterId, n: cursor.offset, q: cursor.query }
      : { v: VERSION, k: "b", b: cursor.businessId, s: cursor.skip, q: cursor.query };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
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
