/**
 * The composition root end to end: one port serves /healthz, the sandbox page, POST /graphql and
 * graphql-ws; a contact by id goes through loaders and cache to the simulator.
 */
import { describe, expect, it } from "vitest";
import { LOCATION_A, READ, WRITE, useStack } from "../support/harness.js";

describe("gateway (read path)", () => {
  const stack = useStack();

  it("answers /healthz", async () => {
    const res = await fetch(`${stack().gateway.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("resolves viewer from the caller token", async () => {
    const token = await stack().tokenFor({ scopes: [READ, WRITE], subject: "user-1" });
    const res = await stack().gql(`{ viewer { subject locationId scopes } }`, {}, token);
    expect(res.body).toEqual({ data: { viewer: { subject: "user-1", locationId: LOCATION_A, scopes: [READ, WRITE] } } });
  });

  it("loads a contact by id through the upstream once, then from the cache", async () => {
    const s = stack();
    const [seeded] = s.sim.data.listContacts(LOCATION_A);
    const token = await s.tokenFor();
    s.sim.clearRequests();
    const query = `query($id: ID!) { contact(id: $id) { id locationId name firstName email timezone tags } }`;
    const first = await s.gql(query, { id: seeded!.id }, token);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data).toMatchObject({ contact: { id: seeded!.id, locationId: LOCATION_A, firstName: seeded!.firstName } });
    const second = await s.gql(query, { id: seeded!.id }, token);
    expect(second.body).toEqual(first.body);
    expect(s.upstream("/contacts/:contactId")).toHaveLength(1);
  });

  it("answers null for a contact the upstream does not have", async () => {
    const s = stack();
    const res = await s.gql(`{ contact(id: "doesNotExist00000000") { id } }`, {}, await s.tokenFor());
    expect(res.body).toEqual({ data: { contact: null } });
  });

  it("serves the sandbox page to a browser and leaves JSON clients to GraphQL", async () => {
    const s = stack();
    const page = await fetch(`${s.gateway.url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain("ContactsDashboard");
    // Nothing is loaded from elsewhere: no external script, stylesheet or icon reference.
    expect(html.match(/<(?:script|link|img)\b[^>]*\b(?:src|href)=["']?https?:/gi) ?? []).toEqual([]);
  });
});
