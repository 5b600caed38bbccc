/**
 * The named dashboard operations (schema/operations/*.graphql, typed by codegen into
 * test/generated/operations.ts) against the simulator: each answers without errors and with the
 * seeded data, at the expected upstream cost.
 */
import { describe, expect, it } from "vitest";
import {
  BusinessContactsDocument,
  ContactDetailDocument,
  ContactsDashboardDocument,
  ContactsPageDocument,
  TaskWithContactDocument,
  ViewerDocument,
  type BusinessContactsQuery,
} from "../generated/operations.js";
import { LOCATION_A, READ, useStack, type GqlResponse } from "../support/harness.js";

describe("named operations (read path)", () => {
  // One stack for the file: lift the upstream burst budget, these tests are about answers and costs.
  const stack = useStack({ env: { RATE_LIMIT_BURST: "10000" } });

  it("ContactsDashboard: the sandbox's sample query", async () => {
    const s = stack();
    s.gateway.cache.clear();
    s.sim.clearRequests();
    const res = await s.gql(ContactsDashboardDocument, { first: 10 }, await s.tokenFor());
    expect(res.body.errors).toBeUndefined();
    const data = res.body.data!;
    expect(data.viewer).toEqual({ locationId: LOCATION_A, scopes: [READ] });
    expect(data.contacts.totalCount).toBe(s.sim.data.listContacts(LOCATION_A).length);
    expect(data.contacts.nodes).toHaveLength(10);
    expect(data.contacts.nodes[0]!.name).toBeTruthy();
    expect(s.sim.requests).toHaveLength(1 + 10 * 3);
  });

  it("ContactDetail: every field of one contact from the full record", async () => {
    const s = stack();
    const seeded = s.sim.data.listContacts(LOCATION_A).find((c) => (c.customFields?.length ?? 0) > 0)!;
    const res = await s.gql(ContactDetailDocument, { id: seeded.id }, await s.tokenFor());
    expect(res.body.errors).toBeUndefined();
    const contact = res.body.data!.contact!;
    expect(contact).toMatchObject({
      id: seeded.id,
      locationId: LOCATION_A,
      firstName: seeded.firstName,
      lastName: seeded.lastName,
      email: seeded.email,
      timezone: seeded.timezone,
      tags: seeded.tags,
    });
    // Typed by the location's definitions: money as numbers, picklists as text, dates as YYYY-MM-DD.
    const definitions = s.sim.data.customFieldDefinitions(LOCATION_A);
    expect(contact.customFields).toEqual(
      seeded.customFields!.map((f) => {
        const d = definitions.find((x) => x.id === f.id)!;
        return { id: f.id, key: d.fieldKey, name: d.name, dataType: d.dataType, value: d.dataType === "MONETORY" ? Number(f.value) : f.value };
      }),
    );
    expect(contact.customFields!.some((f) => typeof f.value === "number")).toBe(true);
    expect(contact.tasks!.map((t) => t.id)).toEqual(s.sim.data.listTasks(seeded.id).map((t) => t.id));
    expect(contact.notes!.map((n) => n.id)).toEqual(s.sim.data.listNotes(seeded.id).map((n) => n.id));
    expect(contact.appointments!.map((a) => a.id)).toEqual(s.sim.data.listAppointments(seeded.id).map((a) => a.id));
    expect(new Date(contact.dateAdded!).toISOString()).toBe(new Date(seeded.dateAdded!).toISOString());
  });

  it("ContactsPage: filtered by query", async () => {
    const s = stack();
    const seeded = s.sim.data.listContacts(LOCATION_A)[7]!;
    const res = await s.gql(ContactsPageDocument, { first: 5, query: seeded.email }, await s.tokenFor());
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.contacts.edges.map((e) => e.node.id)).toContain(seeded.id);
  });

  it("BusinessContacts: skip/limit paging with opaque cursors", async () => {
    const s = stack();
    const businessId = s.sim.data.businessIds(LOCATION_A)[0]!;
    const members = s.sim.data.listContacts(LOCATION_A).filter((c) => c.businessId === businessId);
    expect(members.length).toBeGreaterThan(1);
    const token = await s.tokenFor();
    const seen: string[] = [];
    let after: string | null | undefined = null;
    for (let i = 0; i < 50; i++) {
      const res: GqlResponse<BusinessContactsQuery> = await s.gql(BusinessContactsDocument, { businessId, first: 1, after }, token);
      expect(res.body.errors).toBeUndefined();
      const connection: BusinessContactsQuery["contactsByBusiness"] = res.body.data!.contactsByBusiness;
      expect(connection.totalCount).toBe(members.length);
      seen.push(...connection.nodes.map((n) => n.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(new Set(seen)).toEqual(new Set(members.map((m) => m.id)));
    expect(seen).toHaveLength(members.length);
  });

  it("TaskWithContact and Viewer", async () => {
    const s = stack();
    const contact = s.sim.data.listContacts(LOCATION_A).find((c) => s.sim.data.listTasks(c.id).length > 0)!;
    const task = s.sim.data.listTasks(contact.id)[0]!;
    const token = await s.tokenFor({ subject: "dash-user" });
    const res = await s.gql(TaskWithContactDocument, { contactId: contact.id, taskId: task.id }, token);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.contact!.task).toMatchObject({ id: task.id, title: task.title, completed: task.completed, contact: { id: contact.id } });
    const viewer = await s.gql(ViewerDocument, {}, token);
    expect(viewer.body.data!.viewer).toEqual({ subject: "dash-user", locationId: LOCATION_A, scopes: [READ] });
  });
});
