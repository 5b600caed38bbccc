/**
 * The simulator's `POST /contacts/search` (scope `contacts.readonly`; the spec's body schema is
 * empty, FACTS.md "Search" says what is known) and the two location reads dashboards pick filters
 * from: `GET /locations/:locationId/customFields?model=contact` (`locations/customFields.readonly`)
 * and `GET /locations/:locationId/tags` (`locations/tags.readonly`), as apps/locations.json
 * describes them. The search semantics live in contact-search.filter.ts.
 *
 * Search answers `{contacts, total}` (observed) with the lean list-item shape of `GET /contacts/`
 * plus each item's `searchAfter`. A contact created through the API shows up in search
 * `searchIndexDelayMs` after its creation (HighLevel's index is eventually consistent); updates
 * and deletes show at once (a documented simplification).
 */
import { listItem, type RouteDefinition } from "./contacts.routes.js";
import { parseSearchBody, runSearch } from "./contact-search.filter.js";
import { errors } from "./simulator.http.js";
import type { MemoryStore } from "./simulator.store.js";
import type { SimulatorContact } from "./simulator.types.js";

export interface SearchRouteOptions {
  now: () => number;
  /** Current indexing delay, ms (changeable at runtime). */
  indexDelayMs: () => number;
}

export function createSearchRoutes(store: MemoryStore, options: SearchRouteOptions): RouteDefinition[] {
  const matchesQuery = (query: string | undefined) => {
    const needle = (query ?? "").trim().toLowerCase().replaceAll("\u0000", "");
    const digits = needle.replace(/\D/g, "");
    return (contact: SimulatorContact) => {
      const { text, phoneDigits } = store.searchFields(contact);
      return text.includes(needle) || (digits.length >= 3 && phoneDigits.includes(digits));
    };
  };
  return [
    {
      method: "POST",
      route: "/contacts/search",
      scope: "contacts.readonly",
      handle(ctx) {
        const request = parseSearchBody(ctx.body);
        if (request.locationId !== ctx.token.locationId) throw errors.location();
        const nowMs = options.now();
        const delayMs = options.indexDelayMs();
        const visible = store.sortedContacts(request.locationId).filter((c) => store.searchableFrom(c.id, delayMs) <= nowMs);
        const result = runSearch(visible, request, matchesQuery(request.query));
        return {
          status: 200,
          body: {
            contacts: result.contacts.map(({ contact, searchAfter }) => ({ ...listItem(contact), searchAfter })),
            total: result.total,
          },
        };
      },
    },
    {
      method: "GET",
      route: "/locations/:locationId/customFields",
      scope: "locations/customFields.readonly",
      handle(ctx) {
        const locationId = ctx.params.locationId ?? "";
        if (locationId !== ctx.token.locationId) throw errors.location();
        const model = ctx.query.model;
        if (model !== undefined && model !== "contact" && model !== "opportunity" && model !== "all") {
          throw errors.unprocessable(["model must be one of the following values: contact, opportunity, all"]);
        }
        // The simulator has contact fields only.
        const customFields = model === "opportunity" ? [] : store.customFieldDefinitions(locationId);
        return { status: 200, body: { customFields } };
      },
    },
    {
      method: "GET",
      route: "/locations/:locationId/tags",
      scope: "locations/tags.readonly",
      handle(ctx) {
        const locationId = ctx.params.locationId ?? "";
        if (locationId !== ctx.token.locationId) throw errors.location();
        return { status: 200, body: { tags: store.locationTags(locationId) } };
      },
    },
  ];
}
