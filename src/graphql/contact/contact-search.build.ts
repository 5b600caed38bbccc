/**
 * One search request from GraphQL arguments: the checked `filters`, `sort` and `query` of
 * `POST /contacts/search` (contact-filter.translate.ts) and a fingerprint that ties cursors to
 * the search they came from. A filter naming custom fields reads the location's field
 * definitions through the operation's loaders (cached per location), so a key resolves to the id
 * the route filters on.
 */
import { createHash } from "node:crypto";
import type { Loaders } from "../../loaders/index.js";
import type { SearchFilter, SearchSortItem } from "../../upstream/contacts.types.js";
import type { ContactFilter, ContactSort } from "./contact-filter.input.js";
import type { FieldMapping } from "../../config/field-mapping.parse.js";
import { mappedFilterField } from "./mapped-fields.build.js";
import { definitionLookup, hasCustomFieldConditions, searchQuery, translateFilter, translateSort } from "./contact-filter.translate.js";

export interface SearchSpec {
  filters: SearchFilter[];
  sort: SearchSortItem[] | undefined;
  query: string | undefined;
  /** Short hash of filters, sort and query: a cursor only continues the search it came from. */
  fingerprint: string;
}

export interface SearchInput {
  filter?: ContactFilter | null | undefined;
  sort?: readonly ContactSort[] | null | undefined;
  query?: string | null | undefined;
}

export async function buildSearch(input: SearchInput, loaders: Loaders, mapping?: FieldMapping): Promise<SearchSpec> {
  const query = searchQuery(input.query);
  const sort = translateSort(input.sort);
  let definitions: Awaited<ReturnType<Loaders["fieldDefinitions"]>> = [];
  if (hasCustomFieldConditions(input.filter)) {
    // Everything but the keys is checked first, so a filter the route cannot express costs no upstream call.
    translateFilter(input.filter, {
      customField: (key) => {
        const mapped = mappedFilterField(mapping, key);
        return mapped ? { id: "unchecked", value: mapped.value } : { id: "unchecked" };
      },
    });
    definitions = await loaders.fieldDefinitions();
  }
  const byDefinition = definitionLookup(definitions);
  // A mapped name (FIELD_MAPPING) stands for its key, with its enum values written as picklist options.
  const customField = (key: string) => {
    const mapped = mappedFilterField(mapping, key);
    if (!mapped) return byDefinition(key);
    const found = byDefinition(mapped.key);
    return found ? { id: found.id, value: mapped.value } : undefined;
  };
  const filters = translateFilter(input.filter, { customField });
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([filters, sort ?? null, query ?? null]))
    .digest("base64url")
    .slice(0, 16);
  return { filters, sort, query, fingerprint };
}

/** The search body's own part (paging comes on top). */
export function searchBody(spec: SearchSpec, pageLimit: number): { pageLimit: number; filters?: SearchFilter[]; sort?: SearchSortItem[]; query?: string } {
  const body: { pageLimit: number; filters?: SearchFilter[]; sort?: SearchSortItem[]; query?: string } = { pageLimit };
  if (spec.filters.length > 0) body.filters = spec.filters;
  if (spec.sort) body.sort = spec.sort;
  if (spec.query !== undefined) body.query = spec.query;
  return body;
}
