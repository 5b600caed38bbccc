/**
 * The simulator's `POST /contacts/search` semantics, pure (no HTTP, no store): the body check
 * (422 messages like HighLevel's validation pipe), the filter evaluation over the location's
 * contacts, the sort and both paging modes. What is known of the route (FACTS.md "Search", from
 * HighLevel's public docs): `locationId` and `pageLimit` required, `pageLimit` at most 500, `page`
 * reaches 10,000 results at most and `searchAfter` (never with `page`) goes beyond; `filters` is
 * a list combined with AND whose items are `{field, operator, value}` or `{group: "AND"|"OR",
 * filters}`; operators `eq`, `not_eq`, `contains`, `not_contains`, `exists`, `not_exists`,
 * `range`; values at most 75 characters; `query` at most 75 characters.
 *
 * Documented choices where the docs are silent:
 * - Fields: `tags`, `assignedTo`, `businessId`, `type`, `dnd`, `email`, `phone`, `source`,
 *   `firstNameLowerCase`, `lastNameLowerCase`, `fullNameLowerCase`, `companyName`, `dateAdded`,
 *   `dateUpdated` and `customFields.<customFieldId>`; any other field is a 422.
 * - Strings compare case-insensitively; a list value (tags, a multi-option custom field) matches
 *   `eq`/`contains` when one of its items does; `not_eq`/`not_contains` are their negation (a
 *   contact without the field matches them). `exists` means a non-empty value; a missing `dnd`
 *   reads as false.
 * - `contains` values are letters, digits and spaces only ("no special characters").
 * - `range` compares numbers (numeric strings included) or instants (ISO dates; a number bound
 *   on a date field is epoch ms); bounds are `gte`, `lte`, `gt`, `lt`.
 * - Groups nest at most 5 deep; at most 50 conditions in a body.
 * - Sort: `[{field, direction}]` over `dateAdded`, `dateUpdated`, `firstNameLowerCase`,
 *   `lastNameLowerCase`, `fullNameLowerCase`, at most 3; default `dateAdded` desc. The contact id
 *   breaks ties (descending), so the order is total and `searchAfter` (the sort values of the
 *   last item, then its id, returned on every item) resumes exactly; missing values sort last.
 * - `page` is 1-based; `page * pageLimit` beyond 10,000 is a 422 naming `searchAfter`.
 */
import { errors } from "./simulator.http.js";
import type { SimulatorContact } from "./simulator.types.js";

export const SEARCH_MAX_PAGE_LIMIT = 500;
export const SEARCH_MAX_PAGED_RESULTS = 10_000;
export const SEARCH_MAX_VALUE_LENGTH = 75;
const MAX_DEPTH = 5;
const MAX_CONDITIONS = 50;
const MAX_SORTS = 3;

export const SEARCH_OPERATORS = ["eq", "not_eq", "contains", "not_contains", "exists", "not_exists", "range"] as const;
export type SearchOperator = (typeof SEARCH_OPERATORS)[number];

const PLAIN_FIELDS = new Set([
  "tags", "assignedTo", "businessId", "type", "dnd", "email", "phone", "source", "companyName",
  "firstNameLowerCase", "lastNameLowerCase", "fullNameLowerCase", "dateAdded", "dateUpdated",
]);
const DATE_FIELDS = new Set(["dateAdded", "dateUpdated"]);
const SORT_FIELDS = new Set(["dateAdded", "dateUpdated", "firstNameLowerCase", "lastNameLowerCase", "fullNameLowerCase"]);
const CUSTOM_FIELD = /^customFields\.([A-Za-z0-9_-]{1,64})$/;
const CONTAINS_VALUE = /^[\p{L}\p{N} ]+$/u;
const RANGE_KEYS = ["gte", "lte", "gt", "lt"] as const;

export type SearchCondition =
  | { field: string; operator: SearchOperator; value?: unknown }
  | { group: "AND" | "OR"; filters: SearchCondition[] };

export interface SearchSort {
  field: string;
  direction: "asc" | "desc";
}

export interface SearchRequest {
  locationId: string;
  pageLimit: number;
  page?: number;
  searchAfter?: unknown[];
  filters: SearchCondition[];
  sort: SearchSort[];
  query?: string;
}

const BODY_KEYS = new Set(["locationId", "page", "pageLimit", "searchAfter", "filters", "sort", "query"]);

/** Checks a search body; throws the 422 HighLevel answers (messages as an array). */
export function parseSearchBody(body: unknown): SearchRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw errors.unprocessable(["locationId should not be empty", "pageLimit should not be empty"]);
  }
  const record = body as Record<string, unknown>;
  const messages: string[] = [];
  for (const key of Object.keys(record)) if (!BODY_KEYS.has(key)) messages.push(`property ${key} should not exist`);
  const { locationId, pageLimit, page, searchAfter, query } = record;
  if (locationId === undefined || locationId === null || locationId === "") messages.push("locationId should not be empty");
  else if (typeof locationId !== "string") messages.push("locationId must be a string");
  if (pageLimit === undefined || pageLimit === null) messages.push("pageLimit should not be empty");
  else if (!isInt(pageLimit) || pageLimit < 1 || pageLimit > SEARCH_MAX_PAGE_LIMIT) {
    messages.push(`pageLimit must be an integer from 1 to ${SEARCH_MAX_PAGE_LIMIT}`);
  }
  if (page !== undefined && (!isInt(page) || page < 1)) messages.push("page must be an integer not less than 1");
  if (searchAfter !== undefined && (!Array.isArray(searchAfter) || searchAfter.length === 0)) messages.push("searchAfter must be a non-empty array");
  if (page !== undefined && searchAfter !== undefined) messages.push("page and searchAfter cannot be used together");
  if (isInt(page) && isInt(pageLimit) && page * pageLimit > SEARCH_MAX_PAGED_RESULTS) {
    messages.push(`page and pageLimit reach at most ${SEARCH_MAX_PAGED_RESULTS} results; use searchAfter beyond`);
  }
  if (query !== undefined && typeof query !== "string") messages.push("query must be a string");
  else if (typeof query === "string" && query.length > SEARCH_MAX_VALUE_LENGTH) {
    messages.push(`query must be shorter than or equal to ${SEARCH_MAX_VALUE_LENGTH} characters`);
  }
  const counter = { conditions: 0 };
  const filters = record.filters === undefined ? [] : parseFilters(record.filters, "filters", 1, counter, messages);
  if (counter.conditions > MAX_CONDITIONS) messages.push(`filters must hold at most ${MAX_CONDITIONS} conditions`);
  const sort = parseSort(record.sort, messages);
  if (messages.length > 0) throw errors.unprocessable(messages);
  const request: SearchRequest = { locationId: locationId as string, pageLimit: pageLimit as number, filters, sort };
  if (page !== undefined) request.page = page as number;
  if (searchAfter !== undefined) request.searchAfter = searchAfter as unknown[];
  if (typeof query === "string" && query.trim() !== "") request.query = query;
  return request;
}

function isInt(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

function parseFilters(value: unknown, path: string, depth: number, counter: { conditions: number }, messages: string[]): SearchCondition[] {
  if (!Array.isArray(value)) {
    messages.push(`${path} must be an array`);
    return [];
  }
  if (depth > MAX_DEPTH) {
    messages.push(`${path}: groups nest at most ${MAX_DEPTH} deep`);
    return [];
  }
  const out: SearchCondition[] = [];
  value.forEach((item: unknown, index) => {
    const at = `${path}.${index}`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      messages.push(`${at} must be an object`);
      return;
    }
    const f = item as Record<string, unknown>;
    if ("group" in f) {
      for (const key of Object.keys(f)) if (key !== "group" && key !== "filters") messages.push(`${at}.property ${key} should not exist`);
      if (f.group !== "AND" && f.group !== "OR") messages.push(`${at}.group must be one of the following values: AND, OR`);
      const filters = parseFilters(f.filters, `${at}.filters`, depth + 1, counter, messages);
      out.push({ group: f.group === "OR" ? "OR" : "AND", filters });
      return;
    }
    counter.conditions += 1;
    for (const key of Object.keys(f)) if (key !== "field" && key !== "operator" && key !== "value") messages.push(`${at}.property ${key} should not exist`);
    const field = f.field;
    if (typeof field !== "string" || !(PLAIN_FIELDS.has(field) || CUSTOM_FIELD.test(field))) {
      messages.push(`${at}.field ${JSON.stringify(field)} is not a searchable field`);
      return;
    }
    const operator = f.operator as SearchOperator;
    if (!SEARCH_OPERATORS.includes(operator)) {
      messages.push(`${at}.operator must be one of the following values: ${SEARCH_OPERATORS.join(", ")}`);
      return;
    }
    const problem = valueProblem(operator, f.value, "value" in f);
    if (problem) {
      messages.push(`${at}.value ${problem}`);
      return;
    }
    out.push("value" in f ? { field, operator, value: f.value } : { field, operator });
  });
  return out;
}

function scalarProblem(value: unknown): string | undefined {
  if (typeof value === "string") return value.length > SEARCH_MAX_VALUE_LENGTH ? `must be shorter than or equal to ${SEARCH_MAX_VALUE_LENGTH} characters` : undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "must be a finite number";
  return "must be a number or a string";
}

function valueProblem(operator: SearchOperator, value: unknown, present: boolean): string | undefined {
  switch (operator) {
    case "exists":
    case "not_exists":
      return present ? `must be omitted with ${operator}` : undefined;
    case "eq":
    case "not_eq":
      if (typeof value === "boolean") return undefined;
      return scalarProblem(value);
    case "contains":
    case "not_contains":
      if (typeof value !== "string" || value.length === 0) return "must be a non-empty string";
      if (value.length > SEARCH_MAX_VALUE_LENGTH) return `must be shorter than or equal to ${SEARCH_MAX_VALUE_LENGTH} characters`;
      return CONTAINS_VALUE.test(value) ? undefined : "must hold letters, digits and spaces only (no special characters)";
    case "range": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return "must be an object with gte, lte, gt or lt";
      const bounds = value as Record<string, unknown>;
      const keys = Object.keys(bounds);
      if (keys.length === 0 || keys.some((k) => !(RANGE_KEYS as readonly string[]).includes(k))) return "must be an object with gte, lte, gt or lt";
      for (const key of keys) {
        const problem = scalarProblem(bounds[key]);
        if (problem) return `.${key} ${problem}`;
      }
      return undefined;
    }
  }
}

function parseSort(value: unknown, messages: string[]): SearchSort[] {
  if (value === undefined) return [{ field: "dateAdded", direction: "desc" }];
  if (!Array.isArray(value) || value.length > MAX_SORTS) {
    messages.push(`sort must be an array of at most ${MAX_SORTS} items`);
    return [];
  }
  const out: SearchSort[] = [];
  value.forEach((item: unknown, index) => {
    const s = (item ?? {}) as Record<string, unknown>;
    if (typeof s.field !== "string" || !SORT_FIELDS.has(s.field)) {
      messages.push(`sort.${index}.field must be one of the following values: ${[...SORT_FIELDS].join(", ")}`);
      return;
    }
    if (s.direction !== "asc" && s.direction !== "desc") {
      messages.push(`sort.${index}.direction must be one of the following values: asc, desc`);
      return;
    }
    out.push({ field: s.field, direction: s.direction });
  });
  return out.length > 0 ? out : [{ field: "dateAdded", direction: "desc" }];
}

// ---- evaluation ---------------------------------------------------------------------------

/** The raw value of a search field on a contact (undefined when absent). */
function fieldValue(contact: SimulatorContact, field: string): unknown {
  const custom = CUSTOM_FIELD.exec(field);
  if (custom) return contact.customFields?.find((f) => f.id === custom[1])?.value;
  if (field === "dnd") return contact.dnd ?? false;
  if (field === "fullNameLowerCase") return contact.fullNameLowerCase ?? contact.name ?? undefined;
  return contact[field];
}

const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);

function scalarEquals(actual: unknown, wanted: unknown): boolean {
  if (typeof wanted === "boolean") return actual === wanted || (typeof actual === "string" && actual.toLowerCase() === String(wanted));
  if (typeof wanted === "number") {
    const n = typeof actual === "number" ? actual : typeof actual === "string" && actual.trim() !== "" ? Number(actual) : Number.NaN;
    return n === wanted;
  }
  if (typeof actual === "number") return String(actual) === String(wanted).trim();
  return typeof actual === "string" && actual.toLowerCase() === String(wanted).toLowerCase();
}

const items = (value: unknown): unknown[] => (Array.isArray(value) ? value : isEmpty(value) ? [] : [value]);

/** Number, or epoch ms of an instant; undefined when neither. */
function comparable(value: unknown, dateField: boolean): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (!dateField && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function inRange(actual: unknown, bounds: Record<string, unknown>, field: string): boolean {
  const dateField = DATE_FIELDS.has(field);
  return items(actual).some((item) => {
    // A custom-field value that is not a plain number is an instant (a DATE field).
    const isDate = dateField || (typeof item === "string" && !/^-?\d+(\.\d+)?$/.test(item.trim()));
    const a = comparable(item, isDate);
    if (a === undefined) return false;
    for (const key of RANGE_KEYS) {
      if (!(key in bounds)) continue;
      const b = comparable(bounds[key], isDate);
      if (b === undefined) return false;
      if ((key === "gte" && !(a >= b)) || (key === "lte" && !(a <= b)) || (key === "gt" && !(a > b)) || (key === "lt" && !(a < b))) return false;
    }
    return true;
  });
}

export function matchesCondition(contact: SimulatorContact, condition: SearchCondition): boolean {
  if ("group" in condition) {
    return condition.group === "AND"
      ? condition.filters.every((c) => matchesCondition(contact, c))
      : condition.filters.some((c) => matchesCondition(contact, c));
  }
  const actual = fieldValue(contact, condition.field);
  switch (condition.operator) {
    case "eq":
      return items(actual).some((item) => scalarEquals(item, condition.value));
    case "not_eq":
      return !items(actual).some((item) => scalarEquals(item, condition.value));
    case "contains": {
      const needle = String(condition.value).toLowerCase();
      return items(actual).some((item) => String(item).toLowerCase().includes(needle));
    }
    case "not_contains": {
      const needle = String(condition.value).toLowerCase();
      return !items(actual).some((item) => String(item).toLowerCase().includes(needle));
    }
    case "exists":
      return !isEmpty(actual);
    case "not_exists":
      return isEmpty(actual);
    case "range":
      return inRange(actual, condition.value as Record<string, unknown>, condition.field);
  }
}

/** The sort values of a contact (then its id), as `searchAfter` carries them. */
export function sortValues(contact: SimulatorContact, sort: readonly SearchSort[]): (string | number | null)[] {
  const values: (string | number | null)[] = sort.map((s) => {
    const raw = fieldValue(contact, s.field);
    if (DATE_FIELDS.has(s.field)) {
      const ms = typeof raw === "string" ? Date.parse(raw) : Number.NaN;
      return Number.isNaN(ms) ? null : ms;
    }
    return typeof raw === "string" && raw !== "" ? raw.toLowerCase() : null;
  });
  values.push(contact.id);
  return values;
}

function compareValue(a: unknown, b: unknown, direction: "asc" | "desc"): number {
  const aMissing = a === null || a === undefined;
  const bMissing = b === null || b === undefined;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1; // missing last
  let order: number;
  if (typeof a === "number" && typeof b === "number") order = a - b;
  else order = String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  return direction === "asc" ? order : -order;
}

function compareSortValues(a: readonly unknown[], b: readonly unknown[], sort: readonly SearchSort[]): number {
  for (let i = 0; i < sort.length; i++) {
    const order = compareValue(a[i], b[i], (sort[i] as SearchSort).direction);
    if (order !== 0) return order;
  }
  return compareValue(a[sort.length], b[sort.length], "desc");
}

export interface SearchResult {
  contacts: { contact: SimulatorContact; searchAfter: (string | number | null)[] }[];
  total: number;
}

/**
 * Runs a checked request over a location's contacts. `matchesQuery` is the full-text match of
 * `query` (the same fields `GET /contacts/?query=` searches).
 */
export function runSearch(
  contacts: readonly SimulatorContact[],
  request: SearchRequest,
  matchesQuery: (contact: SimulatorContact) => boolean,
): SearchResult {
  const matching = contacts.filter((c) => (request.query === undefined || matchesQuery(c)) && request.filters.every((f) => matchesCondition(c, f)));
  const decorated = matching.map((contact) => ({ contact, searchAfter: sortValues(contact, request.sort) }));
  decorated.sort((a, b) => compareSortValues(a.searchAfter, b.searchAfter, request.sort));
  let start = 0;
  if (request.searchAfter) {
    const after = request.searchAfter;
    if (after.length !== request.sort.length + 1) {
      throw errors.unprocessable([`searchAfter must hold ${request.sort.length + 1} values (the sort values, then the id)`]);
    }
    start = decorated.findIndex((d) => compareSortValues(d.searchAfter, after, request.sort) > 0);
    if (start < 0) start = decorated.length;
  } else if (request.page !== undefined) {
    start = (request.page - 1) * request.pageLimit;
  }
  return { contacts: decorated.slice(start, start + request.pageLimit), total: matching.length };
}
