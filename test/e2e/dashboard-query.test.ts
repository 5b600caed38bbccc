/**
 * The dashboard view against the simulator: `dashboard` orders contacts by attention
 * (overdue tasks, then the soonest appointment), `Contact.summary` is right, and the upstream calls
 * are exactly the relations the operation selects (from the simulator's request log).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCATION_A, startStack, type Stack } from "../support/harness.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const apptTime = (ms: number) => iso(ms).replace("T", " ").slice(0, 19); // the upstream's zone-less form
const COMPANY = "Attention Probe Lending";

interface Row {
  id: string;
  name: string | null;
  summary: {
    openTaskCount: number;
    overdueTaskCount: number;
    nextAppointment: { id: string } | null;
    latestNote: { id: string; body: string } | null;
  };
}

let stack: Stack;
let token: string;
const ids: Record<string, string> = {};
const expected: Record<string, { next?: string; latestNote?: string }> = {};

beforeAll(async () => {
  stack = await startStack();
  token = await stack.tokenFor();
  const now = Date.now();
  const contact = (key: string, tags: string[], minutesAgo: number) => {
    const c = stack.sim.data.createContact(LOCATION_A, {
      firstName: "Probe",
      lastName: key,
      companyName: COMPANY,
      email: `probe.${key.toLowerCase()}@example.com`,
      tags,
      dateAdded: iso(now - minutesAgo * 60_000),
    });
    ids[key] = c.id;
    return c.id;
  };
  // Listed newest first upstream: Calm, Later, Soon, OneOverdue, TwoOverdue — the reverse of the attention order.
  const two = contact("TwoOverdue", ["probe"], 50);
  stack.sim.data.createTask(two, { title: "late 1", dueDate: iso(now - 3 * DAY), completed: false });
  stack.sim.data.createTask(two, { title: "late 2", dueDate: iso(now - 1 * DAY), completed: false });
  stack.sim.data.createTask(two, { title: "done", dueDate: iso(now - 9 * DAY), completed: true });
  const one = contact("OneOverdue", ["probe", "vip"], 40);
  stack.sim.data.createTask(one, { title: "late", dueDate: iso(now - 2 * DAY), completed: false });
  stack.sim.data.createTask(one, { title: "future", dueDate: iso(now + 2 * DAY), completed: false });
  const soon = contact("Soon", ["probe"], 30);
  expected.Soon = { next: stack.sim.data.createAppointment(soon, { title: "Soon", startTime: apptTime(now + 2 * HOUR), appointmentStatus: "confirmed" }).id };
  stack.sim.data.createAppointment(soon, { title: "Past", startTime: apptTime(now - 2 * HOUR), appointmentStatus: "confirmed" });
  stack.sim.data.createNote(soon, { body: "first note" });
  const later = contact("Later", ["probe", "VIP"], 20);
  stack.sim.data.createAppointment(later, { title: "Cancelled earlier", startTime: apptTime(now + 1 * HOUR), appointmentStatus: "cancelled" });
  expected.Later = { next: stack.sim.data.createAppointment(later, { title: "Later", startTime: apptTime(now + 3 * DAY), appointmentStatus: "confirmed" }).id };
  const calm = contact("Calm", ["probe"], 10);
  stack.sim.data.createTask(calm, { title: "some day", dueDate: iso(now + 9 * DAY), completed: false });
});

afterAll(async () => {
  await stack?.close();
});

const order = ["TwoOverdue", "OneOverdue", "Soon", "Later", "Calm"];

describe("dashboard", () => {
  it("orders by overdue tasks, then the soonest appointment, and costs only the relations the order needs", async () => {
    stack.sim.clearRequests();
    const res = await stack.gql(
      `query($q: String) { dashboard(first: 10, query: $q) { id name summary { openTaskCount overdueTaskCount nextAppointment { id } } } }`,
      { q: COMPANY },
      token,
    );
    expect(res.body.errors).toBeUndefined();
    const rows = (res.body.data as { dashboard: Row[] }).dashboard;
    expect(rows.map((r) => r.id)).toEqual(order.map((k) => ids[k]));
    expect(rows.map((r) => r.summary.overdueTaskCount)).toEqual([2, 1, 0, 0, 0]);
    expect(rows.map((r) => r.summary.openTaskCount)).toEqual([2, 2, 0, 0, 1]);
    expect(rows.map((r) => r.summary.nextAppointment?.id ?? null)).toEqual([null, null, expected.Soon?.next, expected.Later?.next, null]);

    // One list call, then per contact exactly its tasks and appointments: no notes, no contact reads.
    expect(stack.upstream("/contacts/")).toHaveLength(1);
    expect(stack.upstream("/contacts/:contactId/tasks")).toHaveLength(5);
    expect(stack.upstream("/contacts/:contactId/appointments")).toHaveLength(5);
    expect(stack.sim.requests).toHaveLength(11);
  });

  it("selecting notes (summary.latestNote and Contact.notes) adds exactly one notes call per contact, and nothing already cached", async () => {
    stack.sim.clearRequests();
    const res = await stack.gql(
      `query($q: String) { dashboard(first: 10, query: $q) { id tasks { id } notes { id } summary { latestNote { id body } openTasks { title } } } }`,
      { q: COMPANY },
      token,
    );
    expect(res.body.errors).toBeUndefined();
    const rows = (res.body.data as { dashboard: Array<Row & { notes: { id: string }[] }> }).dashboard;
    expect(rows.map((r) => r.id)).toEqual(order.map((k) => ids[k]));
    expect(rows[2]?.summary.latestNote?.body).toBe("first note");
    expect(rows[2]?.notes).toHaveLength(1);
    // The page, tasks and appointments are cached from the previous operation; notes were never read.
    expect(stack.sim.requests.map((r) => r.route)).toEqual(Array(5).fill("/contacts/:contactId/notes"));
    expect(new Set(stack.sim.requests.map((r) => r.path))).toEqual(new Set(order.map((k) => `/contacts/${ids[k]}/notes`)));
  });

  it("a cold dashboard with every relation costs 1 + 3 per contact, each resource once", async () => {
    await using cold = await startStack();
    const coldToken = await cold.tokenFor();
    const now = Date.now();
    for (let i = 0; i < 4; i++) {
      const c = cold.sim.data.createContact(LOCATION_A, { firstName: "Cold", lastName: `N${i}`, companyName: "Cold Probe Co", dateAdded: iso(now - i * 1000) });
      cold.sim.data.createTask(c.id, { title: "t", dueDate: iso(now - DAY), completed: false });
    }
    cold.sim.clearRequests();
    const res = await cold.gql(
      `{ dashboard(first: 10, query: "Cold Probe Co") { id name email tags tasks { id } notes { id } appointments { id }
         summary { openTaskCount overdueTaskCount openTasks { id } nextAppointment { id } latestNote { id } lastActivityAt } } }`,
      {},
      coldToken,
    );
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { dashboard: unknown[] }).dashboard).toHaveLength(4);
    const paths = cold.sim.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toHaveLength(1 + 3 * 4);
    expect(new Set(paths).size).toBe(paths.length);
    expect(cold.upstream("/contacts/:contactId")).toHaveLength(0); // list items carry every selected scalar
  });

  it("filters by tags (any of them, case-insensitive) and keeps the attention order", async () => {
    const res = await stack.gql(`{ dashboard(first: 10, query: "${COMPANY}", tags: ["vip"]) { id } }`, {}, token);
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { dashboard: Row[] }).dashboard.map((r) => r.id)).toEqual([ids.OneOverdue, ids.Later]);
  });

  it("Contact.summary by id matches the relations", async () => {
    const res = await stack.gql(
      `query($id: ID!) { contact(id: $id) { summary { openTaskCount overdueTaskCount latestNote { body } nextAppointment { id } lastActivityAt } } }`,
      { id: ids.Soon },
      token,
    );
    expect(res.body.errors).toBeUndefined();
    const summary = (res.body.data as { contact: { summary: Row["summary"] & { lastActivityAt: string | null } } }).contact.summary;
    expect(summary).toMatchObject({ openTaskCount: 0, overdueTaskCount: 0, latestNote: { body: "first note" }, nextAppointment: { id: expected.Soon?.next } });
    expect(typeof summary.lastActivityAt).toBe("string");
  });

  it("refuses a bad `first` with BAD_USER_INPUT naming the argument", async () => {
    const res = await stack.gql(`{ dashboard(first: 0) { id } }`, {}, token);
    expect(res.body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(res.body.errors?.[0]?.message).toMatch(/first/);
  });

  it("needs a caller token", async () => {
    const res = await stack.gql(`{ dashboard { id } }`);
    expect(res.body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
  });
});
