import { describe, expect, it } from "vitest";
import type { ContactEvent } from "../../../src/events/contact-event.types.js";
import { createMemoryDedupStore, type WebhookDedupStore } from "../../../src/webhooks/webhook-dedup.store.js";
import { createWebhookIntake, type WebhookIntakeOptions } from "../../../src/webhooks/webhook.intake.js";
import { createWebhookSignatureVerifier } from "../../../src/webhooks/webhook-signature.verify.js";
import { generateTestWebhookKeys, signEd25519 } from "../../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const NOW = Date.parse("2026-03-01T12:00:00Z");

function setup(overrides: Partial<WebhookIntakeOptions> = {}) {
  const published: ContactEvent[] = [];
  const applied: ContactEvent[] = [];
  const intake = createWebhookIntake({
    verifier: createWebhookSignatureVerifier({ ed25519PublicKeyPems: [keys.ed25519.publicKeyPem], rsaPublicKeyPems: [keys.rsa.publicKeyPem] }),
    dedup: createMemoryDedupStore({ ttlMs: 90 * 60_000, now: () => NOW }),
    replayWindowMs: 90 * 60_000,
    applyToCache: (e) => void applied.push(e),
    publish: async (e) => void published.push(e),
    now: () => NOW,
    ...overrides,
  });
  const post = (body: string | Buffer, headers: Record<string, string> = {}) => {
    const raw = Buffer.from(body);
    return intake.handle(raw, { "x-ghl-signature": signEd25519(raw, keys.ed25519.privateKey), ...headers });
  };
  return { intake, post, published, applied };
}

const payload = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: "NoteCreate", locationId: "L1", id: "n1", contactId: "c1", body: "hi", webhookId: "w1", timestamp: new Date(NOW - 60_000).toISOString(), ...extra });

describe("webhook intake decisions", () => {
  it("accepts, applies and publishes a signed event once; repeats are 200 duplicates", async () => {
    const { post, published, applied } = setup();
    for (let i = 0; i < 5; i++) expect((await post(payload())).status).toBe(200);
    expect(published.map((e) => e.webhookId)).toEqual(["w1"]);
    expect(applied).toHaveLength(1);
  });

  it("remembers a delivery without a timestamp far beyond the replay window; a timed one only for the window", async () => {
    let t = NOW;
    const clock = () => t;
    const { post, published } = setup({
      now: clock,
      dedup: createMemoryDedupStore({ ttlMs: 90 * 60_000, now: clock }),
      untimedDedup: createMemoryDedupStore({ ttlMs: 30 * 86_400_000, now: clock }),
    });
    const untimed = JSON.stringify({ type: "NoteCreate", locationId: "L1", id: "n2", contactId: "c1", body: "x", webhookId: "u1" });
    expect((await post(untimed)).body).toEqual({ status: "accepted" });
    t += 3 * 60 * 60_000; // past the 90-minute window: no age check could refuse it
    expect((await post(untimed)).body).toEqual({ status: "duplicate" });
    t += 29 * 86_400_000;
    expect((await post(untimed)).body).toEqual({ status: "duplicate" });
    // without a webhookId the body's hash is the id, remembered as long
    const anonymous = JSON.stringify({ type: "NoteCreate", locationId: "L1", id: "n3", contactId: "c1", body: "y" });
    expect((await post(anonymous)).body).toEqual({ status: "accepted" });
    t += 10 * 86_400_000;
    expect((await post(anonymous)).body).toEqual({ status: "duplicate" });
    expect(published.map((e) => e.webhookId)).toEqual(["u1", expect.stringMatching(/^sha256:/)]);
  });

  it("401 without a signature, nothing published", async () => {
    const { intake, published } = setup();
    const r = await intake.handle(Buffer.from(payload()), {});
    expect(r.status).toBe(401);
    expect(published).toEqual([]);
  });

  it("400 for malformed JSON and for a missing type", async () => {
    const { post } = setup();
    expect((await post("{nope")).status).toBe(400);
    expect((await post(JSON.stringify({ locationId: "L1" }))).status).toBe(400);
  });

  it("200 and nothing published for a type it does not serve", async () => {
    const { post, published } = setup();
    const r = await post(JSON.stringify({ type: "OpportunityCreate", locationId: "L1", webhookId: "w9" }));
    expect(r).toEqual({ status: 200, body: { status: "ignored" } });
    expect(published).toEqual([]);
  });

  it("rejects timestamps outside the replay window (stale or far future) and accepts the 70-minute retry span", async () => {
    const { post, published } = setup();
    const old = await post(payload({ webhookId: "old", timestamp: new Date(NOW - 91 * 60_000).toISOString() }));
    expect(old).toMatchObject({ status: 401, body: { error: { code: "UNAUTHENTICATED", reason: "stale_timestamp" } } });
    const future = await post(payload({ webhookId: "future", timestamp: new Date(NOW + 60 * 60_000).toISOString() }));
    expect(future).toMatchObject({ status: 401, body: { error: { code: "UNAUTHENTICATED", reason: "future_timestamp" } } });
    // a sender clock a little ahead (under 5 minutes) is tolerated
    expect((await post(payload({ webhookId: "skew", timestamp: new Date(NOW + 4 * 60_000).toISOString() }))).status).toBe(200);
    expect((await post(payload({ webhookId: "retry", timestamp: new Date(NOW - 75 * 60_000).toISOString() }))).status).toBe(200);
    expect(published.map((e) => e.webhookId)).toEqual(["skew", "retry"]);
    // a bad signature and a stale timestamp are told apart (logs, HighLevel's delivery log)
    const { intake } = setup();
    expect((await intake.handle(Buffer.from(payload()), {})).body).toMatchObject({ error: { reason: "missing_signature" } });
    expect((await intake.handle(Buffer.from(payload()), { "x-ghl-signature": signEd25519("other", keys.ed25519.privateKey) })).body).toMatchObject({
      error: { reason: "invalid_signature" },
    });
  });

  it("429 when the de-duplication store is down, and nothing published", async () => {
    const down: WebhookDedupStore = { claim: async () => { throw new Error("connection refused /var/run/x"); }, release: async () => undefined };
    const { post, published } = setup({ dedup: down });
    const r = await post(payload());
    expect(r.status).toBe(429);
    expect(JSON.stringify(r.body)).not.toMatch(/refused|\/var/);
    expect(published).toEqual([]);
  });

  it("429 when publishing fails, and the retry is then accepted (the claim was released)", async () => {
    let fail = true;
    const published: ContactEvent[] = [];
    const { post } = setup({ publish: async (e) => { if (fail) throw new Error("redis down"); published.push(e); } });
    expect((await post(payload())).status).toBe(429);
    fail = false;
    expect((await post(payload())).status).toBe(200);
    expect(published).toHaveLength(1);
  });

  it("still publishes when applying to the cache fails", async () => {
    const { post, published } = setup({ applyToCache: () => { throw new Error("boom"); } });
    expect((await post(payload())).status).toBe(200);
    expect(published).toHaveLength(1);
  });

  it("de-duplicates deliveries without a webhookId by their body", async () => {
    const { post, published } = setup();
    const body = JSON.stringify({ type: "NoteDelete", locationId: "L1", id: "n1" });
    await post(body);
    await post(body);
    expect(published).toHaveLength(1);
    expect(published[0]?.webhookId).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
