/** `ContactConnection` / `ContactEdge` (schema/schema.graphql): Relay-style paging with opaque cursors. */
import { Field, Int, ObjectType } from "type-graphql";
import { PageInfo } from "../common/page-info.type.js";
import { Contact } from "./contact.type.js";
import type { ContactRecord } from "./contact.record.js";

@ObjectType("ContactEdge", { simpleResolvers: true })
export class ContactEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Contact)
  node!: ContactRecord;
}

@ObjectType("ContactConnection", { simpleResolvers: true })
export class ContactConnection {
  @Field(() => [Contact])
  nodes!: ContactRecord[];

  @Field(() => [ContactEdge])
  edges!: ContactEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { nullable: true, description: "Total matching contacts as reported by the upstream." })
  totalCount!: number | null;
}
