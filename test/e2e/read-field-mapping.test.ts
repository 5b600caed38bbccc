/**
 * FIELD_MAPPING (schema/schema.graphql) end to end, gateway against the simulator with the demo mapping
 * (schema/field-mapping.demo.json): typed `Contact.fields`, mapped names in filters, typed writes
 * sent as `{ key, field_value }`, refusals of a wrong type or an option outside the enum before
 * any upstream call (HTTP and graphql-ws), a mapped key missing in ONE location (logged, in
 * /readyz, null with an error there only, writes to it refused there), a key missing everywhere at start-up, and the doctor.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { runDoctor } from "../../src/doctor/index.js";
import { DEMO_CUSTOM_FIELDS, DEMO_TOKENS } from "../../src/simulator/index.js";
import { StaticCredentialProvider } from "../../src/upstream/index.js";
import { LOCATION_A, LOCATION_B, READ, WRITE, startStack, useStack } from "../support/harness.js";
import { wsOperation } from "../support/ws-operation.js";

const DEMO_MAPPING = resolve(import.meta.dirname, "../../schema/field-mapping.demo.json");
const STAGE_ID = DEMO_CUSTOM_FIELDS[5].id;

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("field mapping: typed fields, filters and writes", () => {
  const getStack = useStack({ env: { FIELD_MAPPING: DEMO_MAPPING } });

  it("Contact.fields reads typed values; a mapped enum filters by its picklist option", async () => {
    const stack = getStack();
    const token = await stack.tokenFor({ scopes: [READ] });
    stack.sim.clearRequests();
    const res = await stack.gql<{ contacts: { totalCount: number; nodes: { id: string; fields: { loanAmount: number | null; loanStage: string | null; rateLockExpiry: string | null; lender: string | null } }[] } }>(
      `{ contacts(first: 500, filter: { customFields: [{ key: "loanStage", operator: EQ, value: "UNDERWRITING" }] }) {
          totalCount nodes { id fields { loanAmount loanStage rateLockExpiry lender } } } }`,
      {},
      token,
    );
    expect(res.body.errors).toBeUndefined();
    const expected = stack.sim.data.listContacts(LOCATION_A).filter((c) => c.customFields?.some((f) => f.id === STAGE_ID && f.value === "Underwriting"));
    expect(res.body.data!.contacts.totalCount).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);
    const first = res.body.data!.contacts.nodes[0]!;
    const seeded = expected.find((c) => c.id === first.id)!;
    expect(first.fields.loanStage).toBe("UNDERWRITING");
    expect(first.fields.loanAmount).toBe(Number(seeded.customFields!.find((f) => f.id === DEMO_CUSTOM_FIELDS[0].id)!.value));
    expect(first.fields.rateLockExpiry).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(stack.upstream("/contacts/search")[0]!.body).toMatchObject({ filters: [{ field: `customFields.${STAGE_ID}`, operator: "eq", value: "Underwriting" }] });
  });

  it("createContact(fields) sends { key, field_value } and reads back typed; updateContact with fields only", async () => {
    const stack = getStack();
    const token = await stack.tokenFor({ scopes: [READ, WRITE] });
    stack.sim.clearRequests();
    const created = await stack.gql<{ createContact: { id: string; fields: { loanAmount: number; loanStage: string; rateLockExpiry: string; lender: string | null } } }>(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { id fields { loanAmount loanStage rateLockExpiry lender } } }`,
      { input: { firstName: "Mapped", email: "mapped.write@example.com", fields: { loanAmount: 350000, loanStage: "PRE_APPROVAL", rateLockExpiry: "2027-01-31" } } },
      token,
    );
    expect(created.body.errors).toBeUndefined();
    const post = stack.upstream("/contacts/").find((r) => r.method === "POST")!;
    expect((post.body as { customFields: unknown[] }).customFields).toEqual([
      { key: "contact.loan_amount", field_value: 350000 },
      { key: "contact.loan_stage", field_value: "Pre-Approval" },
      { key: "contact.rate_lock_expiry", field_value: "2027-01-31" },
    ]);
    expect(created.body.data!.createContact.fields).toEqual({ loanAmount: 350000, loanStage: "PRE_APPROVAL", rateLockExpiry: "2027-01-31", lender: null });
    const id = created.body.data!.createContact.id;
    const updated = await stack.gql<{ updateContact: { fields: { loanStage: string; lender: string } } }>(
      `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { fields { loanStage lender } } }`,
      { id, input: { fields: { loanStage: "APPLICATION", lender: "Chase" } } },
      token,
    );
    expect(updated.body.errors).toBeUndefined();
    expect(updated.body.data!.updateContact.fields).toEqual({ loanStage: "APPLICATION", lender: "Chase" });
  });

  it.each([
    ["a wrong type", { loanAmount: "a lot" }, /loanAmount/],
    ["a value outside the picklist", { loanStage: "FUNDED" }, /loanStage/],
    ["a bad date", { rateLockExpiry: "31/01/2027" }, /rateLockExpiry/],
  ])("%s is BAD_USER_INPUT naming the field, with 0 upstream calls, over HTTP and graphql-ws", async (_name, fields, message) => {
    const stack = getStack();
    const token = await stack.tokenFor({ scopes: [READ, WRITE] });
    stack.sim.clearRequests();
    const query = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
    const variables = { input: { firstName: "Refused", fields } };
    const http = await stack.gql(query, variables, token);
    expect(http.body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(http.body.errors?.[0]?.message).toMatch(message);
    const ws = await wsOperation(stack.gateway.wsUrl, `Bearer ${token}`, { query, variables });
    const wsErrors = ws.kind === "error" ? ws.errors : ws.kind === "result" ? ws.result.errors : undefined;
    expect(wsErrors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(wsErrors?.[0]?.message).toMatch(message);
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("a mapped enum filter outside its values is BAD_USER_INPUT naming the path, with 0 upstream calls, over HTTP and graphql-ws", async () => {
    const stack = getStack();
    const token = await stack.tokenFor({ scopes: [READ] });
    stack.sim.clearRequests();
    const query = `{ contacts(filter: { or: [{ dnd: true }, { customFields: [{ key: "loanStage", operator: EQ, value: "FUNDED" }] }] }) { nodes { id } } }`;
    const http = await stack.gql(query, {}, token);
    expect(http.body.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(http.body.errors?.[0]?.message).toMatch(/filter\.or\[1\]\.customFields\[0\]\.value.*UNDERWRITING/);
    const ws = await wsOperation(stack.gateway.wsUrl, `Bearer ${token}`, { query });
    expect(ws.kind === "result" ? ws.result.errors?.[0]?.extensions?.["code"] : ws).toBe("BAD_USER_INPUT");
    expect(stack.sim.requests).toHaveLength(0);
  });

  it("a key missing in one location: one log line naming field and location, /readyz reports it, null + error there only, writes to it refused there", async () => {
    const stack = await startStack({ env: { FIELD_MAPPING: DEMO_MAPPING, FIELD_DEFINITIONS_REFRESH_MS: "150", METRICS_TOKEN: "metrics-token-for-field-mapping" } });
    try {
      stack.sim.data.removeCustomField(LOCATION_B, "loan_stage");
      const line = await until(() => stack.logs.find((l) => l.includes("field mapping: loanStage (contact.loan_stage) in location " + LOCATION_B)), "the mapping warning");
      expect(line).toMatch(/no custom field contact\.loan_stage/);
      expect(stack.logs.filter((l) => l.includes("field mapping:") && l.includes(LOCATION_A))).toEqual([]);
      const ready = await fetch(`${stack.gateway.url}/readyz`, { headers: { authorization: "Bearer metrics-token-for-field-mapping" } });
      const body = (await ready.json()) as { fieldMapping: { problems: number; byLocation: Record<string, { field: string }[]> } };
      expect(body.fieldMapping.problems).toBe(1);
      expect(body.fieldMapping.byLocation[LOCATION_B]?.map((p) => p.field)).toEqual(["loanStage"]);
      const anonymous = (await (await fetch(`${stack.gateway.url}/readyz`)).json()) as { fieldMapping: Record<string, unknown> };
      expect(anonymous.fieldMapping).not.toHaveProperty("byLocation");

      const q = `{ contacts(first: 2) { nodes { fields { loanStage loanAmount } } } }`;
      const inB = await stack.gql<{ contacts: { nodes: { fields: { loanStage: string | null; loanAmount: number | null } }[] } }>(q, {}, await stack.tokenFor({ scopes: [READ], locationId: LOCATION_B }));
      expect(inB.body.data!.contacts.nodes[0]!.fields).toMatchObject({ loanStage: null, loanAmount: expect.any(Number) });
      expect(inB.body.errors?.length).toBe(2);
      expect(inB.body.errors?.[0]).toMatchObject({ path: ["contacts", "nodes", 0, "fields", "loanStage"], extensions: { code: "UPSTREAM_ERROR", reason: "field_mapping", field: "loanStage" } });
      const inA = await stack.gql<{ contacts: { nodes: { fields: { loanStage: string | null } }[] } }>(q, {}, await stack.tokenFor({ scopes: [READ] }));
      expect(inA.body.errors).toBeUndefined();
      expect(inA.body.data!.contacts.nodes[0]!.fields.loanStage).toEqual(expect.any(String));

      // Writing the missing field there is refused before any write, over HTTP and graphql-ws;
      // the location's other mapped fields still write.
      const writer = await stack.tokenFor({ scopes: [READ, WRITE], locationId: LOCATION_B });
      const mutation = `mutation($input: CreateContactInput!) { createContact(input: $input) { id fields { loanAmount } } }`;
      const variables = { input: { firstName: "Staged", fields: { loanStage: "APPLICATION", loanAmount: 1000 } } };
      stack.sim.clearRequests();
      const http = await stack.gql(mutation, variables, writer);
      expect(http.body.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field: "input.fields.loanStage" } });
      expect(http.body.errors?.[0]?.message).toMatch(/no custom field contact\.loan_stage in this location/);
      const ws = await wsOperation(stack.gateway.wsUrl, `Bearer ${writer}`, { query: mutation, variables });
      const wsErrors = ws.kind === "error" ? ws.errors : ws.kind === "result" ? ws.result.errors : undefined;
      expect(wsErrors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.fields.loanStage" });
      expect(stack.sim.requests.filter((r) => r.method !== "GET")).toEqual([]);
      const other = await stack.gql(mutation, { input: { firstName: "Staged", fields: { loanAmount: 1000 } } }, writer);
      expect(other.body.errors).toBeUndefined();
      expect(other.body.data).toMatchObject({ createContact: { fields: { loanAmount: 1000 } } });
    } finally {
      await stack.close();
    }
  });

  it("a key no location has: one start-up line per location; npm run doctor names the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cgw-mapping-"));
    const file = join(dir, "mapping.json");
    writeFileSync(file, JSON.stringify({ contact: { loanAmount: { key: "contact.loan_amount", type: "Float" }, creditTier: { key: "contact.credit_tier", type: "String" } } }));
    const stack = await startStack({ env: { FIELD_MAPPING: file } });
    try {
      for (const location of [LOCATION_A, LOCATION_B]) {
        await until(() => stack.logs.find((l) => l.includes(`field mapping: creditTier (contact.credit_tier) in location ${location}`)), `the start-up line for ${location}`);
      }
      const demo = DEMO_TOKENS.find((t) => t.locationId === LOCATION_A && t.scopes.includes("contacts.write"))!;
      const results = await runDoctor({
        config: loadConfig({
          CONTACTS_API_URL: stack.sim.url,
          CONTACTS_API_TOKEN: demo.token,
          CONTACTS_LOCATION_ID: LOCATION_A,
          FIELD_MAPPING: file,
          AUTH_JWT_SECRET: "doctor-secret-doctor-secret-doctor-secret",
        }),
        credentials: new StaticCredentialProvider({ [LOCATION_A]: { token: demo.token, scopes: demo.scopes } }),
      });
      const mapping = results.filter((r) => r.name.startsWith("field mapping"));
      expect(mapping).toEqual([expect.objectContaining({ ok: false, detail: expect.stringContaining("creditTier (contact.credit_tier): no custom field contact.credit_tier") })]);
    } finally {
      await stack.close();
    }
  });
});
