/** `Query.viewer`: who the gateway thinks is calling (needs `contacts.readonly` like every query). */
import { Ctx, Query, Resolver } from "type-graphql";
import { Scopes } from "../root-scopes.js";
import { SCOPES } from "../../auth/index.js";
import type { GatewayContext } from "../context.js";
import { ViewerType } from "./viewer.type.js";

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Scopes(SCOPES.read)
  @Query(() => ViewerType, { description: "The verified caller: subject, location and scopes of its token." })
  viewer(@Ctx() ctx: GatewayContext): ViewerType {
    const viewer = ctx.requireViewer();
    return { subject: viewer.subject ?? null, locationId: viewer.locationId, scopes: [...viewer.scopes] };
  }
}
