/**
 * The location reads behind filter pickers and typed custom fields, gateway against the
 * simulator: `Query.tags`, `Query.customFieldDefinitions(refresh)`, `Contact.customFields` typed
 * by the definitions (numbers, lists, dates), untyped but intact when the definitions cannot be
 * read, and the scheduled refresh (FIELD_DEFINITIONS_REFRESH_MS).
 */
import { describe, expect, it } from "vitest";
import { DEMO_CUSTOM_FIELDS, DEMO_LOAN_STAGES } from "../../src/simulator/index.js";
import { LOCATION_A, LOCATION_B, READ, WRITE, startStack, useStack } from "../support/harness.js";

const DEFINITIONS_ROUTE = "/locations/:locationId/customFields";
const TAGS_ROUTE = "/locations/:locationId/tags";

describe("filter pickers and typed custom fields", () => {
  const getStack = useStack();

  it("Query.tags: the location's tags from one call, cached, and a new tag shows after a contact change", async () => {
    const stack = getStack();
    const token = await stack.tokenFor({ scopes: [READ, WRITE] });
    stack.sim.clearRequests();
    const first = await stack.gql<{ tags: { id: string; name: string }[] }>(`{ tags { id name } }`, {}, token);
    expect(first.body.errors).toBeUndefined();
    const inUse = [...new Set(stack.sim.data.listContacts(LOCATION_A).flatMap((c) => c.tags ?? []))].sort();
    expect(first.body.data!.tags.map((t) => t.name)).toEqual(inUse);
    await stack.gql(`query Again { tags { name } }`, {}, token);
    expect(stack.upstream(TAGS_ROUTE)).toHaveLength(1);
    const someone = stack.sim.data.listContacts(LOCATION_A)[3]!;
    const added = await stack.gql(`mutation($id: ID!) { addContactTags(contactId: $id, tags: ["picker-probe"]) }`, { id: someone.id }, token);
    expect(added.body.errors).toBeUndefined();
    const after = await stack.gql<{ tags: { name: string }[] }>(`{ tags { name } }`, {}, token);
    expect(after.body.data!.tags.map((t) => t.name)).toContain("picker-probe");
    expect(stack.upstream(TAGS_ROUTE)).toHaveLength(2);
  });

  it("Query.customFieldDefinitions: the broker field set; refresh: true reads again and shows a change the cached copy does not", async () => {
    const stack = getStack();
    const token = await stack.tokenFor({ scopes: [READ] });
    const q = `query($r: Boolean) { customFieldDefinitions(refresh: $r) { id key name dataType picklistOptions position } }`;
    const res = await stack.gql<{ customFieldDefinitions: { id: string; key: string; name: string; dataType: string; picklistOptions: string[] }[] }>(q, { r: false }, token);
    expect(res.body.errors).toBeUndefined();
    const defs = res.body.data!.customFieldDefinitions;
    expect(defs.map((d) => d.key)).toEqual(DEMO_CUSTOM_FIELDS.map((f) => `contact.${f.key}`));
    expect(defs.find((d) => d.key === "contact.loan_stage")).toMatchObject({ dataType: "SINGLE_OPTIONS", picklistOptions: [...DEMO_LOAN_STAGES] });
    stack.sim.data.defineCustomField(LOCATION_A, "lender", DEMO_CUSTOM_FIELDS[6].id, { name: "Lender (renamed)", dataType: "TEXT", position: 300 });
    try {
      stack.sim.clearRequests();
      const cached = await stack.gql<{ customFieldDefinitions: { name: string }[] }>(`query Cached { customFieldDefinitions { name } }`, {}, token);
      expect(cached.body.data!.customFieldDefinitions.map((d) => d.name)).toContain("Lender");
      expect(stack.upstream(DEFINITIONS_ROUTE)).toHaveLength(0);
      const fresh = await stack.gql<{ customFieldDefinitions: { name: string }[] }>(q, { r: true }, token);
      expect(fresh.body.data!.customFieldDefinitions.map((d) => d.name)).toContain("Lender (renamed)");
      expect(stack.upstream(DEFINITIONS_ROUTE)).toHaveLength(1);
    } finally {
      stack.sim.data.defineCustomField(LOCATION_A, "lender", DEMO_CUSTOM_FIELDS[6].id, { name: "Lender", dataType: "TEXT", position: 300 });
      await stack.gql(q, { r: true }, token);
    }
  });

  it("Contact.customFields: numbers as numbers, lists as lists (also from JSON text), dates as dates, with key, name and dataType", async () => {
    const stack = getStack();
    const token = await stack.tokenFor({ scopes: [READ] });
    stack.sim.data.defineCustomField(LOCATION_A, "documents_received", "CfDocsReceived000008", { name: "Documents", dataType: "MULTIPLE_OPTIONS", picklistOptions: ["W-2", "Pay stubs", "Bank statements"] });
    const contact = stack.sim.data.createContact(LOCATION_A, {
      firstName: "Typed",
      customFields: [
        { id: DEMO_CUSTOM_FIELDS[0].id, field_value: "425000" },
        { id: DEMO_CUSTOM_FIELDS[4].id, field_value: "2027-02-14" },
        { id: DEMO_CUSTOM_FIELDS[5].id, field_value: "Application" },
        { id: "CfDocsReceived000008", field_value: '["W-2","Pay stubs"]' },
      ],
    });
    await stack.gql(`{ customFieldDefinitions(refresh: true) { id } }`, {}, token);
    const res = await stack.gql<{ contact: { customFields: { id: string; key: string | null; name: string | null; dataType: string | null; value: unknown }[] } }>(
      `query($id: ID!) { contact(id: $id) { customFields { id key name dataType value } } }`,
      { id: contact.id },
      token,
    );
    expect(res.body.errors).toBeUndefined();
    const byKey = Object.fromEntries(res.body.data!.contact.customFields.map((f) => [f.key, f]));
    expect(byKey["contact.loan_amount"]).toMatchObject({ name: "Loan Amount", dataType: "MONETORY", value: 425000 });
    expect(byKey["contact.rate_lock_expiry"]).toMatchObject({ dataType: "DATE", value: "2027-02-14" });
    expect(byKey["contact.loan_stage"]).toMatchObject({ dataType: "SINGLE_OPTIONS", value: "Application" });
    expect(byKey["contact.documents_received"]).toMatchObject({ dataType: "MULTIPLE_OPTIONS", value: ["W-2", "Pay stubs"] });
  });

  it("definitions that cannot be read leave the values untyped, never an error", async () => {
    const stack = await startStack();
    try {
      const token = await stack.tokenFor({ scopes: [READ] });
      stack.sim.addFault({ route: DEFINITIONS_ROUTE, status: 401, body: { statusCode: 401, message: "The token is not authorized for this scope." } });
      const seeded = stack.sim.data.listContacts(LOCATION_A)[0]!;
      const res = await stack.gql<{ contact: { customFields: { id: string; key: string | null; value: unknown }[] } }>(
        `query($id: ID!) { contact(id: $id) { customFields { id key value } } }`,
        { id: seeded.id },
        token,
      );
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.contact.customFields).toEqual(seeded.customFields!.map((f) => ({ id: f.id, key: null, value: f.value })));
    } finally {
      await stack.close();
    }
  });
});

describe("scheduled refresh of the definitions", () => {
  it("reads every served location's definitions again each FIELD_DEFINITIONS_REFRESH_MS", async () => {
    const stack = await startStack({ env: { FIELD_DEFINITIONS_REFRESH_MS: "100" } });
    try {
      const seen = await stack.sim.waitForRequests((r) => r.route === DEFINITIONS_ROUTE, 4, 10_000);
      expect(new Set(seen.map((r) => r.locationId))).toEqual(new Set([LOCATION_A, LOCATION_B]));
    } finally {
      await stack.close();
    }
  });
});
