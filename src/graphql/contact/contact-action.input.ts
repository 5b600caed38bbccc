/**
 * Arguments of the contact actions beyond the core schema (schema/schema.graphql and HighLevel's Contacts OpenAPI spec):
 * tag removal, followers, campaigns, workflows and the two bulk routes. Plain shapes: the rules in
 * ../write/input-write.rules.ts validate them in the resolver, naming the field.
 * Explicit type functions on every decorator.
 */
import { ArgsType, Field, ID, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../common/scalars.js";

export enum BulkTagAction {
  ADD = "add",
  REMOVE = "remove",
}

registerEnumType(BulkTagAction, {
  name: "BulkTagAction",
  description: "What `updateContactsTags` does with the tags: POST /contacts/bulk/tags/update/add or …/remove.",
});

@ArgsType()
export class RemoveContactTagsArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => [String], { description: "1 to 100 tags to remove (case-insensitive); tags the contact lacks are ignored." })
  tags!: string[];
}

@ArgsType()
export class DuplicateContactArgs {
  @Field(() => String, { nullable: true, description: "An email address to look up (sent percent-encoded)." })
  email?: string | null;

  @Field(() => String, { nullable: true, description: "A phone number in E.164 form, e.g. +14155550123 (the + is sent as %2B)." })
  phone?: string | null;
}

@ArgsType()
export class ContactFollowersArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => [ID], { description: "1 to 100 user ids." })
  followers!: string[];
}

@ArgsType()
export class ContactCampaignArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => ID)
  campaignId!: string;
}

@ArgsType()
export class AddContactToWorkflowArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => ID)
  workflowId!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the workflow should start for this contact (default: now)." })
  eventStartTime?: Date | null;
}

@ArgsType()
export class RemoveContactFromWorkflowArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => ID)
  workflowId!: string;
}

@ArgsType()
export class UpdateContactsTagsArgs {
  @Field(() => [ID], { description: "1 to 100 contact ids of the caller's location." })
  contactIds!: string[];

  @Field(() => BulkTagAction)
  action!: BulkTagAction;

  @Field(() => [String], { description: "The tags to add or remove (may be empty with removeAllTags)." })
  tags!: string[];

  @Field(() => Boolean, { defaultValue: false, description: "With REMOVE: remove every tag of the contacts." })
  removeAllTags!: boolean;
}

@ArgsType()
export class SetContactsBusinessArgs {
  @Field(() => [ID], { description: "1 to 100 contact ids of the caller's location." })
  contactIds!: string[];

  @Field(() => ID, { nullable: true, description: "The business to link the contacts to; null removes their business." })
  businessId!: string | null;
}
