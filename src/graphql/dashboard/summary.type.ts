/**
 * `ContactSummary`: the consolidated view of one contact ("contact details, activities,
 * notes and upcoming appointments in a single view"). Every field is a field resolver in
 * dashboard.resolver.ts that loads only the relation it needs through the per-operation loaders,
 * so selecting `openTaskCount` alone costs the tasks list and nothing else.
 */
import { Field, Int, ObjectType } from "type-graphql";
import type { ContactRecord } from "../contact/contact.record.js";

@ObjectType("ContactSummary", {
  simpleResolvers: true,
  description:
    "The consolidated view of a contact, computed from the same loaders and cache as its relations: each field loads only the relation it needs.",
})
export class ContactSummary {
  /** The contact this summary is about (not a GraphQL field). */
  readonly record: ContactRecord;
  /** The instant "overdue" and "next" are measured against, fixed per summary. */
  readonly nowMs: number;

  constructor(record: ContactRecord, nowMs: number) {
    this.record = record;
    this.nowMs = nowMs;
  }
}

@ObjectType("DashboardScope", { simpleResolvers: true, description: "What a dashboard with the same arguments shows out of everything that matches." })
export class DashboardScope {
  @Field(() => Int, { description: "Contacts matching query, filter and tags (the upstream's exact total)." })
  totalCount!: number;

  @Field(() => Int, { description: "How many of them the dashboard shows (the newest `first`)." })
  shown!: number;

  @Field(() => Boolean, { description: "True when the dashboard shows every match." })
  complete!: boolean;
}
