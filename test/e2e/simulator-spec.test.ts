// The simulator against the official spec (apps/contacts.json, apps/locations.json for the
// bulk task read, apps/calendars.json for the calendars and their events) and the observed quirks of
// FACTS.md: every route's success and error bodies validate against the spec's response schemas,
// the list cursor quirk, auth errors, rate limiting headers. Raw fetch only.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_LOCATION_ID,
  LIFTED_RATE_LIMIT,
  appointmentTimeMs,
  OTHER_LOCATION_ID,
  startSimulator,
  type Simulator,
} from "../../src/simulator/index.js";
import { createSpecValidator } from "../support/simulator-spec-validator.js";
import { call, type CallResult } from "./simulator-support.js";

const spec = createSpecValidator();
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false });
});
afterAll(async () => {
  await sim.close();
});

function expectSpec(method: string, specPath: string, result: CallResult, expectedStatus: number): void {
  expect(result.status, JSON.stringify(result.body)).toBe(expectedStatus);
  const { ok, errors } = spec.validate(method, specPath, result.status, result.body);
  expect(ok, `${method} ${specPath} ${result.status}: ${errors}\n${JSON.stringify(result.body).slice(0, 400)}`).toBe(true);
  expect(typeof result.body.traceId).toBe("string");
}

/** A contact of location A that has tasks, notes and appointments. */
function richContact(): { id: string; taskId: string; noteId: string } {
  for (const c of sim.data.listContacts(DEMO_LOCATION_ID)) {
    const task = sim.data.listTasks(c.id)[0];
    const note = sim.data.listNotes(c.id)[0];
    if (task && note && sim.data.listAppointments(c.id).length > 0) return { id: c.id, taskId: task.id, noteId: note.id };
  }
  throw new Error("seed: expected a contact with tasks, notes and appointments");
}

describe("simulator: the 16 routes validate against the official spec", () => {
  it("the spec validator itself rejects wrong shapes (so these checks can fail)", () => {
    expect(spec.validate("GET", "/contacts/{contactId}", 200, { contact: { id: 5 } }).ok).toBe(false);
    expect(spec.validate("GET", "/contacts/{contactId}", 200, { contact: { tags: "a" } }).ok).toBe(false);
    expect(spec.validate("GET", "/contacts/{contactId}", 400, { statusCode: "400" }).ok).toBe(false);
    expect(spec.validate("PUT", "/contacts/{contactId}", 422, { statusCode: 422, message: "not an array" }).ok).toBe(false);
    expect(spec.validate("GET", "/contacts/{contactId}/tasks", 200, { tasks: [{ completed: "yes" }] }).ok).toBe(false);
  });

  it("GET /contacts/:contactId → 200 {contact} with the full record", async () => {
    const { id } = richContact();
    const r = await call(sim.url, "GET", `/contacts/${id}`);
    expectSpec("GET", "/contacts/{contactId}", r, 200);
    const contact = r.body.contact as Record<string, unknown>;
    expect(contact.id).toBe(id);
    expect(contact.locationId).toBe(DEMO_LOCATION_ID);
    expect(typeof contact.name).toBe("string");
    expect(typeof contact.timezone).toBe("string");
  });

  it("GET /contacts/:contactId/tasks, /tasks/:taskId → {tasks}, {task}", async () => {
    const { id, taskId } = richContact();
    const list = await call(sim.url, "GET", `/contacts/${id}/tasks`);
    expectSpec("GET", "/contacts/{contactId}/tasks", list, 200);
    expect((list.body.tasks as unknown[]).length).toBeGreaterThan(0);
    const one = await call(sim.url, "GET", `/contacts/${id}/tasks/${taskId}`);
    expectSpec("GET", "/contacts/{contactId}/tasks/{taskId}", one, 200);
    expect((one.body.task as { id: string }).id).toBe(taskId);
  });

  it("GET /contacts/:contactId/notes, /notes/:id → {notes}, {note}", async () => {
    const { id, noteId } = richContact();
    const list = await call(sim.url, "GET", `/contacts/${id}/notes`);
    expectSpec("GET", "/contacts/{contactId}/notes", list, 200);
    expect((list.body.notes as unknown[]).length).toBeGreaterThan(0);
    const one = await call(sim.url, "GET", `/contacts/${id}/notes/${noteId}`);
    expectSpec("GET", "/contacts/{contactId}/notes/{id}", one, 200);
    expect((one.body.note as { id: string }).id).toBe(noteId);
  });

  it("GET /contacts/:contactId/appointments → {events}", async () => {
    const { id } = richContact();
    const r = await call(sim.url, "GET", `/contacts/${id}/appointments`);
    expectSpec("GET", "/contacts/{contactId}/appointments", r, 200);
    const events = r.body.events as Record<string, unknown>[];
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ contactId: id, locationId: DEMO_LOCATION_ID });
  });

  it("GET /contacts/ → {contacts, meta} with lean list items", async () => {
    const r = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}`);
    expectSpec("GET", "/contacts/", r, 200);
    const contacts = r.body.contacts as Record<string, unknown>[];
    expect(contacts).toHaveLength(20); // default limit
    const item = contacts[0] as Record<string, unknown>;
    expect(item).toHaveProperty("contactName");
    expect(item).not.toHaveProperty("name");
    expect(item).not.toHaveProperty("timezone");
    expect(item.firstName).toBe(String(item.firstNameRaw).toLowerCase());
    expect(r.body.meta).toMatchObject({ total: 200, currentPage: 1, nextPage: 2, prevPage: null });
  });

  it("GET /contacts/business/:businessId → {contacts, count} with skip/limit", async () => {
    const businessId = sim.data.businessIds(DEMO_LOCATION_ID)[0] as string;
    const all = sim.data.listContacts(DEMO_LOCATION_ID).filter((c) => c.businessId === businessId);
    expect(all.length).toBeGreaterThan(3);
    const r = await call(sim.url, "GET", `/contacts/business/${businessId}?locationId=${DEMO_LOCATION_ID}&limit=2&skip=1`);
    expectSpec("GET", "/contacts/business/{businessId}", r, 200);
    expect(r.body.count).toBe(all.length);
    expect((r.body.contacts as { id: string }[]).map((c) => c.id)).toEqual(all.slice(1, 3).map((c) => c.id));
  });

  it("POST /contacts/ → 201 {contact}; PUT → {succeded, contact}; DELETE → {succeded}", async () => {
    const created = await call(sim.url, "POST", "/contacts/", {
      body: { locationId: DEMO_LOCATION_ID, firstName: "Spec", lastName: "Tester", email: "spec.tester@example.com", tags: ["lead"] },
    });
    expectSpec("POST", "/contacts/", created, 201);
    const id = (created.body.contact as { id: string }).id;
    expect(id).toMatch(/^[A-Za-z0-9]{20}$/);

    const updated = await call(sim.url, "PUT", `/contacts/${id}`, { body: { lastName: "Updated", tags: ["refinance"] } });
    expectSpec("PUT", "/contacts/{contactId}", updated, 200);
    expect(updated.body.succeded).toBe(true);
    expect(updated.body.contact).toMatchObject({ lastName: "Updated", name: "Spec Updated", tags: ["refinance"] });

    const deleted = await call(sim.url, "DELETE", `/contacts/${id}`);
    expectSpec("DELETE", "/contacts/{contactId}", deleted, 200);
    expect(deleted.body.succeded).toBe(true);
    const gone = await call(sim.url, "GET", `/contacts/${id}`);
    expectSpec("GET", "/contacts/{contactId}", gone, 400);
  });

  it("task writes: POST 201 {task}, PUT {task}, PUT completed {task}, DELETE {succeded}", async () => {
    const { id } = richContact();
    const created = await call(sim.url, "POST", `/contacts/${id}/tasks`, {
      body: { title: "Order appraisal", dueDate: "2030-01-02T10:00:00.000Z", completed: false },
    });
    expectSpec("POST", "/contacts/{contactId}/tasks", created, 201);
    const taskId = (created.body.task as { id: string }).id;
    const updated = await call(sim.url, "PUT", `/contacts/${id}/tasks/${taskId}`, { body: { title: "Order appraisal now" } });
    expectSpec("PUT", "/contacts/{contactId}/tasks/{taskId}", updated, 200);
    expect(updated.body.task).toMatchObject({ title: "Order appraisal now", completed: false, contactId: id });
    const completed = await call(sim.url, "PUT", `/contacts/${id}/tasks/${taskId}/completed`, { body: { completed: true } });
    expectSpec("PUT", "/contacts/{contactId}/tasks/{taskId}/completed", completed, 200);
    expect(completed.body.task).toMatchObject({ completed: true });
    const deleted = await call(sim.url, "DELETE", `/contacts/${id}/tasks/${taskId}`);
    expectSpec("DELETE", "/contacts/{contactId}/tasks/{taskId}", deleted, 200);
    expect(deleted.body.succeded).toBe(true);
  });

  it("POST /contacts/:contactId/tags → 201 {tags} (adds, lower-cased, no duplicates)", async () => {
    const { id } = richContact();
    const before = sim.data.getContact(id)?.tags ?? [];
    const r = await call(sim.url, "POST", `/contacts/${id}/tags`, { body: { tags: ["Investor", "investor", "vip"] } });
    expectSpec("POST", "/contacts/{contactId}/tags", r, 201);
    expect(r.body.tags).toEqual([...new Set([...before, "investor", "vip"])]);
  });

  it("note writes: POST 201 {note}, PUT {note}, DELETE {succeded}", async () => {
    const { id } = richContact();
    const created = await call(sim.url, "POST", `/contacts/${id}/notes`, { body: { body: "Spec note" } });
    expectSpec("POST", "/contacts/{contactId}/notes", created, 201);
    const noteId = (created.body.note as { id: string }).id;
    const updated = await call(sim.url, "PUT", `/contacts/${id}/notes/${noteId}`, { body: { body: "Spec note, edited" } });
    expectSpec("PUT", "/contacts/{contactId}/notes/{id}", updated, 200);
    const deleted = await call(sim.url, "DELETE", `/contacts/${id}/notes/${noteId}`);
    expectSpec("DELETE", "/contacts/{contactId}/notes/{id}", deleted, 200);
  });
});

describe("simulator: the remaining routes of apps/contacts.json", () => {
  /** A fresh contact of location A (these routes change it). */
  async function freshContact(extra: Record<string, unknown> = {}): Promise<string> {
    const r = await call(sim.url, "POST", "/contacts/", { body: { locationId: DEMO_LOCATION_ID, firstName: "Action", tags: ["a", "b", "c"], ...extra } });
    return (r.body.contact as { id: string }).id;
  }

  it("DELETE /contacts/:contactId/tags → 200 {tags} (what is left; case-insensitive)", async () => {
    const id = await freshContact();
    const r = await call(sim.url, "DELETE", `/contacts/${id}/tags`, { body: { tags: ["A", "c", "never-had"] } });
    expectSpec("DELETE", "/contacts/{contactId}/tags", r, 200);
    expect(r.body.tags).toEqual(["b"]);
    expect(sim.data.getContact(id)?.tags).toEqual(["b"]);
  });

  it("GET /contacts/search/duplicate → {contact} by email, then by phone (URL-encoded +), {contact: null} when none", async () => {
    const id = await freshContact({ email: "dup.lookup+x@example.com", phone: "+14155550999" });
    const byEmail = await call(sim.url, "GET", `/contacts/search/duplicate?locationId=${DEMO_LOCATION_ID}&email=${encodeURIComponent("DUP.lookup+x@example.com")}`);
    expect(byEmail.status).toBe(200);
    expect((byEmail.body.contact as { id: string }).id).toBe(id);
    expect(spec.validate("GET", "/contacts/{contactId}", 200, { contact: byEmail.body.contact }).ok).toBe(true);
    const byPhone = await call(sim.url, "GET", `/contacts/search/duplicate?locationId=${DEMO_LOCATION_ID}&number=%2B14155550999`);
    expect((byPhone.body.contact as { id: string }).id).toBe(id);
    // An unencoded + is a space in a query string: no match.
    const raw = await call(sim.url, "GET", `/contacts/search/duplicate?locationId=${DEMO_LOCATION_ID}&number=+14155550999&email=nobody@example.com`);
    expect(raw.body.contact).toBeNull();
    const foreign = await call(sim.url, "GET", `/contacts/search/duplicate?locationId=${OTHER_LOCATION_ID}&email=x@example.com`);
    expect(foreign.status).toBe(403);
  });

  it("POST /contacts/upsert → 200 {new, contact}: created first, updated by email the second time", async () => {
    const body = { locationId: DEMO_LOCATION_ID, firstName: "Upsert", email: "upsert.spec@example.com", createNewIfDuplicateAllowed: false };
    const first = await call(sim.url, "POST", "/contacts/upsert", { body });
    expectSpec("POST", "/contacts/upsert", first, 200);
    expect(first.body.new).toBe(true);
    const second = await call(sim.url, "POST", "/contacts/upsert", { body: { ...body, lastName: "Again" } });
    expectSpec("POST", "/contacts/upsert", second, 200);
    expect(second.body.new).toBe(false);
    expect((second.body.contact as { id: string }).id).toBe((first.body.contact as { id: string }).id);
    expect(second.body.contact).toMatchObject({ firstName: "Upsert", lastName: "Again" });
    expect(sim.data.listContacts(DEMO_LOCATION_ID).filter((c) => c.email === "upsert.spec@example.com")).toHaveLength(1);
    const unknown = await call(sim.url, "POST", "/contacts/upsert", { body: { ...body, colour: "red" } });
    expectSpec("POST", "/contacts/upsert", unknown, 422);
    expect(unknown.body.message).toEqual(["property colour should not exist"]);
  });

  it("followers: POST 201 {followers, followersAdded}; DELETE 200 {followers, followersRemoved}", async () => {
    const id = await freshContact();
    const added = await call(sim.url, "POST", `/contacts/${id}/followers`, { body: { followers: ["UserAAAAAAAAAAAAAAA1", "UserBBBBBBBBBBBBBBB2"] } });
    expectSpec("POST", "/contacts/{contactId}/followers", added, 201);
    expect(added.body).toMatchObject({ followers: ["UserAAAAAAAAAAAAAAA1", "UserBBBBBBBBBBBBBBB2"], followersAdded: ["UserAAAAAAAAAAAAAAA1", "UserBBBBBBBBBBBBBBB2"] });
    const removed = await call(sim.url, "DELETE", `/contacts/${id}/followers`, { body: { followers: ["UserAAAAAAAAAAAAAAA1", "UserCCCCCCCCCCCCCCC3"] } });
    expectSpec("DELETE", "/contacts/{contactId}/followers", removed, 200);
    expect(removed.body).toMatchObject({ followers: ["UserBBBBBBBBBBBBBBB2"], followersRemoved: ["UserAAAAAAAAAAAAAAA1"] });
    expect(sim.data.getContact(id)?.followers).toEqual(["UserBBBBBBBBBBBBBBB2"]);
  });

  it("campaigns: POST 201, DELETE one, DELETE removeAll → {succeded}; a body property is 422", async () => {
    const id = await freshContact();
    for (const campaign of ["CampaignA", "CampaignB"]) {
      const r = await call(sim.url, "POST", `/contacts/${id}/campaigns/${campaign}`, { body: {} });
      expectSpec("POST", "/contacts/{contactId}/campaigns/{campaignId}", r, 201);
    }
    expect(sim.data.listCampaigns(id)).toEqual(["CampaignA", "CampaignB"]);
    const one = await call(sim.url, "DELETE", `/contacts/${id}/campaigns/CampaignA`);
    expectSpec("DELETE", "/contacts/{contactId}/campaigns/{campaignId}", one, 200);
    expect(sim.data.listCampaigns(id)).toEqual(["CampaignB"]);
    const all = await call(sim.url, "DELETE", `/contacts/${id}/campaigns/removeAll`);
    expectSpec("DELETE", "/contacts/{contactId}/campaigns/removeAll", all, 200);
    expect(sim.data.listCampaigns(id)).toEqual([]);
    const extra = await call(sim.url, "POST", `/contacts/${id}/campaigns/CampaignA`, { body: { startAt: "now" } });
    expectSpec("POST", "/contacts/{contactId}/campaigns/{campaignId}", extra, 422);
  });

  it("workflows: POST with eventStartTime and DELETE → {succeded}; a bad eventStartTime is 422", async () => {
    const id = await freshContact();
    const added = await call(sim.url, "POST", `/contacts/${id}/workflow/WorkflowA`, { body: { eventStartTime: "2031-06-23T03:30:00+01:00" } });
    expectSpec("POST", "/contacts/{contactId}/workflow/{workflowId}", added, 200);
    expect(sim.data.listWorkflows(id)).toEqual([{ workflowId: "WorkflowA", eventStartTime: "2031-06-23T03:30:00+01:00" }]);
    const bad = await call(sim.url, "POST", `/contacts/${id}/workflow/WorkflowB`, { body: { eventStartTime: "soon" } });
    expectSpec("POST", "/contacts/{contactId}/workflow/{workflowId}", bad, 422);
    const removed = await call(sim.url, "DELETE", `/contacts/${id}/workflow/WorkflowA`, { body: {} });
    expectSpec("DELETE", "/contacts/{contactId}/workflow/{workflowId}", removed, 200);
    expect(sim.data.listWorkflows(id)).toEqual([]);
  });

  it("POST /contacts/bulk/tags/update/:type → 201 {succeded, errorCount, responses} with one outcome per id", async () => {
    const a = await freshContact();
    const foreign = sim.data.listContacts(OTHER_LOCATION_ID)[0]!.id;
    const add = await call(sim.url, "POST", "/contacts/bulk/tags/update/add", {
      body: { locationId: DEMO_LOCATION_ID, contacts: [a, "NoSuchContact0000001", foreign], tags: ["Bulk"] },
    });
    // UpdateTagsResponseDTO types `responses` as strings, but its own example (and HighLevel) answers
    // objects: the simulator follows the example, so the wrapper is checked here instead.
    expect(add.status).toBe(201);
    expect(add.body).toMatchObject({ succeded: true, errorCount: 2 });
    expect(add.body.responses).toMatchObject([
      { contactId: a, type: "success", oldTags: ["a", "b", "c"], tagsAdded: ["bulk"], tagsRemoved: [] },
      { contactId: "NoSuchContact0000001", type: "error" },
      { contactId: foreign, type: "error", message: "contact does not belong to location" },
    ]);
    const removeAll = await call(sim.url, "POST", "/contacts/bulk/tags/update/remove", {
      body: { locationId: DEMO_LOCATION_ID, contacts: [a], tags: [], removeAllTags: true },
    });
    expect(removeAll.body.responses).toMatchObject([{ contactId: a, type: "success", tagsRemoved: ["a", "b", "c", "bulk"] }]);
    const badType = await call(sim.url, "POST", "/contacts/bulk/tags/update/toggle", { body: { locationId: DEMO_LOCATION_ID, contacts: [a], tags: ["x"] } });
    expectSpec("POST", "/contacts/bulk/tags/update/{type}", badType, 422);
    const missing = await call(sim.url, "POST", "/contacts/bulk/tags/update/add", { body: { locationId: DEMO_LOCATION_ID, tags: ["x"] } });
    expect(missing.body.message).toContain("contacts should not be empty");
  });

  it("POST /contacts/bulk/business → 200 {success, ids}: set, then cleared with null; businessId is required", async () => {
    const a = await freshContact();
    const b = await freshContact();
    const set = await call(sim.url, "POST", "/contacts/bulk/business", {
      body: { locationId: DEMO_LOCATION_ID, ids: [a, b, "NoSuchContact0000001"], businessId: "63b7ec34ea409a9a8bd2a4ff" },
    });
    expectSpec("POST", "/contacts/bulk/business", set, 200);
    expect(set.body).toMatchObject({ success: true, ids: [a, b] });
    expect(sim.data.getContact(a)?.businessId).toBe("63b7ec34ea409a9a8bd2a4ff");
    const cleared = await call(sim.url, "POST", "/contacts/bulk/business", { body: { locationId: DEMO_LOCATION_ID, ids: [a], businessId: null } });
    expect(cleared.body.ids).toEqual([a]);
    expect(sim.data.getContact(a)?.businessId).toBeNull();
    const noBusiness = await call(sim.url, "POST", "/contacts/bulk/business", { body: { locationId: DEMO_LOCATION_ID, ids: [a] } });
    expectSpec("POST", "/contacts/bulk/business", noBusiness, 422);
    expect(noBusiness.body.message).toEqual(["businessId should not be empty"]);
  });
});

describe("simulator: error bodies", () => {
  const missing = "MissingContact000001";
  const routes: [string, string, string, unknown?][] = [
    ["GET", `/contacts/${missing}`, "/contacts/{contactId}"],
    ["PUT", `/contacts/${missing}`, "/contacts/{contactId}", { firstName: "x" }],
    ["DELETE", `/contacts/${missing}`, "/contacts/{contactId}"],
    ["GET", `/contacts/${missing}/tasks`, "/contacts/{contactId}/tasks"],
    ["POST", `/contacts/${missing}/tasks`, "/contacts/{contactId}/tasks", { title: "t", dueDate: "2030-01-01T00:00:00Z", completed: false }],
    ["GET", `/contacts/${missing}/tasks/T`, "/contacts/{contactId}/tasks/{taskId}"],
    ["PUT", `/contacts/${missing}/tasks/T`, "/contacts/{contactId}/tasks/{taskId}", { title: "t" }],
    ["PUT", `/contacts/${missing}/tasks/T/completed`, "/contacts/{contactId}/tasks/{taskId}/completed", { completed: true }],
    ["DELETE", `/contacts/${missing}/tasks/T`, "/contacts/{contactId}/tasks/{taskId}"],
    ["GET", `/contacts/${missing}/notes`, "/contacts/{contactId}/notes"],
    ["GET", `/contacts/${missing}/notes/N`, "/contacts/{contactId}/notes/{id}"],
    ["GET", `/contacts/${missing}/appointments`, "/contacts/{contactId}/appointments"],
    ["POST", `/contacts/${missing}/tags`, "/contacts/{contactId}/tags", { tags: ["x"] }],
    ["DELETE", `/contacts/${missing}/tags`, "/contacts/{contactId}/tags", { tags: ["x"] }],
    ["POST", `/contacts/${missing}/followers`, "/contacts/{contactId}/followers", { followers: ["x"] }],
    ["DELETE", `/contacts/${missing}/followers`, "/contacts/{contactId}/followers", { followers: ["x"] }],
    ["POST", `/contacts/${missing}/campaigns/C`, "/contacts/{contactId}/campaigns/{campaignId}"],
    ["DELETE", `/contacts/${missing}/campaigns/C`, "/contacts/{contactId}/campaigns/{campaignId}"],
    ["DELETE", `/contacts/${missing}/campaigns/removeAll`, "/contacts/{contactId}/campaigns/removeAll"],
    ["POST", `/contacts/${missing}/workflow/W`, "/contacts/{contactId}/workflow/{workflowId}"],
    ["DELETE", `/contacts/${missing}/workflow/W`, "/contacts/{contactId}/workflow/{workflowId}"],
  ];

  it.each(routes)("%s %s → 400 'Contact with id X not found' (spec BadRequestDTO)", async (method, path, specPath, body) => {
    const r = await call(sim.url, method, path, { body });
    expectSpec(method, specPath, r, 400);
    expect(r.body).toMatchObject({ statusCode: 400, message: `Contact with id ${missing} not found`, error: "Bad Request" });
  });

  const allRoutes: [string, string, string, unknown?][] = [
    ...routes,
    ["GET", `/contacts/?locationId=${DEMO_LOCATION_ID}`, "/contacts/"],
    ["POST", "/contacts/", "/contacts/", { locationId: DEMO_LOCATION_ID, firstName: "x" }],
    ["GET", `/contacts/business/abc?locationId=${DEMO_LOCATION_ID}`, "/contacts/business/{businessId}"],
  ];

  it.each(allRoutes)("%s %s with an unknown token → 401 (spec UnauthorizedDTO)", async (method, path, specPath, body) => {
    const r = await call(sim.url, method, path, { body, token: "sim-unknown-token" });
    expectSpec(method, specPath, r, 401);
    expect(r.body).toMatchObject({ statusCode: 401, message: "Invalid token: access token is invalid", error: "Unauthorized" });
  });

  it("a malformed percent-escape in an id is a missing contact (400), never a 5xx", async () => {
    const r = await call(sim.url, "GET", "/contacts/%E0%A4%A");
    expectSpec("GET", "/contacts/{contactId}", r, 400);
    expect(r.body.message).toBe("Contact with id %E0%A4%A not found");
  });

  it("a missing task or note of an existing contact → 400 naming the task/note", async () => {
    const { id } = richContact();
    const task = await call(sim.url, "GET", `/contacts/${id}/tasks/NoSuchTask0000000001`);
    expectSpec("GET", "/contacts/{contactId}/tasks/{taskId}", task, 400);
    expect(task.body.message).toBe("Task with id NoSuchTask0000000001 not found");
    const note = await call(sim.url, "GET", `/contacts/${id}/notes/NoSuchNote0000000001`);
    expectSpec("GET", "/contacts/{contactId}/notes/{id}", note, 400);
    expect(note.body.message).toBe("Note with id NoSuchNote0000000001 not found");
  });

  it("422 with a message ARRAY: locationId on PUT, missing required fields, unknown properties, limit > 100", async () => {
    const { id } = richContact();
    const put = await call(sim.url, "PUT", `/contacts/${id}`, { body: { locationId: DEMO_LOCATION_ID, firstName: "A" } });
    expectSpec("PUT", "/contacts/{contactId}", put, 422);
    expect(put.body).toMatchObject({ statusCode: 422, message: ["property locationId should not exist"], error: "Unprocessable Entity" });

    const task = await call(sim.url, "POST", `/contacts/${id}/tasks`, { body: { body: "no title" } });
    expectSpec("POST", "/contacts/{contactId}/tasks", task, 422);
    expect(task.body.message).toEqual(expect.arrayContaining(["title should not be empty", "dueDate should not be empty", "completed must be a boolean value"]));

    const completed = await call(sim.url, "PUT", `/contacts/${id}/tasks/x/completed`, { body: {} });
    expectSpec("PUT", "/contacts/{contactId}/tasks/{taskId}/completed", completed, 422);

    const tags = await call(sim.url, "POST", `/contacts/${id}/tags`, { body: { tags: ["a"], colour: "red" } });
    expectSpec("POST", "/contacts/{contactId}/tags", tags, 422);
    expect(tags.body.message).toEqual(["property colour should not exist"]);

    const create = await call(sim.url, "POST", "/contacts/", { body: { firstName: "No location" } });
    expectSpec("POST", "/contacts/", create, 422);
    expect(create.body.message).toContain("locationId should not be empty");

    const list = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=101`);
    expectSpec("GET", "/contacts/", list, 422);
    expect(list.body.message).toEqual(["limit must not be greater than 100"]);
  });

  it("duplicate contact (same email or phone in the location) → 400 with meta.contactId", async () => {
    const existing = sim.data.listContacts(DEMO_LOCATION_ID).find((c) => c.email && c.phone)!;
    const byEmail = await call(sim.url, "POST", "/contacts/", {
      body: { locationId: DEMO_LOCATION_ID, firstName: "Dup", email: existing.email?.toUpperCase() },
    });
    expectSpec("POST", "/contacts/", byEmail, 400);
    expect(byEmail.body).toMatchObject({
      statusCode: 400,
      message: "This location does not allow duplicated contacts.",
      meta: { contactId: existing.id, matchingField: "email" },
    });
    const byPhone = await call(sim.url, "POST", "/contacts/", {
      body: { locationId: DEMO_LOCATION_ID, firstName: "Dup", phone: existing.phone },
    });
    expect(byPhone.body).toMatchObject({ meta: { contactId: existing.id, matchingField: "phone" } });
  });

  describe("auth", () => {
    const contactPath = () => `/contacts/${richContact().id}`;
    const unauthorized = (r: CallResult) => {
      expectSpec("GET", "/contacts/{contactId}", r, 401);
    };

    it("no token and an unknown token → 401 'Invalid token: access token is invalid'", async () => {
      for (const token of [null, "not-a-token"]) {
        const r = await call(sim.url, "GET", contactPath(), { token });
        unauthorized(r);
        expect(r.body).toMatchObject({ statusCode: 401, message: "Invalid token: access token is invalid", error: "Unauthorized" });
      }
    });

    it("missing Version → 401 'version header was not found.'; unknown Version → 401 'version header is invalid'", async () => {
      const missingVersion = await call(sim.url, "GET", contactPath(), { version: null });
      unauthorized(missingVersion);
      expect(missingVersion.body).toMatchObject({ statusCode: 401, message: "version header was not found." });
      const badVersion = await call(sim.url, "GET", contactPath(), { version: "2021-04-15" });
      unauthorized(badVersion);
      expect(badVersion.body).toMatchObject({ statusCode: 401, message: "version header is invalid" });
    });

    it("read-only token on a write route → 401 'The token is not authorized for this scope.'", async () => {
      const r = await call(sim.url, "POST", `${contactPath()}/tags`, { token: "sim-ro-A-token", body: { tags: ["x"] } });
      expectSpec("POST", "/contacts/{contactId}/tags", r, 401);
      expect(r.body).toMatchObject({ statusCode: 401, message: "The token is not authorized for this scope." });
      const read = await call(sim.url, "GET", contactPath(), { token: "sim-ro-A-token" });
      expect(read.status).toBe(200);
    });

    it("a foreign location → 403 'The token does not have access to this location.'", async () => {
      const checks: CallResult[] = [
        await call(sim.url, "GET", contactPath(), { token: "sim-rw-B-token" }),
        await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}`, { token: "sim-rw-B-token" }),
        await call(sim.url, "POST", "/contacts/", { token: "sim-rw-B-token", body: { locationId: DEMO_LOCATION_ID, firstName: "X" } }),
        await call(sim.url, "GET", `/contacts/business/abc?locationId=${OTHER_LOCATION_ID}`),
      ];
      for (const r of checks) {
        expect(r.status).toBe(403);
        expect(r.body).toMatchObject({ statusCode: 403, message: "The token does not have access to this location.", error: "Forbidden" });
      }
    });
  });
});

describe("simulator: malformed input never yields a 5xx", () => {
  const garbage: unknown[] = [
    null, 1, "x", [], [1], true,
    { customFields: [1] }, { customFields: [{ key: 5, field_value: "x" }] }, { customFields: [{ id: ["a"] }] }, { customFields: "x" },
    { tags: [1, 2] }, { tags: "vip" }, { dnd: "yes" }, { dndSettings: [] }, { dateOfBirth: { y: 1 } }, { firstName: 5 }, { name: ["a"] },
    { email: 5 }, { phone: {} }, { title: 5, dueDate: "x", completed: "no" }, { dueDate: 12 }, { completed: null }, { body: 5 },
    { __proto__: { x: 1 } }, { constructor: "x" },
  ];

  it("every write route answers 4xx for garbage bodies, and stays up", async () => {
    const { id, taskId, noteId } = richContact();
    const routes: [string, string][] = [
      ["POST", "/contacts/"],
      ["PUT", `/contacts/${id}`],
      ["POST", `/contacts/${id}/tasks`],
      ["PUT", `/contacts/${id}/tasks/${taskId}`],
      ["PUT", `/contacts/${id}/tasks/${taskId}/completed`],
      ["POST", `/contacts/${id}/tags`],
      ["DELETE", `/contacts/${id}/tags`],
      ["POST", "/contacts/upsert"],
      ["POST", `/contacts/${id}/followers`],
      ["POST", `/contacts/${id}/workflow/W`],
      ["POST", "/contacts/bulk/tags/update/add"],
      ["POST", "/contacts/bulk/business"],
      ["POST", `/contacts/${id}/notes`],
      ["PUT", `/contacts/${id}/notes/${noteId}`],
    ];
    const fiveHundreds: string[] = [];
    for (const [method, path] of routes) {
      for (const body of garbage) {
        const payload = method === "POST" && ["/contacts/", "/contacts/upsert", "/contacts/bulk/tags/update/add", "/contacts/bulk/business"].includes(path) && body && typeof body === "object" && !Array.isArray(body) ? { locationId: DEMO_LOCATION_ID, ...body } : body;
        const r = await call(sim.url, method, path, { body: payload });
        if (r.status >= 500) fiveHundreds.push(`${method} ${path} ${JSON.stringify(payload)} → ${r.status}`);
      }
    }
    expect(fiveHundreds).toEqual([]);
    expect((await call(sim.url, "GET", `/contacts/${id}`)).status).toBe(200);
  });

  it("list routes answer 422 for malformed paging parameters", async () => {
    const business = sim.data.businessIds(DEMO_LOCATION_ID)[0]!;
    for (const q of ["limit=abc", "limit=1.5", "limit=0", "limit=-5", "limit=1e3", "startAfter=NaN&startAfterId=x", "startAfter=Infinity&startAfterId=x"]) {
      const r = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&${q}`);
      expect(r.status, q).toBe(422);
      expect(Array.isArray(r.body.message), q).toBe(true);
    }
    for (const q of ["skip=-1", "skip=x", "limit=101"]) {
      expect((await call(sim.url, "GET", `/contacts/business/${business}?locationId=${DEMO_LOCATION_ID}&${q}`)).status, q).toBe(422);
    }
  });
});

describe("simulator: listing quirks", () => {
  it("paging 200 seeded contacts with limit=50 yields 200 distinct, newest first, in 4 calls", async () => {
    const fresh = await startSimulator({ rateLimit: false });
    try {
      const seen: { id: string; dateAdded: string }[] = [];
      let query = `locationId=${DEMO_LOCATION_ID}&limit=50`;
      for (;;) {
        const r = await call(fresh.url, "GET", `/contacts/?${query}`);
        expectSpec("GET", "/contacts/", r, 200);
        seen.push(...(r.body.contacts as { id: string; dateAdded: string }[]));
        const meta = r.body.meta as { startAfter?: number; startAfterId?: string; total: number; nextPageUrl?: string };
        expect(meta.total).toBe(200);
        if (!meta.startAfterId) break;
        expect(meta.nextPageUrl).toContain(`startAfterId=${meta.startAfterId}`);
        query = `locationId=${DEMO_LOCATION_ID}&limit=50&startAfter=${meta.startAfter}&startAfterId=${meta.startAfterId}`;
      }
      const calls = fresh.requests.filter((r) => r.route === "/contacts/" && r.method === "GET");
      expect(calls).toHaveLength(4);
      expect(new Set(seen.map((c) => c.id)).size).toBe(200);
      const times = seen.map((c) => Date.parse(c.dateAdded));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    } finally {
      await fresh.close();
    }
  });

  it("startAfter alone (or startAfterId alone) returns page 1 again", async () => {
    const first = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=10`);
    const meta = first.body.meta as { startAfter: number; startAfterId: string };
    const ids = (first.body.contacts as { id: string }[]).map((c) => c.id);
    const onlyStartAfter = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=10&startAfter=${meta.startAfter}`);
    expect((onlyStartAfter.body.contacts as { id: string }[]).map((c) => c.id)).toEqual(ids);
    const onlyId = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=10&startAfterId=${meta.startAfterId}`);
    expect((onlyId.body.contacts as { id: string }[]).map((c) => c.id)).toEqual(ids);
    const both = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=10&startAfter=${meta.startAfter}&startAfterId=${meta.startAfterId}`);
    expect((both.body.contacts as { id: string }[])[0]?.id).not.toBe(ids[0]);
  });

  it("query matches name, email, phone and company substrings", async () => {
    const target = sim.data.listContacts(DEMO_LOCATION_ID).find((c) => c.companyName)!;
    for (const q of [target.lastName!, target.email!.split("@")[0]!, target.phone!.slice(-7), target.companyName!]) {
      const r = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=100&query=${encodeURIComponent(q)}`);
      expect(r.status).toBe(200);
      expect((r.body.contacts as { id: string }[]).map((c) => c.id), q).toContain(target.id);
      expect((r.body.meta as { total: number }).total).toBe((r.body.contacts as unknown[]).length);
    }
  });
});

describe("simulator: rate limiting per (token, location)", () => {
  it("rateLimit: false enforces nothing and says so: the headers advertise the lifted budget", async () => {
    const contact = richContact();
    for (let i = 0; i < 101; i++) expect((await call(sim.url, "GET", `/contacts/${contact.id}/notes`)).status).toBe(200);
    const r = await call(sim.url, "GET", `/contacts/${contact.id}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("x-ratelimit-max")).toBe(String(LIFTED_RATE_LIMIT.burst));
    expect(Number(r.headers.get("x-ratelimit-remaining"))).toBeGreaterThan(LIFTED_RATE_LIMIT.burst - 1_000);
    expect(r.headers.get("x-ratelimit-limit-daily")).toBe(String(LIFTED_RATE_LIMIT.daily));
  });

  it("the 101st request in an interval gets 429; X-RateLimit-Remaining counts down on every response", async () => {
    let clock = 1_800_000_000_000;
    const limited = await startSimulator({ now: () => clock, seed: false });
    try {
      const path = `/contacts/?locationId=${DEMO_LOCATION_ID}`;
      for (let i = 1; i <= 100; i++) {
        const r = await call(limited.url, "GET", path);
        expect(r.status).toBe(200);
        expect(r.headers.get("x-ratelimit-remaining")).toBe(String(100 - i));
        expect(r.headers.get("x-ratelimit-max")).toBe("100");
        expect(r.headers.get("x-ratelimit-interval-milliseconds")).toBe("10000");
        expect(r.headers.get("x-ratelimit-limit-daily")).toBe("200000");
        expect(r.headers.get("x-ratelimit-daily-remaining")).toBe(String(200_000 - i));
      }
      const over = await call(limited.url, "GET", path);
      expect(over.status).toBe(429);
      expect(over.headers.get("x-ratelimit-remaining")).toBe("0");
      // Another token of the same location has its own budget.
      const other = await call(limited.url, "GET", path, { token: "sim-ro-A-token" });
      expect(other.status).toBe(200);
      expect(other.headers.get("x-ratelimit-remaining")).toBe("99");
      // Error responses carry the headers too.
      const unauth = await call(limited.url, "GET", path, { token: "nope" });
      expect(unauth.headers.get("x-ratelimit-max")).toBe("100");
      // The next interval starts over.
      clock += 10_000;
      const next = await call(limited.url, "GET", path);
      expect(next.status).toBe(200);
      expect(next.headers.get("x-ratelimit-remaining")).toBe("99");
      // Adjustable at runtime.
      limited.setRateLimit({ burst: 2, intervalMs: 1000, daily: 5 });
      expect((await call(limited.url, "GET", path)).headers.get("x-ratelimit-remaining")).toBe("1");
      expect((await call(limited.url, "GET", path)).status).toBe(200);
      expect((await call(limited.url, "GET", path)).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe("simulator: POST /locations/:locationId/tasks/search (apps/locations.json task-search)", () => {
  const locations = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "fixtures", "contacts-api", "apps", "locations.json"), "utf8"),
  ) as {
    paths: Record<string, { post: { security: Array<Record<string, string[]>> } }>;
    components: { schemas: Record<string, { properties: Record<string, unknown> }> };
  };
  const route = `/locations/${DEMO_LOCATION_ID}/tasks/search`;
  const TASKS_SCOPE = "locations/tasks.readonly";
  const withScope = "sim-bulk-A-token";
  beforeAll(() => {
    sim.addToken({ token: withScope, locationId: DEMO_LOCATION_ID, scopes: ["contacts.readonly", TASKS_SCOPE] });
  });

  it("needs the scope the spec names; a token without it gets HighLevel's scope 401", async () => {
    expect(locations.paths["/locations/{locationId}/tasks/search"]?.post.security).toEqual([{ bearer: [TASKS_SCOPE] }]);
    const refused = await call(sim.url, "POST", route, { body: {} }); // sim-rw-A-token: contacts.* only
    expect(refused.status).toBe(401);
    expectSpec("GET", "/contacts/{contactId}", refused, 401); // the shared UnauthorizedDTO
    expect(refused.body.message).toBe("The token is not authorized for this scope.");
    const foreign = await call(sim.url, "POST", `/locations/${OTHER_LOCATION_ID}/tasks/search`, { token: withScope, body: {} });
    expect(foreign.status).toBe(403);
  });

  it("accepts exactly TaskSearchParamsDto's properties (422 for others, and for a bad contactId or limit)", async () => {
    const allowed = Object.keys(locations.components.schemas.TaskSearchParamsDto?.properties ?? {}).sort();
    expect(allowed).toEqual(["assignedTo", "businessId", "completed", "contactId", "limit", "query", "skip"]);
    const ok = await call(sim.url, "POST", route, {
      token: withScope,
      body: { contactId: [], completed: false, assignedTo: [], query: "x", limit: 10, skip: 0, businessId: "b" },
    });
    expect(ok.status).toBe(200);
    for (const body of [{ locationId: DEMO_LOCATION_ID }, { contactId: "abc" }, { contactId: [1] }, { limit: 0 }, { skip: -1 }, { limit: "10" }]) {
      const bad = await call(sim.url, "POST", route, { token: withScope, body });
      expect(bad.status, JSON.stringify(body)).toBe(422);
      expectSpec("PUT", "/contacts/{contactId}", bad, 422);
    }
  });

  it("answers {tasks} of the given contacts, each item shaped like GET /contacts/:contactId/tasks, paged by limit/skip", async () => {
    // The last contacts: the write tests above change the first ones.
    const contacts = sim.data.listContacts(DEMO_LOCATION_ID).slice(-30).map((c) => c.id);
    const expected = contacts.flatMap((id) => sim.data.listTasks(id));
    expect(expected.length).toBeGreaterThan(12);
    const pages: Array<Record<string, unknown>> = [];
    for (let skip = 0; ; skip += 10) {
      const r = await call(sim.url, "POST", route, { token: withScope, body: { contactId: contacts, limit: 10, skip } });
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(["tasks", "traceId"]);
      const tasks = r.body.tasks as Array<Record<string, unknown>>;
      // The spec types the items as arrays (LocationTaskListSuccessfulResponseDto), which is not
      // what HighLevel sends; each item is checked against the per-contact task schema instead.
      expectSpec("GET", "/contacts/{contactId}/tasks", { ...r, body: { tasks, traceId: r.body.traceId } }, 200);
      pages.push(...tasks);
      if (tasks.length < 10) break;
    }
    expect(pages.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    expect(pages.every((t) => contacts.includes(t.contactId as string))).toBe(true);
    // The default limit is 25; filters narrow.
    const first = await call(sim.url, "POST", route, { token: withScope, body: { contactId: contacts } });
    expect((first.body.tasks as unknown[]).length).toBe(Math.min(25, expected.length));
    const open = await call(sim.url, "POST", route, { token: withScope, body: { contactId: contacts, completed: false, limit: 1000 } });
    expect((open.body.tasks as Array<{ id: string }>).map((t) => t.id)).toEqual(expected.filter((t) => !t.completed).map((t) => t.id));
  });
});

describe("simulator: GET /calendars/ and GET /calendars/events (apps/calendars.json)", () => {
  const calendarsSpec = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "fixtures", "contacts-api", "apps", "calendars.json"), "utf8"),
  ) as { paths: Record<string, { get: { security: Array<Record<string, string[]>>; parameters: Array<{ name: string; in: string; schema: { enum?: string[] } }> } }> };
  const VERSION = "2021-04-15";
  const withScopes = "sim-calendars-A-token";
  const eventsOnly = "sim-calendar-events-A-token";
  const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;
  const window = { startTime: "0", endTime: String(Date.UTC(2100, 0, 1)) };
  beforeAll(() => {
    sim.addToken({ token: withScopes, locationId: DEMO_LOCATION_ID, scopes: ["contacts.readonly", "calendars.readonly", "calendars/events.readonly"] });
    sim.addToken({ token: eventsOnly, locationId: DEMO_LOCATION_ID, scopes: ["contacts.readonly", "calendars/events.readonly"] });
  });

  it("need the scopes and the Version the spec names", async () => {
    const list = calendarsSpec.paths["/calendars/"]!.get;
    const events = calendarsSpec.paths["/calendars/events"]!.get;
    expect(list.security).toEqual([{ bearer: ["calendars.readonly"] }]);
    expect(events.security).toEqual([{ bearer: ["calendars/events.readonly"] }]);
    expect(events.parameters.find((p) => p.name === "Version")?.schema.enum).toEqual([VERSION]);
    const path = `/calendars/${q({ locationId: DEMO_LOCATION_ID })}`;
    const refused = await call(sim.url, "GET", path, { token: eventsOnly, version: VERSION });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe("The token is not authorized for this scope.");
    expectSpec("GET", "/calendars/", refused, 401);
    const contactsVersion = await call(sim.url, "GET", path, { token: withScopes });
    expect([contactsVersion.status, contactsVersion.body.message]).toEqual([401, "version header is invalid"]);
    const foreign = await call(sim.url, "GET", `/calendars/${q({ locationId: OTHER_LOCATION_ID })}`, { token: withScopes, version: VERSION });
    expect(foreign.status).toBe(403);
  });

  it("GET /calendars/ → {calendars} of the location; GET /calendars/events → {events} of one calendar in the window, shaped like a contact's appointments", async () => {
    const list = await call(sim.url, "GET", `/calendars/${q({ locationId: DEMO_LOCATION_ID })}`, { token: withScopes, version: VERSION });
    expectSpec("GET", "/calendars/", list, 200);
    const calendarIds = (list.body.calendars as Array<{ id: string }>).map((c) => c.id);
    expect(calendarIds.length).toBeGreaterThan(1);
    const all = sim.data.listContacts(DEMO_LOCATION_ID).flatMap((c) => sim.data.listAppointments(c.id));
    const seen: string[] = [];
    for (const calendarId of calendarIds) {
      const r = await call(sim.url, "GET", `/calendars/events${q({ locationId: DEMO_LOCATION_ID, calendarId, ...window })}`, { token: withScopes, version: VERSION });
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(["events", "traceId"]);
      // Each event as the contact's route lists it (the calendars spec types the times as objects).
      expectSpec("GET", "/contacts/{contactId}/appointments", r, 200);
      const events = r.body.events as Array<{ id: string; calendarId: string }>;
      expect(events.every((e) => e.calendarId === calendarId)).toBe(true);
      seen.push(...events.map((e) => e.id));
    }
    expect(seen.sort()).toEqual(all.map((a) => a.id).sort());
    // A narrower window narrows.
    const now = Date.now();
    const future = await call(sim.url, "GET", `/calendars/events${q({ locationId: DEMO_LOCATION_ID, calendarId: calendarIds[0]!, startTime: String(now), endTime: window.endTime })}`, { token: withScopes, version: VERSION });
    expect((future.body.events as Array<{ startTime: string }>).every((e) => appointmentTimeMs(e.startTime) >= now)).toBe(true);
  });

  it("GET /calendars/events refuses a missing time (422), no calendar, user or group (400), an inverted window (400)", async () => {
    const at = (params: Record<string, string>) => call(sim.url, "GET", `/calendars/events${q({ locationId: DEMO_LOCATION_ID, ...params })}`, { token: withScopes, version: VERSION });
    for (const params of [{ calendarId: "SimCalendarMortgage1", startTime: "0" }, { calendarId: "SimCalendarMortgage1", ...window, startTime: "yesterday" }]) {
      const bad = await at(params);
      expect(bad.status, JSON.stringify(params)).toBe(422);
      expect(Array.isArray(bad.body.message)).toBe(true);
    }
    const noOwner = await at(window);
    expect([noOwner.status, noOwner.body.message]).toEqual([400, "Either of calendarId, userId or groupId is required"]);
    expectSpec("GET", "/calendars/events", noOwner, 400);
    const inverted = await at({ calendarId: "SimCalendarMortgage1", startTime: "10", endTime: "5" });
    expect(inverted.status).toBe(400);
  });
});
