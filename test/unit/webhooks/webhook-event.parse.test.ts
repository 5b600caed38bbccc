import { describe, expect, it } from "vitest";
import { ContactEventType } from "../../../src/events/contact-event.types.js";
import { parseWebhookEvent } from "../../../src/webhooks/webhook-event.parse.js";
import { loadDocExamples } from "../../support/webhook-signing.js";

const opts = { fallbackWebhookId: "sha256:x", receivedAtMs: Date.parse("2026-01-01T00:00:00Z") };

describe("webhook payload parsing", () => {
  it("parses every docs example of a served type into the event its `type` names", () => {
    const results = loadDocExamples().map(({ file, payload }) => {
      const r = parseWebhookEvent(payload, opts);
      return [file, r.kind === "event" ? r.event.type : r.kind];
    });
    expect(Object.fromEntries(results)).toEqual({
      // the app lifecycle (their examples say "INSTALL"/"UNINSTALL"): handed to the composition root
      "AppInstall.md": "lifecycle",
      "AppUninstall.md": "lifecycle",
      "AppointmentCreate.md": ContactEventType.APPOINTMENT_CREATE,
      // the docs' examples for these two say "AppointmentCreate": we go by what `type` says
      "AppointmentDelete.md": ContactEventType.APPOINTMENT_CREATE,
      "AppointmentUpdate.md": ContactEventType.APPOINTMENT_CREATE,
      "ContactCreate.md": ContactEventType.CONTACT_CREATE,
      "ContactDelete.md": ContactEventType.CONTACT_DELETE,
      "ContactDndUpdate.md": ContactEventType.CONTACT_DND_UPDATE,
      "ContactTagUpdate.md": ContactEventType.CONTACT_TAG_UPDATE,
      "ContactUpdate.md": ContactEventType.CONTACT_UPDATE,
      "NoteCreate.md": ContactEventType.NOTE_CREATE,
      "NoteDelete.md": ContactEventType.NOTE_DELETE,
      "NoteUpdate.md": ContactEventType.NOTE_UPDATE,
      "TaskComplete.md": ContactEventType.TASK_COMPLETE,
      "TaskCreate.md": ContactEventType.TASK_CREATE,
      "TaskDelete.md": ContactEventType.TASK_DELETE,
    });
  });

  it("maps a contact payload to the cached contact shape without envelope fields", () => {
    const r = parseWebhookEvent(
      { type: "ContactUpdate", locationId: "L1", id: "c1", webhookId: "w1", timestamp: "2025-01-28T14:35:00Z", appId: "a", firstName: "Ann", tags: ["x", 3], attachments: [] },
      opts,
    );
    expect(r).toEqual({
      kind: "event",
      timestampMs: Date.parse("2025-01-28T14:35:00Z"),
      event: {
        type: ContactEventType.CONTACT_UPDATE,
        webhookId: "w1",
        locationId: "L1",
        contactId: "c1",
        occurredAt: "2025-01-28T14:35:00.000Z",
        contact: { id: "c1", locationId: "L1", firstName: "Ann", tags: ["x"] },
      },
    });
  });

  it("tolerates TaskCreate without contactId and body", () => {
    const r = parseWebhookEvent({ type: "TaskCreate", locationId: "L1", id: "t1", title: "Call" }, opts);
    expect(r.kind === "event" && r.event).toMatchObject({
      type: ContactEventType.TASK_CREATE,
      contactId: null,
      webhookId: "sha256:x",
      occurredAt: "2026-01-01T00:00:00.000Z",
      timestamped: false, // no `timestamp`: occurredAt is the time of receipt, not the event's age
      task: { id: "t1", contactId: null, body: null, title: "Call", completed: false },
    });
  });

  it("marks TaskComplete's task completed", () => {
    const r = parseWebhookEvent({ type: "TaskComplete", locationId: "L1", id: "t1", contactId: "c1", title: "x" }, opts);
    expect(r.kind === "event" && r.event).toMatchObject({ contactId: "c1", task: { completed: true } });
  });

  it("reads appointments nested under `appointment`", () => {
    const r = parseWebhookEvent({ type: "AppointmentDelete", locationId: "L1", appointment: { id: "a1", contactId: "c9", title: "Demo" } }, opts);
    expect(r.kind === "event" && r.event).toMatchObject({
      type: ContactEventType.APPOINTMENT_DELETE,
      contactId: "c9",
      appointment: { id: "a1", contactId: "c9", title: "Demo", locationId: "L1" },
    });
  });

  it("ignores types it does not serve", () => {
    expect(parseWebhookEvent({ type: "OpportunityCreate", locationId: "L1" }, opts)).toEqual({ kind: "ignored", webhookType: "OpportunityCreate" });
    expect(parseWebhookEvent({ type: "TaskUpdate", locationId: "L1", id: "t" }, opts).kind).toBe("ignored");
    expect(parseWebhookEvent({ type: "toString", locationId: "L1" }, opts).kind).toBe("ignored");
  });

  it("says what is wrong with an unusable body", () => {
    expect(parseWebhookEvent([1], opts)).toEqual({ kind: "invalid", message: "body: expected a JSON object" });
    expect(parseWebhookEvent({ type: 3 }, opts)).toMatchObject({ kind: "invalid", message: expect.stringMatching(/^type: expected/) });
    expect(parseWebhookEvent({ type: "ContactCreate", id: "c" }, opts)).toMatchObject({ message: expect.stringMatching(/^locationId/) });
    expect(parseWebhookEvent({ type: "ContactCreate", locationId: "L" }, opts)).toMatchObject({ message: expect.stringMatching(/^id/) });
    expect(parseWebhookEvent({ type: "ContactCreate", locationId: "L", id: "c", timestamp: "yesterday" }, opts)).toMatchObject({
      message: expect.stringMatching(/^timestamp/),
    });
  });
});
