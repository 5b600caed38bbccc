/**
 * A request context's `release`: once an operation is answered, its loaders and read log are
 * dropped (what they held need not outlive it), for the copies Apollo runs operations on too, and
 * asking for loaders afterwards is an error.
 */
import { describe, expect, it } from "vitest";
import { createGatewayContext, type GatewayServices } from "../../../src/graphql/index.js";
import type { ResourceKey } from "../../../src/cache/resource-key.js";

describe("GatewayContext.release", () => {
  it("drops the operation's loaders and reads; the next loaders are created afresh", () => {
    const created: string[] = [];
    const services = {
      logger: {},
      now: () => 0,
      createLoaders: (locationId: string) => {
        created.push(locationId);
        return { id: created.length } as never;
      },
    } as unknown as GatewayServices;
    const context = createGatewayContext({
      auth: { status: "authenticated", viewer: { subject: "u1", locationId: "loc1", scopes: ["contacts.readonly"] } },
      services,
      requestId: "r1",
    });
    const first = context.loaders;
    expect(context.loaders).toBe(first);
    context.reads.record({ kind: "contact", locationId: "loc1", contactId: "c1" } as ResourceKey, { id: "c1" }, 1);
    expect(context.reads.reads()).toHaveLength(1);

    const handedOut = context.reads.reads();
    context.release();
    expect(context.reads.reads()).toEqual([]);
    expect(handedOut).toHaveLength(1); // what a store already took stays as it was
    expect(() => context.loaders).toThrow(/already answered/);
    expect(created).toEqual(["loc1"]);
  });

  it("releases the loaders of a copy made as Apollo makes one per operation", () => {
    const services = { logger: {}, now: () => 0, createLoaders: () => ({}) as never } as unknown as GatewayServices;
    const context = createGatewayContext({
      auth: { status: "authenticated", viewer: { subject: "u1", locationId: "loc1", scopes: ["contacts.readonly"] } },
      services,
      requestId: "r1",
    });
    // node_modules/@apollo/server/dist/esm/ApolloServer.js `cloneObject`: resolvers run on this copy.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(context) as object) as typeof context, context);
    expect(copy.loaders).toBeDefined();
    context.release();
    expect(() => copy.loaders).toThrow(/already answered/);
  });
});
