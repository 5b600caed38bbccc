/**
 * Query limits against the contract's schema (schema/schema.graphql):
 * the upstream-cost estimate, depth/aliases/tokens, and the Apollo wiring (codes, extensions).
 */
import { buildSchema, parse, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../../src/config/config.js";
import { createQueryLimits } from "../../../../src/graphql/limits/index.js";

const SDL = /* GraphQL */ `
  scalar DateTime
  type Query {
    contact(id: ID!): Contact
    contacts(first: Int = 20, after: String, query: String): ContactConnection!
    contactsByBusiness(businessId: ID!, first: Int = 25, after: String, query: String): ContactConnection!
    dashboard(first: Int! = 20, query: String, tags: [String!]): [Contact!]!
    viewer: Viewer!
  }
  type Viewer { subject: String, locationId: ID!, scopes: [String!]! }
  type ContactConnection { nodes: [Contact!]!, edges: [ContactEdge!]!, pageInfo: PageInfo!, totalCount: Int }
  type ContactEdge { cursor: String!, node: Contact! }
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type CustomFieldValue { id: ID!, value: String }
  type Contact {
    id: ID!
    locationId: ID!
    name: String
    email: String
    timezone: String
    tags: [String!]!
    customFields: [CustomFieldValue!]!
    tasks: [Task!]!
    task(id: ID!): Task
    notes: [Note!]!
    note(id: ID!): Note
    appointments: [Appointment!]!
    summary: ContactSummary!
  }
  type ContactSummary {
    openTaskCount: Int!
    overdueTaskCount: Int!
    openTasks: [Task!]!
    nextAppointment: Appointment
    latestNote: Note
    lastActivityAt: DateTime
  }
  type Task { id: ID!, title: String!, contact: Contact }
  type Note { id: ID!, body: String!, contact: Contact }
  type Appointment { id: ID!, title: String, contact: Contact }
  type ContactEvent { type: String!, contact: Contact, task: Task, note: Note, appointment: Appointment }
  type Subscription { contactEvents(contactIds: [ID!]): ContactEvent! }
  type Mutation { createContact(name: String): Contact!, deleteContact(id: ID!): Boolean! }
`;

const schema: GraphQLSchema = buildSchema(SDL);
const config = loadConfig({});
const limits = createQueryLimits({ queryLimits: config.queryLimits });

const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  limits.estimate(schema, parse(query), variables, operationName);

const RELATIONS = "tasks { id } notes { id } appointments { id }";
/** Tasks are read in bulk (resources.ts TASKS.bulk): 50 contacts' tasks are counted as one call. */
const TASKS_PER_CONTACT = 1 / 50;
/** Appointments are read through the calendars (resources.ts APPOINTMENTS.bulk): 10 contacts' appointments per call. */
const APPOINTMENTS_PER_CONTACT = 1 / 10;
/** Per contact: a notes call and a share of the bulk reads of tasks and appointments. */
const RELATIONS_PER_CONTACT = 1 + TASKS_PER_CONTACT + APPOINTMENTS_PER_CONTACT;
const calls = (weighted: number) => Math.ceil(weighted - 1e-9);

describe("upstream-cost estimate", () => {
  it("counts a cold 50-contact dashboard as 57 calls: the page, notes per contact, one bulk read of tasks, 5 calls of appointments through calendars", () => {
    expect(cost(`{ contacts(first: 50) { nodes { id name ${RELATIONS} } } }`)).toBe(57);
  });

  it("reads first from variables, then the variable's default, then the argument's default", () => {
    const q = `query Page($n: Int) { contacts(first: $n) { nodes { ${RELATIONS} } } }`;
    expect(cost(q, { n: 50 })).toBe(57);
    expect(cost(q, {})).toBe(calls(1 + 20 * RELATIONS_PER_CONTACT));
    expect(cost(`query Page($n: Int = 10) { contacts(first: $n) { nodes { ${RELATIONS} } } }`)).toBe(calls(1 + 10 * RELATIONS_PER_CONTACT));
    expect(cost(`{ contactsByBusiness(businessId: "b") { nodes { notes { id } } } }`)).toBe(1 + 25);
  });

  it("uses config.queryLimits.defaultListSize when neither request nor schema gives a size", () => {
    const small = createQueryLimits({ queryLimits: { ...config.queryLimits, defaultListSize: 5 } });
    // Contact.tasks has no size: each task's contact is a load, 5 tasks assumed
    expect(small.estimate(schema, parse(`{ contact(id: "c") { tasks { contact { id } } } }`))).toBe(1 + 1 + 5);
  });

  it("multiplies down the tree: contacts × tasks × task.contact", () => {
    expect(cost(`{ contacts(first: 10) { nodes { notes { contact { notes { id } } } } } }`)).toBe(1 + 10 * (1 + 20 * (1 + 1)));
    expect(cost(`{ contacts(first: 10) { nodes { tasks { contact { notes { id } } } } } }`)).toBe(calls(1 + 10 * (TASKS_PER_CONTACT + 20 * (1 + 1))));
  });

  it("counts edges.node like nodes, and pageInfo/totalCount as free", () => {
    expect(cost(`{ contacts(first: 30) { totalCount pageInfo { hasNextPage } edges { cursor node { notes { id } } } } }`)).toBe(31);
  });

  it("charges a full-contact load per list item only for fields a list item lacks", () => {
    expect(cost(`{ contacts(first: 10) { nodes { id name email tags customFields { id } } } }`)).toBe(1);
    expect(cost(`{ contacts(first: 10) { nodes { id timezone } } }`)).toBe(11);
    // a contact by id is already full
    expect(cost(`{ contact(id: "c") { timezone } }`)).toBe(1);
  });

  it("counts one load per relation per contact however often it is asked for", () => {
    const q = `{ dashboard(first: 50) { tasks { id } summary { openTaskCount overdueTaskCount nextAppointment { id } latestNote { id } lastActivityAt } } }`;
    expect(cost(q)).toBe(calls(1 + 50 * RELATIONS_PER_CONTACT));
    expect(cost(`{ dashboard(first: 50) { id } }`)).toBe(calls(1 + 50 * (TASKS_PER_CONTACT + APPOINTMENTS_PER_CONTACT)));
    // Tags are served by one search page (POST /contacts/search), like any filter.
    expect(cost(`{ dashboard(first: 10, tags: ["vip"]) { id } }`)).toBe(calls(1 + 10 * (APPOINTMENTS_PER_CONTACT + TASKS_PER_CONTACT)));
  });

  it("counts every aliased root field and fragment", () => {
    const q = `
      query Two { a: contacts(first: 100) { ...Rel } b: contacts(first: 100) { nodes { ... on Contact { ${RELATIONS} } } } }
      fragment Rel on ContactConnection { nodes { ${RELATIONS} } }`;
    expect(cost(q)).toBe(calls(2 * (1 + 100 * RELATIONS_PER_CONTACT)));
  });

  it("checks a subscription's selection per event", () => {
    // The contact and the task by id, a share of a bulk read each for the lists.
    expect(cost(`subscription { contactEvents { type contact { tasks { id } } task { id } appointment { id } } }`)).toBe(calls(1 + 1 + TASKS_PER_CONTACT + APPOINTMENTS_PER_CONTACT));
  });

  it("counts mutations as a write plus a precondition read", () => {
    expect(cost(`mutation { createContact(name: "x") { id tasks { id } } }`)).toBe(3);
  });
});

describe("upstream-cost estimate is linear in the document", () => {
  /** F0 spreads F1 twice, …; the last fragment costs one call: 2^(n-1) calls in all. */
  const doubling = (n: number) =>
    [
      "query D { ...F0 }",
      ...Array.from({ length: n - 1 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`),
      `fragment F${n - 1} on Query { contact(id: "c") { id } }`,
    ].join("\n");

  it("walks each named fragment once and still counts every spread", () => {
    const visits: string[] = [];
    const counting = createQueryLimits({ queryLimits: config.queryLimits, onFragmentVisit: (name) => visits.push(name) });
    expect(counting.estimate(schema, parse(doubling(23)))).toBe(2 ** 22);
    expect(visits).toEqual(Array.from({ length: 23 }, (_, i) => `F${i}`));
  });

  it("stops the check at the first partial sum over the budget", () => {
    const visits: string[] = [];
    const counting = createQueryLimits({ queryLimits: config.queryLimits, onFragmentVisit: (name) => visits.push(name) });
    const document = parse(doubling(23));
    const operation = document.definitions[0] as import("graphql").OperationDefinitionNode;
    const error = counting.checkCost(schema, document, operation);
    expect(error?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", cost: { estimated: 256, budget: 180 } });
    expect(visits).toHaveLength(23);
  });
});

describe("query limits as validation", () => {
  const errorsOf = (query: string, variables?: Record<string, unknown>) => limits.checkDocument(schema, query, variables);

  it("rejects 200 contacts × 3 relations with its estimate", () => {
    const errors = errorsOf(`query Big($n: Int) { contacts(first: $n) { nodes { ${RELATIONS} } } }`, { n: 200 });
    expect(errors).toHaveLength(1);
    // The check stops at the first partial sum over the budget (200 × notes and a share of the bulk
    // reads of tasks and appointments); the full count (`estimate`) adds the page.
    expect(errors[0]?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", cost: { estimated: 224, budget: 180 } });
    expect(errors[0]?.message).toMatch(/at least 224 upstream calls .*the budget is 180/);
    expect(limits.estimate(schema, parse(`query Big($n: Int) { contacts(first: $n) { nodes { ${RELATIONS} } } }`), { n: 200 })).toBe(225);
  });

  it("lets the 57-call dashboard through", () => {
    expect(errorsOf(`{ contacts(first: 50) { nodes { id name ${RELATIONS} } } }`)).toEqual([]);
  });

  it("rejects depth 20", () => {
    let q = "id";
    for (let i = 0; i < 9; i++) q = `tasks { contact { ${q} } }`;
    const errors = errorsOf(`{ contact(id: "c") { ${q} } }`);
    expect(errors.map((e) => e.extensions)).toContainEqual({ code: "GRAPHQL_VALIDATION_FAILED", limit: { kind: "depth", max: 10 } });
    expect(errors.find((e) => (e.extensions["limit"] as { kind?: string } | undefined)?.kind === "depth")?.message).toMatch(
      /depth limit of 10 exceeded, found 20/,
    );
  });

  it("rejects 100 aliases", () => {
    const fields = Array.from({ length: 100 }, (_, i) => `a${i}: viewer { subject }`).join(" ");
    const errors = errorsOf(`{ ${fields} }`);
    expect(errors.map((e) => e.extensions)).toContainEqual({ code: "GRAPHQL_VALIDATION_FAILED", limit: { kind: "aliases", max: 30 } });
  });

  it("rejects a document over the token limit before parsing it whole", () => {
    const fields = Array.from({ length: 2_100 }, () => "subject").join(" ");
    const errors = errorsOf(`{ viewer { ${fields} } }`);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", limit: { kind: "tokens", max: 2_000 } });
  });

  it("reports a plain syntax error as a parse failure", () => {
    expect(errorsOf(`{ viewer { `)[0]?.extensions).toEqual({ code: "GRAPHQL_PARSE_FAILED" });
  });

  it("lets extra cost entries extend the table", () => {
    const extended = createQueryLimits({ queryLimits: config.queryLimits, fieldCosts: { "Query.viewer": { calls: 7 } } });
    expect(extended.estimate(schema, parse(`{ viewer { subject } }`))).toBe(7);
  });
});

