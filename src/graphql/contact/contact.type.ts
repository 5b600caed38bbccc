/**
 * The `Contact` object type (contract §5). `id` and `locationId` come straight from the record;
 * every other field is a field resolver in contact-fields.resolver.ts (list items may need the
 * full contact). Relations (`tasks`, `notes`, `appointments`) are nullable so a failing relation
 * of one contact yields `null` plus an error at its path instead of wiping the whole list.
 */
import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("Contact")
export class Contact {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  locationId!: string;
}

@ObjectType("CustomFieldValue")
export class CustomFieldValue {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  value!: string | null;
}
