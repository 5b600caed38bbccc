/**
 * A request context's `release`: once an operation is answered, its loaders and read log are
 * dropped (what they held need not outlive it), and loaders asked for afterwards are new ones.
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

    context.release();
    expect(context.reads.reads()).toEqual([]);
    const second = context.loaders;
    expect(second).not.toBe(first);
    expect(created).toEqual(["loc1", "loc1"]);
  });
});
