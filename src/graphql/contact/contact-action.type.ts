/**
 * Result types of the contact actions (schema/schema.graphql): `UpsertContactPayload` and the per-contact
 * outcomes of the bulk mutations, so a caller sees which contacts changed and why others did not.
 */
import { Field, ID, Int, ObjectType } from "type-graphql";
import { Contact } from "./contact.type.js";
import type { ContactRecord } from "./contact.record.js";

@ObjectType("UpsertContactPayload", { simpleResolvers: true })
export class UpsertContactPayload {
  @Field(() => Boolean, { description: "true when a new contact was created, false when an existing one (same email or phone) was updated." })
  created!: boolean;

  @Field(() => Contact)
  contact!: ContactRecord;
}

@ObjectType("BulkContactOutcome", { simpleResolvers: true, description: "What a bulk mutation did to one of the requested contacts." })
export class BulkContactOutcome {
  @Field(() => ID)
  contactId!: string;

  @Field(() => Boolean, { description: "true when the upstream changed this contact." })
  ok!: boolean;

  @Field(() => String, { nullable: true, description: "The upstream's message for this contact (why it failed, when it did)." })
  message!: string | null;

  @Field(() => [String], { nullable: true, description: "Bulk tags: the contact's tags added by this call." })
  tagsAdded!: string[] | null;

  @Field(() => [String], { nullable: true, description: "Bulk tags: the contact's tags removed by this call." })
  tagsRemoved!: string[] | null;
}

@ObjectType("BulkContactsPayload", { simpleResolvers: true })
export class BulkContactsPayload {
  @Field(() => Int, { description: "Contacts changed." })
  succeeded!: number;

  @Field(() => Int, { description: "Contacts not changed (see their outcome's message)." })
  failed!: number;

  @Field(() => [BulkContactOutcome], { description: "One outcome per requested contact id, in request order (duplicates once)." })
  outcomes!: BulkContactOutcome[];
}
