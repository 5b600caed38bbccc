/**
 * Turns a verified HighLevel webhook body (already JSON-parsed) into one `ContactEvent` of the
 * shared union (src/events/contact-event.types.ts), or says why it cannot (→ 400) or that its type
 * is not one this gateway serves (→ 200, ignored).
 *
 * Tolerates the known gaps (FACTS.md "Webhooks"): TaskCreate without `contactId`/`body`; appointment
 * events nested under `appointment`; the docs' AppointmentUpdate/Delete examples that say
 * `"type":"AppointmentCreate"` (we trust what `type` says: there is nothing else to go by).
 * Pure: no I/O, time is passed in.
 */
import type { UpstreamAppointment, UpstreamContact, UpstreamCustomFieldValue } from "../upstream/contacts.types.js";
import {
  ContactEventType,
  WEBHOOK_TYPE_TO_EVENT_TYPE,
  type AppointmentEventType,
  type ContactEvent,
  type ContactResourceEventType,
  type NoteEventType,
  type TaskEventType,
  type WebhookNote,
  type WebhookTask,
} from "../events/contact-event.types.js";

/**
 * The app's install and uninstall (docs/webhook events/AppInstall.md, AppUninstall.md): the docs'
 * titles name them `AppInstall`/`AppUninstall`, their examples carry `"type": "INSTALL"`/`"UNINSTALL"`.
 */
const APP_LIFECYCLE: Readonly<Record<string, "install" | "uninstall">> = Object.freeze({
  AppInstall: "install",
  INSTALL: "install",
  AppUninstall: "uninstall",
  UNINSTALL: "uninstall",
});

export type ParseResult =
  | { kind: "event"; event: ContactEvent; timestampMs: number | undefined }
  /** An app install or uninstall; `locationId` is null for an agency-level one (only `companyId`). */
  | { kind: "lifecycle"; action: "install" | "uninstall"; locationId: string | null; webhookId: string; timestampMs: number | undefined }
  | { kind: "ignored"; webhookType: string }
  | { kind: "invalid"; message: string };

export interface ParseOptions {
  /** Used when the body has no string `webhookId` (e.g. a hash of the raw body, stable across retries). */
  fallbackWebhookId: string;
  /** Time of receipt; `occurredAt` when the body carries no `timestamp`. */
  receivedAtMs: number;
}

/** Envelope fields HighLevel adds to every payload; they are not part of the resource. */
const ENVELOPE_FIELDS = new Set(["type", "webhookId", "timestamp", "appId", "versionId", "attachments"]);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === "boolean" ? v : null);

export function parseWebhookEvent(body: unknown, options: ParseOptions): ParseResult {
  if (!isObject(body)) return { kind: "invalid", message: "body: expected a JSON object" };
  const webhookType = body.type;
  if (typeof webhookType !== "string" || webhookType === "") {
    return { kind: "invalid", message: 'type: expected a non-empty string such as "ContactCreate"' };
  }
  const eventType = Object.hasOwn(WEBHOOK_TYPE_TO_EVENT_TYPE, webhookType)
    ? WEBHOOK_TYPE_TO_EVENT_TYPE[webhookType]
    : undefined;
  if (eventType === undefined && Object.hasOwn(APP_LIFECYCLE, webhookType)) {
    const timestampMs = typeof body.timestamp === "string" ? Date.parse(body.timestamp) : undefined;
    return {
      kind: "lifecycle",
      action: APP_LIFECYCLE[webhookType]!,
      locationId: str(body.locationId),
      webhookId: str(body.webhookId) ?? options.fallbackWebhookId,
      timestampMs: timestampMs !== undefined && Number.isFinite(timestampMs) ? timestampMs : undefined,
    };
  }
  if (eventType === undefined) return { kind: "ignored", webhookType };

  let timestampMs: number | undefined;
  if (body.timestamp !== undefined && body.timestamp !== null) {
    timestampMs = typeof body.timestamp === "string" ? Date.parse(body.timestamp) : Number.NaN;
    if (!Number.isFinite(timestampMs)) {
      return { kind: "invalid", message: "timestamp: expected an ISO-8601 date-time string such as 2025-01-28T14:35:00Z" };
    }
  }
  if (body.webhookId !== undefined && typeof body.webhookId !== "string") {
    return { kind: "invalid", message: "webhookId: expected a string" };
  }
  const locationId = str(body.locationId);
  if (locationId === null) return { kind: "invalid", message: "locationId: expected a non-empty string" };

  const base = {
    webhookId: str(body.webhookId) ?? options.fallbackWebhookId,
    locationId,
    occurredAt: new Date(timestampMs ?? options.receivedAtMs).toISOString(),
    ...(timestampMs === undefined ? { timestamped: false } : {}),
  };

  const parsed = parseResource(eventType, body, base);
  if ("message" in parsed) return { kind: "invalid", message: parsed.message };
  return { kind: "event", event: parsed, timestampMs };
}

type Base = { webhookId: string; locationId: string; occurredAt: string; timestamped?: boolean };

function parseResource(type: ContactEventType, body: Json, base: Base): ContactEvent | { message: string } {
  switch (type) {
    case ContactEventType.CONTACT_CREATE:
    case ContactEventType.CONTACT_UPDATE:
    case ContactEventType.CONTACT_DELETE:
    case ContactEventType.CONTACT_TAG_UPDATE:
    case ContactEventType.CONTACT_DND_UPDATE: {
      const id = str(body.id);
      if (id === null) return { message: "id: expected the contact id (a non-empty string)" };
      return { ...base, type: type as ContactResourceEventType, contactId: id, contact: toContact(body, id, base.locationId) };
    }
    case ContactEventType.TASK_UPDATE:
      // HighLevel has no TaskUpdate webhook (WEBHOOK_TYPE_TO_EVENT_TYPE never maps to it).
      return { message: "type: TASK_UPDATE is published by the gateway, never received" };
    case ContactEventType.TASK_CREATE:
    case ContactEventType.TASK_COMPLETE:
    case ContactEventType.TASK_DELETE: {
      const id = str(body.id);
      if (id === null) return { message: "id: expected the task id (a non-empty string)" };
      const task: WebhookTask = {
        id,
        contactId: str(body.contactId),
        title: str(body.title),
        body: typeof body.body === "string" ? body.body : null,
        assignedTo: str(body.assignedTo),
        dueDate: str(body.dueDate),
        dateAdded: str(body.dateAdded),
        completed:
          bool(body.completed) ??
          (type === ContactEventType.TASK_COMPLETE ? true : type === ContactEventType.TASK_CREATE ? false : null),
      };
      return { ...base, type: type as TaskEventType, contactId: task.contactId, task };
    }
    case ContactEventType.NOTE_CREATE:
    case ContactEventType.NOTE_UPDATE:
    case ContactEventType.NOTE_DELETE: {
      const id = str(body.id);
      if (id === null) return { message: "id: expected the note id (a non-empty string)" };
      const note: WebhookNote = {
        id,
        contactId: str(body.contactId),
        body: typeof body.body === "string" ? body.body : null,
        userId: str(body.userId),
        dateAdded: str(body.dateAdded),
      };
      return { ...base, type: type as NoteEventType, contactId: note.contactId, note };
    }
    case ContactEventType.APPOINTMENT_CREATE:
    case ContactEventType.APPOINTMENT_UPDATE:
    case ContactEventType.APPOINTMENT_DELETE: {
      // Documented shape nests the resource under `appointment`; accept a flat one too.
      const source = isObject(body.appointment) ? body.appointment : body;
      const id = str(source.id);
      if (id === null) return { message: "appointment.id: expected the appointment id (a non-empty string)" };
      const appointment = toAppointment(source, id, base.locationId);
      return { ...base, type: type as AppointmentEventType, contactId: appointment.contactId ?? null, appointment };
    }
  }
}

/** The webhook payload is a flat contact plus envelope fields: keep the resource fields only. */
function toContact(body: Json, id: string, locationId: string): UpstreamContact {
  const contact: UpstreamContact = { id, locationId };
  for (const [key, value] of Object.entries(body)) {
    if (ENVELOPE_FIELDS.has(key) || key === "id" || key === "locationId") continue;
    contact[key] = value;
  }
  if (!Array.isArray(contact.tags)) delete contact.tags;
  else contact.tags = contact.tags.filter((t): t is string => typeof t === "string");
  if (contact.customFields !== undefined) {
    contact.customFields = Array.isArray(contact.customFields)
      ? contact.customFields.filter((f): f is UpstreamCustomFieldValue => isObject(f) && typeof f.id === "string")
      : [];
  }
  return contact;
}

function toAppointment(source: Json, id: string, locationId: string): UpstreamAppointment {
  const appointment: UpstreamAppointment = { id };
  for (const [key, value] of Object.entries(source)) {
    if (ENVELOPE_FIELDS.has(key) || key === "id") continue;
    appointment[key] = value;
  }
  appointment.locationId = str(source.locationId) ?? locationId;
  appointment.contactId = str(source.contactId);
  return appointment;
}
