/** Arguments of the contact connections (ArgsType classes keep the contract's argument order). */
import { ArgsType, Field, ID, Int } from "type-graphql";

@ArgsType()
export class ContactsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20, description: "Page size, 1..100." })
  first!: number | null;

  @Field(() => String, { nullable: true, description: "A cursor from pageInfo.endCursor or an edge." })
  after!: string | null;

  @Field(() => String, { nullable: true, description: "Upstream search string." })
  query!: string | null;
}

@ArgsType()
export class ContactsByBusinessArgs {
  @Field(() => ID)
  businessId!: string;

  @Field(() => Int, { nullable: true, defaultValue: 25, description: "Page size, 1..100." })
  first!: number | null;

  @Field(() => String, { nullable: true, description: "A cursor from pageInfo.endCursor or an edge." })
  after!: string | null;

  @Field(() => String, { nullable: true, description: "Upstream search string." })
  query!: string | null;
}
