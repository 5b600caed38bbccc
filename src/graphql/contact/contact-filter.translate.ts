/**
 * `ContactFilter` / `ContactSort` / `query` (schema/schema.graphql) → the body of `POST /contacts/search`
 * (FACTS.md "Search"). Pure: checks everything the route is known to refuse or cannot express and
 * names the input path in a BAD_USER_INPUT (e.g. `filter.or[1].customFields[0].value`), so a
 * filter is either sent exactly or not at all — never approximated in memory.
 *
 * Mapping (documented choice where the route's docs are silent, mirrored by the simulator,
 * src/simulator/contact-search.filter.ts):
 * - `tags.any` → an OR group of `tags eq`; `tags.all` → one `tags eq` each; `tags.none` → one
 *   `tags not_eq` each (tags trimmed and lower-cased, as HighLevel stores them).
 * - `businessId`, `type` → `eq`; `assignedTo` → an OR group of `assignedTo eq`; `dnd` → `dnd eq`.
 * - `dateAdded` / `dateUpdated` → `range` with `gte` = from, `lte` = to (ISO 8601).
 * - `hasEmail` / `hasPhone` → `exists` / `not_exists` on `email` / `phone`.
 * - `customFields` → `customFields.<id>` with the operator's upstream name (`EQ` → `eq`…); the
 *   key is resolved to the field's id by the caller (definitions, field mapping).
 * - A filter's parts are ANDed; `and` adds AND groups, `or` an OR group (each member a group of
 *   its own parts). Groups nest at most 4 deep, at most 50 conditions in all.
 * - Sort: `DATE_ADDED` → `dateAdded`, `DATE_UPDATED` → `dateUpdated`, `NAME` →
 *   `firstNameLowerCase` then `lastNameLowerCase`; at most 3 upstream sort fields.
 */
import type { SearchFilter, SearchSortItem } from "../../upstream/contacts.types.js";
import { badUserInput } from "../common/errors.js";
import type { ContactFilter, ContactSort, CustomFieldCondition, DateTimeRange } from "./contact-filter.input.js";
import { ContactSortField, FieldOperator, SortDirection } from "./contact-filter.type.js";

/** Results per search page, and how far `page` reaches before `searchAfter` is needed (FACTS.md "Search"). */
export const SEARCH_MAX_PAGE_LIMIT = 500;
export const SEARCH_MAX_PAGED_RESULTS = 10_000;
/** The route's limit on every value and on `query` (FACTS.md "Search"). */
export const SEARCH_MAX_VALUE_LENGTH = 75;
/** Array levels of `filters` (the top list and 4 nested groups). */
export const SEARCH_MAX_DEPTH = 5;
export const SEARCH_MAX_CONDITIONS = 50;
const MAX_TAGS = 20;
const MAX_USERS = 20;
const MAX_SORT_FIELDS = 3;
const CONTAINS_VALUE = /^[\p{L}\p{N} ]+$/u;
const RANGE_KEYS = ["gte", "lte", "gt", "lt"] as const;

const OPERATORS: Readonly<Record<FieldOperator, "eq" | "not_eq" | "contains" | "not_contains" | "exists" | "not_exists" | "range">> = {
  [FieldOperator.EQ]: "eq",
  [FieldOperator.NOT_EQ]: "not_eq",
  [FieldOperator.CONTAINS]: "contains",
  [FieldOperator.NOT_CONTAINS]: "not_contains",
  [FieldOperator.EXISTS]: "exists",
  [FieldOperator.NOT_EXISTS]: "not_exists",
  [FieldOperator.RANGE]: "range",
};

/** A custom field a condition names: its upstream id, and how a value is written for the route (mapped enums). */
export interface ResolvedCustomField {
  id: string;
  /** Turns the caller's value into the upstream's (e.g. a mapped enum value into its picklist option); throws BAD_USER_INPUT. */
  value?(value: unknown, path: string): unknown;
}

export interface TranslateOptions {
  /** The field a condition's `key` names, or undefined when the location has no such field. */
  customField(key: string): ResolvedCustomField | undefined;
}

/** True when a filter has custom-field conditions (the caller then needs the field definitions). */
export function hasCustomFieldConditions(filter: ContactFilter | null | undefined): boolean {
  if (!filter) return false;
  if ((filter.customFields?.length ?? 0) > 0) return true;
  return [...(filter.and ?? []), ...(filter.or ?? [])].some((f) => hasCustomFieldConditions(f));
}

/** The `filters` of the search body; `[]` for no filter. */
export function translateFilter(filter: ContactFilter | null | undefined, options: TranslateOptions, path = "filter"): SearchFilter[] {
  if (!filter) return [];
  const counter = { conditions: 0 };
  const out = parts(filter, options, path, 1, counter);
  if (counter.conditions > SEARCH_MAX_CONDITIONS) {
    throw badUserInput(path, `a filter of at most ${SEARCH_MAX_CONDITIONS} conditions (POST /contacts/search cannot express more)`, counter.conditions);
  }
  return out;
}

function parts(filter: ContactFilter, options: TranslateOptions, path: string, depth: number, counter: { conditions: number }): SearchFilter[] {
  if (depth > SEARCH_MAX_DEPTH) {
    throw badUserInput(path, `and/or groups nested at most ${SEARCH_MAX_DEPTH - 1} deep (POST /contacts/search cannot express deeper)`);
  }
  const out: SearchFilter[] = [];
  const add = (condition: SearchFilter & { field: string }) => {
    counter.conditions += 1;
    out.push(condition);
  };
  /** A group's own list is one level deeper than this one. */
  const group = (g: SearchFilter & { group: "AND" | "OR" }) => {
    if (depth + 1 > SEARCH_MAX_DEPTH) {
      throw badUserInput(path, `and/or groups nested at most ${SEARCH_MAX_DEPTH - 1} deep (POST /contacts/search cannot express deeper)`);
    }
    out.push(g);
  };
  if (filter.tags) {
    const { any, all, none } = filter.tags;
    if (!any && !all && !none) throw badUserInput(`${path}.tags`, "at least one of any, all, none");
    if (any) {
      const tags = tagList(any, `${path}.tags.any`);
      if (tags.length === 1) add({ field: "tags", operator: "eq", value: tags[0] });
      else {
        counter.conditions += tags.length;
        group({ group: "OR", filters: tags.map((value) => ({ field: "tags", operator: "eq" as const, value })) });
      }
    }
    for (const value of all ? tagList(all, `${path}.tags.all`) : []) add({ field: "tags", operator: "eq", value });
    for (const value of none ? tagList(none, `${path}.tags.none`) : []) add({ field: "tags", operator: "not_eq", value });
  }
  if (filter.businessId !== undefined && filter.businessId !== null) {
    add({ field: "businessId", operator: "eq", value: shortValue(filter.businessId, `${path}.businessId`) });
  }
  if (filter.assignedTo) {
    const users = [...new Set(filter.assignedTo.map((u, i) => shortValue(u, `${path}.assignedTo[${i}]`)))];
    if (users.length === 0 || users.length > MAX_USERS) throw badUserInput(`${path}.assignedTo`, `1 to ${MAX_USERS} user ids`, users.length);
    if (users.length === 1) add({ field: "assignedTo", operator: "eq", value: users[0] });
    else {
      counter.conditions += users.length;
      group({ group: "OR", filters: users.map((value) => ({ field: "assignedTo", operator: "eq" as const, value })) });
    }
  }
  if (filter.type !== undefined && filter.type !== null) add({ field: "type", operator: "eq", value: shortValue(filter.type, `${path}.type`) });
  if (filter.dnd !== undefined && filter.dnd !== null) add({ field: "dnd", operator: "eq", value: filter.dnd });
  for (const field of ["dateAdded", "dateUpdated"] as const) {
    const range = filter[field];
    if (range) add({ field, operator: "range", value: dateRange(range, `${path}.${field}`) });
  }
  if (filter.hasEmail !== undefined && filter.hasEmail !== null) add({ field: "email", operator: filter.hasEmail ? "exists" : "not_exists" });
  if (filter.hasPhone !== undefined && filter.hasPhone !== null) add({ field: "phone", operator: filter.hasPhone ? "exists" : "not_exists" });
  (filter.customFields ?? []).forEach((condition, i) => add(customFieldCondition(condition, options, `${path}.customFields[${i}]`)));
  if (filter.and) {
    if (filter.and.length === 0) throw badUserInput(`${path}.and`, "a non-empty list of filters");
    filter.and.forEach((member, i) => {
      const memberParts = nonEmpty(parts(member, options, `${path}.and[${i}]`, depth + 1, counter), `${path}.and[${i}]`);
      if (memberParts.length === 1) out.push(memberParts[0] as SearchFilter);
      else group({ group: "AND", filters: memberParts });
    });
  }
  if (filter.or) {
    if (filter.or.length === 0) throw badUserInput(`${path}.or`, "a non-empty list of filters");
    const members = filter.or.map((member, i) => {
      const memberParts = nonEmpty(parts(member, options, `${path}.or[${i}]`, depth + 2, counter), `${path}.or[${i}]`);
      return memberParts.length === 1 ? (memberParts[0] as SearchFilter) : { group: "AND" as const, filters: memberParts };
    });
    if (members.length === 1) out.push(members[0] as SearchFilter);
    else group({ group: "OR", filters: members });
  }
  return out;
}

function nonEmpty(list: SearchFilter[], path: string): SearchFilter[] {
  // An empty member would match every contact: almost certainly a mistake, and the route has no "true".
  if (list.length === 0) throw badUserInput(path, "a filter with at least one condition");
  return list;
}

function tagList(tags: readonly string[], path: string): string[] {
  const cleaned = [...new Set(tags.map((t, i) => shortValue(t.trim().toLowerCase(), `${path}[${i}]`)))];
  if (cleaned.length === 0 || cleaned.length > MAX_TAGS) throw badUserInput(path, `1 to ${MAX_TAGS} tags`, cleaned.length);
  return cleaned;
}

function shortValue(value: string, path: string): string {
  if (value.trim() === "") throw badUserInput(path, "a non-empty string");
  if (value.length > SEARCH_MAX_VALUE_LENGTH) throw badUserInput(path, `at most ${SEARCH_MAX_VALUE_LENGTH} characters (the search route's limit)`, value.length);
  return value;
}

function dateRange(range: DateTimeRange, path: string): { gte?: string; lte?: string } {
  const out: { gte?: string; lte?: string } = {};
  if (range.from) out.gte = range.from.toISOString();
  if (range.to) out.lte = range.to.toISOString();
  if (!out.gte && !out.lte) throw badUserInput(path, "a range with from and/or to");
  if (range.from && range.to && range.from.getTime() > range.to.getTime()) throw badUserInput(path, "a range whose from is not after its to");
  return out;
}

function scalarValue(value: unknown, path: string): string | number | boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw badUserInput(path, "a finite number");
    return value;
  }
  if (typeof value === "string") return shortValue(value, path);
  throw badUserInput(path, "a number, a string or a boolean", value);
}

function customFieldCondition(condition: CustomFieldCondition, options: TranslateOptions, path: string): SearchFilter & { field: string } {
  const key = condition.key.trim();
  if (key === "" || key.length > 100) throw badUserInput(`${path}.key`, "a custom field key, id or mapped name", condition.key);
  const field = options.customField(key);
  if (!field) throw badUserInput(`${path}.key`, "a custom field of this location (its key, id or mapped name)", condition.key);
  const operator = OPERATORS[condition.operator];
  const upstreamField = `customFields.${field.id}`;
  const given = condition.value !== undefined && condition.value !== null;
  const mapValue = (value: unknown, at: string) => (field.value ? field.value(value, at) : value);
  switch (condition.operator) {
    case FieldOperator.EXISTS:
    case FieldOperator.NOT_EXISTS:
      if (given) throw badUserInput(`${path}.value`, `no value with ${condition.operator}`, condition.value);
      return { field: upstreamField, operator };
    case FieldOperator.EQ:
    case FieldOperator.NOT_EQ:
      if (!given) throw badUserInput(`${path}.value`, `a value with ${condition.operator}`);
      return { field: upstreamField, operator, value: scalarValue(mapValue(condition.value, `${path}.value`), `${path}.value`) };
    case FieldOperator.CONTAINS:
    case FieldOperator.NOT_CONTAINS: {
      const value = mapValue(condition.value, `${path}.value`);
      if (typeof value !== "string" || !CONTAINS_VALUE.test(value)) {
        throw badUserInput(`${path}.value`, `a string of letters, digits and spaces with ${condition.operator} (the search route allows no special characters)`, condition.value);
      }
      return { field: upstreamField, operator, value: shortValue(value, `${path}.value`) };
    }
    case FieldOperator.RANGE: {
      const value = condition.value;
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw badUserInput(`${path}.value`, "an object with gte, lte, gt and/or lt", value);
      const bounds = value as Record<string, unknown>;
      const keys = Object.keys(bounds);
      if (keys.length === 0 || keys.some((k) => !(RANGE_KEYS as readonly string[]).includes(k))) {
        throw badUserInput(`${path}.value`, "an object with gte, lte, gt and/or lt only", value);
      }
      const out: Record<string, string | number> = {};
      for (const k of keys) {
        const bound = scalarValue(mapValue(bounds[k], `${path}.value.${k}`), `${path}.value.${k}`);
        if (typeof bound === "boolean") throw badUserInput(`${path}.value.${k}`, "a number or a date", bound);
        out[k] = bound;
      }
      return { field: upstreamField, operator, value: out };
    }
  }
}

/** The `sort` of the search body, or undefined for the route's default (newest first). */
export function translateSort(sort: readonly ContactSort[] | null | undefined, path = "sort"): SearchSortItem[] | undefined {
  if (!sort || sort.length === 0) return undefined;
  const out: SearchSortItem[] = [];
  const seen = new Set<ContactSortField>();
  sort.forEach((item, i) => {
    if (seen.has(item.field)) throw badUserInput(`${path}[${i}].field`, "each sort field once", item.field);
    seen.add(item.field);
    const direction = item.direction === SortDirection.ASC ? "asc" : "desc";
    if (item.field === ContactSortField.DATE_ADDED) out.push({ field: "dateAdded", direction });
    else if (item.field === ContactSortField.DATE_UPDATED) out.push({ field: "dateUpdated", direction });
    else out.push({ field: "firstNameLowerCase", direction }, { field: "lastNameLowerCase", direction });
  });
  if (out.length > MAX_SORT_FIELDS) throw badUserInput(path, `sort fields worth at most ${MAX_SORT_FIELDS} upstream fields (NAME counts two)`, sort.length);
  return out;
}

/** The search route's `query`: trimmed, at most 75 characters; undefined when empty. */
export function searchQuery(query: string | null | undefined, path = "query"): string | undefined {
  const trimmed = (query ?? "").trim();
  if (trimmed.length > SEARCH_MAX_VALUE_LENGTH) throw badUserInput(path, `a search string of at most ${SEARCH_MAX_VALUE_LENGTH} characters (the search route's limit)`, trimmed.length);
  return trimmed === "" ? undefined : trimmed;
}

/** Resolves a condition's key against a location's definitions: `contact.key`, `key` or the id. */
export function definitionLookup(definitions: readonly { id: string; fieldKey?: string | undefined }[]): (key: string) => ResolvedCustomField | undefined {
  const byKey = new Map<string, string>();
  for (const d of definitions) {
    byKey.set(d.id, d.id);
    if (d.fieldKey) {
      byKey.set(d.fieldKey, d.id);
      byKey.set(d.fieldKey.replace(/^contact\./, ""), d.id);
    }
  }
  return (key) => {
    const id = byKey.get(key);
    return id === undefined ? undefined : { id };
  };
}
