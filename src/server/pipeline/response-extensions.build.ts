/**
 * Per-answer `extensions` (freshness, cost…) that every answer carries, whichever way it was made:
 * executed (HTTP through Apollo, graphql-ws) or served again by the response cache (the HTTP fast
 * path sends the stored bytes, apollo.adapter.ts `serveStoredAnswers`). Each extension is data
 * with two functions: its value for an executed operation (and what to keep with the stored
 * answer), and its value at a later hit from what was kept. Stored answers never hold these
 * extensions themselves: they are computed per answer and merged in (`withExtensions`) or
 * appended to the stored bytes (`appendExtensionsBytes`) without parsing them again.
 */
import type { ExecutionResult } from "graphql";
import type { ReadLog } from "../../cache/read-log.js";
import type { Viewer } from "../../auth/index.js";

/** An executed operation, as an extension sees it. */
export interface ExecutedOperation {
  viewer: Viewer | undefined;
  /** What its loaders read (the GraphQL context's `reads`). */
  reads: ReadLog;
  /** The GraphQL context (src/graphql/context.ts), for extensions that need more. */
  context: unknown;
  /** The cost stage's estimate of its upstream calls, when it ran. */
  estimated?: number | undefined;
}

export interface ResponseExtension<Kept = unknown> {
  /** Its key under `extensions` (`freshness`, `cost`). */
  readonly name: string;
  /** Its value for an executed operation (undefined: not reported), and what a stored answer keeps for later hits. */
  executed(operation: ExecutedOperation): { value: unknown; kept?: Kept } | undefined;
  /** Its value when a stored answer is served again to `viewer`, from what `executed` kept. */
  stored(viewer: Viewer, kept: Kept | undefined): unknown;
}

export type ExtensionValues = Record<string, unknown>;

export interface ResponseExtensions {
  /** The values for an executed operation (undefined when none applies) and what its stored answer keeps. */
  executed(operation: ExecutedOperation): { values: ExtensionValues | undefined; kept: ExtensionValues };
  /** The values for a stored answer served again. */
  stored(viewer: Viewer, kept: unknown): ExtensionValues | undefined;
}

export function createResponseExtensions(list: readonly ResponseExtension[]): ResponseExtensions {
  const names = new Set<string>();
  for (const extension of list) {
    if (names.has(extension.name)) throw new TypeError(`response extensions: "${extension.name}" is registered twice`);
    names.add(extension.name);
  }
  return {
    executed(operation) {
      const values: ExtensionValues = {};
      const kept: ExtensionValues = {};
      for (const extension of list) {
        const out = extension.executed(operation);
        if (!out) continue;
        if (out.value !== undefined) values[extension.name] = out.value;
        if (out.kept !== undefined) kept[extension.name] = out.kept;
      }
      return { values: Object.keys(values).length > 0 ? values : undefined, kept };
    },
    stored(viewer, kept) {
      const all = (kept && typeof kept === "object" ? kept : {}) as ExtensionValues;
      const values: ExtensionValues = {};
      for (const extension of list) {
        const value = extension.stored(viewer, all[extension.name]);
        if (value !== undefined) values[extension.name] = value;
      }
      return Object.keys(values).length > 0 ? values : undefined;
    },
  };
}

/** `result` with `values` merged into its `extensions` (a new object; the stored result is never changed). */
export function withExtensions<R extends ExecutionResult>(result: R, values: ExtensionValues | undefined): R {
  if (!values) return result;
  return { ...result, extensions: { ...(result.extensions ?? {}), ...values } };
}

const CLOSING_BRACE = 0x7d;
const OPENING_BRACE = 0x7b;

/**
 * A stored HTTP body (`JSON.stringify(result)` + newline, a result without `extensions`, UTF-8)
 * with `extensions` appended, as the chunks to send, without parsing or copying the stored bytes:
 * the body up to its closing brace (a view of the same memory), then `,"extensions":{…}}` + newline.
 */
export function appendExtensionsBytes(body: Buffer, values: ExtensionValues | undefined): readonly Buffer[] {
  if (!values) return [body];
  const end = body.lastIndexOf(CLOSING_BRACE);
  if (end < 0) return [body];
  // JSON.stringify writes no whitespace: the byte before the closing brace tells an empty object.
  const separator = body[end - 1] === OPENING_BRACE ? "" : ",";
  return [body.subarray(0, end), Buffer.from(`${separator}"extensions":${JSON.stringify(values)}}\n`, "utf8")];
}
