/**
 * Captures the upstream's `traceId` (HighLevel puts one in every response body, FACTS.md
 * "Requests") for the audit line of a successful write: the client returns unwrapped resources,
 * so the id is picked up by an upstream middleware and handed to whoever runs the call inside
 * `capture(...)` (AsyncLocalStorage: concurrent mutations never see each other's ids).
 * Failed calls carry their traceId on the UpstreamError already.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { UpstreamMiddleware } from "../upstream/pipeline.types.js";

export interface TraceCapture {
  /** Add to the upstream client's middlewares. */
  middleware: UpstreamMiddleware;
  /** Runs `fn`; the result comes with the last upstream traceId seen while it ran. */
  capture<T>(fn: () => Promise<T>): Promise<{ result: T; traceId: string | undefined }>;
}

const TRACE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function createTraceCapture(): TraceCapture {
  const storage = new AsyncLocalStorage<{ traceId: string | undefined }>();
  return {
    middleware: (next) => async (request) => {
      const response = await next(request);
      const slot = storage.getStore();
      if (slot) {
        const traceId = (response.body as { traceId?: unknown } | undefined)?.traceId;
        if (typeof traceId === "string" && TRACE_ID.test(traceId)) slot.traceId = traceId;
      }
      return response;
    },
    async capture(fn) {
      const slot: { traceId: string | undefined } = { traceId: undefined };
      const result = await storage.run(slot, fn);
      return { result, traceId: slot.traceId };
    },
  };
}
