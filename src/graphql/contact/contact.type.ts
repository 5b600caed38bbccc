/**
 * The `Contact` object type (schema/schema.graphql). `id` and `locationId` come straight from the record;
 * every other field is a field resolver in contact-fields.resolver.ts (list items may need the
 * full contact). Relations (`tasks`, `notes`, `appointments`) are nullable so a failing relation
 * of one contact yields `null` plus an error at its path instead of wiping the whole list.
 */
import { Field, ID, ObjectType } from "type-graphql";
import { JSONScalar } from "../common/scalars.js";

@ObjectType("Contact", { simpleResolvers: true })
export class Contact {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  locationId!: string;
}

@ObjectType("CustomFieldValue", {
  simpleResolvers: true,
  description:
    "A custom field of the contact with its definition (GET /locations/:id/customFields): `key`, `name` and `dataType` are null when the " +
    "definitions cannot be read; `value` is typed by `dataType` (numbers as numbers, multi-option, checkbox and text-box lists as lists, dates as ISO 8601).",
})
export class CustomFieldValue {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: "The field key, e.g. contact.loan_amount." })
  key!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: "HighLevel's data type, e.g. MONETORY, SINGLE_OPTIONS, DATE." })
  dataType!: string | null;

  @Field(() => JSONScalar, { nullable: true })
  value!: unknown;
}
