/** The `Task` object type (schema/schema.graphql), resolved from an upstream task (`GET /contacts/:id/tasks`). */
import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("Task", { simpleResolvers: true })
export class Task {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  contactId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  body!: string | null;

  @Field(() => String, { nullable: true })
  assignedTo!: string | null;

  @Field(() => Boolean)
  completed!: boolean;
}
