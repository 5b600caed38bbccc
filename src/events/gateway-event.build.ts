/**
 * The events the gateway announces itself after a successful write (source GATEWAY), shaped like
 * the webhook HighLevel sends for the same change (docs/webhook events/), so subscribers see one
 * vocabulary whichever comes first (event-echo.store.ts pairs the two). `webhookId` is minted here
 * (`gateway:<uuid>`); `occurredAt` is the time of the write's answer.
 * Pure functions: no I/O.
 */
import { randomUUID } from "node:crypto";
import type { UpstreamContact, UpstreamNote, UpstreamTask } from "../upstream/contacts.types.js";
import type {
  ContactEvent,
  ContactResourceEventType,
  NoteEventType,
  TaskEventType,
  WebhookNote,
  WebhookTask,
} from "./contact-event.types.js";

const base = <C extends string | null>(locationId: string, contactId: C, now: () => number) => ({
  webhookId: `gateway:${randomUUID()}`,
  locationId,
  contactId,
  occurredAt: new Date(now()).toISOString(),
  source: "GATEWAY" as const,
});

export interface GatewayEventBuilder {
  /** A contact event; `contact` is the written contact, or what is known of it (`{id, locationId, tags}`). */
  contact(type: ContactResourceEventType, locationId: string, contact: Pick<UpstreamContact, "id"> & Partial<UpstreamContact>): ContactEvent;
  task(type: TaskEventType, locationId: string, task: Pick<UpstreamTask, "id" | "contactId"> & Partial<UpstreamTask>): ContactEvent;
  note(type: NoteEventType, locationId: string, note: Pick<UpstreamNote, "id"> & Partial<UpstreamNote> & { contactId: string }): ContactEvent;
}

export function gatewayEventBuilder(now: () => number = Date.now): GatewayEventBuilder {
  return {
    contact: (type, locationId, contact) => ({
      ...base(locationId, contact.id, now),
      type,
      contact: { ...contact, id: contact.id, locationId },
    }),
    task: (type, locationId, task) => {
      const webhookTask: WebhookTask = {
        id: task.id,
        contactId: task.contactId,
        title: task.title ?? null,
        body: task.body ?? null,
        assignedTo: task.assignedTo ?? null,
        dueDate: task.dueDate ?? null,
        dateAdded: typeof task["dateAdded"] === "string" ? task["dateAdded"] : null,
        completed: typeof task.completed === "boolean" ? task.completed : null,
      };
      return { ...base(locationId, task.contactId, now), type, task: webhookTask };
    },
    note: (type, locationId, note) => {
      const webhookNote: WebhookNote = {
        id: note.id,
        contactId: note.contactId,
        body: note.body ?? null,
        userId: note.userId ?? null,
        dateAdded: note.dateAdded ?? null,
      };
      return { ...base(locationId, note.contactId, now), type, note: webhookNote };
    },
  };
}

/** The gateway's builder (real clock). */
export const GATEWAY_EVENTS: GatewayEventBuilder = gatewayEventBuilder();
