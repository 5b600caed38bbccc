/** Field resolvers of `Note`: `dateAdded` as DateTime and the `contact` join. */
import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { UpstreamNote } from "../../upstream/contacts.types.js";
import type { GatewayContext } from "../context.js";
import { DateTimeScalar, toDateTime } from "../common/scalars.js";
import { Contact } from "../contact/contact.type.js";
import { ContactRecord } from "../contact/contact.record.js";
import { Note } from "./note.type.js";

@Resolver(() => Note)
export class NoteFieldsResolver {
  @FieldResolver(() => DateTimeScalar, { nullable: true })
  dateAdded(@Root() note: UpstreamNote): Date | string | null {
    return toDateTime(note.dateAdded);
  }

  @FieldResolver(() => Contact, { nullable: true })
  async contact(@Root() note: UpstreamNote, @Ctx() ctx: GatewayContext): Promise<ContactRecord | null> {
    if (!note.contactId) return null;
    const contact = await ctx.loaders.contact.load(note.contactId);
    return contact ? ContactRecord.fromContact(contact) : null;
  }
}
