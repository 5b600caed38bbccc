/** `Viewer` (schema/schema.graphql): the verified caller. */
import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("Viewer", { simpleResolvers: true })
export class ViewerType {
  @Field(() => String, { nullable: true })
  subject!: string | null;

  @Field(() => ID)
  locationId!: string;

  @Field(() => [String])
  scopes!: string[];
}
