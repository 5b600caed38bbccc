/** `Query.viewer`: who the gateway thinks is calling (needs `contacts.readonly` like every query). */
import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import { SCOPES } from "../../auth/index.js";
import type { GatewayContext } from "../context.js";
import { ViewerType } from "./viewer.type.js";

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Authorized(SCOPES.read)
  @Query(() => ViewerType, { description: "The verified caller: subject, location and scopes of its token." })
  viewer(@Ctx() ctx: GatewayContext): ViewerType {
    const viewer = ctx.requireViewer();
    return { subject: viewer.subject ?? null, locationId: viewer.locationId, scopes: [...viewer.scopes] };
  }
}
