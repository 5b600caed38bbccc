// Webhook intake over real HTTP (README, "Live events") with a real graphql-ws subscriber: the gateway trusts a
// test key pair (WEBHOOK_*_PUBLIC_KEY), every delivery is signed over its raw bytes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { LOCATION_A, LOCATION_B, READ, startStack, type Stack } from "../support/harness.js";
import { collect, wsClient, type CollectedSubscription } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import {
  generateTestWebhookKeys,
  loadDocExamples,
  postWebhook,
  signEd25519,
  webhookBody,
  webhookKeyEnv,
  type PostWebhookOptions,
} from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const otherKeys = generateTestWebhookKeys();

const EVENTS = /* GraphQL */ `
  subscription Events($contactIds: [ID!], $types: [ContactEventType!]) {
    contactEvents(contactIds: $contactIds, types: $types) { type webhookId locationId contactId occurredAt }
  }
`;
type EventResult = { contactEvents: { type: string; webhookId: string; locationId: string; contactId: string | null; occurredAt: string } };

let stack: Stack;
let intakeUrl: string;
let clientA: Client;
let clientB: Client;
let subA: CollectedSubscription<EventResult>;
let subB: CollectedSubscription<EventResult>;
const post = (body: string | Buffer, options: Partial<PostWebhookOptions> = {}) => postWebhook(intakeUrl, body, { keys, ...options });
const note = (fields: Record<string, unknown> = {}) => ({ type: "NoteCreate", locationId: LOCATION_A, id: "note0000000000000001", contactId: "contact0000000000001", body: "hi", ...fields });
const idsSeenByA = () => subA.results.map((r) => r.contactEvents.webhookId);

/** Subscriptions start asynchronously: deliver probe events until the subscriber sees one. */
async function untilSubscribed(sub: CollectedSubscription<EventResult>, locationId: string): Promise<void> {
  await waitFor(async () => {
    const res = await post(webhookBody({ type: "NoteDelete", locationId, id: `probe${Date.now()}`, contactId: "probe" }));
    expect(res.status).toBe(200);
    return sub.results.length > 0;
  }, { what: "the subscription to receive a probe event" });
}

beforeAll(async () => {
  stack = await startStack({ env: webhookKeyEnv(keys) });
  intakeUrl = `${stack.gateway.url}/webhooks/highlevel`;
  clientA = wsClient(stack.gateway.wsUrl, await stack.tokenFor({ scopes: [READ], locationId: LOCATION_A }));
  clientB = wsClient(stack.gateway.wsUrl, await stack.tokenFor({ scopes: [READ], locationId: LOCATION_B }));
  subA = collect<EventResult>(clientA, EVENTS);
  subB = collect<EventResult>(clientB, EVENTS);
  await untilSubscribed(subA, LOCATION_A);
  await untilSubscribed(subB, LOCATION_B);
});

afterAll(async () => {
  subA?.dispose();
  subB?.dispose();
  await clientA?.dispose();
  await clientB?.dispose();
  await stack?.close();
});

describe("signatures", () => {
  it("accepts only a valid Ed25519 and a valid RSA signature", async () => {
    const valid = webhookBody(note(), { webhookId: "matrix-ed25519" });
    const validRsa = webhookBody(note(), { webhookId: "matrix-rsa" });
    const tampered = webhookBody(note(), { webhookId: "matrix-tampered" });
    const wrongKey = webhookBody(note(), { webhookId: "matrix-wrong-key" });
    const unsigned = webhookBody(note(), { webhookId: "matrix-unsigned" });
    const badEdGoodRsa = webhookBody(note(), { webhookId: "matrix-bad-ed-good-rsa" });

    const results = {
      ed25519: (await post(valid)).status,
      rsa: (await post(validRsa, { sign: "rsa" })).status,
      // signed, then one byte of the body changed on the way
      oneByteChanged: (
        await post(tampered.replace('"hi"', '"hj"'), {
          headers: { "x-ghl-signature": signEd25519(tampered, keys.ed25519.privateKey) },
        })
      ).status,
      wrongKey: (await post(wrongKey, { keys: otherKeys })).status,
      noHeader: (await post(unsigned, { sign: "none" })).status,
      badEd25519WithValidRsa: (
        await post(badEdGoodRsa, {
          sign: "rsa",
          headers: { "x-ghl-signature": signEd25519(badEdGoodRsa, otherKeys.ed25519.privateKey) },
        })
      ).status,
    };
    expect(results).toEqual({ ed25519: 200, rsa: 200, oneByteChanged: 401, wrongKey: 401, noHeader: 401, badEd25519WithValidRsa: 401 });

    await waitFor(() => idsSeenByA().includes("matrix-rsa") && idsSeenByA().includes("matrix-ed25519"));
    // let any wrongly accepted one arrive too, then look: a later accepted event marks the point
    await post(webhookBody(note(), { webhookId: "matrix-marker" }));
    await waitFor(() => idsSeenByA().includes("matrix-marker"));
    expect(idsSeenByA().filter((id) => id.startsWith("matrix-") && id !== "matrix-marker").sort()).toEqual(["matrix-ed25519", "matrix-rsa"]);
  });
});

describe("HTTP semantics", () => {
  it("publishes the same webhookId delivered five times once", async () => {
    const body = webhookBody(note(), { webhookId: "dup-five" });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(body)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    await post(webhookBody(note(), { webhookId: "dup-marker" }));
    await waitFor(() => idsSeenByA().includes("dup-marker"));
    expect(idsSeenByA().filter((id) => id === "dup-five")).toHaveLength(1);
  });

  it("rejects a stale timestamp (older than the 90-minute window) and publishes nothing", async () => {
    const stale = webhookBody(note(), { webhookId: "stale-one", timestamp: new Date(Date.now() - 91 * 60_000).toISOString() });
    const res = await post(stale);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: "UNAUTHENTICATED", reason: "stale_timestamp" } });
    expect(res.text).toMatch(/timestamp/);
    // one from the future (beyond 5 minutes of clock skew) is refused the same way
    const future = await post(webhookBody(note(), { webhookId: "future-one", timestamp: new Date(Date.now() + 60 * 60_000).toISOString() }));
    expect([future.status, (future.json as { error: { reason: string } }).error.reason]).toEqual([401, "future_timestamp"]);
    // a retry inside the window (HighLevel's sixth retry is ~60-70 minutes later) is accepted
    const lateRetry = webhookBody(note(), { webhookId: "late-retry", timestamp: new Date(Date.now() - 70 * 60_000).toISOString() });
    expect((await post(lateRetry)).status).toBe(200);
    await waitFor(() => idsSeenByA().includes("late-retry"));
    expect(idsSeenByA()).not.toContain("stale-one");
    expect(idsSeenByA()).not.toContain("future-one");
  });

  it("answers 400 to malformed JSON and to a body without a string type", async () => {
    const malformed = await post('{"type":"NoteCreate",');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ error: { code: "BAD_REQUEST" } });
    expect((await post(JSON.stringify({ locationId: LOCATION_A, webhookId: "no-type" }))).status).toBe(400);
    expect((await post(JSON.stringify({ type: 42 }))).status).toBe(400);
    expect((await post(JSON.stringify([1, 2]))).status).toBe(400);
  });

  it("answers 413 to a 2 MiB body, declared or streamed, without publishing", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    big.write(webhookBody(note(), { webhookId: "too-big" }));
    const declared = await post(big);
    expect(declared.status).toBe(413);
    // chunked: no Content-Length, the limit is enforced while streaming
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 32; i++) controller.enqueue(big.subarray(i * 65536, (i + 1) * 65536));
        controller.close();
      },
    });
    const chunked = await fetch(intakeUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-ghl-signature": "AAAA" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(idsSeenByA()).not.toContain("too-big");
  });

  it("answers 200 to a type it does not serve, and publishes nothing", async () => {
    const res = await post(webhookBody({ type: "OpportunityCreate", locationId: LOCATION_A, id: "opp1" }, { webhookId: "unknown-type" }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ignored" });
    await post(webhookBody(note(), { webhookId: "unknown-marker" }));
    await waitFor(() => idsSeenByA().includes("unknown-marker"));
    expect(idsSeenByA()).not.toContain("unknown-type");
  });

  it("accepts Content-Type parameters and parses the body the same way", async () => {
    const res = await post(webhookBody(note(), { webhookId: "charset" }), { contentType: "application/json; charset=utf-8" });
    expect(res.status).toBe(200);
    await waitFor(() => idsSeenByA().includes("charset"));
  });

  it("never answers with a stack trace or a path", async () => {
    const answers = [
      await post("\u0000\u0001 not json"),
      await post(JSON.stringify({ type: "ContactCreate" })),
      await post("{}", { sign: "none" }),
      await post(Buffer.from([0xff, 0xfe, 0xfd])),
    ];
    for (const a of answers) {
      expect(a.status).toBeLessThan(500);
      expect(a.text).not.toMatch(/\bat .*\(|\/work\/|node_modules|\.ts:\d+/);
    }
  });
});

describe("events", () => {
  it("delivers every example payload of docs/webhook events/ with the right type", async () => {
    const served = loadDocExamples().filter(({ payload }) => !["INSTALL", "UNINSTALL"].includes(String(payload.type)));
    expect(served).toHaveLength(14);
    const expected: Record<string, string> = {};
    for (const { file, payload } of served) {
      const webhookId = `doc-${file}`;
      // the examples' locations are not ones this gateway serves: deliver them to location A
      const res = await post(webhookBody({ ...payload, locationId: LOCATION_A }, { webhookId }));
      expect(res.status, file).toBe(200);
      expected[webhookId] = String(payload.type).replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
    }
    await waitFor(() => Object.keys(expected).every((id) => idsSeenByA().includes(id)), { what: "all 14 doc examples" });
    const seen = Object.fromEntries(subA.results.filter((r) => r.contactEvents.webhookId in expected).map((r) => [r.contactEvents.webhookId, r.contactEvents.type]));
    expect(seen).toEqual(expected);
    // the docs' AppointmentUpdate/Delete examples say "AppointmentCreate": delivered as what `type` says
    expect(seen["doc-AppointmentUpdate.md"]).toBe("APPOINTMENT_CREATE");
    expect(seen["doc-TaskCreate.md"]).toBe("TASK_CREATE");
    expect(subA.errors).toEqual([]);
  });

  it("never delivers location A's events to a location B subscriber", async () => {
    await post(webhookBody(note(), { webhookId: "only-for-a" }));
    await post(webhookBody(note({ locationId: LOCATION_B }), { webhookId: "only-for-b" }));
    await waitFor(() => idsSeenByA().includes("only-for-a") && subB.results.some((r) => r.contactEvents.webhookId === "only-for-b"));
    expect(subB.results.every((r) => r.contactEvents.locationId === LOCATION_B)).toBe(true);
    expect(subA.results.every((r) => r.contactEvents.locationId === LOCATION_A)).toBe(true);
  });

  it("narrows to the given contacts and types", async () => {
    const narrowed = collect<EventResult>(clientA, EVENTS, { contactIds: ["narrow-contact"], types: ["NOTE_UPDATE"] });
    try {
      await waitFor(async () => {
        await post(webhookBody(note({ type: "NoteUpdate", contactId: "narrow-contact" })));
        return narrowed.results.length > 0;
      });
      await post(webhookBody(note({ type: "NoteCreate", contactId: "narrow-contact" }), { webhookId: "narrow-wrong-type" }));
      await post(webhookBody(note({ type: "NoteUpdate", contactId: "someone-else" }), { webhookId: "narrow-wrong-contact" }));
      await post(webhookBody(note({ type: "NoteUpdate", contactId: "narrow-contact" }), { webhookId: "narrow-match" }));
      await waitFor(() => narrowed.results.some((r) => r.contactEvents.webhookId === "narrow-match"));
      expect(narrowed.results.every((r) => r.contactEvents.type === "NOTE_UPDATE" && r.contactEvents.contactId === "narrow-contact")).toBe(true);
    } finally {
      narrowed.dispose();
    }
  });
});
