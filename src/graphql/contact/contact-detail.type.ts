/**
 * Object types of the contact's detail fields beyond the core schema (HighLevel's Contacts OpenAPI spec
 * GetContectByIdSchema): per-channel DND settings (`DndSettingsSchema`) and the attribution of
 * the contact's first arrival (`AttributionSource`; click ids, IP and user agent are left out).
 */
import { Field, ObjectType } from "type-graphql";

@ObjectType("DndChannelSetting", { simpleResolvers: true, description: "Do-not-disturb for one channel (Call, Email, SMS, WhatsApp, GMB, FB)." })
export class DndChannelSetting {
  @Field(() => String, { description: "The channel as HighLevel names it: Call, Email, SMS, WhatsApp, GMB or FB." })
  channel!: string;

  @Field(() => String, { description: "active, inactive or permanent." })
  status!: string;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field(() => String, { nullable: true })
  code!: string | null;
}

@ObjectType("ContactAttribution", { simpleResolvers: true, description: "Where the contact first came from (HighLevel's attributionSource)." })
export class ContactAttribution {
  @Field(() => String, { nullable: true })
  url!: string | null;

  @Field(() => String, { nullable: true })
  campaign!: string | null;

  @Field(() => String, { nullable: true })
  campaignId!: string | null;

  @Field(() => String, { nullable: true })
  medium!: string | null;

  @Field(() => String, { nullable: true })
  mediumId!: string | null;

  @Field(() => String, { nullable: true })
  referrer!: string | null;

  @Field(() => String, { nullable: true })
  utmSource!: string | null;

  @Field(() => String, { nullable: true })
  utmMedium!: string | null;

  @Field(() => String, { nullable: true })
  utmContent!: string | null;
}
