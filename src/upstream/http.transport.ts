/**
 * The terminal handler of the upstream pipeline: sends an `UpstreamRequest` over HTTP with undici,
 * one keep-alive `Pool` per origin. It resolves for EVERY HTTP status (interpreting statuses is the
 * client's job, after middlewares such as retries have seen them) and rejects only when no response
 * arrived, with an `UpstreamError` of reason `timeout` or `connection`. The bearer token travels
 * only in the `Authorization` header: never in an error, never in a log line.
 */
import { Pool, errors as undiciErrors } from "undici";
import type { Logger } from "../observability/logger.js";
import type { UpstreamHandler, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";
import { UpstreamError } from "./upstream.error.js";

export interface HttpTransportOptions {
  /** Upstream base URL, e.g. `https://services.leadconnectorhq.com` (a path prefix is kept). */
  baseUrl: string;
  /** Sent as the `Version` header on every call. */
  version: string;
  connectTimeoutMs?: number; // default 5_000
  headersTimeoutMs?: number; // default 15_000
  bodyTimeoutMs?: number; // default 15_000
  /** Max sockets per origin. */
  connectionsPerOrigin?: number; // default 64
  keepAliveTimeoutMs?: number; // default 30_000
  logger?: Logger;
  /** Extra headers on every call (e.g. `User-Agent`). */
  headers?: Record<string, string>;
}

const DEFAULTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  connectionsPerOrigin: 64,
  keepAliveTimeoutMs: 30_000,
} as const;

/** Error codes that prove the request never left this process (safe to say "not sent"). */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH"]);

export class HttpTransport {
  readonly handler: UpstreamHandler;
  private readonly pools = new Map<string, Pool>();
  private readonly base: URL;
  private readonly options: Required<Omit<HttpTransportOptions, "logger" | "headers">> & Pick<HttpTransportOptions, "logger" | "headers">;
  private closed = false;

  constructor(options: HttpTransportOptions) {
    this.options = { ...DEFAULTS, ...options };
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.handler = (request) => this.send(request);
  }

  /** Closes every pool (in-flight requests finish first). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connectionsPerOrigin,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
        connect: { timeout: this.options.connectTimeoutMs },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  private url(request: UpstreamRequest): URL {
    const url = new URL(request.path.replace(/^\//, ""), this.base);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    if (this.closed) {
      throw new UpstreamError({
        code: "UPSTREAM_UNAVAILABLE",
        reason: "connection",
        message: `${request.method} ${request.route}: the upstream client is closed`,
        method: request.method,
        route: request.route,
      });
    }
    const url = this.url(request);
    const headers: Record<string, string> = {
      accept: "application/json",
      version: this.options.version,
      ...this.options.headers,
    };
    if (request.accessToken !== undefined) headers.authorization = `Bearer ${request.accessToken}`;
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers["content-type"] = "application/json";
    }
    const started = performance.now();
    try {
      const response = await this.pool(url.origin).request({
        method: request.method,
        path: `${url.pathname}${url.search}`,
        headers,
        body,
        signal: request.signal,
      });
      const text = await response.body.text();
      const durationMs = performance.now() - started;
      this.options.logger?.debug(
        { upstream: { method: request.method, route: request.route, status: response.statusCode, durationMs: Math.round(durationMs), locationId: request.locationId, attempt: request.attempt } },
        "upstream call",
      );
      return { status: response.statusCode, headers: response.headers, body: parseBody(text), durationMs };
    } catch (error) {
      throw transportError(request, error);
    }
  }
}

function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Maps an undici/socket failure to an UpstreamError; the cause is kept, the message names no secret. */
export function transportError(request: UpstreamRequest, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const code = (error as { code?: string } | null)?.code ?? "";
  const isTimeout =
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    code.includes("TIMEOUT");
  const aborted = (error as { name?: string } | null)?.name === "AbortError" || error instanceof undiciErrors.RequestAbortedError;
  const surelyNotSent = NOT_SENT_CODES.has(code);
  const what = aborted ? "aborted" : isTimeout ? "timed out" : `connection failed (${code || "socket error"})`;
  return new UpstreamError({
    code: "UPSTREAM_UNAVAILABLE",
    reason: isTimeout ? "timeout" : "connection",
    message: `${request.method} ${request.route} ${what}`,
    method: request.method,
    route: request.route,
    outcomeUnknown: !request.idempotent && !surelyNotSent,
    cause: { code, name: (error as { name?: string } | null)?.name },
  });
}

/** True when the failure happened before the request could reach the upstream. */
export function wasNotSent(error: UpstreamError): boolean {
  const code = (error.cause as { code?: string } | undefined)?.code ?? "";
  return NOT_SENT_CODES.has(code);
}
