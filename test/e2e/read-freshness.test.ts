/**
 * `extensions.freshness` on every answer that read upstream data: the age of the oldest data it
 * used (on the resource cache's clock, injected here) and whether the location's webhooks keep it
 * current; on response-cache hits too (the HTTP fast path's stored bytes and graphql-ws), where
 * the age is computed at the hit.
 */
import { describe, expect, it } from "vitest";
import { createResourceCache } from "../../src/cache/index.js";
import { LOCATION_A, LOCATION_B, useStack } from "../support/harness.js";
import { wsOperation } from "../support/ws-operation.js";
import { wsClient } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const T0 = Date.parse("2026-06-01T12:00:00.000Z");
let clockMs = T0;

const PAGE = `query FreshPage { contacts(first: 5) { nodes { id tasks { id } } } }`;
const ONE = `query FreshOne($id: ID!) { contact(id: $id) { id firstName } }`;

type Answer = { body: unknown; headers: Headers };
const extensionsOf = (res: Answer) => (res.body as { extensions?: Record<string, unknown> }).extensions;
const freshnessOf = (res: Answer) => extensionsOf(res)?.["freshness"];
const wsFreshness = (outcome: unknown) => (outcome as { result?: { extensions?: Record<string, unknown> } }).result?.extensions?.["freshness"];

describe("freshness in extensions", () => {
  const stack = useStack({
    env: webhookKeyEnv(keys),
    gateway: { clock: () => clockMs, cache: createResourceCache({ nowMs: () => clockMs }) },
  });
  const hit = (res: Answer) => res.headers.get("x-response-cache") === "hit";

  it("reports the age of the oldest data an answer used, computed again at every hit, over HTTP and graphql-ws", async () => {
    const s = stack();
    const token = await s.tokenFor();
    clockMs = T0;
    const first = await s.gql(PAGE, {}, token);
    expect(first.body.errors).toBeUndefined();
    expect(freshnessOf(first)).toEqual({ ageMs: 0, webhooks: "off" });

    clockMs = T0 + 42_000;
    const again = await s.gql(PAGE, {}, token);
    expect(hit(again)).toBe(true);
    expect(freshnessOf(again)).toEqual({ ageMs: 42_000, webhooks: "off" });
    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: PAGE });
    expect(wsFreshness(ws)).toEqual({ ageMs: 42_000, webhooks: "off" });

    // A query that reads nothing upstream (the caller's own viewer) carries no freshness.
    const viewer = await s.gql(`{ viewer { locationId } }`, {}, token);
    expect(extensionsOf(viewer)?.["freshness"]).toBeUndefined();
  });

  it("says whether the location's webhooks keep the data current: every change announced, or not task edits", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const [x, y] = s.sim.data.listContacts(LOCATION_A).slice(3, 5);
    if (!x || !y) throw new Error("expected seeded contacts");
    clockMs = T0 + 100_000;
    const before = await s.gql(ONE, { id: x.id }, token);
    expect(freshnessOf(before)).toEqual({ ageMs: 0, webhooks: "off" });

    // A signed delivery for location A: its webhooks flow from now on.
    const changed = { ...y, firstName: "Flowing", dateUpdated: new Date(Date.now() + 1_000).toISOString() };
    const posted = await postWebhook(`${s.gateway.url}/webhooks/highlevel`, webhookBody({ ...changed, type: "ContactUpdate", locationId: LOCATION_A }), { keys });
    expect(posted.status).toBe(200);

    clockMs = T0 + 160_000;
    const contactHit = await s.gql(ONE, { id: x.id }, token);
    expect(hit(contactHit)).toBe(true);
    expect(freshnessOf(contactHit)).toEqual({ ageMs: 60_000, webhooks: "current" });
    const wsContact = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: ONE, variables: { id: x.id } });
    expect(wsFreshness(wsContact)).toEqual({ ageMs: 60_000, webhooks: "current" });

    // Tasks: HighLevel announces no edit of a task, so an answer showing tasks is only partly kept current.
    const page = await s.gql(PAGE, {}, token);
    expect((freshnessOf(page) as { webhooks: string }).webhooks).toBe("partial");

    // Location B's webhooks do not flow.
    const other = await s.gql(PAGE, {}, await s.tokenFor({ locationId: LOCATION_B }));
    expect((freshnessOf(other) as { webhooks: string }).webhooks).toBe("off");
  });

  it("a subscription event's answer carries the freshness of what it resolved", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const [z] = s.sim.data.listContacts(LOCATION_A).slice(6, 7);
    if (!z) throw new Error("expected a seeded contact");
    clockMs = T0 + 200_000;
    await s.gql(ONE, { id: z.id }, token); // cached now
    const client = wsClient(s.gateway.wsUrl, token);
    const events: Array<{ data?: unknown; extensions?: Record<string, unknown> }> = [];
    const dispose = client.subscribe(
      { query: `subscription { contactEvents(types: [CONTACT_UPDATE]) { contactId contact { id firstName } } }` },
      { next: (value) => void events.push(value as (typeof events)[number]), error: () => undefined, complete: () => undefined },
    );
    try {
      clockMs = T0 + 230_000;
      const changed = { ...z, firstName: "Evented", dateUpdated: new Date(Date.now() + 1_000).toISOString() };
      await waitFor(async () => {
        await postWebhook(`${s.gateway.url}/webhooks/highlevel`, webhookBody({ ...changed, type: "ContactUpdate", locationId: LOCATION_A }), { keys });
        return events.some((e) => (e.data as { contactEvents?: { contactId?: string } })?.contactEvents?.contactId === z.id);
      }, { what: "the CONTACT_UPDATE event (the subscription is live)" });
      const event = events.find((e) => (e.data as { contactEvents?: { contactId?: string } })?.contactEvents?.contactId === z.id)!;
      // Resolved from the contact the webhook wrote through (fetched "now" on the cache's clock).
      expect(event.extensions?.["freshness"]).toEqual({ ageMs: 0, webhooks: "current" });
    } finally {
      dispose();
      await client.dispose();
    }
  });
});
