/**
 * Upstream metrics as a pipeline middleware: counts every Contacts API call by method, route
 * template and status, observes its latency, and records the X-RateLimit-* budget per location.
 * Put it LAST in the middleware list (innermost, next to the transport) so each HTTP attempt,
 * retries included, is counted once: the count then equals the upstream's own request log.
 */
import type { UpstreamMiddleware } from "../upstream/pipeline.types.js";
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
        locationId: request.locationId,
        headers: response.headers,
      });
      return response;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      options.metrics.observeUpstream({
        method: request.method,
        route: request.route,
        status: typeof status === "number" ? status : "error",
        durationMs: now() - startedAt,
        locationId: request.locationId,
      });
      throw error;
    }
  };
}
