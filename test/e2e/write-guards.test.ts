/**
 * What stops a write before (or at) the upstream: the caller's scope, the upstream credential's
 * scope, input validation (one test per rule, no upstream call), and the mapping of upstream
 * refusals (duplicate, 422, not found, foreign location, unknown outcome).
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LOCATION_A, LOCATION_B, READ, WRITE, useStack, type Stack } from "../support/harness.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";
import { M, auditLines, codes, data, firstError, idem, uniqueEmail, upstreamWrites } from "./write-support.js";

/** One call of each of the eight mutations, with valid arguments. */
function everyMutation(contactId: string, taskId: string): [string, Record<string, unknown>][] {
  return [
    [M.createContact, { input: { firstName: "Nope", email: uniqueEmail() } }],
    [M.updateContact, { id: contactId, input: { firstName: "Nope" } }],
    [M.deleteContact, { id: contactId }],
    [M.createTask, { contactId, input: { title: "Nope", dueDate: "2026-12-01T00:00:00Z" } }],
    [M.updateTask, { contactId, taskId, input: { title: "Nope" } }],
    [M.completeTask, { contactId, taskId }],
    [M.deleteTask, { contactId, taskId }],
    [M.addContactTags, { contactId, tags: ["nope"] }],
  ];
}

function seedContactWithTask(stack: Stack, locationId: string) {
  const contact = stack.sim.data.createContact(locationId, { firstName: "Guarded", email: uniqueEmail("guarded") });
  const task = stack.sim.data.createTask(contact.id, { title: "Guarded task", dueDate: "2026-12-01T00:00:00.000Z", completed: false });
  return { contact, task };
}

describe("scopes", () => {
  const stack = useStack();
  beforeEach(() => stack().sim.clearRequests());

  it("a read-only caller gets FORBIDDEN for every mutation and the simulator sees no request", async () => {
    const ro = await stack().tokenFor({ scopes: [READ], subject: "reader-1" });
    const { contact, task } = seedContactWithTask(stack(), LOCATION_A);
    for (const [query, variables] of everyMutation(contact.id, task.id)) {
      const res = await stack().gql(query, variables, ro);
      expect(codes(res), query).toEqual(["FORBIDDEN"]);
      expect(firstError(res).message).toContain("contacts.write");
    }
    expect(stack().sim.requests).toEqual([]);
    expect(stack().sim.data.getContact(contact.id)?.firstName).toBe("Guarded");
    // Each refused attempt still leaves one audit line.
    const refused = auditLines(stack()).filter((l) => l["subject"] === "reader-1");
    expect(refused.map((l) => l["operation"]).sort()).toEqual(
      ["addContactTags", "completeTask", "createContact", "createTask", "deleteContact", "deleteTask", "updateContact", "updateTask"],
    );
    for (const line of refused) expect(line).toMatchObject({ outcome: "rejected", errorCode: "FORBIDDEN", locationId: LOCATION_A });
  });

  it("a caller without a token is UNAUTHENTICATED, with no upstream request", async () => {
    const res = await stack().gql(`mutation { anon: createContact(input: { firstName: "Anon" }) { id } }`);
    expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
    expect(stack().sim.requests).toEqual([]);
    expect(auditLines(stack()).at(-1)).toMatchObject({ operation: "createContact", outcome: "rejected", errorCode: "UNAUTHENTICATED", locationId: null });
  });
});

describe("an upstream credential without contacts.write", () => {
  // Location B's credential is the simulator's read-only token; the gateway does not know its scopes.
  const stack = useStack({
    gateway: {
      credentials: new StaticCredentialProvider({
        [LOCATION_A]: { token: "sim-rw-A-token" },
        [LOCATION_B]: { token: "sim-ro-B-token" },
      }),
    },
  });

  it("answers FORBIDDEN naming the upstream scope, then refuses further writes without calling the upstream", async () => {
    const caller = await stack().tokenFor({ scopes: [READ, WRITE], locationId: LOCATION_B });
    const { contact, task } = seedContactWithTask(stack(), LOCATION_B);
    stack().sim.clearRequests();
    const first = await stack().gql(M.createContact, { input: { firstName: "Blocked", email: uniqueEmail() } }, caller);
    expect(codes(first)).toEqual(["FORBIDDEN"]);
    expect(firstError(first).message).toMatch(/upstream credential .* lacks the contacts\.write scope/);
    expect(firstError(first).extensions).toMatchObject({ missingScope: "contacts.write" });
    expect(stack().sim.requests.map((r) => [r.method, r.status])).toEqual([["POST", 401]]);

    for (const [query, variables] of everyMutation(contact.id, task.id)) {
      expect(codes(await stack().gql(query, variables, caller)), query).toEqual(["FORBIDDEN"]);
    }
    expect(stack().sim.requests).toHaveLength(1);
    // Reads still work with the read-only credential; location A's writes are unaffected.
    expect(data(await stack().gql(`query($id: ID!) { contact(id: $id) { firstName } }`, { id: contact.id }, caller)).contact.firstName).toBe("Guarded");
    const writerA = await stack().tokenFor({ scopes: [READ, WRITE] });
    expect(codes(await stack().gql(M.createContact, { input: { firstName: "Fine", email: uniqueEmail() } }, writerA))).toEqual([]);
  });
});

describe("an upstream credential whose granted scopes are known to lack contacts.write", () => {
  const stack = useStack({
    gateway: {
      credentials: new StaticCredentialProvider({
        [LOCATION_A]: { token: "sim-ro-A-token", scopes: ["contacts.readonly"] },
      }),
    },
    locations: [LOCATION_A],
  });

  it("refuses before any upstream call", async () => {
    const caller = await stack().tokenFor({ scopes: [READ, WRITE] });
    const { contact, task } = seedContactWithTask(stack(), LOCATION_A);
    stack().sim.clearRequests();
    for (const [query, variables] of everyMutation(contact.id, task.id)) {
      const res = await stack().gql(query, variables, caller);
      expect(codes(res), query).toEqual(["FORBIDDEN"]);
      expect(firstError(res).message).toContain("contacts.write");
    }
    expect(stack().sim.requests).toEqual([]);
  });
});

describe("validation: BAD_USER_INPUT naming the field, before any upstream call", () => {
  const stack = useStack();
  let rw: string;
  let contactId: string;
  let taskId: string;
  beforeAll(async () => {
    rw = await stack().tokenFor({ scopes: [READ, WRITE] });
    const seeded = seedContactWithTask(stack(), LOCATION_A);
    contactId = seeded.contact.id;
    taskId = seeded.task.id;
  });
  beforeEach(() => stack().sim.clearRequests());

  async function rejected(query: string, variables: Record<string, unknown>, field: string, expected: RegExp, headers?: Record<string, string>) {
    const res = await stack().gql(query, variables, rw, headers);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    const error = firstError(res);
    expect(error.extensions["field"]).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toMatch(expected);
    expect(stack().sim.requests).toEqual([]);
    return error;
  }

  it("email syntax", async () => {
    const error = await rejected(M.createContact, { input: { firstName: "A", email: "ada.example.com" } }, "input.email", /email address like name@example.com/);
    expect(error.message).not.toContain("ada.example.com");
  });

  it("phone in E.164-like form", async () => {
    await rejected(M.updateContact, { id: contactId, input: { phone: "555-0100" } }, "input.phone", /E\.164/);
  });

  it("ISO dueDate (the DateTime scalar refuses a non-ISO string)", async () => {
    const res = await stack().gql(M.createTask, { contactId, input: { title: "T", dueDate: "next tuesday" } }, rw);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(firstError(res).message).toContain("input.dueDate");
    expect(firstError(res).extensions["field"]).toBe("input.dueDate");
    expect(stack().sim.requests).toEqual([]);
  });

  it("dueDate within the accepted years", async () => {
    await rejected(M.createTask, { contactId, input: { title: "T", dueDate: "0099-01-01T00:00:00Z" } }, "input.dueDate", /ISO-8601 date-time/);
  });

  it("non-empty task title", async () => {
    await rejected(M.createTask, { contactId, input: { title: "   ", dueDate: "2026-12-01T00:00:00Z" } }, "input.title", /non-empty/);
  });

  it("tags: a non-empty list", async () => {
    await rejected(M.addContactTags, { contactId, tags: [] }, "tags", /list of 1 to 100 tags/);
  });

  it("tags: each non-blank and bounded in length", async () => {
    await rejected(M.addContactTags, { contactId, tags: ["ok", "x".repeat(101)] }, "tags[1]", /at most 100 characters/);
    await rejected(M.createContact, { input: { firstName: "A", tags: [" "] } }, "input.tags[0]", /non-blank/);
  });

  it("string length limits", async () => {
    await rejected(M.createContact, { input: { firstName: "x".repeat(101) } }, "input.firstName", /at most 100 characters/);
    await rejected(M.updateTask, { contactId, taskId, input: { body: "x".repeat(10_001) } }, "input.body", /at most 10000 characters/);
  });

  it("no control characters (and no line breaks in one-line fields)", async () => {
    await rejected(M.updateContact, { id: contactId, input: { firstName: "Ada\u0000" } }, "input.firstName", /without control characters/);
    await rejected(M.addContactTags, { contactId, tags: ["vip\nnew"] }, "tags[0]", /one line of text/);
  });

  it("custom fields: exactly one of id or key", async () => {
    await rejected(M.createContact, { input: { firstName: "A", customFields: [{ value: "v" }] } }, "input.customFields[0]", /exactly one of `id` or `key`/);
  });

  it("time zone names", async () => {
    await rejected(M.updateContact, { id: contactId, input: { timezone: "Mars/Olympus_Mons" } }, "input.timezone", /IANA time zone/);
  });

  it("ids", async () => {
    await rejected(M.deleteContact, { id: "../../locations" }, "id", /letters, digits/);
  });

  it("an update must change something", async () => {
    await rejected(M.updateContact, { id: contactId, input: {} }, "input", /at least one field/);
  });

  it("a malformed Idempotency-Key header", async () => {
    await rejected(M.createContact, { input: { firstName: "A" } }, "Idempotency-Key", /visible ASCII/, idem("x".repeat(300)));
  });
});

describe("upstream refusals", () => {
  const stack = useStack();
  let rw: string;
  beforeAll(async () => {
    rw = await stack().tokenFor({ scopes: [READ, WRITE] });
  });
  beforeEach(() => {
    stack().sim.clearRequests();
    stack().sim.clearFaults();
  });

  it("a duplicate contact is CONFLICT with the existing contact's id", async () => {
    const email = uniqueEmail("dup");
    const existing = stack().sim.data.createContact(LOCATION_A, { firstName: "First", email });
    const res = await stack().gql(M.createContact, { input: { firstName: "Second", email } }, rw);
    expect(codes(res)).toEqual(["CONFLICT"]);
    expect(firstError(res).extensions).toMatchObject({ existingContactId: existing.id });
    expect(stack().sim.data.listContacts(LOCATION_A).filter((c) => c.email === email)).toHaveLength(1);
  });

  it("a 422 is BAD_USER_INPUT carrying the upstream's messages", async () => {
    stack().sim.addFault({
      method: "POST",
      route: "/contacts/",
      status: 422,
      body: { statusCode: 422, message: ["property nickname should not exist", "website must be a URL"], error: "Unprocessable Entity" },
      times: 1,
    });
    const res = await stack().gql(M.createContact, { input: { firstName: "Rejected" } }, rw);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(firstError(res).extensions["upstreamMessages"]).toEqual(["property nickname should not exist", "website must be a URL"]);
    expect(firstError(res).message).toContain("website must be a URL");
  });

  it("a missing contact or task is NOT_FOUND", async () => {
    expect(codes(await stack().gql(M.updateContact, { id: "NoSuchContact0000000", input: { firstName: "X" } }, rw))).toEqual(["NOT_FOUND"]);
    const { contact } = seedContactWithTask(stack(), LOCATION_A);
    expect(codes(await stack().gql(M.completeTask, { contactId: contact.id, taskId: "NoSuchTask0000000000" }, rw))).toEqual(["NOT_FOUND"]);
  });

  it("a contact of another location is FORBIDDEN and stays untouched", async () => {
    const foreign = stack().sim.data.createContact(LOCATION_B, { firstName: "Foreign", email: uniqueEmail("foreign") });
    expect(codes(await stack().gql(M.deleteContact, { id: foreign.id }, rw))).toEqual(["FORBIDDEN"]);
    expect(stack().sim.data.getContact(foreign.id)?.firstName).toBe("Foreign");
  });
});

describe("a write whose outcome is unknown", () => {
  const stack = useStack({ env: { UPSTREAM_HEADERS_TIMEOUT_MS: "300" } });

  it("says the write may have happened and is never retried, not even with the same Idempotency-Key", async () => {
    const rw = await stack().tokenFor({ scopes: [READ, WRITE] });
    const { contact } = seedContactWithTask(stack(), LOCATION_A);
    stack().sim.clearRequests();
    stack().sim.addFault({ method: "POST", route: "/contacts/:contactId/tasks", delayMs: 1_500, times: 1 });
    const variables = { contactId: contact.id, input: { title: "Slow", dueDate: "2026-12-01T00:00:00Z" } };
    const res = await stack().gql(M.createTask, variables, rw, idem("slow-1"));
    expect(codes(res)).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(firstError(res).message).toContain("MAY HAVE HAPPENED");
    expect(firstError(res).extensions).toMatchObject({ outcomeUnknown: true });

    const again = await stack().gql(M.createTask, variables, rw, idem("slow-1"));
    expect(codes(again)).toEqual(["UPSTREAM_UNAVAILABLE"]);
    expect(firstError(again).extensions).toMatchObject({ outcomeUnknown: true });
    // The simulator did handle the one POST (after its delay): exactly one task, one POST.
    await stack().sim.waitForRequests((r) => r.method === "POST", 1, 10_000);
    expect(upstreamWrites(stack())).toHaveLength(1);
    await expect.poll(() => stack().sim.data.listTasks(contact.id).filter((t) => t.title === "Slow").length, { timeout: 10_000 }).toBe(1);
  });

  it("a create answered 502 after it was sent is treated the same way: not retried, the key stays blocked", async () => {
    const rw = await stack().tokenFor({ scopes: [READ, WRITE] });
    stack().sim.clearRequests();
    stack().sim.addFault({ method: "POST", route: "/contacts/", status: 502, body: { message: "Bad Gateway" }, times: 1 });
    const variables = { input: { firstName: "Maybe", email: uniqueEmail("maybe") } };
    const res = await stack().gql(M.createContact, variables, rw, idem("bad-gateway-1"));
    expect(firstError(res).message).toContain("MAY HAVE HAPPENED");
    expect(firstError(res).extensions).toMatchObject({ code: "UPSTREAM_ERROR", outcomeUnknown: true, upstreamStatus: 502 });
    const again = await stack().gql(M.createContact, variables, rw, idem("bad-gateway-1"));
    expect(firstError(again).extensions).toMatchObject({ outcomeUnknown: true });
    expect(upstreamWrites(stack())).toHaveLength(1);
  });
});
