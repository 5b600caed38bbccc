/**
 * The shared vocabulary of live events: the 14 HighLevel webhook types this gateway serves, as one
 * enum (`ContactEventType` in schema/schema.graphql) and one discriminated union of what an accepted event carries.
 * The webhook intake produces these values, the pub/sub transports them (JSON over Redis, so every
 * field is plain data), the cache applier and the GraphQL subscription consume them.
 * Pure types and constants: no I/O, no GraphQL, nothing at import time.
 */
import type { UpstreamAppointment, UpstreamContact } from "../upstream/contacts.types.js";

/** `enum ContactEventType` of schema/schema.graphql; the string values are the GraphQL enum values. */
export enum ContactEventType {
  CONTACT_CREATE = "CONTACT_CREATE",
  CONTACT_UPDATE = "CONTACT_UPDATE",
  CONTACT_DELETE = "CONTACT_DELETE",
  CONTACT_TAG_UPDATE = "CONTACT_TAG_UPDATE",
  CONTACT_DND_UPDATE = "CONTACT_DND_UPDATE",
  TASK_CREATE = "TASK_CREATE",
  TASK_COMPLETE = "TASK_COMPLETE",
  TASK_DELETE = "TASK_DELETE",
  /**
   * HighLevel sends no TaskUpdate: the gateway publishes this itself, for its own `updateTask` /
   * `completeTask(completed: false)` and when a refetched task list shows an edit made in HighLevel.
   */
  TASK_UPDATE = "TASK_UPDATE",
  NOTE_CREATE = "NOTE_CREATE",
  NOTE_UPDATE = "NOTE_UPDATE",
  NOTE_DELETE = "NOTE_DELETE",
  APPOINTMENT_CREATE = "APPOINTMENT_CREATE",
  APPOINTMENT_UPDATE = "APPOINTMENT_UPDATE",
  APPOINTMENT_DELETE = "APPOINTMENT_DELETE",
}

/** HighLevel's webhook `type` strings (docs/webhook events/) → our enum. There is no TaskUpdate. */
export const WEBHOOK_TYPE_TO_EVENT_TYPE: Readonly<Record<string, ContactEventType>> = Object.freeze({
  ContactCreate: ContactEventType.CONTACT_CREATE,
  ContactUpdate: ContactEventType.CONTACT_UPDATE,
  ContactDelete: ContactEventType.CONTACT_DELETE,
  ContactTagUpdate: ContactEventType.CONTACT_TAG_UPDATE,
  ContactDndUpdate: ContactEventType.CONTACT_DND_UPDATE,
  TaskCreate: ContactEventType.TASK_CREATE,
  TaskComplete: ContactEventType.TASK_COMPLETE,
  TaskDelete: ContactEventType.TASK_DELETE,
  NoteCreate: ContactEventType.NOTE_CREATE,
  NoteUpdate: ContactEventType.NOTE_UPDATE,
  NoteDelete: ContactEventType.NOTE_DELETE,
  AppointmentCreate: ContactEventType.APPOINTMENT_CREATE,
  AppointmentUpdate: ContactEventType.APPOINTMENT_UPDATE,
  AppointmentDelete: ContactEventType.APPOINTMENT_DELETE,
});

export const CONTACT_EVENT_TYPES = [
  ContactEventType.CONTACT_CREATE,
  ContactEventType.CONTACT_UPDATE,
  ContactEventType.CONTACT_DELETE,
  ContactEventType.CONTACT_TAG_UPDATE,
  ContactEventType.CONTACT_DND_UPDATE,
] as const;
export const TASK_EVENT_TYPES = [
  ContactEventType.TASK_CREATE,
  ContactEventType.TASK_COMPLETE,
  ContactEventType.TASK_DELETE,
  ContactEventType.TASK_UPDATE,
] as const;
export const NOTE_EVENT_TYPES = [
  ContactEventType.NOTE_CREATE,
  ContactEventType.NOTE_UPDATE,
  ContactEventType.NOTE_DELETE,
] as const;
export const APPOINTMENT_EVENT_TYPES = [
  ContactEventType.APPOINTMENT_CREATE,
  ContactEventType.APPOINTMENT_UPDATE,
  ContactEventType.APPOINTMENT_DELETE,
] as const;

export type ContactResourceEventType = (typeof CONTACT_EVENT_TYPES)[number];
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];
export type NoteEventType = (typeof NOTE_EVENT_TYPES)[number];
export type AppointmentEventType = (typeof APPOINTMENT_EVENT_TYPES)[number];

/**
 * A task as a webhook carries it. Unlike `UpstreamTask`, `contactId`, `body` and `completed` may be
 * missing (TaskCreate is observed without `contactId`/`body`; no payload carries `completed`).
 */
export interface WebhookTask {
  id: string;
  contactId: string | null;
  title: string | null;
  body: string | null;
  assignedTo: string | null;
  dueDate: string | null;
  dateAdded: string | null;
  /** TaskComplete implies `true`; TaskCreate implies `false` unless stated; otherwise null (unknown). */
  completed: boolean | null;
}

/** A note as a webhook carries it (`id, body, contactId, dateAdded`; `userId` when present). */
export interface WebhookNote {
  id: string;
  contactId: string | null;
  body: string | null;
  userId: string | null;
  dateAdded: string | null;
}

/**
 * Who published an event: HighLevel's webhook, or the gateway itself (right after its own
 * successful write, or a change it found on revalidation). The webhook for a change the gateway
 * already announced is recognised and not delivered again (event-echo.store.ts).
 */
export enum EventSource {
  WEBHOOK = "WEBHOOK",
  GATEWAY = "GATEWAY",
}

/** Fields every accepted event has, whatever its type. */
export interface ContactEventBase {
  /** Absent on webhook events (WEBHOOK). */
  source?: "WEBHOOK" | "GATEWAY";
  webhookId: string;
  locationId: string;
  /** null only when HighLevel left it out (TaskCreate quirk). */
  contactId: string | null;
  /** ISO-8601; the payload's `timestamp`, or the time of receipt when HighLevel sent none. */
  occurredAt: string;
  /**
   * False when the payload had no `timestamp` (`occurredAt` is then the time of receipt, which says
   * nothing about the event's age). Absent means true. The cache applier orders events by it.
   */
  timestamped?: boolean;
}

export interface ContactResourceEvent extends ContactEventBase {
  type: ContactResourceEventType;
  contactId: string;
  /** The whole contact as the payload carries it (upstream read shape). */
  contact: UpstreamContact;
}

export interface TaskEvent extends ContactEventBase {
  type: TaskEventType;
  task: WebhookTask;
}

export interface NoteEvent extends ContactEventBase {
  type: NoteEventType;
  note: WebhookNote;
}

export interface AppointmentEvent extends ContactEventBase {
  type: AppointmentEventType;
  appointment: UpstreamAppointment;
}

/** One accepted HighLevel event, discriminated by `type`. Plain JSON: safe to send over Redis. */
export type ContactEvent = ContactResourceEvent | TaskEvent | NoteEvent | AppointmentEvent;

export function isContactResourceEvent(e: ContactEvent): e is ContactResourceEvent {
  return (CONTACT_EVENT_TYPES as readonly ContactEventType[]).includes(e.type);
}
export function isTaskEvent(e: ContactEvent): e is TaskEvent {
  return (TASK_EVENT_TYPES as readonly ContactEventType[]).includes(e.type);
}
export function isNoteEvent(e: ContactEvent): e is NoteEvent {
  return (NOTE_EVENT_TYPES as readonly ContactEventType[]).includes(e.type);
}
export function isAppointmentEvent(e: ContactEvent): e is AppointmentEvent {
  return (APPOINTMENT_EVENT_TYPES as readonly ContactEventType[]).includes(e.type);
}
