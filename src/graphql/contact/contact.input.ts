/**
 * Input types of the contact mutations (schema/schema.graphql). Plain shapes: validation lives in
 * ../write/input-write.rules.ts and runs in the resolver, so every rule can name the field and
 * the expected form (`BAD_USER_INPUT` with `extensions.field`).
 * Explicit type functions on every decorator (without them, a build that drops decorator metadata fails with
 * `NoExplicitTypeError`).
 */
import { ArgsType, Field, ID, InputType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../common/scalars.js";

@InputType("CustomFieldInput", { description: "A custom field value to write: exactly one of `id` or `key`." })
export class CustomFieldInput {
  @Field(() => ID, { nullable: true, description: "The custom field's id." })
  id?: string | null;

  @Field(() => String, { nullable: true, description: "The custom field's key, e.g. `contact.favourite_colour`." })
  key?: string | null;

  @Field(() => String, { nullable: true })
  value?: string | null;
}

/** HighLevel's DND channels (DndSettingsSchema of apps/contacts.json). */
export enum DndChannel {
  Call = "Call",
  Email = "Email",
  SMS = "SMS",
  WhatsApp = "WhatsApp",
  GMB = "GMB",
  FB = "FB",
}
registerEnumType(DndChannel, { name: "DndChannel", description: "A channel of HighLevel's per-channel do-not-disturb." });

export enum DndStatus {
  ACTIVE = "active",
  INACTIVE = "inactive",
  PERMANENT = "permanent",
}
registerEnumType(DndStatus, { name: "DndStatus" });

@InputType("DndChannelSettingInput", { description: "Do-not-disturb for one channel; channels not listed are left as they are." })
export class DndChannelSettingInput {
  @Field(() => DndChannel)
  channel!: DndChannel;

  @Field(() => DndStatus)
  status!: DndStatus;

  @Field(() => String, { nullable: true })
  message?: string | null;

  @Field(() => String, { nullable: true })
  code?: string | null;
}

@InputType("CreateContactInput")
export class CreateContactInput {
  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "An email address like name@example.com." })
  email?: string | null;

  @Field(() => String, { nullable: true, description: "E.164 form: + and country code, e.g. +14155550123." })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  companyName?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field(() => String, { nullable: true })
  source?: string | null;

  @Field(() => String, { nullable: true, description: "An IANA time zone, e.g. America/New_York." })
  timezone?: string | null;

  @Field(() => String, { nullable: true, description: "The id of the user the contact is assigned to." })
  assignedTo?: string | null;

  @Field(() => [CustomFieldInput], { nullable: true })
  customFields?: CustomFieldInput[] | null;
  @Field(() => String, { nullable: true, description: "Street address (HighLevel's address1)." })
  address1?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true })
  state?: string | null;

  @Field(() => String, { nullable: true })
  postalCode?: string | null;

  @Field(() => String, { nullable: true, description: "ISO 3166 two-letter country code, e.g. US." })
  country?: string | null;

  @Field(() => String, { nullable: true, description: "A URL like https://example.com." })
  website?: string | null;

  @Field(() => String, { nullable: true, description: "A date like 1990-09-25." })
  dateOfBirth?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Do not disturb on every channel." })
  dnd?: boolean | null;

  @Field(() => [DndChannelSettingInput], { nullable: true, description: "Per-channel do-not-disturb (each channel at most once)." })
  dndSettings?: DndChannelSettingInput[] | null;
}

@InputType("UpdateContactInput", {
  description: "Fields to change; absent or null fields are left as they are. `tags` replaces all tags (use addContactTags to add).",
})
export class UpdateContactInput {
  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "An email address like name@example.com." })
  email?: string | null;

  @Field(() => String, { nullable: true, description: "E.164 form: + and country code, e.g. +14155550123." })
  phone?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field(() => String, { nullable: true })
  source?: string | null;

  @Field(() => String, { nullable: true, description: "An IANA time zone, e.g. America/New_York." })
  timezone?: string | null;

  @Field(() => String, { nullable: true })
  assignedTo?: string | null;

  @Field(() => [CustomFieldInput], { nullable: true })
  customFields?: CustomFieldInput[] | null;
  @Field(() => String, { nullable: true, description: "Street address (HighLevel's address1)." })
  address1?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true })
  state?: string | null;

  @Field(() => String, { nullable: true })
  postalCode?: string | null;

  @Field(() => String, { nullable: true, description: "ISO 3166 two-letter country code, e.g. US." })
  country?: string | null;

  @Field(() => String, { nullable: true, description: "A URL like https://example.com." })
  website?: string | null;

  @Field(() => String, { nullable: true, description: "A date like 1990-09-25." })
  dateOfBirth?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Do not disturb on every channel." })
  dnd?: boolean | null;

  @Field(() => [DndChannelSettingInput], { nullable: true, description: "Per-channel do-not-disturb (each channel at most once)." })
  dndSettings?: DndChannelSettingInput[] | null;
}

// Argument sets of the multi-argument mutations: an @ArgsType keeps the contract's argument order
// (separate @Arg parameter decorators are registered last-to-first).

@ArgsType()
export class UpdateContactArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => UpdateContactInput)
  input!: UpdateContactInput;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "Write only if the contact's dateUpdated (read fresh from the upstream) is not later than this.",
  })
  ifUnmodifiedSince?: Date | null;
}

@ArgsType()
export class AddContactTagsArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => [String], { description: "1 to 100 non-blank tags of at most 100 characters." })
  tags!: string[];
}
