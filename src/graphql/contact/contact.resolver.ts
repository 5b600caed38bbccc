/**
 * The read queries on contacts (the public names in schema/schema.graphql): `contact(id)`, `contacts` (GET /contacts/,
 * two-part upstream cursor; with a filter or sort POST /contacts/search, paged with `page` up to
 * 10,000 results and with `searchAfter` beyond, FACTS.md "Search") and `contactsByBusiness`
 * (GET /contacts/business/:businessId, skip/limit). Connections carry opaque cursors
 * (common/cursor.ts) and the upstream's exact total as `totalCount`.
 */
import { Arg, Args, Ctx, ID, Query, Resolver } from "type-graphql";
import { Scopes } from "../root-scopes.js";
import { SCOPES } from "../../auth/index.js";
import type { UpstreamContactListItem } from "../../upstream/contacts.types.js";
import type { GatewayContext } from "../context.js";
import { badUserInput } from "../common/errors.js";
import { decodeBusinessCursor, decodeContactsCursor, decodeSearchCursor, encodeCursor } from "../common/cursor.js";
import type { Loaders } from "../../loaders/index.js";
import type { FieldMapping } from "../../config/field-mapping.parse.js";
import { buildSearch, searchBody } from "./contact-search.build.js";
import { SEARCH_MAX_PAGE_LIMIT, SEARCH_MAX_PAGED_RESULTS } from "./contact-filter.translate.js";
import { toDate } from "../common/scalars.js";
import { ContactsArgs, ContactsByBusinessArgs } from "./contact.args.js";
import { ContactRecord } from "./contact.record.js";
import { Contact } from "./contact.type.js";
import { ContactConnection, type ContactEdge } from "./contact-connection.type.js";

/** Upstream page size bounds (FACTS.md: limit max 100). */
export const MAX_PAGE_SIZE = 100;

function checkFirst(first: number, max = MAX_PAGE_SIZE): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badUserInput("first", `an integer from 1 to ${max}`, first);
  }
  return first;
}

/**
 * `contacts` with a filter or sort: one page of POST /contacts/search. The page after `offset`
 * matches is asked with `page` while it lies within the first 10,000 results on a page boundary,
 * else with the `searchAfter` of the match before it (the route's only way beyond 10,000).
 */
async function searchConnection(args: ContactsArgs, loaders: Loaders, mapping: FieldMapping | undefined): Promise<ContactConnection> {
  const limit = checkFirst(args.first ?? 20, SEARCH_MAX_PAGE_LIMIT);
  const spec = await buildSearch(args, loaders, mapping);
  const cursor = args.after ? decodeSearchCursor(args.after, spec.fingerprint) : undefined;
  const offset = cursor?.offset ?? 0;
  const body = searchBody(spec, limit);
  const paged = { ...body } as Parameters<Loaders["searchPage"]>[0];
  if (offset % limit === 0 && offset + limit <= SEARCH_MAX_PAGED_RESULTS) paged.page = offset / limit + 1;
  else if (cursor?.searchAfter) paged.searchAfter = cursor.searchAfter;
  else throw badUserInput("after", "a cursor the search can continue from (the upstream gave this match no searchAfter)");
  const page = await loaders.searchPage(paged);
  const edges: ContactEdge[] = page.contacts.map((item, index) => ({
    cursor: encodeCursor({
      kind: "search",
      offset: offset + index + 1,
      searchAfter: Array.isArray(item.searchAfter) && item.searchAfter.length > 0 ? item.searchAfter : null,
      search: spec.fingerprint,
    }),
    node: ContactRecord.fromListItem(item, loaders.locationId),
  }));
  const seen = offset + page.contacts.length;
  return {
    nodes: edges.map((e) => e.node),
    edges,
    pageInfo: { hasNextPage: page.contacts.length > 0 && seen < page.total, endCursor: edges.at(-1)?.cursor ?? args.after ?? null },
    totalCount: page.total,
  };
}

function checkId(name: string, id: string): string {
  if (id.trim() === "" || id.length > 128) throw badUserInput(name, "a non-empty id (at most 128 characters)", id);
  return id;
}

function normaliseQuery(query: string | null | undefined): string | null {
  if (query === null || query === undefined) return null;
  const trimmed = query.trim();
  if (trimmed.length > 256) throw badUserInput("query", "a search string of at most 256 characters");
  return trimmed === "" ? null : trimmed;
}

/** Epoch ms of an item's `dateAdded`: the upstream's `startAfter` part of the cursor. */
function startAfterOf(item: UpstreamContactListItem): number | undefined {
  const date = toDate(item.dateAdded);
  return date ? date.getTime() : undefined;
}

/**
 * An edge of a `contacts` page whose cursor is encoded when an operation selects it: a page asked
 * for its `nodes` alone (the common case) does not pay for a date parse, a JSON.stringify and a
 * base64 encoding per contact.
 */
class ContactsPageEdge implements ContactEdge {
  #cursor: string | undefined;

  constructor(
    readonly node: ContactRecord,
    private readonly item: UpstreamContactListItem,
    private readonly offset: number,
    private readonly query: string | null,
  ) {}

  get cursor(): string {
    this.#cursor ??= encodeCursor({
      kind: "contacts",
      startAfter: startAfterOf(this.item) ?? 0,
      startAfterId: this.item.id,
      offset: this.offset,
      query: this.query,
    });
    return this.#cursor;
  }
}

@Resolver(() => Contact)
export class ContactQueryResolver {
  @Scopes(SCOPES.read)
  @Query(() => Contact, { nullable: true, description: "GET /contacts/:contactId; null when the upstream has no such contact." })
  async contact(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<ContactRecord | null> {
    const contact = await ctx.loaders.contact.load(checkId("id", id));
    return contact ? ContactRecord.fromContact(contact) : null;
  }

  @Scopes(SCOPES.read)
  @Query(() => ContactConnection, {
    description:
      "GET /contacts/ (newest first), paged with both upstream cursor parts; with a filter or sort, POST /contacts/search " +
      "(exact totalCount, `page` up to 10,000 results, `searchAfter` beyond).",
  })
  async contacts(@Args(() => ContactsArgs) args: ContactsArgs, @Ctx() ctx: GatewayContext): Promise<ContactConnection> {
    if (args.filter || (args.sort && args.sort.length > 0)) return searchConnection(args, ctx.loaders, ctx.fieldMapping);
    const { after, query } = args;
    const limit = checkFirst(args.first ?? 20);
    const q = normaliseQuery(query);
    const cursor = after ? decodeContactsCursor(after, q) : undefined;
    const loaders = ctx.loaders;
    const page = await loaders.contactPage({
      limit,
      startAfter: cursor?.startAfter,
      startAfterId: cursor?.startAfterId,
      query: q ?? undefined,
    });
    const offset = cursor?.offset ?? 0;
    const edges = page.contacts.map((item, index) => new ContactsPageEdge(ContactRecord.fromListItem(item, loaders.locationId), item, offset + index + 1, q));
    // The cursor after the page's last item that has a date (the upstream's `startAfter`).
    let lastCursor: { startAfter: number; startAfterId: string } | undefined;
    for (let i = page.contacts.length - 1; i >= 0 && !lastCursor; i--) {
      const startAfter = startAfterOf(page.contacts[i]!);
      if (startAfter !== undefined) lastCursor = { startAfter, startAfterId: page.contacts[i]!.id };
    }
    // The upstream's own cursor for the next page wins over the one derived from the last item.
    const { startAfter: metaStartAfter, startAfterId: metaStartAfterId, total } = page.meta;
    const next =
      typeof metaStartAfter === "number" && metaStartAfterId ? { startAfter: metaStartAfter, startAfterId: metaStartAfterId } : lastCursor;
    const seen = offset + page.contacts.length;
    const hasNextPage = page.contacts.length === limit && next !== undefined && (typeof total !== "number" || seen < total);
    return {
      nodes: edges.map((e) => e.node),
      edges,
      pageInfo: {
        hasNextPage,
        endCursor:
          next && page.contacts.length > 0
            ? encodeCursor({ kind: "contacts", ...next, offset: seen, query: q })
            : (edges.at(-1)?.cursor ?? null),
      },
      totalCount: typeof total === "number" ? total : null,
    };
  }

  @Scopes(SCOPES.read)
  @Query(() => ContactConnection, { description: "GET /contacts/business/:businessId, paged by skip/limit." })
  async contactsByBusiness(
    @Args(() => ContactsByBusinessArgs) args: ContactsByBusinessArgs,
    @Ctx() ctx: GatewayContext,
  ): Promise<ContactConnection> {
    const { businessId, after, query } = args;
    checkId("businessId", businessId);
    const limit = checkFirst(args.first ?? 25);
    const q = normaliseQuery(query);
    const skip = after ? decodeBusinessCursor(after, businessId, q).skip : 0;
    const loaders = ctx.loaders;
    const page = await loaders.businessPage(businessId, { limit, skip, query: q ?? undefined });
    const edges: ContactEdge[] = page.contacts.map((item, index) => ({
      cursor: encodeCursor({ kind: "business", businessId, skip: skip + index + 1, query: q }),
      node: ContactRecord.fromListItem(item, loaders.locationId),
    }));
    const seen = skip + page.contacts.length;
    const total = typeof page.count === "number" ? page.count : null;
    return {
      nodes: edges.map((e) => e.node),
      edges,
      pageInfo: {
        hasNextPage: page.contacts.length === limit && (total === null || seen < total),
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      totalCount: total,
    };
  }
}
