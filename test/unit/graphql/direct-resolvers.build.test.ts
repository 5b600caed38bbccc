/**
 * Direct field resolvers (src/graphql/direct-resolvers.build.ts): a field resolver taking only its
 * root, context and info is called directly with what type-graphql would pass; one with
 * arguments, a middleware, a root property or a root of a class the value is not an instance of
 * keeps type-graphql's handler, and every field answers the same either way.
 */
import "reflect-metadata";
import { graphql } from "graphql";
import { Arg, Ctx, Field, FieldResolver, Info, ObjectType, Query, Resolver, Root, UseMiddleware, buildSchema } from "type-graphql";
import { describe, expect, it } from "vitest";
import { useDirectFieldResolvers } from "../../../src/graphql/direct-resolvers.build.js";

@ObjectType("DirectItem")
class DirectItem {
  @Field(() => String)
  id!: string;
}

interface PlainItem {
  id: string;
}

@Resolver(() => DirectItem)
class DirectItemResolver {
  @FieldResolver(() => String)
  rooted(@Root() item: PlainItem): string {
    return `rooted:${item.id}`;
  }

  @FieldResolver(() => String)
  withContext(@Ctx() ctx: { who: string }, @Root() item: PlainItem, @Info() info: { fieldName: string }): Promise<string> {
    return Promise.resolve(`${ctx.who}:${item.id}:${info.fieldName}`);
  }

  @FieldResolver(() => String)
  withArg(@Root() item: PlainItem, @Arg("suffix", () => String) suffix: string): string {
    return `${item.id}${suffix}`;
  }

  @FieldResolver(() => String)
  @UseMiddleware(async (_data, next) => `mw:${String(await next())}`)
  withMiddleware(@Root() item: PlainItem): string {
    return item.id;
  }

  @FieldResolver(() => String)
  rootProperty(@Root("id") id: string): string {
    return `prop:${id}`;
  }

  @FieldResolver(() => Boolean)
  instance(@Root() item: DirectItem): boolean {
    return item instanceof DirectItem;
  }

  @Query(() => [DirectItem])
  items(): PlainItem[] {
    const made = new DirectItem();
    made.id = "b";
    return [{ id: "a" }, made];
  }
}

const QUERY = `{ items { id rooted withContext withArg(suffix: "!") withMiddleware rootProperty instance } }`;

describe("direct field resolvers", () => {
  it("replaces exactly the plain field resolvers, and every field answers as type-graphql's handler does", async () => {
    const build = () => buildSchema({ resolvers: [DirectItemResolver], validate: false });
    const reference = await build();
    const direct = await build();
    const replaced = useDirectFieldResolvers(direct, [DirectItemResolver]);
    expect(replaced.sort()).toEqual(["DirectItem.instance", "DirectItem.rooted", "DirectItem.withContext"]);
    const run = (schema: typeof direct) => graphql({ schema, source: QUERY, contextValue: { who: "me" } });
    const expected = await run(reference);
    expect(expected.errors).toBeUndefined();
    expect(await run(direct)).toEqual(expected);
    // The plain item is copied into a DirectItem by type-graphql, so `instance` is true for both.
    expect((expected.data as { items: Array<{ instance: boolean }> }).items.map((i) => i.instance)).toEqual([true, true]);
  });
});
