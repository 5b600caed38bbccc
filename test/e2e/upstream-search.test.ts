/**
 * The search and location reads of the typed client, and their loaders over the shared cache,
 * against the real simulator: what goes on the wire (request log), that a search page is cached a
 * short time only and dropped by any contact change, that definitions and tags are cached per
 * location, and that a missing location scope is named as such.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createResourceCache } from "../../src/cache/resource-cache.js";
import { createReadLog } from "../../src/cache/read-log.js";
import { createLoaders } from "../../src/loaders/index.js";
import { DEMO_CUSTOM_FIELDS, DEMO_LOCATION_ID, DEMO_TOKENS, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { ContactsClient, UpstreamError } from "../../src/upstream/index.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";

const rwA = DEMO_TOKENS.find((t) => t.locationId === DEMO_LOCATION_ID && t.scopes.includes("contacts.write"))!;

let sim: Simulator;
let client: ContactsClient;

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false });
  client = new ContactsClient({ baseUrl: sim.url, credentials: new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: rwA.token } }) });
});
afterAll(async () => {
  await client.close();
  await sim.close();
});
beforeEach(() => sim.clearRequests());

const searches = () => sim.requests.filter((r) => r.route === "/contacts/search");

describe("client: POST /contacts/search and the location reads", () => {
  it("sends the body with the location, answers {contacts, total}", async () => {
    const page = await client.searchContacts(DEMO_LOCATION_ID, { pageLimit: 3, filters: [{ field: "tags", operator: "eq", value: "lead" }] });
    expect(page.contacts).toHaveLength(3);
    expect(page.total).toBe(sim.data.listContacts(DEMO_LOCATION_ID).filter((c) => c.tags?.includes("lead")).length);
    expect(searches().map((r) => [r.method, r.body])).toEqual([
      ["POST", { locationId: DEMO_LOCATION_ID, pageLimit: 3, filters: [{ field: "tags", operator: "eq", value: "lead" }] }],
    ]);
  });

  it("refuses a page the route cannot serve before sending it", async () => {
    for (const body of [{ pageLimit: 501 }, { pageLimit: 500, page: 21 }, { pageLimit: 5, page: 1, searchAfter: [1] }]) {
      await expect(client.searchContacts(DEMO_LOCATION_ID, body)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    }
    expect(searches()).toEqual([]);
  });

  it("reads the custom-field definitions (model=contact) and the tags", async () => {
    const definitions = await client.listCustomFieldDefinitions(DEMO_LOCATION_ID);
    expect(definitions.map((d) => d.id)).toEqual(DEMO_CUSTOM_FIELDS.map((f) => f.id));
    const tags = await client.listLocationTags(DEMO_LOCATION_ID);
    expect(tags.map((t) => t.name)).toContain("lead");
    expect(sim.requests.map((r) => [r.method, r.route, r.query])).toEqual([
      ["GET", "/locations/:locationId/customFields", { model: "contact" }],
      ["GET", "/locations/:locationId/tags", {}],
    ]);
  });

  it("a credential without the location scope is FORBIDDEN naming that scope (and the provider is told)", async () => {
    sim.addToken({ token: "sim-contacts-only-A", locationId: DEMO_LOCATION_ID, scopes: ["contacts.readonly"] });
    const missing: string[] = [];
    const credentials = new (class extends StaticCredentialProvider {
      markScopeMissing(_location: string, scope: string): void {
        missing.push(scope);
      }
    })({ [DEMO_LOCATION_ID]: { token: "sim-contacts-only-A" } });
    const narrow = new ContactsClient({ baseUrl: sim.url, credentials });
    try {
      const error = await narrow.listCustomFieldDefinitions(DEMO_LOCATION_ID).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ code: "FORBIDDEN", reason: "missing_scope", message: expect.stringContaining("locations/customFields.readonly") });
      await narrow.listLocationTags(DEMO_LOCATION_ID).catch(() => undefined);
      expect(missing).toEqual(["locations/customFields.readonly", "locations/tags.readonly"]);
    } finally {
      await narrow.close();
    }
  });
});

describe("loaders: search pages, definitions and tags over the shared cache", () => {
  it("a search page is shared across operations, dropped by any contact change, and kept only searchPageTtlMs", async () => {
    let clock = 1_000_000;
    const cache = createResourceCache({ ttlMs: 60_000, nowMs: () => clock });
    const services = { client, cache, searchPageTtlMs: 2_000, now: () => clock };
    const body = { pageLimit: 5, filters: [{ field: "dnd", operator: "eq" as const, value: false }] };
    const reads = createReadLog();
    const first = await createLoaders(services, DEMO_LOCATION_ID, reads).searchPage(body);
    expect(first.expiresAtMs).toBe(clock + 2_000);
    expect(reads.reads().map(([key]) => key.kind)).toEqual(["searchPage"]);
    await createLoaders(services, DEMO_LOCATION_ID).searchPage({ ...body });
    expect(searches()).toHaveLength(1);
    cache.invalidateLists(DEMO_LOCATION_ID); // what every contact write and contact webhook applies
    await createLoaders(services, DEMO_LOCATION_ID).searchPage(body);
    expect(searches()).toHaveLength(2);
    clock += 2_001;
    await createLoaders(services, DEMO_LOCATION_ID).searchPage(body);
    expect(searches()).toHaveLength(3);
  });

  it("definitions and tags: one call per location while cached; tags are dropped with the pages, definitions are not", async () => {
    const cache = createResourceCache({ ttlMs: 60_000 });
    const services = { client, cache };
    const one = createLoaders(services, DEMO_LOCATION_ID);
    await Promise.all([one.fieldDefinitions(), one.fieldDefinitions(), one.locationTags(), one.locationTags()]);
    await Promise.all([createLoaders(services, DEMO_LOCATION_ID).fieldDefinitions(), createLoaders(services, DEMO_LOCATION_ID).locationTags()]);
    expect(sim.requests.map((r) => r.route).sort()).toEqual(["/locations/:locationId/customFields", "/locations/:locationId/tags"]);
    cache.invalidateLists(DEMO_LOCATION_ID);
    const again = createLoaders(services, DEMO_LOCATION_ID);
    await Promise.all([again.fieldDefinitions(), again.locationTags()]);
    expect(sim.requests.map((r) => r.route).sort()).toEqual([
      "/locations/:locationId/customFields",
      "/locations/:locationId/tags",
      "/locations/:locationId/tags",
    ]);
  });
});
