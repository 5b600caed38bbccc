/**
 * Composes upstream middlewares around a terminal handler. The first middleware in the list is
 * the outermost (it sees the request first and the response last).
 */
import type { UpstreamHandler, UpstreamMiddleware } from "./pipeline.types.js";

export function compose(middlewares: readonly UpstreamMiddleware[], terminal: UpstreamHandler): UpstreamHandler {
  return middlewares.reduceRight<UpstreamHandler>((next, middleware) => middleware(next), terminal);
}
