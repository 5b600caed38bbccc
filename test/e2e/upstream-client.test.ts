/**
 * The typed Contacts API client against the real simulator: every route's method, path, headers
 * and body as the simulator's request log saw them, wrappers unwrapped, documented errors mapped
 * to their codes, and paging with both cursor parts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_LOCATION_ID, DEMO_TOKENS, OTHER_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { APPOINTMENTS, ContactsClient, NOTES, TASKS, UpstreamError, type CredentialProvider, type UpstreamRequest } from "../../src/upstream/index.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";

const rwA = DEMO_TOKENS.find((t) => t.locationId === DEMO_LOCATION_ID && t.scopes.includes("contacts.write"))!;
const roA = DEMO_TOKENS.find((t) => t.locationId === DEMO_LOCATION_ID && !t.scopes.includes("contacts.write"))!;
const rwB = DEMO_TOKENS.find((t) => t.locationId === OTHER_LOCATION_ID && t.scopes.includes("contacts.write"))!;

let sim: Simulator;
let client: ContactsClient;
const clients: ContactsClient[] = [];

function makeClient(credentials: CredentialProvider, extra: Partial<ConstructorParameters<typeof ContactsClient>[0]> = {}): ContactsClient {
  const c = new ContactsClient({ baseUrl: sim.url, credentials, ...extra });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false });
  client = makeClient(new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: rwA.token }, [OTHER_LOCATION_ID]: { token: rwB.token } }));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.close();
});
beforeEach(() => sim.clearRequests());

const anyContact = () => sim.data.listContacts(DEMO_LOCATION_ID).find((c) => sim.data.listTasks(c.id).length > 0 && sim.data.listNotes(c.id).length > 0)!;

describe("ContactsClient reads", () => {
  it("getContact: GET /contacts/:contactId with the location's token, unwraps {contact}", async () => {
    const seeded = anyContact();
    const contact = await client.getContact(DEMO_LOCATION_ID, seeded.id);
    expect(contact.id).toBe(seeded.id);
    expect(contact.locationId).toBe(DEMO_LOCATION_ID);
    expect(sim.requests).toMatchObject([{ method: "GET", path: `/contacts/${seeded.id}`, route: "/contacts/:contactId", token: rwA.token, status: 200 }]);
  });

  it("tasks, task, notes, note, appointments: the right routes, wrappers unwrapped", async () => {
    const seeded = anyContact();
    const tasks = await client.listOf(TASKS, DEMO_LOCATION_ID, seeded.id);
    expect(tasks.map((t) => t.id).sort()).toEqual(sim.data.listTasks(seeded.id).map((t) => t.id).sort());
    const task = await client.itemOf(TASKS, DEMO_LOCATION_ID, seeded.id, tasks[0]!.id);
    expect(task).toMatchObject({ id: tasks[0]!.id, contactId: seeded.id });
    const notes = await client.listOf(NOTES, DEMO_LOCATION_ID, seeded.id);
    expect(notes.length).toBe(sim.data.listNotes(seeded.id).length);
    const note = await client.itemOf(NOTES, DEMO_LOCATION_ID, seeded.id, notes[0]!.id);
    expect(note.id).toBe(notes[0]!.id);
    const appointments = await client.listOf(APPOINTMENTS, DEMO_LOCATION_ID, seeded.id);
    expect(appointments.length).toBe(sim.data.listAppointments(seeded.id).length);
    expect(sim.requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      "GET /contacts/:contactId/tasks 200",
      "GET /contacts/:contactId/tasks/:taskId 200",
      "GET /contacts/:contactId/notes 200",
      "GET /contacts/:contactId/notes/:id 200",
      "GET /contacts/:contactId/appointments 200",
    ]);
  });

  it("listContacts sends locationId and limit and returns the list items with meta", async () => {
    const page = await client.listContacts(DEMO_LOCATION_ID, { limit: 5 });
    expect(page.contacts).toHaveLength(5);
    expect(page.meta.total).toBe(sim.data.listContacts(DEMO_LOCATION_ID).length);
    expect(page.meta.startAfterId).toBe(page.contacts[4]!.id);
    expect(sim.requests[0]).toMatchObject({ method: "GET", route: "/contacts/", query: { locationId: DEMO_LOCATION_ID, limit: "5" } });
  });

  it("iterateContacts pages every contact once, newest first, advancing with both cursor parts", async () => {
    const seen: string[] = [];
    for await (const contact of client.iterateContacts(DEMO_LOCATION_ID, { pageSize: 50 })) seen.push(contact.id);
    const expected = sim.data.listContacts(DEMO_LOCATION_ID).map((c) => c.id);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    const calls = sim.requests.filter((r) => r.route === "/contacts/");
    expect(calls).toHaveLength(Math.ceil(expected.length / 50));
    for (const call of calls.slice(1)) {
      expect(call.query.startAfter).toBeDefined();
      expect(call.query.startAfterId).toBeDefined();
    }
  });

  it("refuses half a cursor instead of silently returning page 1 again", async () => {
    const error = await failure(client.listContacts(DEMO_LOCATION_ID, { startAfterId: "abc" }));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.message).toContain("together");
    expect(sim.requests).toHaveLength(0);
  });

  it("listBusinessContacts sends skip/limit and returns {contacts, count}", async () => {
    const businessId = sim.data.businessIds(DEMO_LOCATION_ID)[0]!;
    const page = await client.listBusinessContacts(DEMO_LOCATION_ID, businessId, { limit: 2, skip: 0 });
    expect(page.count).toBeGreaterThanOrEqual(page.contacts.length);
    expect(page.contacts.length).toBeLessThanOrEqual(2);
    expect(sim.requests[0]).toMatchObject({ route: "/contacts/business/:businessId", query: { locationId: DEMO_LOCATION_ID, limit: "2", skip: "0" } });
  });
});

describe("ContactsClient writes", () => {
  it("createContact → 201 {contact}, locationId in the body", async () => {
    const contact = await client.createContact(DEMO_LOCATION_ID, { firstName: "Ada", lastName: "Lovelace", email: `ada.${Date.now()}@example.com` });
    expect(contact.firstName?.toLowerCase()).toBe("ada");
    expect(sim.data.getContact(contact.id)).toBeDefined();
    expect(sim.requests[0]).toMatchObject({ method: "POST", route: "/contacts/", status: 201, body: { locationId: DEMO_LOCATION_ID } });
  });

  it("updateContact → PUT without locationId, unwraps {succeded, contact}; refuses a body with locationId", async () => {
    const seeded = anyContact();
    const updated = await client.updateContact(DEMO_LOCATION_ID, seeded.id, { companyName: "Harbour Lending" });
    expect(updated.companyName).toBe("Harbour Lending");
    expect(sim.requests[0]).toMatchObject({ method: "PUT", route: "/contacts/:contactId", status: 200 });
    expect(sim.requests[0]!.body).not.toHaveProperty("locationId");
    const error = await failure(client.updateContact(DEMO_LOCATION_ID, seeded.id, { locationId: DEMO_LOCATION_ID } as never));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(sim.requests).toHaveLength(1);
  });

  it("tasks: create (201), update, complete, delete; tags (201 {tags}); contact delete ({succeded})", async () => {
    const created = await client.createContact(DEMO_LOCATION_ID, { firstName: "Temp", email: `temp.${Date.now()}@example.com` });
    const task = await client.createTask(DEMO_LOCATION_ID, created.id, { title: "Call back", dueDate: "2030-01-01T10:00:00.000Z", completed: false });
    expect(task).toMatchObject({ title: "Call back", completed: false, contactId: created.id });
    const updated = await client.updateTask(DEMO_LOCATION_ID, created.id, task.id, { title: "Call back re: rate" });
    expect(updated.title).toBe("Call back re: rate");
    const done = await client.completeTask(DEMO_LOCATION_ID, created.id, task.id, true);
    expect(done.completed).toBe(true);
    expect(sim.data.getTask(created.id, task.id)?.completed).toBe(true);
    const tags = await client.addTags(DEMO_LOCATION_ID, created.id, ["refinance", "hot"]);
    expect(tags).toEqual(expect.arrayContaining(["refinance", "hot"]));
    await client.deleteTask(DEMO_LOCATION_ID, created.id, task.id);
    expect(sim.data.getTask(created.id, task.id)).toBeUndefined();
    await client.deleteContact(DEMO_LOCATION_ID, created.id);
    expect(sim.data.getContact(created.id)).toBeUndefined();
    expect(sim.requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      "POST /contacts/ 201",
      "POST /contacts/:contactId/tasks 201",
      "PUT /contacts/:contactId/tasks/:taskId 200",
      "PUT /contacts/:contactId/tasks/:taskId/completed 200",
      "POST /contacts/:contactId/tags 201",
      "DELETE /contacts/:contactId/tasks/:taskId 200",
      "DELETE /contacts/:contactId 200",
    ]);
    expect(sim.requests[3]!.body).toEqual({ completed: true });
  });
});

describe("ContactsClient requests", () => {
  it("all 16 methods send the Version header and the location's bearer token, and the documented bodies", async () => {
    const seeded = anyContact();
    const taskId = sim.data.listTasks(seeded.id)[0]!.id;
    const noteId = sim.data.listNotes(seeded.id)[0]!.id;
    const businessId = sim.data.businessIds(DEMO_LOCATION_ID)[0]!;
    await client.getContact(DEMO_LOCATION_ID, seeded.id);
    await client.listOf(TASKS, DEMO_LOCATION_ID, seeded.id);
    await client.itemOf(TASKS, DEMO_LOCATION_ID, seeded.id, taskId);
    await client.listOf(NOTES, DEMO_LOCATION_ID, seeded.id);
    await client.itemOf(NOTES, DEMO_LOCATION_ID, seeded.id, noteId);
    await client.listOf(APPOINTMENTS, DEMO_LOCATION_ID, seeded.id);
    await client.listContacts(DEMO_LOCATION_ID, { limit: 1, query: "a" });
    await client.listBusinessContacts(DEMO_LOCATION_ID, businessId, { limit: 1 });
    const created = await client.createContact(DEMO_LOCATION_ID, { firstName: "Hdr", email: `hdr.${Date.now()}@example.com`, customFields: [{ key: "loan_amount", field_value: "1" }] });
    await client.updateContact(DEMO_LOCATION_ID, created.id, { lastName: "Checked", tags: ["a"] });
    const task = await client.createTask(DEMO_LOCATION_ID, created.id, { title: "T", body: "B", dueDate: "2030-01-01T00:00:00.000Z", completed: false });
    await client.updateTask(DEMO_LOCATION_ID, created.id, task.id, { title: "T2" });
    await client.completeTask(DEMO_LOCATION_ID, created.id, task.id, false);
    await client.addTags(DEMO_LOCATION_ID, created.id, ["x"]);
    await client.deleteTask(DEMO_LOCATION_ID, created.id, task.id);
    await client.deleteContact(DEMO_LOCATION_ID, created.id);
    expect(sim.requests).toHaveLength(16);
    expect(new Set(sim.requests.map((r) => `${r.method} ${r.route}`)).size).toBe(16);
    for (const r of sim.requests) {
      expect(r, `${r.method} ${r.route}`).toMatchObject({ version: "2021-07-28", token: rwA.token });
      expect(r.status, `${r.method} ${r.route}`).toBeLessThan(300);
      if (r.method === "GET" || r.method === "DELETE") expect(r.body, `${r.method} ${r.route}`).toBeUndefined();
    }
    const bodies = sim.requests.filter((r) => r.body !== undefined).map((r) => [`${r.method} ${r.route}`, r.body]);
    expect(bodies).toEqual([
      ["POST /contacts/", { firstName: "Hdr", email: expect.stringMatching(/^hdr\./), customFields: [{ key: "loan_amount", field_value: "1" }], locationId: DEMO_LOCATION_ID }],
      ["PUT /contacts/:contactId", { lastName: "Checked", tags: ["a"] }],
      ["POST /contacts/:contactId/tasks", { title: "T", body: "B", dueDate: "2030-01-01T00:00:00.000Z", completed: false }],
      ["PUT /contacts/:contactId/tasks/:taskId", { title: "T2" }],
      ["PUT /contacts/:contactId/tasks/:taskId/completed", { completed: false }],
      ["POST /contacts/:contactId/tags", { tags: ["x"] }],
    ]);
    expect(sim.requests.find((r) => r.route === "/contacts/")?.query).toEqual({ locationId: DEMO_LOCATION_ID, limit: "1", query: "a" });
  });
});

describe("ContactsClient: the remaining routes", () => {
  it("each new method: its route, Version, token and documented body; answers unwrapped", async () => {
    const email = `actions.${Date.now()}+tag@example.com`;
    const upserted = await client.upsertContact(DEMO_LOCATION_ID, { firstName: "Act", email, phone: "+14155550142", tags: ["a", "b"] });
    expect(upserted.created).toBe(true);
    const again = await client.upsertContact(DEMO_LOCATION_ID, { email, lastName: "Ion" });
    expect(again).toMatchObject({ created: false, contact: { id: upserted.contact.id, lastName: "Ion" } });
    const id = upserted.contact.id;
    expect((await client.findDuplicateContact(DEMO_LOCATION_ID, { phone: "+14155550142" }))?.id).toBe(id);
    expect((await client.findDuplicateContact(DEMO_LOCATION_ID, { email }))?.id).toBe(id);
    expect(await client.findDuplicateContact(DEMO_LOCATION_ID, { email: "nobody.at.all@example.com" })).toBeNull();
    expect(await client.removeTags(DEMO_LOCATION_ID, id, ["a"])).toEqual(["b"]);
    const note = await client.createNote(DEMO_LOCATION_ID, id, { body: "Called", title: "Call" });
    expect(note).toMatchObject({ body: "Called", title: "Call", contactId: id });
    expect((await client.updateNote(DEMO_LOCATION_ID, id, note.id, { body: "Called twice" })).body).toBe("Called twice");
    await client.deleteNote(DEMO_LOCATION_ID, id, note.id);
    expect(await client.addFollowers(DEMO_LOCATION_ID, id, ["UserAAAAAAAAAAAAAAA1"])).toEqual({ followers: ["UserAAAAAAAAAAAAAAA1"], changed: ["UserAAAAAAAAAAAAAAA1"] });
    expect(await client.removeFollowers(DEMO_LOCATION_ID, id, ["UserAAAAAAAAAAAAAAA1"])).toEqual({ followers: [], changed: ["UserAAAAAAAAAAAAAAA1"] });
    await client.addToCampaign(DEMO_LOCATION_ID, id, "CampaignA");
    await client.removeFromCampaign(DEMO_LOCATION_ID, id, "CampaignA");
    await client.removeFromAllCampaigns(DEMO_LOCATION_ID, id);
    await client.addToWorkflow(DEMO_LOCATION_ID, id, "WorkflowA", "2031-01-01T09:00:00.000Z");
    expect(sim.data.listWorkflows(id)).toEqual([{ workflowId: "WorkflowA", eventStartTime: "2031-01-01T09:00:00.000Z" }]);
    await client.removeFromWorkflow(DEMO_LOCATION_ID, id, "WorkflowA");
    const bulk = await client.bulkUpdateTags(DEMO_LOCATION_ID, "add", [id, "NoSuchContact0000001"], ["bulk"]);
    expect(bulk).toMatchObject({ errorCount: 1, responses: [{ contactId: id, type: "success" }, { contactId: "NoSuchContact0000001", type: "error" }] });
    expect(await client.bulkSetBusiness(DEMO_LOCATION_ID, [id], "63b7ec34ea409a9a8bd2a4ff")).toEqual([id]);

    const seen = sim.requests.map((r) => `${r.method} ${r.route}`);
    expect(new Set(seen)).toEqual(
      new Set([
        "POST /contacts/upsert",
        "GET /contacts/search/duplicate",
        "DELETE /contacts/:contactId/tags",
        "POST /contacts/:contactId/notes",
        "PUT /contacts/:contactId/notes/:id",
        "DELETE /contacts/:contactId/notes/:id",
        "POST /contacts/:contactId/followers",
        "DELETE /contacts/:contactId/followers",
        "POST /contacts/:contactId/campaigns/:campaignId",
        "DELETE /contacts/:contactId/campaigns/:campaignId",
        "DELETE /contacts/:contactId/campaigns/removeAll",
        "POST /contacts/:contactId/workflow/:workflowId",
        "DELETE /contacts/:contactId/workflow/:workflowId",
        "POST /contacts/bulk/tags/update/:type",
        "POST /contacts/bulk/business",
      ]),
    );
    for (const r of sim.requests) {
      expect(r, `${r.method} ${r.route}`).toMatchObject({ version: "2021-07-28", token: rwA.token });
      expect(r.status, `${r.method} ${r.route}`).toBeLessThan(300);
    }
    // `+` percent-encoded: it reached the simulator as a plus, not a space.
    expect(sim.requests.filter((r) => r.route === "/contacts/search/duplicate").map((r) => r.query)).toEqual([
      { locationId: DEMO_LOCATION_ID, number: "+14155550142" },
      { locationId: DEMO_LOCATION_ID, email },
      { locationId: DEMO_LOCATION_ID, email: "nobody.at.all@example.com" },
    ]);
    const body = (route: string, method = "POST") => sim.requests.find((r) => r.route === route && r.method === method)?.body;
    expect(body("/contacts/upsert")).toEqual({ firstName: "Act", email, phone: "+14155550142", tags: ["a", "b"], locationId: DEMO_LOCATION_ID });
    expect(body("/contacts/:contactId/tags", "DELETE")).toEqual({ tags: ["a"] });
    expect(body("/contacts/:contactId/workflow/:workflowId")).toEqual({ eventStartTime: "2031-01-01T09:00:00.000Z" });
    expect(body("/contacts/bulk/tags/update/:type")).toEqual({ locationId: DEMO_LOCATION_ID, contacts: [id, "NoSuchContact0000001"], tags: ["bulk"] });
    expect(sim.requests.find((r) => r.route === "/contacts/bulk/tags/update/:type")?.path).toBe("/contacts/bulk/tags/update/add");
    expect(body("/contacts/bulk/business")).toEqual({ locationId: DEMO_LOCATION_ID, ids: [id], businessId: "63b7ec34ea409a9a8bd2a4ff" });
  });
});

describe("ContactsClient errors", () => {
  it("a missing contact (observed 400) is NOT_FOUND with the upstream message and traceId", async () => {
    const error = await failure(client.getContact(DEMO_LOCATION_ID, "doesNotExist00000000"));
    expect(error).toMatchObject({ code: "NOT_FOUND", reason: "not_found", status: 400, method: "GET", route: "/contacts/:contactId" });
    expect(error.upstreamMessages.join()).toContain("not found");
    expect(typeof error.traceId).toBe("string");
  });

  it("a duplicate contact is CONFLICT with the existing id", async () => {
    const existing = anyContact();
    const error = await failure(client.createContact(DEMO_LOCATION_ID, { firstName: "Dup", email: existing.email! }));
    expect(error).toMatchObject({ code: "CONFLICT", reason: "duplicate_contact", existingContactId: existing.id });
  });

  it("a 422 is BAD_USER_INPUT carrying the upstream's message array", async () => {
    const contact = anyContact();
    const error = await failure(client.createTask(DEMO_LOCATION_ID, contact.id, { title: "", dueDate: "2030-01-01T00:00:00Z", completed: false }));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.status).toBe(422);
    expect(error.upstreamMessages.length).toBeGreaterThan(0);
  });

  it("missing write scope is FORBIDDEN/missing_scope and is reported to the credential provider", async () => {
    const missing: string[] = [];
    const provider = new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: roA.token } });
    Object.assign(provider, { markScopeMissing: (_loc: string, scope: string) => missing.push(scope) });
    const ro = makeClient(provider);
    const error = await failure(ro.addTags(DEMO_LOCATION_ID, anyContact().id, ["x"]));
    expect(error).toMatchObject({ code: "FORBIDDEN", reason: "missing_scope", status: 401 });
    expect(error.message).toContain("contacts.write");
    expect(missing).toEqual(["contacts.write"]);
  });

  it("a route the upstream does not serve (wrong base URL) is UPSTREAM_ERROR, not a missing resource", async () => {
    const wrongBase = makeClient(new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: rwA.token } }), { baseUrl: `${sim.url}/v1` });
    const error = await failure(wrongBase.getContact(DEMO_LOCATION_ID, anyContact().id));
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR", reason: "unexpected", status: 404 });
    expect(error.message).toContain("CONTACTS_API_URL");
    expect(sim.requests[0]).toMatchObject({ path: expect.stringMatching(/^\/v1\/contacts\//), status: 404 });
  });

  it("a foreign location is FORBIDDEN/location_forbidden", async () => {
    const foreign = makeClient(new StaticCredentialProvider({ [OTHER_LOCATION_ID]: { token: rwB.token }, [DEMO_LOCATION_ID]: { token: rwB.token } }));
    const error = await failure(foreign.listContacts(DEMO_LOCATION_ID, { limit: 1 }));
    expect(error).toMatchObject({ code: "FORBIDDEN", reason: "location_forbidden", status: 403 });
  });

  it("an invalid token is UPSTREAM_ERROR/invalid_token and the message never contains the token", async () => {
    const bad = makeClient(new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: "pit-not-a-real-token-123" } }));
    const error = await failure(bad.getContact(DEMO_LOCATION_ID, anyContact().id));
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR", reason: "invalid_token", status: 401 });
    expect(JSON.stringify(error)).not.toContain("pit-not-a-real-token-123");
    expect(error.message).not.toContain("pit-not-a-real-token-123");
  });

  it("sends the Version header: an unknown version is rejected by the upstream and mapped", async () => {
    const wrong = makeClient(new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: rwA.token } }), { version: "2020-01-01" });
    const error = await failure(wrong.getContact(DEMO_LOCATION_ID, anyContact().id));
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR", reason: "missing_version", status: 401 });
  });

  it("a missing Version header is UPSTREAM_ERROR/missing_version (401 'version header was not found.')", async () => {
    const none = makeClient(new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: rwA.token } }), { version: "" });
    const error = await failure(none.getContact(DEMO_LOCATION_ID, anyContact().id));
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR", reason: "missing_version", status: 401 });
    expect(error.upstreamMessages).toEqual(["version header was not found."]);
  });

  it("refreshes once after an 'Invalid token' 401 when the provider can, and retries with the new token", async () => {
    const rejected: string[] = [];
    const provider: CredentialProvider = {
      hasLocation: () => true,
      locations: () => [DEMO_LOCATION_ID],
      getAccessToken: async () => "expired-token-xyz",
      grantedScopes: () => undefined,
      refreshAfterRejection: async (_loc, token) => {
        rejected.push(token);
        return rwA.token;
      },
    };
    const refreshing = makeClient(provider);
    const contact = await refreshing.getContact(DEMO_LOCATION_ID, anyContact().id);
    expect(contact.id).toBeDefined();
    expect(rejected).toEqual(["expired-token-xyz"]);
    expect(sim.requests.map((r) => r.status)).toEqual([401, 200]);
  });

  it("the upstream's 429 (over the burst) is UPSTREAM_RATE_LIMITED with the interval as retryAfterMs", async () => {
    const limited = await startSimulator({ rateLimit: { burst: 1, intervalMs: 7_000, daily: 100 } });
    try {
      const c = new ContactsClient({ baseUrl: limited.url, credentials: new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: rwA.token } }) });
      clients.push(c);
      const id = limited.data.listContacts(DEMO_LOCATION_ID)[0]!.id;
      await c.getContact(DEMO_LOCATION_ID, id);
      const error = await failure(c.getContact(DEMO_LOCATION_ID, id));
      expect(error).toMatchObject({ code: "UPSTREAM_RATE_LIMITED", reason: "rate_limited", status: 429, retryAfterMs: 7_000 });
      expect(limited.requests.map((r) => r.status)).toEqual([200, 429]);
    } finally {
      await limited.close();
    }
  });

  it("an upstream 500 is UPSTREAM_ERROR/server_error; a reset connection is UPSTREAM_UNAVAILABLE", async () => {
    const contact = anyContact();
    const remove = sim.addFault({ route: "/contacts/:contactId/notes", status: 500, body: { statusCode: 500, message: "boom" } });
    const error = await failure(client.listOf(NOTES, DEMO_LOCATION_ID, contact.id));
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR", reason: "server_error", status: 500 });
    remove();
    sim.addFault({ route: "/contacts/:contactId/tasks", reset: true, times: 1 });
    const reset = await failure(client.listOf(TASKS, DEMO_LOCATION_ID, contact.id));
    expect(reset).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", reason: "connection", outcomeUnknown: false });
  });

  it("a POST answered 500/502/504 may have been carried out (outcomeUnknown); a 503, or a GET's 5xx, may not", async () => {
    const contact = anyContact();
    const body = { title: "t", dueDate: "2030-01-01T00:00:00Z", completed: false };
    for (const status of [500, 502, 504]) {
      sim.addFault({ method: "POST", route: "/contacts/:contactId/tasks", status, times: 1 });
      expect(await failure(client.createTask(DEMO_LOCATION_ID, contact.id, body))).toMatchObject({ status, reason: "server_error", outcomeUnknown: true });
    }
    sim.addFault({ method: "POST", route: "/contacts/:contactId/tasks", status: 503, times: 1 });
    expect(await failure(client.createTask(DEMO_LOCATION_ID, contact.id, body))).toMatchObject({ status: 503, outcomeUnknown: false });
    sim.addFault({ method: "PUT", route: "/contacts/:contactId", status: 502, times: 1 });
    expect(await failure(client.updateContact(DEMO_LOCATION_ID, contact.id, { source: "x" }))).toMatchObject({ status: 502, outcomeUnknown: false });
  });

  it("a POST that times out after being sent says the write may have happened", async () => {
    const slow = makeClient(new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: rwA.token } }), { headersTimeoutMs: 200 });
    sim.addFault({ method: "POST", route: "/contacts/:contactId/tasks", delayMs: 2_000, times: 1 });
    const error = await failure(slow.createTask(DEMO_LOCATION_ID, anyContact().id, { title: "t", dueDate: "2030-01-01T00:00:00Z", completed: false }));
    expect(error).toMatchObject({ code: "UPSTREAM_UNAVAILABLE", reason: "timeout", outcomeUnknown: true });
  });

  it("runs every call through the given middlewares (the seam for governance)", async () => {
    const seen: UpstreamRequest[] = [];
    const observed = makeClient(new StaticCredentialProvider({ [DEMO_LOCATION_ID]: { token: rwA.token } }), {
      middlewares: [(next) => async (request) => {
        seen.push(request);
        return next(request);
      }],
    });
    await observed.getContact(DEMO_LOCATION_ID, anyContact().id);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "GET", route: "/contacts/:contactId", priority: "read", idempotent: true, attempt: 1, locationId: DEMO_LOCATION_ID });
  });
});
