/**
 * `Subscription.contactEvents(contactIds, types): ContactEvent!` (schema/schema.graphql) and the fields of
 * `ContactEvent` that reach into the cache.
 * - Needs `contacts.readonly` (`@Scopes`, enforced by the pipeline on subscribe, and again by
 *   `contactEventStream`); the caller only ever subscribes to the topic of its own token's
 *   location, so events of other locations never arrive.
 * - `contact/task/note/appointment` resolve through `ctx.loaders`, which are fresh for every event
 *   (see contact-event.subscribe.ts) and sit over the shared cache: the webhook already wrote
 *   complete payloads through, so most events resolve without any upstream call, and one event
 *   fanned out to many subscribers costs at most one call per resource (single-flight).
 * - Deletes resolve from the payload (the upstream no longer has the resource).
 */
import { APPOINTMENTS, NOTES, TASKS } from "../../upstream/resources.js";
import { createPubSub, filter, pipe } from "@graphql-yoga/subscription";
import { GraphQLError } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from "type-graphql";
import { Scopes } from "../root-scopes.js";
import { SCOPES } from "../../auth/index.js";
import {
  ContactEventType as EventType,
  isAppointmentEvent,
  isContactResourceEvent,
  isNoteEvent,
  isTaskEvent,
  type ContactEvent as ContactEventPayload,
} from "../../events/contact-event.types.js";
import type { UpstreamAppointment, UpstreamNote, UpstreamTask } from "../../upstream/contacts.types.js";
import { Appointment } from "../appointment/appointment.type.js";
import { DateTimeScalar } from "../common/scalars.js";
import { ContactRecord } from "../contact/contact.record.js";
import { Contact } from "../contact/contact.type.js";
import type { EventsPort, GatewayContext } from "../context.js";
import { Note } from "../note/note.type.js";
import { Task } from "../task/task.type.js";
import { ContactEvent, ContactEventType, EventSource } from "./contact-event.type.js";

interface ContactEventsArgs {
  contactIds?: string[] | null;
  types?: EventType[] | null;
}

/** The gateway's live events, the context's events port. */
function eventBus(ctx: GatewayContext): EventsPort {
  const { events } = ctx;
  if (!events) throw new GraphQLError("Subscriptions are not available on this gateway", { extensions: { code: "INTERNAL_SERVER_ERROR" } });
  return events;
}

function badInput(argument: string, expected: string): GraphQLError {
  return new GraphQLError(`${argument}: expected ${expected}`, { extensions: { code: "BAD_USER_INPUT", argumentName: argument } });
}

/** The filtered event stream of the caller's location (exported for tests). */
export function contactEventStream(ctx: GatewayContext, args: ContactEventsArgs): AsyncIterable<ContactEventPayload> {
  const viewer = ctx.requireViewer();
  if (!viewer.scopes.includes(SCOPES.read)) {
    throw new GraphQLError(`This field needs the scope ${SCOPES.read}`, { extensions: { code: "FORBIDDEN" } });
  }
  if (args.contactIds && args.contactIds.length > 1_000) throw badInput("contactIds", "at most 1000 ids");
  const contactIds = args.contactIds?.length ? new Set(args.contactIds) : undefined;
  const types = args.types?.length ? new Set(args.types) : undefined;
  const source = eventBus(ctx).subscribe(viewer.locationId);
  if (!contactIds && !types) return source;
  return pipe(
    source,
    filter(
      (e: ContactEventPayload) =>
        e.locationId === viewer.locationId &&
        (!types || types.has(e.type)) &&
        (!contactIds || (e.contactId !== null && contactIds.has(e.contactId))),
    ),
  );
}

@Resolver(() => ContactEvent)
export class ContactEventResolver {
  @Scopes(SCOPES.read)
  @Subscription(() => ContactEvent, {
    description:
      "Every event of the caller's location; narrowed to the given contacts and/or types when set. Fields resolve through the same loaders and cache as queries.",
    subscribe: ({ args, context }) => contactEventStream(context as GatewayContext, args as ContactEventsArgs),
  })
  contactEvents(
    @Root() event: ContactEventPayload,
    // type-graphql lists arguments in reverse declaration order: `types` first here prints
    // `contactEvents(contactIds: …, types: …)` as schema/schema.graphql has it.
    @Arg("types", () => [ContactEventType], { nullable: true }) _types: EventType[] | null,
    @Arg("contactIds", () => [ID], { nullable: true }) _contactIds: string[] | null,
  ): ContactEventPayload {
    return event;
  }

  @FieldResolver(() => EventSource, { description: "GATEWAY (the gateway's own announcement) or WEBHOOK (HighLevel's); see EventSource." })
  source(@Root() event: ContactEventPayload): EventSource {
    return event.source === "GATEWAY" ? EventSource.GATEWAY : EventSource.WEBHOOK;
  }

  @FieldResolver(() => DateTimeScalar)
  occurredAt(@Root() event: ContactEventPayload): Date {
    return new Date(event.occurredAt);
  }

  @FieldResolver(() => Contact, { nullable: true })
  async contact(@Root() event: ContactEventPayload, @Ctx() ctx: GatewayContext): Promise<ContactRecord | null> {
    if (isContactResourceEvent(event) && event.type === EventType.CONTACT_DELETE) return ContactRecord.fromContact(event.contact);
    if (!event.contactId) return null;
    const contact = await ctx.loaders.contact.load(event.contactId);
    return contact ? ContactRecord.fromContact(contact) : null;
  }

  @FieldResolver(() => Task, { nullable: true })
  async task(@Root() event: ContactEventPayload, @Ctx() ctx: GatewayContext): Promise<UpstreamTask | null> {
    if (!isTaskEvent(event) || !event.task.contactId) return null;
    const { task } = event;
    const contactId = task.contactId as string;
    const fromPayload: UpstreamTask | null =
      task.title === null
        ? null
        : { ...task, contactId, title: task.title, completed: task.completed ?? event.type === EventType.TASK_COMPLETE };
    if (event.type === EventType.TASK_DELETE) return fromPayload;
    return (await ctx.loaders.item(TASKS).load({ contactId, id: task.id })) ?? fromPayload;
  }

  @FieldResolver(() => Note, { nullable: true })
  async note(@Root() event: ContactEventPayload, @Ctx() ctx: GatewayContext): Promise<UpstreamNote | null> {
    if (!isNoteEvent(event) || !event.note.contactId) return null;
    const { note } = event;
    const contactId = note.contactId as string;
    const fromPayload: UpstreamNote | null = note.body === null ? null : { ...note, contactId, body: note.body };
    if (event.type === EventType.NOTE_DELETE) return fromPayload;
    return (await ctx.loaders.item(NOTES).load({ contactId, id: note.id })) ?? fromPayload;
  }

  @FieldResolver(() => Appointment, { nullable: true })
  async appointment(@Root() event: ContactEventPayload, @Ctx() ctx: GatewayContext): Promise<UpstreamAppointment | null> {
    if (!isAppointmentEvent(event)) return null;
    const { appointment } = event;
    if (event.type === EventType.APPOINTMENT_DELETE || !appointment.contactId) return appointment;
    const list = await ctx.loaders.list(APPOINTMENTS).load(appointment.contactId);
    return list.find((a) => a.id === appointment.id) ?? appointment;
  }
}

/** The resolver classes this folder adds to the schema. */
export const EVENT_RESOLVERS: readonly Function[] = [ContactEventResolver];

/**
 * type-graphql refuses to build a schema with a `@Subscription` unless `buildSchema` gets a `pubSub`,
 * even when every subscription brings its own `subscribe` (as `contactEvents` does: it reads the
 * gateway's event bus from the context). This placeholder satisfies it and is never published to.
 */
export function createSchemaPubSub() {
  return createPubSub();
}
