// createPerEventSubscribe (graphql-ws `subscribe`): each event executes with a fresh context, and
// return() from the consumer reaches the source at once, even while it waits for the next event.
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { createPerEventSubscribe } from "../../../../src/graphql/event/contact-event.subscribe.js";

function sourceWithSpy() {
  const state = { returned: false, pending: undefined as ((v: IteratorResult<number>) => void) | undefined, values: [1, 2] };
  const iterator: AsyncIterableIterator<number> = {
    next: () => {
      const v = state.values.shift();
      if (v !== undefined) return Promise.resolve({ value: v, done: false });
      return new Promise((resolve) => (state.pending = resolve)); // waits "forever" for the next event
    },
    return: async () => {
      state.returned = true;
      state.pending?.({ value: undefined, done: true });
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return { state, iterator };
}

describe("per-event subscribe", () => {
  it("executes every event with a new context and propagates return()", async () => {
    const { state, iterator } = sourceWithSpy();
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: "Query", fields: { x: { type: GraphQLInt } } }),
      subscription: new GraphQLObjectType({
        name: "Subscription",
        fields: {
          tick: {
            type: GraphQLString,
            subscribe: () => iterator,
            resolve: (n: number, _args, ctx: { id: number }) => `${n}@${ctx.id}`,
          },
        },
      }),
    });
    let made = 0;
    const subscribe = createPerEventSubscribe(() => ({ id: ++made }));
    const result = await subscribe({ schema, document: parse("subscription { tick }"), contextValue: { id: 0 } });
    if (!(Symbol.asyncIterator in result)) throw new Error("expected a stream");
    const first = await result.next();
    const second = await result.next();
    expect([first.value, second.value]).toEqual([{ data: { tick: "1@1" } }, { data: { tick: "2@2" } }]);
    const waiting = result.next(); // the source has no third event yet
    await result.return?.();
    expect(state.returned).toBe(true);
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it("passes errors of the source stream set-up through", async () => {
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: "Query", fields: { x: { type: GraphQLInt } } }),
      subscription: new GraphQLObjectType({
        name: "Subscription",
        fields: { tick: { type: GraphQLString, subscribe: () => { throw new Error("FORBIDDEN here"); } } },
      }),
    });
    const result = await createPerEventSubscribe((c) => c)({ schema, document: parse("subscription { tick }") });
    expect(result).toMatchObject({ errors: [{ message: "FORBIDDEN here" }] });
  });
});
