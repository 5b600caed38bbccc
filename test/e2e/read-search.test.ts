/**
 * `contacts(filter, sort, query, first, after)` and `dashboard(filter:)` over POST /contacts/search
 * (schema/schema.graphql; test/fixtures/contacts-api/FACTS.md "Search"), gateway on port 0 against the simulator: exact sets each
 * once in ceil(matches / page size) calls, `page` up to 10,000 results and `searchAfter` beyond,
 * custom fields by key, sort, opaque cursors tied to their search, exact totals, the dashboard's
 * scope, and the response cache evicted by a contact change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOM_FIELDS } from "../../src/simulator/index.js";
import { LOCATION_A, READ, WRITE, startStack, useStack, type Stack } from "../support/harness.js";
import { randomFilters, referenceMatches } from "../support/contact-filter.reference.js";

interface Page {
  contacts: { nodes: { id: string; firstName: string | null; lastName: string | null }[]; edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number };
}

const PAGE = `query($filter: ContactFilter, $sort: [ContactSort!], $query: String, $first: Int, $after: String) {
  contacts(filter: $filter, sort: $sort, query: $query, first: $first, after: $after) {
    nodes { id firstName lastName } edges { cursor } pageInfo { hasNextPage endCursor } totalCount } }`;

async function pageThrough(stack: Stack, token: string, variables: Record<string, unknown>): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1_000; guard++) {
    const res: { body: { errors?: unknown; data?: Page | null } } = await stack.gql<Page>(PAGE, { ...variables, after }, token);
    expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
    const page: Page["contacts"] = res.body.data!.contacts;
    ids.push(...page.nodes.map((n) => n.id));
    totals.push(page.totalCount);
    if (!page.pageInfo.hasNextPage) return { ids, totals };
    after = page.pageInfo.endCursor;
  }
  throw new Error("paging did not end");
}

const searchBodies = (stack: Stack) => stack.upstream("/contacts/search").map((r) => r.body as Record<string, unknown>);

describe("contacts(filter) over POST /contacts/search", () => {
  const getStack = useStack();
  let token: string;
  beforeAll(async () => {
    token = await getStack().tokenFor({ scopes: [READ] });
  });
  const all = () => getStack().sim.data.listContacts(LOCATION_A);

  it("tags.any paged to the end: exactly the simulator's set, newest first, each once, ceil(n / first) calls, exact totals", async () => {
    const stack = getStack();
    stack.sim.clearRequests();
    const expected = all().filter((c) => c.tags?.includes("refinance") || c.tags?.includes("investor")).map((c) => c.id);
    expect(expected.length).toBeGreaterThan(14);
    const { ids, totals } = await pageThrough(stack, token, { filter: { tags: { any: ["Refinance", "investor"] } }, first: 7 });
    expect(ids).toEqual(expected);
    expect(new Set(totals)).toEqual(new Set([expected.length]));
    const bodies = searchBodies(stack);
    expect(bodies).toHaveLength(Math.ceil(expected.length / 7));
    expect(bodies[0]).toEqual({
      locationId: LOCATION_A,
      pageLimit: 7,
      page: 1,
      filters: [{ group: "OR", filters: [{ field: "tags", operator: "eq", value: "refinance" }, { field: "tags", operator: "eq", value: "investor" }] }],
    });
    expect(bodies.map((b) => b.page)).toEqual(bodies.map((_, i) => i + 1));
  });

  it("random filters through the gateway return exactly the reference set (the translation itself is checked on 400 more in test/unit)", async () => {
    const stack = getStack();
    const definitions = stack.sim.data.customFieldDefinitions(LOCATION_A);
    let checked = 0;
    for (const filter of randomFilters(77, 25, all(), definitions)) {
      const res = await stack.gql<Page>(PAGE, { filter, first: 500 }, token);
      if (res.body.errors) {
        expect(res.body.errors[0]?.message, JSON.stringify(filter)).toMatch(/nested at most/);
        continue;
      }
      const expected = all().filter((c) => referenceMatches(c, filter, definitions)).map((c) => c.id);
      expect(res.body.data!.contacts.nodes.map((n) => n.id), JSON.stringify(filter)).toEqual(expected);
      expect(res.body.data!.contacts.totalCount).toBe(expected.length);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("a cursor off the page grid continues with searchAfter; a cursor of another search is BAD_USER_INPUT", async () => {
    const stack = getStack();
    const filter = { dnd: false, type: "lead" };
    const first = await stack.gql<Page>(PAGE, { filter, first: 5 }, token);
    stack.sim.clearRequests();
    const next = await stack.gql<Page>(PAGE, { filter, first: 3, after: first.body.data!.contacts.pageInfo.endCursor }, token);
    const expected = all().filter((c) => c.dnd !== true && c.type === "lead").map((c) => c.id);
    expect(next.body.data!.contacts.nodes.map((n) => n.id)).toEqual(expected.slice(5, 8));
    expect(searchBodies(stack)[0]).toMatchObject({ pageLimit: 3, searchAfter: expect.any(Array) });
    expect(searchBodies(stack)[0]).not.toHaveProperty("page");
    const other = await stack.gql(PAGE, { filter: { dnd: true }, first: 3, after: first.body.data!.contacts.pageInfo.endCursor }, token);
    expect(other.body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(other.body.errors?.[0]?.message).toMatch(/after/);
  });

  it("custom fields by key (definitions read once per location), sort by name, and an unknown key named", async () => {
    const stack = getStack();
    stack.sim.clearRequests();
    const value = (c: ReturnType<typeof all>[number], id: string) => c.customFields?.find((f) => f.id === id)?.value;
    const filter = {
      customFields: [
        { key: "contact.loan_stage", operator: "EQ", value: "Underwriting" },
        { key: "loan_amount", operator: "RANGE", value: { gte: 400_000 } },
      ],
    };
    const expected = all()
      .filter((c) => value(c, DEMO_CUSTOM_FIELDS[5].id) === "Underwriting" && Number(value(c, DEMO_CUSTOM_FIELDS[0].id)) >= 400_000)
      .sort((a, b) => (a.firstName ?? "").toLowerCase().localeCompare((b.firstName ?? "").toLowerCase()) || (a.lastName ?? "").toLowerCase().localeCompare((b.lastName ?? "").toLowerCase()) || (a.id < b.id ? 1 : -1));
    const { ids } = await pageThrough(stack, token, { filter, sort: [{ field: "NAME", direction: "ASC" }], first: 500 });
    expect(ids).toEqual(expected.map((c) => c.id));
    expect(searchBodies(stack)[0]).toMatchObject({
      sort: [{ field: "firstNameLowerCase", direction: "asc" }, { field: "lastNameLowerCase", direction: "asc" }],
      filters: [
        { field: `customFields.${DEMO_CUSTOM_FIELDS[5].id}`, operator: "eq", value: "Underwriting" },
        { field: `customFields.${DEMO_CUSTOM_FIELDS[0].id}`, operator: "range", value: { gte: 400_000 } },
      ],
    });
    await stack.gql(PAGE, { filter: { customFields: [{ key: "lender", operator: "EXISTS" }] }, first: 1 }, token);
    // Cached per location: several filters on custom fields, at most one read (none when an earlier test loaded them).
    expect(stack.upstream("/locations/:locationId/customFields").length).toBeLessThanOrEqual(1);
    const unknown = await stack.gql(PAGE, { filter: { or: [{ dnd: true }, { customFields: [{ key: "no_such_field", operator: "EXISTS" }] }] } }, token);
    expect(unknown.body.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(unknown.body.errors?.[0]?.message).toMatch(/filter\.or\[1\]\.customFields\[0\]\.key/);
  });

  it("dashboard(filter) orders the newest matches; dashboardScope says how many matched, from the same single call", async () => {
    const stack = getStack();
    stack.sim.clearRequests();
    const filter = { tags: { all: ["lead"] }, hasEmail: true };
    const res = await stack.gql<{ dashboard: { id: string }[]; dashboardScope: { totalCount: number; shown: number; complete: boolean } }>(
      `query($f: ContactFilter) { dashboard(first: 5, filter: $f) { id } dashboardScope(first: 5, filter: $f) { totalCount shown complete } }`,
      { f: filter },
      token,
    );
    expect(res.body.errors).toBeUndefined();
    const matches = all().filter((c) => c.tags?.includes("lead") && c.email);
    expect(res.body.data!.dashboardScope).toEqual({ totalCount: matches.length, shown: 5, complete: false });
    expect(new Set(res.body.data!.dashboard.map((c) => c.id))).toEqual(new Set(matches.slice(0, 5).map((c) => c.id)));
    expect(searchBodies(stack)).toHaveLength(1);
  });

  it("a stored search answer is evicted by a contact change: the next query asks the search route again", async () => {
    const stack = getStack();
    const writer = await stack.tokenFor({ scopes: [READ, WRITE] });
    const variables = { filter: { tags: { any: ["search-cache-probe"] } }, first: 10 };
    const before = await stack.gql<Page>(PAGE, variables, token);
    expect(before.body.data!.contacts.totalCount).toBe(0);
    stack.sim.clearRequests();
    await stack.gql<Page>(PAGE, variables, token);
    expect(searchBodies(stack)).toHaveLength(0); // answered by the response cache
    const created = await stack.gql(`mutation { createContact(input: { firstName: "Probe", tags: ["search-cache-probe"] }) { id } }`, {}, writer);
    expect(created.body.errors).toBeUndefined();
    const after = await stack.gql<Page>(PAGE, variables, token);
    expect(searchBodies(stack)).toHaveLength(1);
    expect(after.body.data!.contacts.totalCount).toBe(1);
  });
});

describe("contacts(filter) beyond 10,000 results", () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ simulator: { seed: false } });
    token = await stack.tokenFor({ scopes: [READ] });
    const base = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 10_250; i++) {
      stack.sim.data.createContact(LOCATION_A, {
        firstName: "Mass",
        lastName: `N${i}`,
        tags: i % 41 === 0 ? ["vip", "book"] : ["book"],
        dateAdded: new Date(base - Math.floor(i / 3) * 1000).toISOString(),
      });
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("tags.any vip over 10,250 contacts: exactly the tagged set, each once, in ceil(matches / first) calls", async () => {
    stack.sim.clearRequests();
    const expected = stack.sim.data.listContacts(LOCATION_A).filter((c) => c.tags?.includes("vip")).map((c) => c.id);
    const { ids } = await pageThrough(stack, token, { filter: { tags: { any: ["vip"] } }, first: 100 });
    expect(ids).toEqual(expected);
    expect(searchBodies(stack)).toHaveLength(Math.ceil(expected.length / 100));
  });

  it("every one of 10,250 matches once: pages 1..20 by page, the 21st by searchAfter", async () => {
    stack.sim.clearRequests();
    const { ids, totals } = await pageThrough(stack, token, { filter: { tags: { all: ["book"] } }, first: 500 });
    expect(ids).toEqual(stack.sim.data.listContacts(LOCATION_A).map((c) => c.id));
    expect(new Set(totals)).toEqual(new Set([10_250]));
    const bodies = searchBodies(stack);
    expect(bodies).toHaveLength(21);
    expect(bodies.slice(0, 20).map((b) => b.page)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(bodies[20]).toMatchObject({ pageLimit: 500, searchAfter: expect.any(Array) });
    expect(bodies[20]).not.toHaveProperty("page");
  });
});
