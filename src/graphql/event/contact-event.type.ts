/**
 * `enum ContactEventType` and `type ContactEvent` (schema/schema.graphql). The enum is the shared one from
 * src/events (the webhook intake and the pub/sub use the same values). A `ContactEvent` resolves
 * from the accepted event as the pub/sub carries it (`ContactEvent` of src/events); its
 * `contact/task/note/appointment` fields are resolved by ContactEventFieldsResolver.
 * Explicit type functions on every decorator (without them, a build that drops decorator metadata fails with
 * `NoExplicitTypeError`).
 */
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { ContactEventType, EventSource } from "../../events/contact-event.types.js";
import { DateTimeScalar } from "../common/scalars.js";

registerEnumType(ContactEventType, {
  name: "ContactEventType",
  description:
    "The HighLevel webhook events the gateway republishes (ContactCreate → CONTACT_CREATE, …), plus TASK_UPDATE, which HighLevel does not send: the gateway publishes it for its own task edits and when a refetched task list shows an edit made in HighLevel.",
});

registerEnumType(EventSource, {
  name: "EventSource",
  description:
    "Who published an event. GATEWAY: this gateway, right after its own successful write (before HighLevel's webhook), or for a change it found on revalidation (TASK_UPDATE). WEBHOOK: HighLevel's webhook. A change is delivered once: when the gateway announced a write, HighLevel's webhook for it is recognised (same type and resource) and not delivered again; when the webhook came first, the gateway's announcement is the one dropped.",
});

@ObjectType("ContactEvent", {
  simpleResolvers: true,
  description: "One change: a HighLevel webhook (verified, de-duplicated, applied to the cache) or the gateway's own announcement of it (see `source`).",
})
export class ContactEvent {
  @Field(() => ContactEventType)
  type!: ContactEventType;

  @Field(() => ID, { description: "HighLevel's delivery id (or a hash of the body when HighLevel sent none); `gateway:<uuid>` for GATEWAY events." })
  webhookId!: string;

  @Field(() => ID)
  locationId!: string;

  @Field(() => ID, { nullable: true, description: "null only when HighLevel left it out (a known TaskCreate quirk)." })
  contactId!: string | null;

  @Field(() => DateTimeScalar, { description: "The webhook's `timestamp` (time of receipt when it had none)." })
  occurredAt!: Date;
}

export { ContactEventType, EventSource };
