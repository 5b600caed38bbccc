/**
 * `enum ContactEventType` and `type ContactEvent` (contract §5). The enum is the shared one from
 * src/events (the webhook intake and the pub/sub use the same values). A `ContactEvent` resolves
 * from the accepted event as the pub/sub carries it (`ContactEvent` of src/events); its
 * `contact/task/note/appointment` fields are resolved by ContactEventFieldsResolver.
 * Explicit type functions on every decorator (without them, a build that drops decorator metadata fails with
 * `NoExplicitTypeError`).
 */
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { ContactEventType } from "../../events/contact-event.types.js";
import { DateTimeScalar } from "../common/scalars.js";

registerEnumType(ContactEventType, {
  name: "ContactEventType",
  description: "The HighLevel webhook events the gateway republishes (ContactCreate → CONTACT_CREATE, …; HighLevel has no TaskUpdate).",
});

@ObjectType("ContactEvent", { description: "One HighLevel webhook event, verified, de-duplicated and applied to the cache." })
export class ContactEvent {
  @Field(() => ContactEventType)
  type!: ContactEventType;

  @Field(() => ID, { description: "HighLevel's delivery id (or a hash of the body when HighLevel sent none)." })
  webhookId!: string;

  @Field(() => ID)
  locationId!: string;

  @Field(() => ID, { nullable: true, description: "null only when HighLevel left it out (a known TaskCreate quirk)." })
  contactId!: string | null;

  @Field(() => DateTimeScalar, { description: "The webhook's `timestamp` (time of receipt when it had none)." })
  occurredAt!: Date;
}

export { ContactEventType };
