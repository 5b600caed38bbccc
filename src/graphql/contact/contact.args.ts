/** Arguments of the contact connections (ArgsType classes keep the contract's argument order). */
import { ArgsType, Field, ID, Int } from "type-graphql";
import { ContactFilter, ContactSort } from "./contact-filter.input.js";

@ArgsType()
export class ContactsArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: 20,
    description: "Page size: 1..100, or 1..500 with a filter or sort (POST /contacts/search pages hold up to 500).",
  })
  first!: number | null;

  @Field(() => String, { nullable: true, description: "A cursor from pageInfo.endCursor or an edge." })
  after!: string | null;

  @Field(() => String, { nullable: true, description: "Upstream search string (at most 75 characters with a filter or sort)." })
  query!: string | null;

  @Field(() => ContactFilter, { nullable: true, description: "Served by POST /contacts/search, exactly: a filter the route cannot express is BAD_USER_INPUT." })
  filter!: ContactFilter | null;

  @Field(() => [ContactSort], { nullable: true, description: "Served by POST /contacts/search; default newest first." })
  sort!: ContactSort[] | null;
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
