/**
 * ContactFilter → POST /contacts/search body (src/graphql/contact/contact-filter.translate.ts):
 * a property-style check against an independent reference evaluation (test/support/
 * contact-filter.reference.ts) of the simulator's seeded brokerage — a few hundred random filters
 * over its 200 contacts, each translated and run by the simulator's own search over its store
 * (no HTTP) — plus the refusals of what the route cannot express, each naming its input path.
 */
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { definitionLookup, translateFilter, translateSort, searchQuery } from "../../../../src/graphql/contact/contact-filter.translate.js";
import type { ContactFilter } from "../../../../src/graphql/contact/contact-filter.input.js";
import { ContactSortField, FieldOperator, SortDirection } from "../../../../src/graphql/contact/contact-filter.type.js";
import { parseSearchBody, runSearch } from "../../../../src/simulator/contact-search.filter.js";
import { createRng } from "../../../../src/simulator/random.js";
import { DEFAULT_SEED, DEMO_LOCATION_ID, seedStore } from "../../../../src/simulator/seed.data.js";
import { MemoryStore } from "../../../../src/simulator/simulator.store.js";
import { randomFilters, referenceMatches, type FilterInput } from "../../../support/contact-filter.reference.js";

const NOW = Date.UTC(2026, 11, 1, 12);
const store = new MemoryStore({ now: () => NOW, rng: createRng(7) });
seedStore(store, { seed: DEFAULT_SEED, nowMs: NOW });
const contacts = store.listContacts(DEMO_LOCATION_ID);
const definitions = store.customFieldDefinitions(DEMO_LOCATION_ID);
const lookup = { customField: definitionLookup(definitions) };

/** GraphQL input objects carry Dates for DateTime; the reference takes the ISO strings the client sent. */
function asInput(filter: FilterInput): ContactFilter {
  const convert = (f: FilterInput): ContactFilter => {
    const out: Record<string, unknown> = { ...f };
    for (const field of ["dateAdded", "dateUpdated"] as const) {
      const range = f[field];
      if (range) out[field] = { from: range.from ? new Date(range.from) : null, to: range.to ? new Date(range.to) : null };
    }
    if (f.customFields) out.customFields = f.customFields.map((c) => ({ ...c, operator: FieldOperator[c.operator] }));
    if (f.and) out.and = f.and.map(convert);
    if (f.or) out.or = f.or.map(convert);
    return out as ContactFilter;
  };
  return convert(filter);
}

function refusal(run: () => unknown): GraphQLError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions["code"]).toBe("BAD_USER_INPUT");
    return error as GraphQLError;
  }
  throw new Error("expected BAD_USER_INPUT");
}

describe("ContactFilter translation against a reference evaluation of the simulator's data", () => {
  it("400 random filters: the route, given the translated body, returns exactly the reference set", () => {
    const filters = randomFilters(20261203, 400, contacts, definitions);
    let translated = 0;
    let nonEmpty = 0;
    let partial = 0;
    for (const [index, filter] of filters.entries()) {
      let filters;
      try {
        filters = translateFilter(asInput(filter), lookup);
      } catch (error) {
        // Only nesting beyond what the route takes may be refused here.
        expect((error as Error).message, JSON.stringify(filter)).toMatch(/nested at most/);
        continue;
      }
      translated += 1;
      const request = parseSearchBody({ locationId: DEMO_LOCATION_ID, pageLimit: 500, filters });
      const got = runSearch(contacts, request, () => true).contacts.map((c) => c.contact.id).sort();
      const expected = contacts.filter((c) => referenceMatches(c, filter, definitions)).map((c) => c.id).sort();
      expect(got, `filter #${index}: ${JSON.stringify(filter)}`).toEqual(expected);
      if (expected.length > 0) nonEmpty += 1;
      if (expected.length > 0 && expected.length < contacts.length) partial += 1;
    }
    // The generator is useful only if it mostly translates and mostly selects a proper subset.
    expect(translated).toBeGreaterThan(380);
    expect(nonEmpty).toBeGreaterThan(220);
    expect(partial).toBeGreaterThan(200);
  });
});

describe("what the route cannot express is BAD_USER_INPUT naming the input", () => {
  it.each<[string, ContactFilter, RegExp]>([
    ["an empty tag list", { tags: { any: [] } }, /"filter\.tags\.any" must be 1 to 20 tags/],
    ["a tag over 75 characters", { tags: { all: ["t".repeat(76)] } }, /filter\.tags\.all\[0\].*75/],
    ["contains with special characters", { customFields: [{ key: "lender", operator: FieldOperator.CONTAINS, value: "a.b" }] }, /filter\.customFields\[0\]\.value.*special/],
    ["exists with a value", { customFields: [{ key: "lender", operator: FieldOperator.EXISTS, value: "x" }] }, /filter\.customFields\[0\]\.value.*no value/],
    ["a range with another key", { customFields: [{ key: "loan_amount", operator: FieldOperator.RANGE, value: { from: 1 } }] }, /gte, lte, gt and\/or lt only/],
    ["an unknown field", { or: [{ dnd: true }, { customFields: [{ key: "nope", operator: FieldOperator.EXISTS }] }] }, /filter\.or\[1\]\.customFields\[0\]\.key/],
    ["an empty or member", { or: [{ dnd: true }, {}] }, /filter\.or\[1\]" must be a filter with at least one condition/],
    ["a reversed date range", { dateAdded: { from: new Date(2), to: new Date(1) } }, /filter\.dateAdded/],
    ["groups nested too deep", { or: [{ or: [{ or: [{ dnd: true }, { dnd: false }] }, { dnd: true }] }, { dnd: true }] }, /nested at most 4 deep/],
    ["more than 50 conditions", { tags: { none: Array.from({ length: 20 }, (_, i) => `t${i}`), all: Array.from({ length: 20 }, (_, i) => `u${i}`), any: Array.from({ length: 20 }, (_, i) => `v${i}`) } }, /at most 50 conditions/],
  ])("%s", (_name, filter, message) => {
    expect(refusal(() => translateFilter(filter, lookup)).message).toMatch(message);
  });

  it("sort: NAME is two upstream fields, a field twice is refused; query at most 75 characters", () => {
    expect(translateSort([{ field: ContactSortField.NAME, direction: SortDirection.ASC }, { field: ContactSortField.DATE_ADDED, direction: SortDirection.DESC }])).toEqual([
      { field: "firstNameLowerCase", direction: "asc" },
      { field: "lastNameLowerCase", direction: "asc" },
      { field: "dateAdded", direction: "desc" },
    ]);
    expect(refusal(() => translateSort([{ field: ContactSortField.DATE_ADDED, direction: SortDirection.ASC }, { field: ContactSortField.DATE_ADDED, direction: SortDirection.DESC }])).message).toMatch(/sort\[1\]\.field/);
    expect(searchQuery("q".repeat(75))).toBe("q".repeat(75));
    expect(refusal(() => searchQuery("q".repeat(76))).message).toMatch(/"query".*75/);
  });
});
