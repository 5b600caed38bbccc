/**
 * What dashboards build their filter pickers from: the location's tags
 * (`GET /locations/:id/tags`) and its contact custom-field definitions
 * (`GET /locations/:id/customFields?model=contact`, apps/locations.json).
 */
import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType("LocationTag", { simpleResolvers: true })
export class LocationTag {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType("CustomFieldDefinition", { simpleResolvers: true, description: "A contact custom field of the location." })
export class CustomFieldDefinition {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: "The field key, e.g. contact.loan_amount (what filters and writes name it by)." })
  key!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: "HighLevel's data type, e.g. TEXT, MONETORY, SINGLE_OPTIONS, DATE." })
  dataType!: string | null;

  @Field(() => [String], { description: "The options of a picklist field (SINGLE_OPTIONS, MULTIPLE_OPTIONS, CHECKBOX, RADIO); empty otherwise." })
  picklistOptions!: string[];

  @Field(() => Int, { nullable: true })
  position!: number | null;
}
