/** The `Note` object type (schema/schema.graphql), resolved from an upstream note (`GET /contacts/:id/notes`). */
import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("Note", { simpleResolvers: true })
export class Note {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  contactId!: string;

  @Field(() => String)
  body!: string;

  @Field(() => String, { nullable: true })
  userId!: string | null;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true, description: "The note's colour in HighLevel's UI." })
  color!: string | null;

  @Field(() => Boolean, { nullable: true, description: "Pinned to the top of the contact's notes." })
  pinned!: boolean | null;
}
