/**
 * The eight mutations against the simulator: each changes the simulator's data and answers what
 * the upstream returned; query → mutation → query shows the write at once (no webhook: the
 * simulator sends none here) and the second query fetches only what changed; the audit lines of
 * the run name ids and outcomes, never an email address or phone number.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LOCATION_A, READ, WRITE, useStack } from "../support/harness.js";
import { M, auditLines, data, uniqueEmail, uniquePhone, upstreamWrites } from "./write-support.js";

const stack = useStack();
let rw: string;
/** Every email and phone this file sends: none may appear in an audit line. */
const personal: string[] = [];

const email = (name?: string) => {
  const e = uniqueEmail(name);
  personal.push(e);
  return e;
};
const phone = () => {
  const p = uniquePhone();
  personal.push(p, p.slice(1), p.slice(2));
  return p;
};

/** Mutations sent by this file (each must leave exactly one audit line). */
let mutationsSent = 0;

beforeAll(async () => {
  const gql = stack().gql.bind(stack());
  stack().gql = ((query: string, ...rest: unknown[]) => {
    if (typeof query === "string" && query.trimStart().startsWith("mutation")) mutationsSent += 1;
    return (gql as (...a: unknown[]) => unknown)(query, ...rest);
  }) as typeof gql;
  rw = await stack().tokenFor({ scopes: [READ, WRITE], subject: "writer-1" });
});
beforeEach(() => stack().sim.clearRequests());

const newContact = () => stack().sim.data.createContact(LOCATION_A, { firstName: "Seed", email: email("seed"), phone: phone() });

describe("each mutation writes upstream and answers the upstream's result", () => {
  it("createContact: POST /contacts/ with the caller's location; custom fields written as {id|key, field_value}", async () => {
    const e = email("grace");
    const p = phone();
    const res = await stack().gql(
      M.createContact,
      { input: { firstName: "Grace", lastName: "Hopper", email: e, phone: p, tags: ["e2e", " e2e "], customFields: [{ key: "contact.favourite_colour", value: "teal" }] } },
      rw,
    );
    const created = data(res).createContact;
    expect(created).toMatchObject({ firstName: "Grace", lastName: "Hopper", email: e, phone: p, tags: ["e2e"] });
    const stored = stack().sim.data.getContact(created.id);
    expect(stored).toMatchObject({ firstName: "Grace", email: e, locationId: LOCATION_A });
    const [post] = upstreamWrites(stack());
    expect(post).toMatchObject({ method: "POST", route: "/contacts/" });
    expect(post!.body).toMatchObject({ locationId: LOCATION_A, customFields: [{ key: "contact.favourite_colour", field_value: "teal" }] });
  });

  it("updateContact: PUT without locationId; the answer is the upstream's contact", async () => {
    const contact = newContact();
    const e = email("updated");
    const res = await stack().gql(M.updateContact, { id: contact.id, input: { lastName: "Updated", email: e } }, rw);
    expect(data(res).updateContact).toMatchObject({ id: contact.id, lastName: "Updated", email: e });
    expect(stack().sim.data.getContact(contact.id)).toMatchObject({ lastName: "Updated", email: e });
    const [put] = upstreamWrites(stack());
    expect(put).toMatchObject({ method: "PUT", route: "/contacts/:contactId" });
    expect(put!.body).toEqual({ lastName: "Updated", email: e });
  });

  it("deleteContact: the contact is gone upstream and from the gateway", async () => {
    const contact = newContact();
    await stack().gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: contact.id }, rw); // cache it
    expect(data(await stack().gql(M.deleteContact, { id: contact.id }, rw)).deleteContact).toBe(true);
    expect(stack().sim.data.getContact(contact.id)).toBeUndefined();
    expect(data(await stack().gql(`query($id: ID!) { contact(id: $id) { id } }`, { id: contact.id }, rw)).contact).toBeNull();
  });

  it("createTask, updateTask, completeTask (flips completed) and deleteTask", async () => {
    const contact = newContact();
    const created = data(
      await stack().gql(M.createTask, { contactId: contact.id, input: { title: "Call back", dueDate: "2026-12-01T10:00:00Z", body: "about the quote" } }, rw),
    ).createTask;
    expect(created).toMatchObject({ contactId: contact.id, title: "Call back", completed: false, dueDate: "2026-12-01T10:00:00.000Z" });
    expect(stack().sim.data.getTask(contact.id, created.id)).toMatchObject({ title: "Call back", completed: false });

    const updated = data(await stack().gql(M.updateTask, { contactId: contact.id, taskId: created.id, input: { title: "Call back today" } }, rw)).updateTask;
    expect(updated).toMatchObject({ id: created.id, title: "Call back today" });
    expect(stack().sim.data.getTask(contact.id, created.id)?.title).toBe("Call back today");

    const done = data(await stack().gql(M.completeTask, { contactId: contact.id, taskId: created.id }, rw)).completeTask;
    expect(done).toEqual({ id: created.id, completed: true });
    expect(stack().sim.data.getTask(contact.id, created.id)?.completed).toBe(true);
    const reopened = data(await stack().gql(M.completeTask, { contactId: contact.id, taskId: created.id, completed: false }, rw)).completeTask;
    expect(reopened.completed).toBe(false);

    expect(data(await stack().gql(M.deleteTask, { contactId: contact.id, taskId: created.id }, rw)).deleteTask).toBe(true);
    expect(stack().sim.data.getTask(contact.id, created.id)).toBeUndefined();
    expect(upstreamWrites(stack()).map((r) => `${r.method} ${r.route}`)).toEqual([
      "POST /contacts/:contactId/tasks",
      "PUT /contacts/:contactId/tasks/:taskId",
      "PUT /contacts/:contactId/tasks/:taskId/completed",
      "PUT /contacts/:contactId/tasks/:taskId/completed",
      "DELETE /contacts/:contactId/tasks/:taskId",
    ]);
  });

  it("addContactTags returns the contact's tag set", async () => {
    const contact = stack().sim.data.createContact(LOCATION_A, { firstName: "Tagged", email: email("tags"), tags: ["existing"] });
    const tags = data(await stack().gql(M.addContactTags, { contactId: contact.id, tags: ["vip", "newsletter"] }, rw)).addContactTags;
    expect([...tags].sort()).toEqual(["existing", "newsletter", "vip"]);
    expect([...(stack().sim.data.getContact(contact.id)?.tags ?? [])].sort()).toEqual(["existing", "newsletter", "vip"]);
  });
});

describe("cache coherence: query → mutation → query", () => {
  const CONTACT_WITH_TASKS = `query($id: ID!) { contact(id: $id) { id lastName tags tasks { id title completed } } }`;
  const gets = () => stack().sim.requests.filter((r) => r.method === "GET").map((r) => r.route);

  it("a task write refetches only the contact's task list", async () => {
    const contact = newContact();
    const before = data(await stack().gql(CONTACT_WITH_TASKS, { id: contact.id }, rw)).contact;
    expect(before.tasks).toEqual([]);

    const task = data(await stack().gql(M.createTask, { contactId: contact.id, input: { title: "Fresh", dueDate: "2026-12-02T09:00:00Z" } }, rw)).createTask;
    stack().sim.clearRequests();
    const after = data(await stack().gql(CONTACT_WITH_TASKS, { id: contact.id }, rw)).contact;
    expect(after.tasks).toEqual([{ id: task.id, title: "Fresh", completed: false }]);
    expect(gets()).toEqual(["/contacts/:contactId/tasks"]);

    await stack().gql(M.completeTask, { contactId: contact.id, taskId: task.id }, rw);
    stack().sim.clearRequests();
    expect(data(await stack().gql(CONTACT_WITH_TASKS, { id: contact.id }, rw)).contact.tasks[0].completed).toBe(true);
    expect(gets()).toEqual(["/contacts/:contactId/tasks"]);
  });

  it("a contact update is served from what the upstream returned (no refetch at all)", async () => {
    const contact = newContact();
    await stack().gql(CONTACT_WITH_TASKS, { id: contact.id }, rw);
    await stack().gql(M.updateContact, { id: contact.id, input: { lastName: "Lovelace" } }, rw);
    stack().sim.clearRequests();
    expect(data(await stack().gql(CONTACT_WITH_TASKS, { id: contact.id }, rw)).contact.lastName).toBe("Lovelace");
    expect(gets()).toEqual([]);
  });

  it("adding tags refetches the contact only, not its tasks", async () => {
    const contact = newContact();
    await stack().gql(CONTACT_WITH_TASKS, { id: contact.id }, rw);
    await stack().gql(M.addContactTags, { contactId: contact.id, tags: ["hot"] }, rw);
    stack().sim.clearRequests();
    expect(data(await stack().gql(CONTACT_WITH_TASKS, { id: contact.id }, rw)).contact.tags).toContain("hot");
    expect(gets()).toEqual(["/contacts/:contactId"]);
  });

  it("a created contact shows in the next list page (one list call), without waiting for a webhook", async () => {
    const LIST = `{ contacts(first: 5) { nodes { id firstName } } }`;
    await stack().gql(LIST, {}, rw);
    stack().sim.clearRequests();
    await stack().gql(LIST, {}, rw);
    expect(gets()).toEqual([]); // cached
    const created = data(await stack().gql(M.createContact, { input: { firstName: "Newest", email: email("newest") } }, rw)).createContact;
    stack().sim.clearRequests();
    const nodes = data(await stack().gql(LIST, {}, rw)).contacts.nodes;
    expect(nodes[0]).toEqual({ id: created.id, firstName: "Newest" });
    expect(gets()).toEqual(["/contacts/"]);
  });
});

describe("audit", () => {
  it("one line per mutation with subject, location, operation, target ids and outcome; no email or phone", async () => {
    const lines = auditLines(stack());
    expect(mutationsSent).toBeGreaterThanOrEqual(14);
    expect(lines).toHaveLength(mutationsSent);
    for (const line of lines) {
      expect(line).toMatchObject({ audit: true, subject: "writer-1", locationId: LOCATION_A, outcome: "success" });
      expect(typeof line["operation"]).toBe("string");
    }
    expect(lines.filter((l) => l["operation"] === "createTask").every((l) => typeof (l["targetIds"] as any).taskId === "string")).toBe(true);
    // The upstream's traceId of each successful write (the simulator answers a UUID in every body).
    for (const line of lines) expect(line["traceId"], String(line["operation"])).toMatch(/^[0-9a-f-]{36}$/);
    const text = JSON.stringify(lines);
    expect(personal.length).toBeGreaterThan(10);
    for (const value of personal) expect(text).not.toContain(value);
    expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
  });

  it("no log line of the run (audit or not) carries an email, a phone number or a token", () => {
    const all = stack().logs.join("\n");
    expect(stack().logs.length).toBeGreaterThan(0);
    for (const value of personal) expect(all).not.toContain(value);
    expect(all).not.toContain(rw);
    for (const t of stack().sim.tokens) expect(all).not.toContain(t.token);
  });
});
