/**
 * The contact's detail fields beyond the core schema, mapped from the full contact
 * (GetContectByIdSchema) and, where a list item carries them, from the list item: address, city,
 * state, postal code, country, website, date of birth, last activity, per-channel DND settings,
 * followers and attribution. Like contact-fields.resolver.ts, a field a list item lacks loads the
 * full contact once per operation (`ContactRecord.read`).
 */
import { Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import type { GatewayContext } from "../context.js";
import { DateTimeScalar, toDateTime } from "../common/scalars.js";
import { ContactRecord, type ContactField } from "./contact.record.js";
import { ContactAttribution, DndChannelSetting } from "./contact-detail.type.js";
import { Contact } from "./contact.type.js";

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

const ATTRIBUTION_FIELDS = ["url", "campaign", "campaignId", "medium", "mediumId", "referrer", "utmSource", "utmMedium", "utmContent"] as const;

@Resolver(() => Contact)
export class ContactDetailResolver {
  private str(root: ContactRecord, field: ContactField, ctx: GatewayContext): string | null | Promise<string | null> {
    return root.readAs(field, ctx.loaders, text);
  }

  @FieldResolver(() => String, { nullable: true, description: "Street address (HighLevel's address1)." })
  address1(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "address1", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  city(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "city", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  state(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "state", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  postalCode(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "postalCode", ctx);
  }

  @FieldResolver(() => String, { nullable: true, description: "ISO 3166 country code, e.g. US." })
  country(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "country", ctx);
  }

  @FieldResolver(() => String, { nullable: true })
  website(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "website", ctx);
  }

  @FieldResolver(() => String, { nullable: true, description: "As HighLevel stores it (an ISO date or date-time)." })
  dateOfBirth(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext) {
    return this.str(root, "dateOfBirth", ctx);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: "The contact's last activity in HighLevel." })
  async lastActivity(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Promise<Date | string | null> {
    return toDateTime(await root.read("lastActivity", ctx.loaders));
  }

  @FieldResolver(() => [DndChannelSetting], { description: "Per-channel do-not-disturb settings (empty when none are set)." })
  async dndSettings(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Promise<DndChannelSetting[]> {
    const settings = await root.read("dndSettings", ctx.loaders);
    if (settings === null || typeof settings !== "object" || Array.isArray(settings)) return [];
    return Object.entries(settings as Record<string, unknown>)
      .filter(([, v]) => v !== null && typeof v === "object" && typeof (v as { status?: unknown }).status === "string")
      .map(([channel, v]) => {
        const s = v as { status: string; message?: unknown; code?: unknown };
        return { channel, status: s.status, message: text(s.message), code: text(s.code) };
      });
  }

  @FieldResolver(() => [ID], { description: "User ids following the contact." })
  async followers(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Promise<string[]> {
    const followers = await root.read("followers", ctx.loaders);
    return Array.isArray(followers) ? followers.filter((f): f is string => typeof f === "string") : [];
  }

  @FieldResolver(() => ContactAttribution, { nullable: true, description: "Where the contact first came from (HighLevel's attributionSource)." })
  async attribution(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): Promise<ContactAttribution | null> {
    const source = await root.read("attributionSource", ctx.loaders);
    if (source === null || typeof source !== "object" || Array.isArray(source)) return null;
    const record = source as Record<string, unknown>;
    const out = Object.fromEntries(ATTRIBUTION_FIELDS.map((f) => [f, text(record[f])])) as unknown as ContactAttribution;
    return Object.values(out).some((v) => v !== null) ? out : null;
  }
}
