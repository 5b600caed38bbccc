/** Field resolvers of `Task`: `dueDate` as DateTime and the `contact` join (through the contact loader). */
import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { UpstreamTask } from "../../upstream/contacts.types.js";
import type { GatewayContext } from "../context.js";
import { DateTimeScalar, toDateTime } from "../common/scalars.js";
import { Contact } from "../contact/contact.type.js";
import { ContactRecord } from "../contact/contact.record.js";
import { Task } from "./task.type.js";

@Resolver(() => Task)
export class TaskFieldsResolver {
  @FieldResolver(() => DateTimeScalar, { nullable: true })
  dueDate(@Root() task: UpstreamTask): Date | string | null {
    return toDateTime(task.dueDate);
  }

  @FieldResolver(() => Contact, { nullable: true })
  async contact(@Root() task: UpstreamTask, @Ctx() ctx: GatewayContext): Promise<ContactRecord | null> {
    if (!task.contactId) return null; // TaskCreate webhooks may leave it out (FACTS.md)
    const contact = await ctx.loaders.contact.load(task.contactId);
    return contact ? ContactRecord.fromContact(contact) : null;
  }
}
