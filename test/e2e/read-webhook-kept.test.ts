/**
 * What webhooks keep current is kept past CACHE_TTL_MS while the location's webhooks flow, and
 * revalidated in the background (stale-while-revalidate), on an injected clock (cache and webhook
 * activity): a stale task list is answered from the cache at once, then fetched again in the
 * background; an edit made in HighLevel (no webhook) found that way evicts the answers that showed
 * the old list, reaches subscribers as TASK_UPDATE, and the next answer shows it. A location whose
 * webhooks do not flow reads through as before. Answers report the age and coverage.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResourceCache } from "../../src/cache/index.js";
import { createWebhookActivity } from "../../src/cache/webhook-activity.state.js";
import { LOCATION_A, LOCATION_B, useStack } from "../support/harness.js";
import { collect, wsClient, type CollectedSubscription } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const T0 = Date.parse("2026-06-01T12:00:00.000Z");
const TTL_MS = 300_000; // CACHE_TTL_MS
let clockMs = T0;
const clock = () => clockMs;
const activity = createWebhookActivity({ windowMs: 1_800_000, now: clock });
const cache = createResourceCache({
  ttlMs: TTL_MS,
  nowMs: clock,
  webhookKept: { ttlMs: 4 * 3_600_000, revalidateAfterMs: 3_600_000, flowing: (id) => activity.flowing(id) },
});

let n = 0;
/** A fresh operation name per read: a new response-cache key, so the read reaches the resource cache. */
const tasksOf = () => `query Kept${++n}($id: ID!) { contact(id: $id) { id tasks { id title } } }`;

describe("kept current by webhooks: stale-while-revalidate", () => {
  const stack = useStack({ env: webhookKeyEnv(keys), gateway: { cache, webhookActivity: activity, clock } });
  let sub: CollectedSubscription<{ contactEvents: { type: string; contactId: string | null; task: { title: string } | null } }>;

  beforeAll(async () => {
    sub = collect(wsClient(stack().gateway.wsUrl, await stack().tokenFor({ subject: "kept-watcher" })), `subscription { contactEvents(types: [TASK_UPDATE]) { type contactId task { title } } }`);
  });
  afterAll(() => sub?.dispose());

  it("serves a stale task list at once, revalidates it in the background, and an edit found so evicts, announces and shows", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const contact = s.sim.data.createContact(LOCATION_A, { firstName: "Kept", email: `kept-${Date.now()}@example.com` });
    const task = s.sim.data.createTask(contact.id, { title: "Send the rate sheet", dueDate: "2031-01-01T10:00:00.000Z", completed: false });
    clockMs = T0;
    const first = await s.gql(tasksOf(), { id: contact.id }, token);
    expect(first.body.data).toEqual({ contact: { id: contact.id, tasks: [{ id: task.id, title: "Send the rate sheet" }] } });

    // A signed delivery for location A: its webhooks flow.
    const [other] = s.sim.data.listContacts(LOCATION_A);
    const posted = await postWebhook(`${s.gateway.url}/webhooks/highlevel`, webhookBody({ ...other!, type: "ContactUpdate", locationId: LOCATION_A, dateUpdated: new Date(Date.now() + 1_000).toISOString() }), { keys });
    expect(posted.status).toBe(200);
    expect(activity.flowing(LOCATION_A)).toBe(true);

    s.sim.data.updateTask(contact.id, task.id, { title: "Send the signed rate sheet" }); // edited in HighLevel: no webhook
    clockMs = T0 + TTL_MS + 60_000; // past CACHE_TTL_MS
    s.sim.clearRequests();
    const staleQuery = tasksOf();
    const stale = await s.gql(staleQuery, { id: contact.id }, token);
    // Answered from the cache (the old title), with its age and "partial": webhooks announce no task edit.
    expect(stale.body.data).toEqual(first.body.data);
    expect((stale.body as { extensions?: Record<string, unknown> }).extensions?.["freshness"]).toEqual({ ageMs: TTL_MS + 60_000, webhooks: "partial" });

    // The background revalidation: one read of the task list, the edit announced as TASK_UPDATE once.
    await waitFor(() => sub.results.some((r) => r.contactEvents.contactId === contact.id), { what: "the derived TASK_UPDATE" });
    expect(sub.results.filter((r) => r.contactEvents.contactId === contact.id).map((r) => r.contactEvents)).toEqual([
      { type: "TASK_UPDATE", contactId: contact.id, task: { title: "Send the signed rate sheet" } },
    ]);
    const taskReads = s.sim.requests.filter((r) => r.path.includes("/tasks"));
    expect(taskReads).toHaveLength(1);

    // The stored answer that showed the old title was evicted; the next answer shows the edit, fresh.
    const again = await s.gql(staleQuery, { id: contact.id }, token);
    expect(again.headers.get("x-response-cache")).toBeNull();
    expect(again.body.data).toEqual({ contact: { id: contact.id, tasks: [{ id: task.id, title: "Send the signed rate sheet" }] } });
    // The oldest data it used is now the contact (kept current by webhooks, never revalidated since).
    expect((again.body as { extensions?: Record<string, unknown> }).extensions?.["freshness"]).toEqual({ ageMs: TTL_MS + 60_000, webhooks: "partial" });
    expect(s.sim.requests.filter((r) => r.path.includes("/tasks"))).toHaveLength(1);
  });

  it("keeps a contact (every change announced) for hours without asking the upstream; a location without webhooks reads through after CACHE_TTL_MS", async () => {
    const s = stack();
    const [a] = s.sim.data.listContacts(LOCATION_A).slice(5, 6);
    const [b] = s.sim.data.listContacts(LOCATION_B).slice(5, 6);
    const one = () => `query KeptOne${++n}($id: ID!) { contact(id: $id) { id firstName } }`;
    const tokenA = await s.tokenFor();
    const tokenB = await s.tokenFor({ locationId: LOCATION_B });
    clockMs = T0 + 400_000;
    await s.gql(one(), { id: a!.id }, tokenA);
    await s.gql(one(), { id: b!.id }, tokenB);
    const posted = await postWebhook(`${s.gateway.url}/webhooks/highlevel`, webhookBody({ ...a!, type: "ContactTagUpdate", locationId: LOCATION_A }), { keys });
    expect(posted.status).toBe(200);

    clockMs = T0 + 400_000 + 2 * TTL_MS; // ten minutes later
    s.sim.clearRequests();
    const keptA = await s.gql(one(), { id: a!.id }, tokenA);
    expect((keptA.body as { extensions?: Record<string, unknown> }).extensions?.["freshness"]).toEqual({ ageMs: 2 * TTL_MS, webhooks: "current" });
    expect(s.sim.requests.filter((r) => r.path.endsWith(a!.id))).toEqual([]);
    const readB = await s.gql(one(), { id: b!.id }, tokenB);
    expect((readB.body as { extensions?: Record<string, unknown> }).extensions?.["freshness"]).toEqual({ ageMs: 0, webhooks: "off" });
    expect(s.sim.requests.filter((r) => r.path.endsWith(b!.id))).toHaveLength(1);
  });
});
