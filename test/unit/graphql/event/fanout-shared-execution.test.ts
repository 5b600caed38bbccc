// Fan-out: subscribers with the same identity, operation and variables share ONE
// execution per event (one fresh context, one resolver run); any difference keeps them apart.
import { describe, expect, it } from "vitest";
import { buildSchema, parse, type ExecutionArgs, type ExecutionResult } from "graphql";
import { createPerEventSubscribe } from "../../../../src/graphql/event/contact-event.subscribe.js";

/** A tiny schema whose subscription yields the SAME payload object to every subscriber, like the pub/sub. */
function setup() {
  const listeners = new Set<(payload: object) => void>();
  const schema = buildSchema(`type Query { ok: Boolean } type Subscription { ev(tag: String): Ev } type Ev { id: ID, seenBy: String }`);
  let resolverRuns = 0;
  const subscription = schema.getSubscriptionType()!.getFields()["ev"]!;
  subscription.subscribe = () => {
    const queue: object[] = [];
    let wake: (() => void) | undefined;
    const listener = (p: object) => {
      queue.push(p);
      wake?.();
    };
    listeners.add(listener);
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        return { done: false, value: queue.shift() };
      },
      async return() {
        listeners.delete(listener);
        return { done: true, value: undefined };
      },
    };
  };
  subscription.resolve = (payload: { id: string }, args: { tag?: string }, ctx: { who: string }) => {
    resolverRuns++;
    return { id: payload.id, seenBy: `${ctx.who}:${args.tag ?? ""}` };
  };
  let contexts = 0;
  const subscribe = createPerEventSubscribe(
    (c) => {
      contexts++;
      return { ...(c as object) };
    },
    (c) => (c as { who: string }).who,
  );
  const publish = (payload: object) => listeners.forEach((l) => l(payload));
  return { schema, subscribe, publish, runs: () => resolverRuns, contexts: () => contexts };
}

async function subscriber(s: ReturnType<typeof setup>, who: string, query: string, variables: Record<string, unknown> = {}) {
  const args: ExecutionArgs = { schema: s.schema, document: parse(query), contextValue: { who }, variableValues: variables };
  const it = (await s.subscribe(args)) as AsyncIterableIterator<ExecutionResult>;
  return { next: () => it.next().then((r) => r.value as ExecutionResult), stop: () => it.return?.() };
}

describe("shared execution of one event for identical subscriptions", () => {
  it("runs once for many identical subscribers, separately for another identity, query or variables", async () => {
    const s = setup();
    const same = await Promise.all(Array.from({ length: 20 }, () => subscriber(s, "alice", "subscription { ev { id seenBy } }")));
    const otherUser = await subscriber(s, "bob", "subscription { ev { id seenBy } }");
    const otherVars = await subscriber(s, "alice", "subscription($t: String) { ev(tag: $t) { id seenBy } }", { t: "x" });
    const otherQuery = await subscriber(s, "alice", "subscription { ev { id } }");
    const pending = [...same, otherUser, otherVars, otherQuery].map((x) => x.next());
    s.publish({ id: "e1" });
    const results = await Promise.all(pending);

    expect(results.slice(0, 20).every((r) => JSON.stringify(r) === JSON.stringify({ data: { ev: { id: "e1", seenBy: "alice:" } } }))).toBe(true);
    expect(results[20]).toEqual({ data: { ev: { id: "e1", seenBy: "bob:" } } });
    expect(results[21]).toEqual({ data: { ev: { id: "e1", seenBy: "alice:x" } } });
    expect(results[22]).toEqual({ data: { ev: { id: "e1" } } });
    // 20 identical subscribers share one run; the three different ones run on their own.
    expect(s.runs()).toBe(4);
    expect(s.contexts()).toBe(4);

    // The next event is executed afresh (nothing is reused across events).
    const again = [...same, otherUser].map((x) => x.next());
    s.publish({ id: "e2" });
    expect((await Promise.all(again)).every((r) => (r.data as { ev: { id: string } }).ev.id === "e2")).toBe(true);
    expect(s.runs()).toBe(6);
  });

  it("never shares without an identity", async () => {
    const s = setup();
    const subscribe = createPerEventSubscribe((c) => c, () => undefined);
    const args = (): ExecutionArgs => ({ schema: s.schema, document: parse("subscription { ev { id } }"), contextValue: { who: "x" } });
    const a = (await subscribe(args())) as AsyncIterableIterator<ExecutionResult>;
    const b = (await subscribe(args())) as AsyncIterableIterator<ExecutionResult>;
    const pending = [a.next(), b.next()];
    s.publish({ id: "e1" });
    await Promise.all(pending);
    expect(s.runs()).toBe(2);
  });
});
