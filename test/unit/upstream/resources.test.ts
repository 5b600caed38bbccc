/**
 * The resource registry's reach: one extra per-contact descriptor, and nothing else edited, gives
 * the client its read, the loaders their DataLoader, the cache its kinds and what it evicts with a
 * contact, the invalidation broadcast the kinds it accepts, and the cost table its entries.
 */
import { describe, expect, it } from "vitest";
import { ResourceCache, cacheKeys } from "../../../src/cache/index.js";
import { applyInvalidationMessage } from "../../../src/events/index.js";
import { fieldCostsFor, DEFAULT_FIELD_COSTS } from "../../../src/graphql/limits/index.js";
import { createLoaders } from "../../../src/loaders/index.js";
import {
  APPOINTMENTS,
  ContactsClient,
  DEFAULT_RESOURCE_REGISTRY,
  NOTES,
  StaticCredentialProvider,
  TASKS,
  createResourceRegistry,
  definePerContactResource,
  type UpstreamRequest,
} from "../../../src/upstream/index.js";

interface Opportunity {
  id: string;
  contactId?: string;
  name: string;
}

/** A resource the gateway does not serve: what a later change would add. */
const OPPORTUNITIES = definePerContactResource<Opportunity>({
  kind: "opportunities",
  entity: "Opportunity",
  list: { route: "/contacts/:contactId/opportunities", wrapper: "opportunities" },
  item: { kind: "opportunity", route: "/contacts/:contactId/opportunities/:opportunityId", idParam: "opportunityId", wrapper: "opportunity" },
  costWeight: 1,
  normalize: (raw, scope) => (raw.contactId ? raw : { ...raw, contactId: scope.contactId }),
});

const registry = createResourceRegistry([TASKS, NOTES, APPOINTMENTS, OPPORTUNITIES]);

describe("resource registry", () => {
  it("derives the cache kinds and the kinds evicted with a contact", () => {
    expect(registry.kinds).toEqual(["contact", "contactPage", "businessPage", "searchPage", "fieldDefinitions", "locationTags", "tasks", "task", "notes", "note", "appointments", "opportunities", "opportunity"]);
    expect(registry.contactScopedKinds).toEqual(["tasks", "task", "notes", "note", "appointments", "opportunities", "opportunity"]);
    expect(registry.listKinds).toEqual(["tasks", "notes", "appointments", "opportunities"]);
    expect(registry.byEntity("Opportunity")).toBe(OPPORTUNITIES);
    expect(DEFAULT_RESOURCE_REGISTRY.kinds).not.toContain("opportunities");
  });

  it("evicts the new kind's lists and items with their contact, and drops them location-wide", async () => {
    const cache = new ResourceCache({ registry });
    const list = cacheKeys.list("L", "opportunities", "c1");
    const item = cacheKeys.itemOf(OPPORTUNITIES, "L", "c1", "o1");
    cache.set(list, [{ id: "o1", name: "A" }]);
    cache.set(item, { id: "o1", name: "A" });
    cache.set(cacheKeys.list("L", "opportunities", "c2"), []);
    cache.evictContact("L", "c1");
    expect(cache.peek(list)).toBeUndefined();
    expect(cache.peek(item)).toBeUndefined();
    expect(cache.peek(cacheKeys.list("L", "opportunities", "c2"))).toEqual([]);

    cache.invalidateKind("L", "opportunities");
    expect(cache.peek(cacheKeys.list("L", "opportunities", "c2"))).toBeUndefined();
    // A cache built on the gateway's registry does not know the kind: a clear error, not a silent no-op.
    expect(() => new ResourceCache().invalidateKind("L", "opportunities")).toThrow(/expected a per-contact list kind \(tasks, notes, appointments\), received "opportunities"/);
  });

  it("accepts the new kind in invalidation messages from other instances (and only a registry that has it)", () => {
    const withIt = new ResourceCache({ registry });
    const without = new ResourceCache();
    for (const cache of [withIt, without]) cache.set(cacheKeys.list("L", "tasks", "c1"), []);
    withIt.set(cacheKeys.list("L", "opportunities", "c1"), []);
    const seen: string[] = [];
    withIt.onInvalidate((e) => seen.push(`${e.type}:${e.origin}`));
    applyInvalidationMessage(withIt, { origin: "other", type: "kind", locationId: "L", kind: "opportunities" });
    applyInvalidationMessage(without, { origin: "other", type: "kind", locationId: "L", kind: "opportunities" });
    expect(withIt.peek(cacheKeys.list("L", "opportunities", "c1"))).toBeUndefined();
    expect(seen).toEqual(["kind:remote"]);
    expect(without.peek(cacheKeys.list("L", "tasks", "c1"))).toEqual([]); // ignored, nothing else dropped
  });

  it("derives the cost table's entries for the new relation, its item and its type", () => {
    const table = fieldCostsFor(registry);
    expect(table["Contact.opportunities"]).toEqual({ loads: ["opportunities"], list: { size: "default" } });
    expect(table["Contact.opportunity"]).toEqual({ calls: 1 });
    expect(table["Opportunity.contact"]).toEqual({ loads: ["contact"] });
    // The built-in resources' entries come from the same rule.
    expect(DEFAULT_FIELD_COSTS["Contact.tasks"]).toEqual({ loads: ["tasks"], list: { size: "default" } });
    expect(DEFAULT_FIELD_COSTS["Contact.note"]).toEqual({ calls: 1 });
    expect(DEFAULT_FIELD_COSTS["Appointment.contact"]).toEqual({ loads: ["contact"] });
    expect(DEFAULT_FIELD_COSTS["Contact.opportunities"]).toBeUndefined();
  });

  it("gives the client its routes and normalises items once, and the loaders a cached DataLoader", async () => {
    const sent: UpstreamRequest[] = [];
    const client = new ContactsClient({
      baseUrl: "http://upstream.invalid",
      credentials: new StaticCredentialProvider({ L: { token: "t" } }),
      transport: async (request) => {
        sent.push(request);
        const body = request.route.endsWith(":opportunityId")
          ? { opportunity: { id: "o2", name: "B" } }
          : { opportunities: [{ id: "o1", name: "A" }, { id: "o3", name: "C", contactId: "c1" }] };
        return { status: 200, headers: {}, body, durationMs: 1 };
      },
    });
    const cache = new ResourceCache({ registry });
    const loaders = createLoaders({ client, cache }, "L");
    expect(await loaders.list(OPPORTUNITIES).load("c1")).toEqual([
      { id: "o1", name: "A", contactId: "c1" },
      { id: "o3", name: "C", contactId: "c1" },
    ]);
    expect(await loaders.item(OPPORTUNITIES).load({ contactId: "c1", id: "o1" })).toEqual({ id: "o1", name: "A", contactId: "c1" });
    expect(await loaders.item(OPPORTUNITIES).load({ contactId: "c9", id: "o2" })).toEqual({ id: "o2", name: "B", contactId: "c9" });
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /contacts/c1/opportunities", "GET /contacts/c9/opportunities/o2"]);
    expect(cache.peek(cacheKeys.list("L", "opportunities", "c1"))).toHaveLength(2);
    await client.close();
  });

  it("refuses a kind or entity registered twice, and a bad weight, naming it", () => {
    expect(() => createResourceRegistry([TASKS, { ...OPPORTUNITIES, kind: "tasks" }])).toThrow(/kind "tasks" is registered twice/);
    expect(() => createResourceRegistry([TASKS, { ...OPPORTUNITIES, item: { ...OPPORTUNITIES.item!, kind: "contact" } }])).toThrow(/kind "contact" is registered twice/);
    expect(() => createResourceRegistry([TASKS, { ...OPPORTUNITIES, entity: "Task" }])).toThrow(/entity "Task" is registered twice/);
    expect(() => createResourceRegistry([{ ...OPPORTUNITIES, costWeight: 0 }])).toThrow(/costWeight to be an integer >= 1, received 0/);
  });
});
