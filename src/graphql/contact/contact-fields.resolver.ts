/**
 * Field resolvers of `Contact`. Scalars read through `ContactRecord.read` (a list item lacking a
 * field loads the full contact once per operation); relations go through the per-operation
 * loaders, so each upstream resource is fetched at most once however many paths ask for it.
 * Objects arrive normalised by the client (src/upstream/resources.ts): nothing is patched here.
 */
import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import type { UpstreamAppointment, UpstreamCustomFieldValue, UpstreamNote, UpstreamTask } from "../../upstream/contacts.types.js";
import { APPOINTMENTS, NOTES, TASKS } from "../../upstream/resources.js";
import type { GatewayContext } from "../context.js";
import { DateTimeScalar, toDateTime } from "../common/scalars.js";
import { Appointment } from "../appointment/appointment.type.js";
import { Note } from "../note/note.type.js";
import { Task } from "../task/task.type.js";
import { ContactRecord, type ContactField } from "./contact.record.js";
import { Contact, CustomFieldValue } from "./contact.type.js";
import { typedCustomFieldValue } from "./custom-field.mapping.js";

const asString = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === "string" ? value : String(value);

/** A value without its definition: as it came (JSON carries any type). */
const untypedValue = (value: unknown): unknown => (value === undefined ? null : value);

@Resolver(() => Contact)
export class ContactFieldsResolver {
  // Scalars answer synchronously when the record holds them (ContactRecord.readAs): a promise per
  // field of a 50-contact page is what made the page cost more than its data.
  private str(root: ContactRecord, field: ContactField, ctx: GatewayContext): string | null | Promise<string | null> {
    return root.readAs(field, ctx.loaders, asString);
  }

  @FieldResolver(() => String, { nullable: true })
  name(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "name", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  firstName(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "firstName", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  lastName(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "lastName", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  email(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "email", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  phone(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "phone", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  companyName(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "companyName", ctx);
  }

  @FieldResolver(() => ID, { nullable: true })
  businessId(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "businessId", ctx);
  }

  @FieldResolver(() => [String])
  tags(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): string[] | Promise<string[]> {
    return root.readAs("tags", ctx.loaders, (tags) => (Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : []));
  }

  @FieldResolver(() => String, { nullable: true })
  source(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "source", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  type(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "type", ctx);
  }

  @FieldResolver(() => Boolean, { nullable: true })
  dnd(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): boolean | null | Promise<boolean | null> {
    return root.readAs("dnd", ctx.loaders, (dnd) => (typeof dnd === "boolean" ? dnd : null));
  }

  @FieldResolver(() => String, { nullable: true })
  assignedTo(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "assignedTo", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  timezone(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "timezone", ctx);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  dateAdded(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Date | string | null | Promise<Date | string | null> {
    return root.readAs("dateAdded", ctx.loaders, toDateTime);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true })
  dateUpdated(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Date | string | null | Promise<Date | string | null> {
    return root.readAs("dateUpdated", ctx.loaders, toDateTime);
  }

  @FieldResolver(() => [CustomFieldValue], {
    description: "With the location's field definitions (read once per location and cached; without them the values come untyped).",
  })
  async customFields(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Promise<CustomFieldValue[]> {
    const fields = await root.read("customFields", ctx.loaders);
    if (!Array.isArray(fields)) return [];
    const present = (fields as UpstreamCustomFieldValue[]).filter((f) => f && typeof f.id === "string");
    if (present.length === 0) return [];
    // Definitions that cannot be read (a credential without locations/customFields.readonly)
    // leave the values untyped rather than failing the contact.
    const definitions = await ctx.loaders.fieldDefinitions().catch(() => []);
    const byId = new Map(definitions.map((d) => [d.id, d] as const));
    return present.map((f) => {
      const definition = byId.get(f.id);
      return {
        id: f.id,
        key: definition?.fieldKey ?? null,
        name: definition?.name ?? null,
        dataType: definition?.dataType ?? null,
        value: definition ? typedCustomFieldValue(f.value, definition.dataType) : untypedValue(f.value),
      };
    });
  }

  @FieldResolver(() => [Task], { nullable: true, description: "GET /contacts/:contactId/tasks" })
  tasks(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Promise<UpstreamTask[]> {
    return ctx.loaders.list(TASKS).load(root.id);
  }

  @FieldResolver(() => Task, { nullable: true, description: "GET /contacts/:contactId/tasks/:taskId (served from the task list when loaded)" })
  async task(
    @Root() root: ContactRecord,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<UpstreamTask | null> {
    return ctx.loaders.item(TASKS).load({ contactId: root.id, id });
  }

  @FieldResolver(() => [Note], { nullable: true, description: "GET /contacts/:contactId/notes" })
  notes(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Promise<UpstreamNote[]> {
    return ctx.loaders.list(NOTES).load(root.id);
  }

  @FieldResolver(() => Note, { nullable: true, description: "GET /contacts/:contactId/notes/:id (served from the note list when loaded)" })
  async note(
    @Root() root: ContactRecord,
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<UpstreamNote | null> {
    return ctx.loaders.item(NOTES).load({ contactId: root.id, id });
  }

  @FieldResolver(() => [Appointment], { nullable: true, description: "GET /contacts/:contactId/appointments" })
  appointments(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Promise<UpstreamAppointment[]> {
    return ctx.loaders.list(APPOINTMENTS).load(root.id);
  }
}
