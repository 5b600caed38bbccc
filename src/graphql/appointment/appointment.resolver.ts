/** Field resolvers of `Appointment`: `dateAdded`/`dateUpdated` as DateTime and the `contact` join. */
import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { DateTimeScalar, toDateTime } from "../common/scalars.js";
import type { UpstreamAppointment } from "../../upstream/contacts.types.js";
import type { GatewayContext } from "../context.js";
import { Contact } from "../contact/contact.type.js";
import { ContactRecord } from "../contact/contact.record.js";
import { Appointment } from "./appointment.type.js";

@Resolver(() => Appointment)
export class AppointmentFieldsResolver {
  @FieldResolver(() => DateTimeScalar, { nullable: true })
  dateAdded(@Root() appointment: UpstreamAppointment): Date | string | null {
    return toDateTime(appointment.dateAdded);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  dateUpdated(@Root() appointment: UpstreamAppointment): Date | string | null {
    return toDateTime(appointment.dateUpdated);
  }

  @FieldResolver(() => Contact, { nullable: true })
  async contact(@Root() appointment: UpstreamAppointment, @Ctx() ctx: GatewayContext): Promise<ContactRecord | null> {
    if (!appointment.contactId) return null;
    const contact = await ctx.loaders.contact.load(appointment.contactId);
    return contact ? ContactRecord.fromContact(contact) : null;
  }
}
