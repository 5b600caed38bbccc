/**
 * `Query.tags` and `Query.customFieldDefinitions`: the location's tags and custom-field
 * definitions through the operation's loaders (cached per location; tags are dropped with the
 * location's pages by any contact change, definitions refreshed on a schedule and on demand).
 */
import { Arg, Ctx, Query, Resolver } from "type-graphql";
import { SCOPES } from "../../auth/index.js";
import type { GatewayContext } from "../context.js";
import { Scopes } from "../root-scopes.js";
import { CustomFieldDefinition, LocationTag } from "./location.type.js";

@Resolver()
export class LocationQueryResolver {
  @Scopes(SCOPES.read)
  @Query(() => [LocationTag], { description: "The location's tags, for tag pickers (GET /locations/:locationId/tags)." })
  async tags(@Ctx() ctx: GatewayContext): Promise<LocationTag[]> {
    const tags = await ctx.loaders.locationTags();
    return tags.map((t) => ({ id: t.id, name: t.name }));
  }

  @Scopes(SCOPES.read)
  @Query(() => [CustomFieldDefinition], {
    description: "The location's contact custom fields, for filter pickers (GET /locations/:locationId/customFields?model=contact).",
  })
  async customFieldDefinitions(
    @Arg("refresh", () => Boolean, { defaultValue: false, description: "Read them again from HighLevel now instead of the cached copy." })
    refresh: boolean,
    @Ctx() ctx: GatewayContext,
  ): Promise<CustomFieldDefinition[]> {
    const definitions = await ctx.loaders.fieldDefinitions({ fresh: refresh });
    return [...definitions]
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
      .map((d) => ({
        id: d.id,
        key: d.fieldKey ?? null,
        name: d.name ?? null,
        dataType: d.dataType ?? null,
        picklistOptions: Array.isArray(d.picklistOptions) ? d.picklistOptions.filter((o): o is string => typeof o === "string") : [],
        position: typeof d.position === "number" && Number.isInteger(d.position) ? d.position : null,
      }));
  }
}
