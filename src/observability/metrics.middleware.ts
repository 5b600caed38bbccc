/**
 * Upstream metrics as a pipeline middleware: counts every Contacts API call by method, route
 * template and status and observes its latency. (The rate budget per location comes from the
 * rate governor's own view, which already folds in every response's X-RateLimit-* headers.)
 * Put it LAST in the middleware list (innermost, next to the transport) so each HTTP attempt,
 * retries included, is counted once: the count then equals the upstream's own request log.
 */
import type { UpstreamMiddleware } from "../upstream/index.js";
import type { GatewayMetrics } from "./metrics.js";

export interface MetricsMiddlewareOptions {
  metrics: Pick<GatewayMetrics, "observeUpstream">;
  /** Monotonic ms clock (tests). */
  now?: () => number;
}

export function createMetricsMiddleware(options: MetricsMiddlewareOptions): UpstreamMiddleware {
  const now = options.now ?? (() => performance.now());
  return (next) => async (request) => {
    const startedAt = now();
    try {
      const response = await next(request);
      options.metrics.observeUpstream({
        method: request.method,
        route: request.route,
        status: response.status,
        durationMs: response.durationMs ?? now() - startedAt,
      });
      return response;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      options.metrics.observeUpstream({
        method: request.method,
        route: request.route,
        status: typeof status === "number" ? status : "error",
        durationMs: now() - startedAt,
      });
      throw error;
    }
  };
}
