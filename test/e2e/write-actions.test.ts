/**
 * The contact actions named in schema/schema.graphql against the simulator, one case per operation: the
 * simulator's request log shows the route, method, `Version` header and body apps/contacts.json
 * requires, the gateway's answer reflects the simulator's data, a repeat with the same
 * Idempotency-Key writes nothing, and each write leaves an audit line. Every operation is refused
 * for a read-only caller, and for an invalid argument, with no upstream call — over HTTP and over
 * graphql-ws alike — and every mutation for an upstream credential without contacts.write. After
 * each action that changes a contact, the cached answers that showed it are evicted.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../../src/simulator/index.js";
import { LOCATION_A, LOCATION_B, READ, WRITE, useStack } from "../support/harness.js";
import { wsOperation } from "../support/ws-operation.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";
import { AddNoteDocument, DuplicateContactDocument, TagContactsDocument, UpsertContactDocument } from "../generated/operations.js";
import { auditLines, data, firstError, idem, uniqueEmail, uniquePhone } from "./write-support.js";

// Well over a hundred upstream calls to location A within seconds: lift the gateway's rate budget
// (HighLevel's 100 per 10 s by default; test/e2e/gov-rate-limit.test.ts covers it) so none waits.
const stack = useStack({ env: { RATE_LIMIT_BURST: "10000" } });
let rw: string;
let ro: string;

beforeAll(async () => {
  rw = await stack().tokenFor({ scopes: [READ, WRITE], subject: "actions-writer" });
  ro = await stack().tokenFor({ scopes: [READ], subject: "actions-reader" });
});
beforeEach(() => stack().sim.clearRequests());

const newContact = (tags: string[] = ["alpha", "beta"]) =>
  stack().sim.data.createContact(LOCATION_A, { firstName: "Act", email: uniqueEmail("act"), phone: uniquePhone(), tags });

/** The one upstream call the operation made (everything but the gateway's own reads). */
function onlyCall(): RequestLogEntry {
  const calls = stack().sim.requests;
  expect(calls, JSON.stringify(calls.map((r) => `${r.method} ${r.route}`))).toHaveLength(1);
  const [call] = calls;
  expect(call).toMatchObject({ version: "2021-07-28", locationId: LOCATION_A });
  expect(call!.status).toBeLessThan(300);
  return call!;
}

interface Case {
  name: string;
  query: string;
  /** Variables for a valid call, given a fresh contact of location A. */
  variables: (contactId: string) => Record<string, unknown>;
  /** Variables that fail validation (BAD_USER_INPUT naming `badField`). */
  bad: (contactId: string) => Record<string, unknown>;
  badField: string;
  method: string;
  route: string;
  /** Checks the upstream body, the answer and the simulator's data. */
  check: (call: RequestLogEntry, answer: any, contactId: string) => void;
}

const sim = () => stack().sim.data;

const CASES: Case[] = [
  {
    name: "removeContactTags",
    query: `mutation($c: ID!, $t: [String!]!) { removeContactTags(contactId: $c, tags: $t) }`,
    variables: (c) => ({ c, t: [" Alpha ", "gamma"] }),
    bad: (c) => ({ c, t: [] }),
    badField: "tags",
    method: "DELETE",
    route: "/contacts/:contactId/tags",
    check: (call, answer, c) => {
      expect(call.body).toEqual({ tags: ["Alpha", "gamma"] });
      expect(answer).toEqual(["beta"]);
      expect(sim().getContact(c)?.tags).toEqual(["beta"]);
    },
  },
  {
    name: "duplicateContact",
    query: `query($e: String, $p: String) { duplicateContact(email: $e, phone: $p) { id email } }`,
    variables: (c) => ({ p: sim().getContact(c)!.phone }),
    bad: () => ({ e: "not-an-email" }),
    badField: "email",
    method: "GET",
    route: "/contacts/search/duplicate",
    check: (call, answer, c) => {
      // `+` travelled percent-encoded: the simulator decoded it back to a plus.
      expect(call.query).toEqual({ locationId: LOCATION_A, number: sim().getContact(c)!.phone });
      expect(answer).toEqual({ id: c, email: sim().getContact(c)!.email });
    },
  },
  {
    name: "createNote",
    query: `mutation($c: ID!, $i: CreateNoteInput!) { createNote(contactId: $c, input: $i) { id contactId body } }`,
    variables: (c) => ({ c, i: { body: "Rate lock confirmed", title: "Lock" } }),
    bad: (c) => ({ c, i: { body: " " } }),
    badField: "input.body",
    method: "POST",
    route: "/contacts/:contactId/notes",
    check: (call, answer, c) => {
      expect(call.body).toEqual({ body: "Rate lock confirmed", title: "Lock" });
      expect(answer).toMatchObject({ contactId: c, body: "Rate lock confirmed" });
      expect(sim().getNote(c, answer.id)).toMatchObject({ title: "Lock" });
    },
  },
  {
    name: "addContactFollowers",
    query: `mutation($c: ID!, $f: [ID!]!) { addContactFollowers(contactId: $c, followers: $f) }`,
    variables: (c) => ({ c, f: ["UserAAAAAAAAAAAAAAA1", "UserAAAAAAAAAAAAAAA1"] }),
    bad: (c) => ({ c, f: ["bad id!"] }),
    badField: "followers[0]",
    method: "POST",
    route: "/contacts/:contactId/followers",
    check: (call, answer, c) => {
      expect(call.body).toEqual({ followers: ["UserAAAAAAAAAAAAAAA1"] });
      expect(answer).toEqual(["UserAAAAAAAAAAAAAAA1"]);
      expect(sim().getContact(c)?.followers).toEqual(["UserAAAAAAAAAAAAAAA1"]);
    },
  },
  {
    name: "addContactToCampaign",
    query: `mutation($c: ID!, $k: ID!) { addContactToCampaign(contactId: $c, campaignId: $k) }`,
    variables: (c) => ({ c, k: "CampaignSpring2026" }),
    bad: (c) => ({ c, k: "x".repeat(65) }),
    badField: "campaignId",
    method: "POST",
    route: "/contacts/:contactId/campaigns/:campaignId",
    check: (call, answer, c) => {
      expect(call.path).toBe(`/contacts/${c}/campaigns/CampaignSpring2026`);
      expect(call.body).toEqual({});
      expect(answer).toBe(true);
      expect(sim().listCampaigns(c)).toEqual(["CampaignSpring2026"]);
    },
  },
  {
    name: "removeContactFromAllCampaigns",
    query: `mutation($c: ID!) { removeContactFromAllCampaigns(contactId: $c) }`,
    variables: (c) => {
      sim().addToCampaign(c, "CampaignSpring2026");
      sim().addToCampaign(c, "CampaignAutumn2026");
      return { c };
    },
    bad: () => ({ c: "no/slashes" }),
    badField: "contactId",
    method: "DELETE",
    route: "/contacts/:contactId/campaigns/removeAll",
    check: (call, answer, c) => {
      expect(call.body).toBeUndefined();
      expect(answer).toBe(true);
      expect(sim().listCampaigns(c)).toEqual([]);
    },
  },
  {
    name: "addContactToWorkflow",
    query: `mutation($c: ID!, $w: ID!, $s: DateTime) { addContactToWorkflow(contactId: $c, workflowId: $w, eventStartTime: $s) }`,
    variables: (c) => ({ c, w: "WorkflowNurture0001", s: "2031-06-23T03:30:00+01:00" }),
    bad: (c) => ({ c, w: "WorkflowNurture0001", s: "1900-01-01T00:00:00Z" }),
    badField: "eventStartTime",
    method: "POST",
    route: "/contacts/:contactId/workflow/:workflowId",
    check: (call, answer, c) => {
      expect(call.body).toEqual({ eventStartTime: "2031-06-23T02:30:00.000Z" });
      expect(answer).toBe(true);
      expect(sim().listWorkflows(c)).toEqual([{ workflowId: "WorkflowNurture0001", eventStartTime: "2031-06-23T02:30:00.000Z" }]);
    },
  },
  {
    name: "updateContactsTags",
    query: `mutation($ids: [ID!]!, $t: [String!]!) { updateContactsTags(contactIds: $ids, action: ADD, tags: $t) { succeeded failed outcomes { contactId ok message tagsAdded } } }`,
    variables: (c) => ({ ids: [c, "NoSuchContact0000001", c], t: ["bulk"] }),
    bad: (c) => ({ ids: [c], t: [] }),
    badField: "tags",
    method: "POST",
    route: "/contacts/bulk/tags/update/:type",
    check: (call, answer, c) => {
      expect(call.path).toBe("/contacts/bulk/tags/update/add");
      expect(call.body).toEqual({ locationId: LOCATION_A, contacts: [c, "NoSuchContact0000001"], tags: ["bulk"] });
      expect(answer).toEqual({
        succeeded: 1,
        failed: 1,
        outcomes: [
          { contactId: c, ok: true, message: "Tags updated", tagsAdded: ["bulk"] },
          { contactId: "NoSuchContact0000001", ok: false, message: "contact not found", tagsAdded: null },
        ],
      });
      expect(sim().getContact(c)?.tags).toContain("bulk");
    },
  },
  {
    name: "setContactsBusiness",
    query: `mutation($ids: [ID!]!, $b: ID) { setContactsBusiness(contactIds: $ids, businessId: $b) { succeeded failed outcomes { contactId ok } } }`,
    variables: (c) => ({ ids: [c, "NoSuchContact0000001"], b: "63b7ec34ea409a9a8bd2a4ff" }),
    bad: () => ({ ids: [], b: null }),
    badField: "contactIds",
    method: "POST",
    route: "/contacts/bulk/business",
    check: (call, answer, c) => {
      expect(call.body).toEqual({ locationId: LOCATION_A, ids: [c, "NoSuchContact0000001"], businessId: "63b7ec34ea409a9a8bd2a4ff" });
      expect(answer).toEqual({ succeeded: 1, failed: 1, outcomes: [{ contactId: c, ok: true }, { contactId: "NoSuchContact0000001", ok: false }] });
      expect(sim().getContact(c)?.businessId).toBe("63b7ec34ea409a9a8bd2a4ff");
    },
  },
];

/** The operations whose setup needs an existing item or enrolment. */
const WITH_SETUP: Case[] = [
  {
    name: "updateNote",
    query: `mutation($c: ID!, $n: ID!, $i: UpdateNoteInput!) { updateNote(contactId: $c, noteId: $n, input: $i) { id body } }`,
    variables: (c) => ({ c, n: sim().createNote(c, { body: "old" }).id, i: { body: "new" } }),
    bad: (c) => ({ c, n: "N1", i: {} }),
    badField: "input",
    method: "PUT",
    route: "/contacts/:contactId/notes/:id",
    check: (call, answer, c) => {
      expect(call.body).toEqual({ body: "new" });
      expect(answer).toEqual({ id: sim().listNotes(c)[0]!.id, body: "new" });
      expect(sim().getNote(c, answer.id)?.body).toBe("new");
    },
  },
  {
    name: "deleteNote",
    query: `mutation($c: ID!, $n: ID!) { deleteNote(contactId: $c, noteId: $n) }`,
    variables: (c) => ({ c, n: sim().createNote(c, { body: "doomed" }).id }),
    bad: (c) => ({ c, n: "" }),
    badField: "noteId",
    method: "DELETE",
    route: "/contacts/:contactId/notes/:id",
    check: (call, answer, c) => {
      expect(call.body).toBeUndefined();
      expect(answer).toBe(true);
      expect(sim().listNotes(c)).toEqual([]);
    },
  },
  {
    name: "removeContactFollowers",
    query: `mutation($c: ID!, $f: [ID!]!) { removeContactFollowers(contactId: $c, followers: $f) }`,
    variables: (c) => {
      sim().addFollowers(c, ["UserAAAAAAAAAAAAAAA1", "UserBBBBBBBBBBBBBBB2"]);
      return { c, f: ["UserAAAAAAAAAAAAAAA1"] };
    },
    bad: (c) => ({ c, f: [] }),
    badField: "followers",
    method: "DELETE",
    route: "/contacts/:contactId/followers",
    check: (call, answer, c) => {
      expect(call.body).toEqual({ followers: ["UserAAAAAAAAAAAAAAA1"] });
      expect(answer).toEqual(["UserBBBBBBBBBBBBBBB2"]);
      expect(sim().getContact(c)?.followers).toEqual(["UserBBBBBBBBBBBBBBB2"]);
    },
  },
  {
    name: "removeContactFromCampaign",
    query: `mutation($c: ID!, $k: ID!) { removeContactFromCampaign(contactId: $c, campaignId: $k) }`,
    variables: (c) => {
      sim().addToCampaign(c, "CampaignSpring2026");
      sim().addToCampaign(c, "CampaignAutumn2026");
      return { c, k: "CampaignSpring2026" };
    },
    bad: (c) => ({ c, k: "" }),
    badField: "campaignId",
    method: "DELETE",
    route: "/contacts/:contactId/campaigns/:campaignId",
    check: (call, answer, c) => {
      expect(call.path).toBe(`/contacts/${c}/campaigns/CampaignSpring2026`);
      expect(call.body).toBeUndefined();
      expect(answer).toBe(true);
      expect(sim().listCampaigns(c)).toEqual(["CampaignAutumn2026"]);
    },
  },
  {
    name: "removeContactFromWorkflow",
    query: `mutation($c: ID!, $w: ID!) { removeContactFromWorkflow(contactId: $c, workflowId: $w) }`,
    variables: (c) => {
      sim().addToWorkflow(c, "WorkflowNurture0001", undefined);
      sim().addToWorkflow(c, "WorkflowRenewal0002", undefined);
      return { c, w: "WorkflowNurture0001" };
    },
    bad: (c) => ({ c, w: "a b" }),
    badField: "workflowId",
    method: "DELETE",
    route: "/contacts/:contactId/workflow/:workflowId",
    check: (call, answer, c) => {
      expect(call.path).toBe(`/contacts/${c}/workflow/WorkflowNurture0001`);
      // The spec gives this DELETE a required CreateWorkflowDto body (eventStartTime optional).
      expect(call.body).toEqual({});
      expect(answer).toBe(true);
      expect(sim().listWorkflows(c).map((w) => w.workflowId)).toEqual(["WorkflowRenewal0002"]);
    },
  },
  {
    name: "upsertContact",
    query: `mutation($i: CreateContactInput!) { upsertContact(input: $i) { created contact { id firstName email } } }`,
    variables: () => ({ i: { firstName: "Ups", email: uniqueEmail("ups") } }),
    bad: () => ({ i: { firstName: "No match key" } }),
    badField: "input",
    method: "POST",
    route: "/contacts/upsert",
    check: (call, answer) => {
      expect(call.body).toMatchObject({ locationId: LOCATION_A, firstName: "Ups" });
      expect(answer).toMatchObject({ created: true, contact: { firstName: "Ups" } });
      expect(sim().getContact(answer.contact.id)).toMatchObject({ firstName: "Ups" });
    },
  },
];

const ALL = [...CASES, ...WITH_SETUP];
const fieldOf = (query: string) => /\{\s*(\w+)\(/.exec(query)![1]!;

const NAMES = [
  "addContactFollowers",
  "addContactToCampaign",
  "addContactToWorkflow",
  "createNote",
  "deleteNote",
  "duplicateContact",
  "removeContactFollowers",
  "removeContactFromAllCampaigns",
  "removeContactFromCampaign",
  "removeContactFromWorkflow",
  "removeContactTags",
  "setContactsBusiness",
  "updateContactsTags",
  "updateNote",
  "upsertContact",
];
const isQuery = (c: Case) => c.query.startsWith("query");
const MUTATIONS = ALL.filter((c) => !isQuery(c));
const writerAudit = (from: number) =>
  auditLines(stack())
    .slice(from)
    .filter((l) => l["subject"] === "actions-writer")
    .map((l) => [l["operation"], l["outcome"]]);

describe("every contact action against the simulator", () => {
  it("covers the fifteen operations of the issue", () => {
    expect(ALL.map((c) => c.name).sort()).toEqual(NAMES);
  });

  it.each(ALL)("$name: $method $route with Version and the documented body; the answer is the simulator's data; a repeat with the same Idempotency-Key writes nothing; audited", async (c) => {
    const contact = newContact();
    const variables = c.variables(contact.id);
    const key = isQuery(c) ? undefined : idem(`actions-${c.name}-${contact.id}`);
    const auditFrom = auditLines(stack()).length;
    stack().sim.clearRequests();
    const res = await stack().gql(c.query, variables, rw, key);
    const answer = data(res)[fieldOf(c.query)];
    const call = onlyCall();
    expect(call).toMatchObject({ method: c.method, route: c.route });
    c.check(call, answer, contact.id);
    if (isQuery(c)) return;
    const again = await stack().gql(c.query, variables, rw, key);
    expect(data(again)[fieldOf(c.query)]).toEqual(answer);
    onlyCall();
    expect(writerAudit(auditFrom)).toEqual([
      [c.name, "success"],
      [c.name, "replayed"],
    ]);
  });

  it.each(ALL)("$name: a read-only caller (mutations) or a bad argument is refused with no upstream call, over HTTP and graphql-ws", async (c) => {
    const contact = newContact();
    const refusals: [token: string, variables: Record<string, unknown>, code: string][] = [[rw, c.bad(contact.id), "BAD_USER_INPUT"]];
    if (!isQuery(c)) refusals.push([ro, c.variables(contact.id), "FORBIDDEN"]);
    for (const [token, variables, code] of refusals) {
      stack().sim.clearRequests();
      const http = await stack().gql(c.query, variables, token);
      const ws = await wsOperation(stack().gateway.wsUrl, `Bearer ${token}`, { query: c.query, variables });
      expect(ws.kind).toBe("result");
      const wsErrors = (ws as Extract<typeof ws, { kind: "result" }>).result.errors ?? [];
      for (const errors of [http.body.errors ?? [], wsErrors]) {
        expect(errors[0]?.extensions?.["code"], JSON.stringify(errors)).toBe(code);
        if (code === "BAD_USER_INPUT") expect(errors[0]?.extensions?.["field"]).toBe(c.badField);
      }
      expect(stack().sim.requests).toEqual([]);
    }
  });
});

describe("an upstream credential known to lack contacts.write", () => {
  // Location A's credential is the simulator's read-only token, with its granted scopes known.
  const roStack = useStack({
    gateway: { credentials: new StaticCredentialProvider({ [LOCATION_A]: { token: "sim-ro-A-token", scopes: [READ] } }) },
    locations: [LOCATION_A],
  });

  it("refuses every action with FORBIDDEN naming the scope, before any upstream call; duplicateContact (a read) is served", async () => {
    const caller = await roStack().tokenFor({ scopes: [READ, WRITE] });
    const contact = roStack().sim.data.createContact(LOCATION_A, { firstName: "Scoped", email: uniqueEmail("scoped"), phone: uniquePhone(), tags: ["alpha"] });
    for (const c of MUTATIONS) {
      const variables = c.variables(contact.id);
      roStack().sim.clearRequests();
      const res = await roStack().gql(c.query, variables, caller);
      expect(firstError(res).extensions, c.name).toMatchObject({ code: "FORBIDDEN", missingScope: WRITE });
      expect(roStack().sim.requests, c.name).toEqual([]);
    }
    const lookup = await roStack().gql(`query($e: String) { duplicateContact(email: $e) { id } }`, { e: contact.email }, caller);
    expect(data(lookup).duplicateContact).toEqual({ id: contact.id });
  });
});

describe("an upstream credential whose scopes are unknown and lack contacts.write", () => {
  const roStack = useStack({
    gateway: { credentials: new StaticCredentialProvider({ [LOCATION_A]: { token: "sim-ro-A-token" } }) },
    locations: [LOCATION_A],
  });

  it("the first action's upstream 401 is FORBIDDEN naming the scope; every later action is refused without an upstream call", async () => {
    const caller = await roStack().tokenFor({ scopes: [READ, WRITE] });
    const contact = roStack().sim.data.createContact(LOCATION_A, { firstName: "Scoped", email: uniqueEmail("scoped"), phone: uniquePhone(), tags: ["alpha"] });
    roStack().sim.clearRequests();
    const [first, ...rest] = MUTATIONS;
    const res = await roStack().gql(first!.query, first!.variables(contact.id), caller);
    expect(firstError(res).extensions).toMatchObject({ code: "FORBIDDEN", missingScope: WRITE });
    expect(roStack().sim.requests.map((r) => [r.method, r.route, r.status])).toEqual([[first!.method, first!.route, 401]]);
    for (const c of rest) {
      roStack().sim.clearRequests();
      const refused = await roStack().gql(c.query, c.variables(contact.id), caller);
      expect(firstError(refused).extensions, c.name).toMatchObject({ code: "FORBIDDEN", missingScope: WRITE });
      expect(roStack().sim.requests, c.name).toEqual([]);
    }
  });
});

describe("behaviour of the actions", () => {
  it("upsertContact twice with the same email: created, then updated; one contact in the simulator", async () => {
    const email = uniqueEmail("twice");
    const q = `mutation($i: CreateContactInput!) { upsertContact(input: $i) { created contact { id lastName } } }`;
    const first = data(await stack().gql(q, { i: { firstName: "Twice", email } }, rw)).upsertContact;
    const second = data(await stack().gql(q, { i: { email, lastName: "Again" } }, rw)).upsertContact;
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, contact: { id: first.contact.id, lastName: "Again" } });
    expect(sim().listContacts(LOCATION_A).filter((c) => c.email === email)).toHaveLength(1);
  });

  it("the sample operations of schema/operations (typed by codegen) run as documented", async () => {
    const email = uniqueEmail("sample");
    const up = data(await stack().gql(UpsertContactDocument, { input: { firstName: "Sample", email, tags: ["lead"] } }, rw, idem(`sample-${email}`))).upsertContact;
    expect(up).toMatchObject({ created: true, contact: { email, tags: ["lead"] } });
    expect(data(await stack().gql(DuplicateContactDocument, { email }, ro)).duplicateContact).toMatchObject({ id: up.contact.id });
    const note = data(await stack().gql(AddNoteDocument, { contactId: up.contact.id, input: { body: "Called", pinned: true } }, rw)).createNote;
    expect(note).toMatchObject({ body: "Called", pinned: true, color: null });
    const tagged = data(await stack().gql(TagContactsDocument, { contactIds: [up.contact.id], tags: ["Sample"] }, rw)).updateContactsTags;
    expect(tagged).toEqual({ succeeded: 1, failed: 0, outcomes: [{ contactId: up.contact.id, ok: true, message: "Tags updated", tagsAdded: ["sample"] }] });
  });

  it("duplicateContact is null when there is none, and never answered from the cache", async () => {
    const q = `query($e: String) { duplicateContact(email: $e) { id } }`;
    const email = uniqueEmail("later");
    expect(data(await stack().gql(q, { e: email }, ro)).duplicateContact).toBeNull();
    const created = sim().createContact(LOCATION_A, { firstName: "Later", email });
    expect(data(await stack().gql(q, { e: email }, ro)).duplicateContact).toEqual({ id: created.id });
    expect(stack().upstream("/contacts/search/duplicate")).toHaveLength(2);
  });

  it("a cached contact shows the action's effect on the next query (no webhook), reading only the contact again", async () => {
    const contact = newContact(["keep", "drop"]);
    const read = `query($id: ID!) { contact(id: $id) { tags notes { id } } }`;
    await stack().gql(read, { id: contact.id }, ro);
    await stack().gql(`mutation($c: ID!) { removeContactTags(contactId: $c, tags: ["drop"]) }`, { c: contact.id }, rw);
    await stack().gql(`mutation($c: ID!) { createNote(contactId: $c, input: { body: "new" }) { id } }`, { c: contact.id }, rw);
    stack().sim.clearRequests();
    const after = data(await stack().gql(read, { id: contact.id }, ro)).contact;
    expect(after.tags).toEqual(["keep"]);
    expect(after.notes).toHaveLength(1);
    expect(stack().sim.requests.map((r) => r.route).sort()).toEqual(["/contacts/:contactId", "/contacts/:contactId/notes"]);
  });

  // The contact by id and the list page that shows it, both answered from the response cache before
  // the action; after it, both show the simulator's data (the answers that showed the contact were evicted).
  const READ_BACK = `query($id: ID!, $q: String) {
    contact(id: $id) { lastName tags followers businessId notes { id body } }
    contacts(first: 1, query: $q) { nodes { id lastName tags followers businessId } }
  }`;
  function simulatorView(contactId: string) {
    const c = sim().getContact(contactId)!;
    const fields = { lastName: c.lastName ?? null, tags: c.tags ?? [], followers: c.followers ?? [], businessId: c.businessId ?? null };
    const notes = sim()
      .listNotes(contactId)
      .map((n) => ({ id: n.id, body: n.body }));
    return { contact: { ...fields, notes }, contacts: { nodes: [{ id: contactId, ...fields }] } };
  }
  const write = async (query: string, variables: Record<string, unknown>) => data(await stack().gql(query, variables, rw));
  const noteOf = (c: string) => sim().listNotes(c)[0]!.id;
  const COHERENCE: { name: string; setup?: (c: string) => void; run: (c: string) => Promise<unknown> }[] = [
    { name: "removeContactTags", run: (c) => write(`mutation($c: ID!) { removeContactTags(contactId: $c, tags: ["alpha"]) }`, { c }) },
    { name: "addContactFollowers", run: (c) => write(`mutation($c: ID!) { addContactFollowers(contactId: $c, followers: ["UserAAAAAAAAAAAAAAA1"]) }`, { c }) },
    {
      name: "removeContactFollowers",
      setup: (c) => sim().addFollowers(c, ["UserAAAAAAAAAAAAAAA1", "UserBBBBBBBBBBBBBBB2"]),
      run: (c) => write(`mutation($c: ID!) { removeContactFollowers(contactId: $c, followers: ["UserAAAAAAAAAAAAAAA1"]) }`, { c }),
    },
    { name: "createNote", run: (c) => write(`mutation($c: ID!) { createNote(contactId: $c, input: { body: "added" }) { id } }`, { c }) },
    {
      name: "updateNote",
      setup: (c) => sim().createNote(c, { body: "before" }),
      run: (c) => write(`mutation($c: ID!, $n: ID!) { updateNote(contactId: $c, noteId: $n, input: { body: "after" }) { id } }`, { c, n: noteOf(c) }),
    },
    {
      name: "deleteNote",
      setup: (c) => sim().createNote(c, { body: "doomed" }),
      run: (c) => write(`mutation($c: ID!, $n: ID!) { deleteNote(contactId: $c, noteId: $n) }`, { c, n: noteOf(c) }),
    },
    { name: "updateContactsTags (ADD)", run: (c) => write(`mutation($c: ID!) { updateContactsTags(contactIds: [$c], action: ADD, tags: ["bulk"]) { succeeded } }`, { c }) },
    { name: "updateContactsTags (REMOVE)", run: (c) => write(`mutation($c: ID!) { updateContactsTags(contactIds: [$c], action: REMOVE, tags: ["beta"]) { succeeded } }`, { c }) },
    { name: "setContactsBusiness", run: (c) => write(`mutation($c: ID!) { setContactsBusiness(contactIds: [$c], businessId: "63b7ec34ea409a9a8bd2a4ff") { succeeded } }`, { c }) },
    {
      name: "upsertContact (update)",
      run: (c) => write(`mutation($e: String) { upsertContact(input: { email: $e, lastName: "Upserted" }) { created } }`, { e: sim().getContact(c)!.email }),
    },
  ];

  it.each(COHERENCE)("$name: the cached answers that showed the contact are evicted; the next query shows the simulator's data", async (c) => {
    const contact = newContact();
    c.setup?.(contact.id);
    const variables = { id: contact.id, q: contact.email };
    expect(data(await stack().gql(READ_BACK, variables, ro))).toEqual(simulatorView(contact.id));
    stack().sim.clearRequests();
    await stack().gql(READ_BACK, variables, ro);
    expect(stack().sim.requests).toEqual([]); // answered from the response cache
    await c.run(contact.id);
    expect(data(await stack().gql(READ_BACK, variables, ro))).toEqual(simulatorView(contact.id));
    expect(stack().sim.requests.length).toBeGreaterThan(1); // the action's call, then fresh reads
  });

  it("an Idempotency-Key repeat answers the first result without a second upstream call; one audit line each", async () => {
    const contact = newContact();
    const q = `mutation($c: ID!) { addContactToCampaign(contactId: $c, campaignId: "CampaignIdem0000001") }`;
    const before = auditLines(stack()).length;
    const key = idem(`actions-${contact.id}`);
    expect(data(await stack().gql(q, { c: contact.id }, rw, key)).addContactToCampaign).toBe(true);
    expect(data(await stack().gql(q, { c: contact.id }, rw, key)).addContactToCampaign).toBe(true);
    expect(stack().upstream("/contacts/:contactId/campaigns/:campaignId")).toHaveLength(1);
    const lines = auditLines(stack()).slice(before);
    expect(lines.map((l) => [l["operation"], l["outcome"]])).toEqual([
      ["addContactToCampaign", "success"],
      ["addContactToCampaign", "replayed"],
    ]);
  });

  it("bulk actions: one outcome per contact, a foreign or unknown contact failing alone, the others done", async () => {
    const [one, two] = [newContact(["alpha", "beta"]), newContact(["beta"])];
    const foreign = sim().listContacts(LOCATION_B)[0]!;
    const foreignTags = [...(foreign.tags ?? [])];
    const foreignBusiness = foreign.businessId ?? null;
    const ids = [one.id, foreign.id, two.id, "NoSuchContact0000001"];
    const tags = data(
      await stack().gql(
        `mutation($ids: [ID!]!) { updateContactsTags(contactIds: $ids, action: REMOVE, tags: ["beta"]) { succeeded failed outcomes { contactId ok message tagsRemoved } } }`,
        { ids },
        rw,
      ),
    ).updateContactsTags;
    expect(tags).toEqual({
      succeeded: 2,
      failed: 2,
      outcomes: [
        { contactId: one.id, ok: true, message: "Tags updated", tagsRemoved: ["beta"] },
        { contactId: foreign.id, ok: false, message: "contact does not belong to location", tagsRemoved: null },
        { contactId: two.id, ok: true, message: "Tags updated", tagsRemoved: ["beta"] },
        { contactId: "NoSuchContact0000001", ok: false, message: "contact not found", tagsRemoved: null },
      ],
    });
    expect([sim().getContact(one.id)?.tags, sim().getContact(two.id)?.tags, sim().getContact(foreign.id)?.tags]).toEqual([["alpha"], [], foreignTags]);

    const business = data(
      await stack().gql(
        `mutation($ids: [ID!]!) { setContactsBusiness(contactIds: $ids, businessId: "63b7ec34ea409a9a8bd2a4ff") { succeeded failed outcomes { contactId ok } } }`,
        { ids },
        rw,
      ),
    ).setContactsBusiness;
    expect(business).toEqual({
      succeeded: 2,
      failed: 2,
      outcomes: ids.map((contactId) => ({ contactId, ok: contactId === one.id || contactId === two.id })),
    });
    expect(sim().getContact(foreign.id)?.businessId ?? null).toBe(foreignBusiness);
    expect(sim().getContact(two.id)?.businessId).toBe("63b7ec34ea409a9a8bd2a4ff");
  });

  it("updateContactsTags REMOVE with removeAllTags clears every tag of each contact (the body carries removeAllTags, tags may be empty)", async () => {
    const [one, two] = [newContact(["a", "b"]), newContact(["c"])];
    stack().sim.clearRequests();
    const res = data(
      await stack().gql(
        `mutation($ids: [ID!]!) { updateContactsTags(contactIds: $ids, action: REMOVE, tags: [], removeAllTags: true) { succeeded outcomes { contactId tagsRemoved } } }`,
        { ids: [one.id, two.id] },
        rw,
      ),
    ).updateContactsTags;
    expect(res).toEqual({ succeeded: 2, outcomes: [{ contactId: one.id, tagsRemoved: ["a", "b"] }, { contactId: two.id, tagsRemoved: ["c"] }] });
    expect(onlyCall()).toMatchObject({ path: "/contacts/bulk/tags/update/remove", body: { locationId: LOCATION_A, contacts: [one.id, two.id], tags: [], removeAllTags: true } });
    expect([sim().getContact(one.id)?.tags, sim().getContact(two.id)?.tags]).toEqual([[], []]);
  });

  it("another location's contact is FORBIDDEN; an unknown one NOT_FOUND", async () => {
    const foreign = sim().listContacts(LOCATION_B)[0]!.id;
    const q = `mutation($c: ID!) { addContactFollowers(contactId: $c, followers: ["UserAAAAAAAAAAAAAAA1"]) }`;
    expect(firstError(await stack().gql(q, { c: foreign }, rw)).extensions["code"]).toBe("FORBIDDEN");
    expect(firstError(await stack().gql(q, { c: "NoSuchContact0000001" }, rw)).extensions["code"]).toBe("NOT_FOUND");
  });
});

describe("the contact, note and appointment fields beyond the core schema", () => {
  it("are mapped from the full contact and from list items (the full contact is read only for a field the item lacks)", async () => {
    const contact = sim().createContact(LOCATION_A, {
      firstName: "Field",
      email: uniqueEmail("fields"),
      address1: "3535 1st St N",
      city: "Dolomite",
      state: "AL",
      postalCode: "35061",
      country: "US",
      website: "https://www.example.com",
      dateOfBirth: "1990-09-25",
      dndSettings: { Email: { status: "active", message: "asked", code: "x1" }, SMS: { status: "inactive" } },
      attributionSource: { url: "https://example.com/landing", utmSource: "newsletter", ip: "203.0.113.9" },
    });
    sim().addFollowers(contact.id, ["UserAAAAAAAAAAAAAAA1"]);
    const note = sim().createNote(contact.id, { body: "b", title: "T", color: "#ffcc00", pinned: true });
    const appointment = sim().createAppointment(contact.id, { groupId: "SimCalendarGroup0001", users: ["UserAAAAAAAAAAAAAAA1"] });
    const fields = `id address1 city state postalCode country website dateOfBirth lastActivity followers
      dndSettings { channel status message code } attribution { url utmSource referrer }`;
    const byId = data(
      await stack().gql(
        `query($id: ID!) { contact(id: $id) { ${fields} notes { id title color pinned } appointments { id groupId users dateAdded dateUpdated } } }`,
        { id: contact.id },
        ro,
      ),
    ).contact;
    expect(byId).toMatchObject({
      address1: "3535 1st St N",
      city: "Dolomite",
      state: "AL",
      postalCode: "35061",
      country: "US",
      website: "https://www.example.com",
      dateOfBirth: "1990-09-25",
      followers: ["UserAAAAAAAAAAAAAAA1"],
      dndSettings: [
        { channel: "Email", status: "active", message: "asked", code: "x1" },
        { channel: "SMS", status: "inactive", message: null, code: null },
      ],
      attribution: { url: "https://example.com/landing", utmSource: "newsletter", referrer: null },
      notes: [{ id: note.id, title: "T", color: "#ffcc00", pinned: true }],
      appointments: [{ id: appointment.id, groupId: "SimCalendarGroup0001", users: ["UserAAAAAAAAAAAAAAA1"], dateAdded: appointment.dateAdded, dateUpdated: appointment.dateUpdated }],
    });
    expect(JSON.stringify(byId)).not.toContain("203.0.113.9");

    // From the list: followers and city are on the item; dndSettings is not, so the contact is read once.
    stack().gateway.cache.clear();
    stack().sim.clearRequests();
    const listed = data(
      await stack().gql(`query($q: String) { contacts(first: 1, query: $q) { nodes { id city followers } } }`, { q: contact.email }, ro),
    ).contacts.nodes;
    expect(listed).toEqual([{ id: contact.id, city: "Dolomite", followers: ["UserAAAAAAAAAAAAAAA1"] }]);
    expect(stack().sim.requests.map((r) => r.route)).toEqual(["/contacts/"]);
    const withDnd = data(
      await stack().gql(`query($q: String) { contacts(first: 1, query: $q) { nodes { id dndSettings { channel } } } }`, { q: contact.email }, ro),
    ).contacts.nodes;
    expect(withDnd[0].dndSettings).toHaveLength(2);
    expect(stack().sim.requests.map((r) => r.route)).toEqual(["/contacts/", "/contacts/:contactId"]);
  });

  it("from a list page: no contact is read when the selected fields are on the items; otherwise each contact once per operation, however many fields and paths need it", async () => {
    // Letters only: a query with 3 or more digits also matches any contact whose phone holds them
    // (src/simulator/contacts.routes.ts queryMatcher), and a seeded contact's phone sometimes did.
    const marker = `listfields${Date.now().toString(36).replace(/\d/g, (d) => "abcdefghij"[Number(d)]!)}`;
    const ids = [1, 2, 3].map(
      (i) => sim().createContact(LOCATION_A, { firstName: `${marker}${i}`, email: uniqueEmail(marker), city: "Austin", dndSettings: { SMS: { status: "active" } } }).id,
    );
    const page = (nodes: string) => `query($q: String) { contacts(first: 10, query: $q) { nodes { ${nodes} } } }`;
    const fullReads = () => stack().sim.requests.filter((r) => r.route === "/contacts/:contactId").map((r) => r.path.split("/").at(-1));

    stack().gateway.cache.clear();
    stack().sim.clearRequests();
    const lean = data(await stack().gql(page("id city followers tags businessId"), { q: marker }, ro)).contacts.nodes;
    expect(lean.map((n: { id: string }) => n.id).sort()).toEqual([...ids].sort());
    expect(lean.every((n: { city: string }) => n.city === "Austin")).toBe(true);
    expect(stack().sim.requests.map((r) => r.route)).toEqual(["/contacts/"]);

    stack().gateway.cache.clear();
    stack().sim.clearRequests();
    const query = `query($q: String) {
      contacts(first: 10, query: $q) { nodes { id dndSettings { channel status } website timezone attribution { url } } }
      again: contacts(first: 10, query: $q) { nodes { id lastActivity } }
    }`;
    const rich = data(await stack().gql(query, { q: marker }, ro)).contacts.nodes;
    expect(rich.map((n: { dndSettings: unknown }) => n.dndSettings)).toEqual(ids.map(() => [{ channel: "SMS", status: "active" }]));
    expect(fullReads().sort()).toEqual([...ids].sort());
  });

  it("are writable where the API accepts them; a bad one is BAD_USER_INPUT naming it", async () => {
    const q = `mutation($i: CreateContactInput!) { createContact(input: $i) { id city country dateOfBirth dnd dndSettings { channel status message } } }`;
    const input = {
      firstName: "Addr",
      email: uniqueEmail("addr"),
      city: "Austin",
      country: "US",
      dateOfBirth: "1985-02-28",
      dnd: true,
      website: "https://a.example",
      dndSettings: [{ channel: "Email", status: "ACTIVE", message: "asked" }],
    };
    const created = data(await stack().gql(q, { i: input }, rw)).createContact;
    expect(created).toMatchObject({ city: "Austin", country: "US", dnd: true, dndSettings: [{ channel: "Email", status: "active", message: "asked" }] });
    expect(stack().upstream("/contacts/")[0]?.body).toMatchObject({
      city: "Austin",
      country: "US",
      dateOfBirth: "1985-02-28",
      dnd: true,
      website: "https://a.example",
      dndSettings: { Email: { status: "active", message: "asked" } },
    });
    const bad = firstError(await stack().gql(q, { i: { ...input, email: uniqueEmail("addr"), country: "USA" } }, rw));
    expect(bad.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.country" });
  });

  it("a note's title, color and pinned are writable on create and update; a bad colour is BAD_USER_INPUT naming it", async () => {
    const contact = newContact();
    const fields = `id title color pinned`;
    const created = data(
      await stack().gql(`mutation($c: ID!, $i: CreateNoteInput!) { createNote(contactId: $c, input: $i) { ${fields} } }`, {
        c: contact.id,
        i: { body: "Docs received", title: "Docs", color: "#FFAA00", pinned: true },
      }, rw),
    ).createNote;
    expect(created).toMatchObject({ title: "Docs", color: "#FFAA00", pinned: true });
    expect(stack().upstream("/contacts/:contactId/notes").at(-1)?.body).toEqual({ body: "Docs received", title: "Docs", color: "#FFAA00", pinned: true });
    const updated = data(
      await stack().gql(`mutation($c: ID!, $n: ID!, $i: UpdateNoteInput!) { updateNote(contactId: $c, noteId: $n, input: $i) { ${fields} } }`, {
        c: contact.id,
        n: created.id,
        i: { pinned: false, color: "#0af" },
      }, rw),
    ).updateNote;
    expect(updated).toEqual({ id: created.id, title: "Docs", color: "#0af", pinned: false });
    expect(stack().upstream("/contacts/:contactId/notes/:id").at(-1)?.body).toEqual({ pinned: false, color: "#0af" });
    expect(sim().getNote(contact.id, created.id)).toMatchObject({ color: "#0af", pinned: false });
    stack().sim.clearRequests();
    const bad = firstError(
      await stack().gql(`mutation($c: ID!) { createNote(contactId: $c, input: { body: "x", color: "yellow" }) { id } }`, { c: contact.id }, rw),
    );
    expect(bad.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.color" });
    expect(stack().sim.requests).toEqual([]);
  });
});
