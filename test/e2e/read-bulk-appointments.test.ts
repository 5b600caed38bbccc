/**
 * Appointments of many contacts through the location's calendars (HighLevel's calendars OpenAPI
 * spec): `GET /calendars/` (scope `calendars.readonly`, remembered) and then `GET /calendars/events`
 * per calendar (scope `calendars/events.readonly`, `Version: 2021-04-15`), each contact's list
 * cached under the key of `GET /contacts/:contactId/appointments`: the appointments of 50 contacts
 * cost 1 + calendars calls and equal what the per-contact route lists. A credential whose scopes are
 * not known and that lacks the scope costs exactly one refused call, then per-contact reads,
 * remembered. A webhook changing an appointment after such a read shows in the next answer; one
 * naming a calendar the remembered list lacks makes the next bulk read list the calendars again.
 */
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_TOKENS, type SimulatorToken } from "../../src/simulator/index.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";
import { costOf } from "../support/cost-extension.js";
import { LOCATION_A, READ, startStack, type Stack } from "../support/harness.js";
import { waitFor } from "../support/events-wait.js";
import { redisTestPrefix, TEST_REDIS_URL } from "../support/redis.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const CALENDARS = "/calendars/";
const EVENTS = "/calendars/events";
const PER_CONTACT = "/contacts/:contactId/appointments";
const CALENDAR_SCOPES = ["calendars.readonly", "calendars/events.readonly"];
const APPOINTMENTS_OF = `query Page($n: Int, $after: String) { contacts(first: $n, after: $after) {
  nodes { id appointments { id title startTime calendarId contactId status } } pageInfo { endCursor } } }`;

/** The demo tokens, location A's read-write token also granted `scopes`. */
const tokensWith = (scopes: string[]): SimulatorToken[] =>
  DEMO_TOKENS.map((t) => (t.token === "sim-rw-A-token" ? { ...t, scopes: [...t.scopes, ...scopes] } : t));

type Appointment = { id: string; title: string | null; startTime: string | null; calendarId: string | null; contactId: string; status?: string | null };
type Page = { contacts: { nodes: { id: string; appointments: Appointment[] }[]; pageInfo: { endCursor: string | null } } };

describe("bulk appointment reads through calendars", () => {
  const opened: Stack[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });

  it("reads the appointments of 50 contacts in 1 + calendars calls, as the per-contact route lists them", async () => {
    const stack = await startStack({ simulator: { tokens: tokensWith(CALENDAR_SCOPES) } });
    opened.push(stack);
    const calendarCount = stack.sim.data.listCalendars(LOCATION_A).length;
    expect(calendarCount).toBeGreaterThan(1);
    const token = await stack.tokenFor();
    const res = await stack.gql<Page>(APPOINTMENTS_OF, { n: 50 }, token);
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data!.contacts.nodes;
    expect(nodes).toHaveLength(50);
    expect(stack.upstream(CALENDARS)).toHaveLength(1);
    expect(stack.upstream(EVENTS)).toHaveLength(calendarCount);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(0);
    expect(new Set(stack.upstream(EVENTS).map((r) => r.version))).toEqual(new Set(["2021-04-15"]));
    // The cost stage counts a tenth of a call per contact's appointments (resources.ts APPOINTMENTS.bulk).
    expect(costOf(res.body)).toMatchObject({ estimated: 1 + 5, actual: 1 + 1 + calendarCount });
    const spread = new Set(nodes.flatMap((c) => c.appointments.map((a) => a.calendarId)));
    expect(spread.size).toBeGreaterThan(1);

    // The same lists, in the same order, as each contact's own route.
    for (const contact of nodes) {
      const direct = await fetch(`${stack.sim.url}/contacts/${contact.id}/appointments`, {
        headers: { authorization: "Bearer sim-rw-A-token", version: "2021-07-28" },
      });
      const { events } = (await direct.json()) as { events: Appointment[] };
      expect(contact.appointments).toEqual(
        events.map((e) => ({ id: e.id, title: e.title, startTime: e.startTime, calendarId: e.calendarId, contactId: e.contactId, status: e.status ?? null })),
      );
    }

    // The next 50 contacts: the calendars are remembered, only their events are read.
    stack.sim.clearRequests();
    const next = await stack.gql<Page>(APPOINTMENTS_OF, { n: 50, after: res.body.data!.contacts.pageInfo.endCursor }, token);
    expect(next.body.errors).toBeUndefined();
    expect(stack.upstream(CALENDARS)).toHaveLength(0);
    expect(stack.upstream(EVENTS)).toHaveLength(calendarCount);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(0);
  });

  it("with a token lacking the scope: one refused call, then per-contact reads, remembered", async () => {
    // Scopes not configured: the gateway cannot know the token lacks the calendars' scopes.
    const credentials = new StaticCredentialProvider({ [LOCATION_A]: { token: "sim-rw-A-token" } });
    // Two uncached reads of 50 contacts exceed the default budget of one interval: lifted, this test counts calls.
    const stack = await startStack({ env: { CACHE_TTL_MS: "0", RATE_LIMIT_BURST: "100000" }, gateway: { credentials } });
    opened.push(stack);
    const token = await stack.tokenFor({ scopes: [READ] });
    const first = await stack.gql<Page>(APPOINTMENTS_OF, { n: 50 }, token);
    expect(first.body.errors).toBeUndefined();
    expect(stack.upstream(CALENDARS).map((r) => r.status)).toEqual([401]);
    expect(stack.upstream(EVENTS)).toHaveLength(0);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(50);
    expect(costOf(first.body)).toMatchObject({ estimated: 1 + 5, actual: 1 + 1 + 50 });

    stack.sim.clearRequests();
    const again = await stack.gql<Page>(APPOINTMENTS_OF, { n: 50 }, token);
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data).toEqual(first.body.data);
    expect(stack.upstream(CALENDARS)).toHaveLength(0);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(50);
    // Remembered: the location is now estimated at a call per contact too.
    expect(costOf(again.body)).toMatchObject({ estimated: 1 + 50, actual: 1 + 50 });
  });

  it("with the calendars' scope but not their events': one refused events call, then per-contact reads", async () => {
    const credentials = new StaticCredentialProvider({ [LOCATION_A]: { token: "sim-rw-A-token" } });
    const stack = await startStack({ env: { RATE_LIMIT_BURST: "100000" }, gateway: { credentials }, simulator: { tokens: tokensWith(["calendars.readonly"]) } });
    opened.push(stack);
    const res = await stack.gql<Page>(APPOINTMENTS_OF, { n: 50 }, await stack.tokenFor({ scopes: [READ] }));
    expect(res.body.errors).toBeUndefined();
    expect(stack.upstream(CALENDARS).map((r) => r.status)).toEqual([200]);
    expect(stack.upstream(EVENTS).map((r) => r.status)).toEqual([401]);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(50);
  });

  it("an AppointmentUpdate webhook after a bulk read shows in the next answer, with no upstream call; a new calendar is found", async () => {
    const stack = await startStack({ simulator: { tokens: tokensWith(CALENDAR_SCOPES) }, trustSimulatorWebhooks: true });
    opened.push(stack);
    const token = await stack.tokenFor();
    const res = await stack.gql<Page>(APPOINTMENTS_OF, { n: 20 }, token);
    expect(res.body.errors).toBeUndefined();
    expect(stack.upstream(PER_CONTACT)).toHaveLength(0);
    const contact = res.body.data!.contacts.nodes.find((c) => c.appointments.length > 0)!;
    const appointment = contact.appointments[0]!;

    stack.sim.clearRequests();
    stack.sim.data.updateAppointment(contact.id, appointment.id, { title: "Rescheduled by the borrower" }, { emit: true });
    const ONE = `query One($id: ID!) { contact(id: $id) { appointments { id title } } }`;
    await waitFor(
      async () => {
        const one = await stack.gql<{ contact: { appointments: { id: string; title: string }[] } }>(ONE, { id: contact.id }, token);
        return one.body.data?.contact.appointments.find((a) => a.id === appointment.id)?.title === "Rescheduled by the borrower";
      },
      { what: "the webhook's new title in the answer" },
    );
    expect(stack.upstream(PER_CONTACT)).toHaveLength(0);
    expect(stack.upstream(EVENTS)).toHaveLength(0);

    // An appointment in a calendar created after the list was read: its webhook drops the list,
    // so the next bulk read lists the calendars again and finds the new one's events.
    const later = stack.sim.data.listContacts(LOCATION_A)[25]!;
    const booked = stack.sim.data.createAppointment(later.id, { calendarId: "SimCalendarBrandNew1", title: "In the new calendar" }, { emit: true });
    await waitFor(() => stack.sim.deliveredWebhooks.some((d) => d.status === 200 && JSON.stringify(d.body).includes(booked.id)), {
      what: "the AppointmentCreate delivery",
    });
    stack.sim.clearRequests();
    const next = await stack.gql<Page>(APPOINTMENTS_OF, { n: 20, after: res.body.data!.contacts.pageInfo.endCursor }, token);
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data!.contacts.nodes.find((c) => c.id === later.id)?.appointments.map((a) => a.id)).toContain(booked.id);
    expect(stack.upstream(CALENDARS)).toHaveLength(1);
    expect(stack.upstream(EVENTS)).toHaveLength(stack.sim.data.listCalendars(LOCATION_A).length);
    expect(stack.upstream(PER_CONTACT)).toHaveLength(0);
  });

  it("with Redis, a webhook taken by another instance makes this one list the calendars again", async () => {
    const keys = generateTestWebhookKeys();
    const redis = redisTestPrefix("bulk-appointments");
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redis.prefix, ...webhookKeyEnv(keys) };
    try {
      // Two instances of one deployment; `reader`'s simulator plays HighLevel, `intake` takes the webhook.
      const intake = await startStack({ env, simulator: { tokens: tokensWith(CALENDAR_SCOPES) } });
      opened.push(intake);
      const reader = await startStack({ env, simulator: { tokens: tokensWith(CALENDAR_SCOPES) } });
      opened.push(reader);
      const token = await reader.tokenFor();
      const first = await reader.gql<Page>(APPOINTMENTS_OF, { n: 20 }, token);
      expect(first.body.errors).toBeUndefined();
      expect(reader.upstream(CALENDARS)).toHaveLength(1);

      // In HighLevel: a new calendar, an appointment in it for a contact nobody has read yet.
      const later = reader.sim.data.listContacts(LOCATION_A)[25]!;
      const booked = reader.sim.data.createAppointment(later.id, { calendarId: "SimCalendarBrandNew2", title: "In the new calendar" });
      const posted = await postWebhook(`${intake.gateway.url}/webhooks/highlevel`, webhookBody({ type: "AppointmentCreate", locationId: LOCATION_A, appointment: booked }), { keys });
      expect(posted.status).toBe(200);

      const after = first.body.data!.contacts.pageInfo.endCursor;
      await waitFor(
        async () => {
          const next = await reader.gql<Page>(APPOINTMENTS_OF, { n: 20, after }, token);
          return next.body.data?.contacts.nodes.find((c) => c.id === later.id)?.appointments.some((a) => a.id === booked.id) === true;
        },
        { what: "the new calendar's appointment at the other instance" },
      );
      expect(reader.upstream(CALENDARS).length).toBeGreaterThanOrEqual(2);
    } finally {
      await redis.cleanup();
    }
  });
});
