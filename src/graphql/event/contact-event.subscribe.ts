/**
 * graphql-ws builds a subscription's context once per subscribe, not per event:
 * with the stock `subscribe`, every event of a long-lived subscription would resolve through the
 * same DataLoaders and answer with the data of the first event. This `subscribe` replacement
 * (graphql-ws `useServer({ subscribe })`) does what graphql-js's own does — create the source
 * stream once, execute the selection once per event with the event as root value — but executes
 * each event with a FRESH context from `perEventContext` (fresh loaders over the shared cache, so
 * one event fanned out to many subscribers still costs at most one upstream call per resource).
 * `return()` from the client reaches the source at once, even while it waits for the next event.
 */
import { createSourceEventStream, execute, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";

export type PerEventContext = (subscribeContext: unknown) => unknown;
/**
 * Who is asking, as far as results can differ (location, scopes, subject); undefined = never share.
 * Subscribers of the same event with the same operation, variables and identity share ONE
 * execution (fan-out to 1,000 subscribers): their results would be identical anyway, read
 * from the same cache at the same moment.
 */
export type ShareKey = (subscribeContext: unknown) => string | undefined;

/** One execution per event payload and (identity, operation, variables); dropped with the payload. */
const sharedExecutions = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();
const documentTexts = new WeakMap<DocumentNode, string>();

function operationKey(args: ExecutionArgs): string {
  let text = documentTexts.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    documentTexts.set(args.document, text);
  }
  return `${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${text}`;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

function mapAsyncIterator<T, U>(iterable: AsyncIterable<T>, fn: (value: T) => Promise<U> | U): AsyncIterableIterator<U> {
  const iterator = iterable[Symbol.asyncIterator]();
  const mapResult = async (result: IteratorResult<T>): Promise<IteratorResult<U>> => {
    if (result.done) return { done: true, value: undefined };
    try {
      return { done: false, value: await fn(result.value) };
    } catch (error) {
      await iterator.return?.().catch(() => undefined);
      throw error;
    }
  };
  return {
    next: () => iterator.next().then(mapResult),
    return: async () => (iterator.return ? mapResult(await iterator.return()) : { done: true, value: undefined }),
    throw: async (error?: unknown) => {
      if (iterator.throw) return mapResult(await iterator.throw(error));
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * A graphql-ws `subscribe` that executes every event with `perEventContext(subscribeContext)`;
 * with `shareKey`, identical subscriptions of the same identity share each event's execution.
 */
/** Completes one event's result from the context it was executed with (the answer's per-answer extensions). */
export type FinishEvent = (result: ExecutionResult, context: unknown) => ExecutionResult;

export function createPerEventSubscribe(perEventContext: PerEventContext, shareKey?: ShareKey, finish?: FinishEvent) {
  return async function subscribe(
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source as ExecutionResult;
    const identity = shareKey?.(args.contextValue);
    const key = identity === undefined ? undefined : `${identity}\u0000${operationKey(args)}`;
    const run = async (payload: unknown) => {
      const contextValue = perEventContext(args.contextValue);
      const result = await execute({ ...args, rootValue: payload, contextValue });
      return finish ? finish(result, contextValue) : result;
    };
    return mapAsyncIterator(source, (payload) => {
      if (key === undefined || typeof payload !== "object" || payload === null) return run(payload);
      let byKey = sharedExecutions.get(payload);
      if (!byKey) sharedExecutions.set(payload, (byKey = new Map()));
      let result = byKey.get(key);
      if (!result) byKey.set(key, (result = run(payload)));
      return result;
    });
  };
}
