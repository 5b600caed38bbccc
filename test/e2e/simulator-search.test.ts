// The simulator's POST /contacts/search (FACTS.md "Search"), GET /locations/:id/customFields and
// GET /locations/:id/tags (apps/locations.json): validation (422 with a message array), every
// operator and group, sort, both paging modes across 10,000 results, the indexing delay, and the
// location reads against the official schemas. Raw fetch only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_CUSTOM_FIELDS,
  DEMO_LOAN_STAGES,
  DEMO_LOCATION_ID,
  OTHER_LOCATION_ID,
  startSimulator,
  type Simulator,
} from "../../src/simulator/index.js";
import { createSpecValidator } from "../support/simulator-spec-validator.js";
import { call } from "./simulator-support.js";

const spec = createSpecValidator();
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false });
});
afterAll(async () => {
  await sim.close();
});

const search = (body: unknown, token?: string) => call(sim.url, "POST", "/contacts/search", { body, ...(token ? { token } : {}) });
const ids = (body: Record<string, unknown>) => (body.contacts as { id: string }[]).map((c) => c.id);

describe("simulator: POST /contacts/search validation", () => {
  it.each([
    ["no pageLimit", { locationId: DEMO_LOCATION_ID }, /pageLimit should not be empty/],
    ["no locationId", { pageLimit: 10 }, /locationId should not be empty/],
    ["pageLimit over 500", { locationId: DEMO_LOCATION_ID, pageLimit: 501 }, /pageLimit must be an integer from 1 to 500/],
    ["page beyond 10,000 results", { locationId: DEMO_LOCATION_ID, pageLimit: 500, page: 21 }, /use searchAfter/],
    ["page with searchAfter", { locationId: DEMO_LOCATION_ID, pageLimit: 5, page: 1, searchAfter: [1, "x"] }, /cannot be used together/],
    ["a query of 76 characters", { locationId: DEMO_LOCATION_ID, pageLimit: 5, query: "q".repeat(76) }, /query must be shorter than or equal to 75/],
    ["a value of 76 characters", { locationId: DEMO_LOCATION_ID, pageLimit: 5, filters: [{ field: "email", operator: "eq", value: "v".repeat(76) }] }, /filters\.0\.value must be shorter/],
    ["contains with special characters", { locationId: DEMO_LOCATION_ID, pageLimit: 5, filters: [{ field: "email", operator: "contains", value: "a@b" }] }, /no special characters/],
    ["an unknown operator", { locationId: DEMO_LOCATION_ID, pageLimit: 5, filters: [{ field: "dnd", operator: "like", value: true }] }, /operator must be one of/],
    ["an unknown field", { locationId: DEMO_LOCATION_ID, pageLimit: 5, filters: [{ field: "password", operator: "eq", value: "x" }] }, /is not a searchable field/],
    ["exists with a value", { locationId: DEMO_LOCATION_ID, pageLimit: 5, filters: [{ field: "email", operator: "exists", value: "x" }] }, /must be omitted with exists/],
    ["a range without bounds", { locationId: DEMO_LOCATION_ID, pageLimit: 5, filters: [{ field: "dateAdded", operator: "range", value: { from: 1 } }] }, /gte, lte, gt or lt/],
    ["a bad group", { locationId: DEMO_LOCATION_ID, pageLimit: 5, filters: [{ group: "XOR", filters: [] }] }, /group must be one of/],
    ["an unknown property", { locationId: DEMO_LOCATION_ID, pageLimit: 5, limit: 5 }, /property limit should not exist/],
    ["an unknown sort field", { locationId: DEMO_LOCATION_ID, pageLimit: 5, sort: [{ field: "email", direction: "asc" }] }, /sort\.0\.field/],
  ])("%s → 422 with a message array", async (_name, body, message) => {
    const r = await search(body);
    expect(r.status).toBe(422);
    expect(Array.isArray(r.body.message)).toBe(true);
    expect((r.body.message as string[]).join("; ")).toMatch(message);
  });

  it("a foreign locationId is 403; a token without contacts.readonly is 401", async () => {
    expect((await search({ locationId: OTHER_LOCATION_ID, pageLimit: 5 })).status).toBe(403);
    sim.addToken({ token: "sim-search-no-read", locationId: DEMO_LOCATION_ID, scopes: ["contacts.write"] });
    expect((await search({ locationId: DEMO_LOCATION_ID, pageLimit: 5 }, "sim-search-no-read")).status).toBe(401);
  });
});

describe("simulator: POST /contacts/search results", () => {
  const all = () => sim.data.listContacts(DEMO_LOCATION_ID);

  it("answers {contacts, total} with list items carrying searchAfter, newest first by default", async () => {
    const r = await search({ locationId: DEMO_LOCATION_ID, pageLimit: 7 });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(all().length);
    expect(ids(r.body)).toEqual(all().slice(0, 7).map((c) => c.id));
    const first = (r.body.contacts as Record<string, unknown>[])[0]!;
    expect(first).toMatchObject({ locationId: DEMO_LOCATION_ID, contactName: expect.any(String), tags: expect.any(Array), customFields: expect.any(Array) });
    expect(first.searchAfter).toEqual([Date.parse(all()[0]!.dateAdded!), all()[0]!.id]);
    expect(typeof r.body.traceId).toBe("string");
  });

  it("tags eq / not_eq, OR and AND groups, exists, contains, range on dates and custom numbers", async () => {
    const body = (filters: unknown[]) => ({ locationId: DEMO_LOCATION_ID, pageLimit: 500, filters });
    const expectIds = async (filters: unknown[], expected: (c: ReturnType<typeof all>[number]) => boolean) => {
      const r = await search(body(filters));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const wanted = all().filter(expected).map((c) => c.id);
      expect(ids(r.body)).toEqual(wanted);
      expect(r.body.total).toBe(wanted.length);
      return wanted.length;
    };
    const has = (c: ReturnType<typeof all>[number], tag: string) => (c.tags ?? []).includes(tag);
    expect(await expectIds([{ field: "tags", operator: "eq", value: "refinance" }], (c) => has(c, "refinance"))).toBeGreaterThan(0);
    await expectIds([{ field: "tags", operator: "not_eq", value: "refinance" }], (c) => !has(c, "refinance"));
    await expectIds(
      [{ group: "OR", filters: [{ field: "tags", operator: "eq", value: "investor" }, { field: "tags", operator: "eq", value: "jumbo" }] }],
      (c) => has(c, "investor") || has(c, "jumbo"),
    );
    await expectIds(
      [{ field: "tags", operator: "eq", value: "lead" }, { field: "dnd", operator: "eq", value: false }],
      (c) => has(c, "lead") && c.dnd !== true,
    );
    await expectIds([{ field: "businessId", operator: "exists" }], (c) => Boolean(c.businessId));
    await expectIds([{ field: "companyName", operator: "not_exists" }], (c) => !c.companyName);
    await expectIds([{ field: "email", operator: "contains", value: "Olivia" }], (c) => (c.email ?? "").includes("olivia"));
    const middle = all()[50]!.dateAdded!;
    await expectIds([{ field: "dateAdded", operator: "range", value: { gte: middle } }], (c) => Date.parse(c.dateAdded!) >= Date.parse(middle));
    const loan = `customFields.${DEMO_CUSTOM_FIELDS[0].id}`;
    await expectIds([{ field: loan, operator: "range", value: { gt: 500_000, lte: 600_000 } }], (c) => {
      const v = Number(c.customFields?.find((f) => f.id === DEMO_CUSTOM_FIELDS[0].id)?.value);
      return v > 500_000 && v <= 600_000;
    });
    const stage = `customFields.${DEMO_CUSTOM_FIELDS[5].id}`;
    await expectIds([{ field: stage, operator: "eq", value: "Underwriting" }], (c) => has(c, "underwriting"));
  });

  it("sorts by name ascending with the id breaking ties, and a query narrows like GET /contacts/?query=", async () => {
    const r = await search({ locationId: DEMO_LOCATION_ID, pageLimit: 500, sort: [{ field: "firstNameLowerCase", direction: "asc" }] });
    const names = (r.body.contacts as { firstNameRaw?: string }[]).map((c) => (c.firstNameRaw ?? "").toLowerCase());
    expect(names).toEqual([...names].sort());
    const q = await search({ locationId: DEMO_LOCATION_ID, pageLimit: 500, query: "olivia" });
    expect(ids(q.body).length).toBeGreaterThan(0);
    expect((q.body.contacts as { contactName: string; email: string }[]).every((c) => `${c.contactName} ${c.email}`.toLowerCase().includes("olivia"))).toBe(true);
  });

  it("a contact created through the API appears after the indexing delay", async () => {
    sim.setSearchIndexDelay(200);
    try {
      const created = await call(sim.url, "POST", "/contacts/", { body: { locationId: DEMO_LOCATION_ID, firstName: "Indexed", email: "indexed.later@example.com" } });
      expect(created.status).toBe(201);
      const id = (created.body.contact as { id: string }).id;
      const body = { locationId: DEMO_LOCATION_ID, pageLimit: 5, filters: [{ field: "email", operator: "eq", value: "indexed.later@example.com" }] };
      expect(ids((await search(body)).body)).toEqual([]);
      const found = await (async () => {
        for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
          const r = await search(body);
          if (ids(r.body).length > 0) return ids(r.body);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        return [];
      })();
      expect(found).toEqual([id]);
    } finally {
      sim.setSearchIndexDelay(0);
    }
  });
});

describe("simulator: search over more than 10,000 results", () => {
  it("pages to 10,000 with page, then goes on with searchAfter; every contact once", async () => {
    const big = await startSimulator({ seed: false, rateLimit: false });
    try {
      const base = Date.UTC(2025, 0, 1);
      for (let i = 0; i < 10_250; i++) {
        const dateAdded = new Date(base - Math.floor(i / 3) * 1000).toISOString();
        big.data.createContact(DEMO_LOCATION_ID, { firstName: "Mass", lastName: `N${i}`, tags: i % 41 === 0 ? ["vip", "x"] : ["x"], dateAdded });
      }
      const seen: string[] = [];
      let searchAfter: unknown[] | undefined;
      for (let page = 1; ; page++) {
        const body: Record<string, unknown> = { locationId: DEMO_LOCATION_ID, pageLimit: 500, filters: [{ field: "tags", operator: "eq", value: "x" }] };
        if (page <= 20) body.page = page;
        else body.searchAfter = searchAfter;
        const r = await call(big.url, "POST", "/contacts/search", { body });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body.total).toBe(10_250);
        const items = r.body.contacts as { id: string; searchAfter: unknown[] }[];
        seen.push(...items.map((c) => c.id));
        if (items.length < 500) break;
        searchAfter = items.at(-1)!.searchAfter;
      }
      expect(seen).toHaveLength(10_250);
      expect(seen).toEqual(big.data.listContacts(DEMO_LOCATION_ID).map((c) => c.id));
      const beyond = await call(big.url, "POST", "/contacts/search", { body: { locationId: DEMO_LOCATION_ID, pageLimit: 500, page: 21 } });
      expect(beyond.status).toBe(422);
    } finally {
      await big.close();
    }
  });
});

describe("simulator: location custom fields and tags (apps/locations.json)", () => {
  it("GET /locations/:id/customFields?model=contact → the broker field set, valid against CustomFieldsListSuccessfulResponseDto", async () => {
    const r = await call(sim.url, "GET", `/locations/${DEMO_LOCATION_ID}/customFields?model=contact`);
    expect(r.status).toBe(200);
    const { ok, errors } = spec.validate("GET", "/locations/{locationId}/customFields", 200, r.body);
    expect(ok, errors).toBe(true);
    const fields = r.body.customFields as { id: string; fieldKey: string; dataType: string; picklistOptions: string[]; name: string }[];
    expect(fields.map((f) => f.fieldKey)).toEqual(DEMO_CUSTOM_FIELDS.map((f) => `contact.${f.key}`));
    expect(fields.find((f) => f.fieldKey === "contact.loan_stage")).toMatchObject({ dataType: "SINGLE_OPTIONS", picklistOptions: [...DEMO_LOAN_STAGES], name: "Loan Stage" });
    expect(fields.find((f) => f.fieldKey === "contact.loan_amount")?.dataType).toBe("MONETORY");
    expect(fields.find((f) => f.fieldKey === "contact.rate_lock_expiry")?.dataType).toBe("DATE");
    const bad = await call(sim.url, "GET", `/locations/${DEMO_LOCATION_ID}/customFields?model=deal`);
    expect(bad.status).toBe(422);
  });

  it("GET /locations/:id/tags → every tag in use, valid against LocationTagsSuccessfulResponseDto, stable ids", async () => {
    const r = await call(sim.url, "GET", `/locations/${DEMO_LOCATION_ID}/tags`);
    expect(r.status).toBe(200);
    const { ok, errors } = spec.validate("GET", "/locations/{locationId}/tags", 200, r.body);
    expect(ok, errors).toBe(true);
    const tags = r.body.tags as { id: string; name: string; locationId: string }[];
    const inUse = new Set(sim.data.listContacts(DEMO_LOCATION_ID).flatMap((c) => c.tags ?? []));
    expect(tags.map((t) => t.name)).toEqual([...inUse].sort());
    expect(tags.every((t) => t.locationId === DEMO_LOCATION_ID && /^[A-Za-z0-9]{20}$/.test(t.id))).toBe(true);
    const again = await call(sim.url, "GET", `/locations/${DEMO_LOCATION_ID}/tags`);
    expect(again.body.tags).toEqual(tags);
  });

  it("both need their location scope and the token's own location", async () => {
    sim.addToken({ token: "sim-contacts-only", locationId: DEMO_LOCATION_ID, scopes: ["contacts.readonly"] });
    for (const path of [`/locations/${DEMO_LOCATION_ID}/customFields`, `/locations/${DEMO_LOCATION_ID}/tags`]) {
      const r = await call(sim.url, "GET", path, { token: "sim-contacts-only" });
      expect(r.status).toBe(401);
      expect(r.body.message).toBe("The token is not authorized for this scope.");
    }
    expect((await call(sim.url, "GET", `/locations/${OTHER_LOCATION_ID}/tags`)).status).toBe(403);
    expect((await call(sim.url, "GET", `/locations/${OTHER_LOCATION_ID}/customFields`)).status).toBe(403);
  });
});
