/**
 * The `Appointment` object type (schema/schema.graphql), from a contact's `events`. Times stay strings: the
 * upstream sends `"2021-07-16 11:00:00"` as well as ISO with offsets (FACTS.md).
 */
import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("Appointment", { simpleResolvers: true })
export class Appointment {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  contactId!: string;

  @Field(() => ID, { nullable: true })
  calendarId!: string | null;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  status!: string | null;

  @Field(() => String, { nullable: true })
  appointmentStatus!: string | null;

  @Field(() => String, { nullable: true })
  startTime!: string | null;

  @Field(() => String, { nullable: true })
  endTime!: string | null;

  @Field(() => String, { nullable: true })
  address!: string | null;

  @Field(() => String, { nullable: true })
  notes!: string | null;

  @Field(() => String, { nullable: true })
  assignedUserId!: string | null;

  @Field(() => ID, { nullable: true, description: "The calendar group." })
  groupId!: string | null;

  @Field(() => [String], { nullable: true, description: "Ids of the users taking part." })
  users!: string[] | null;
}
