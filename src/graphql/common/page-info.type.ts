/** Relay-style page info shared by the connections. */
import { Field, ObjectType } from "type-graphql";

@ObjectType("PageInfo", { simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
