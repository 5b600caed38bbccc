/**
 * The terminal handler of the upstream pipeline: sends an `UpstreamRequest` over HTTP with undici,
 * one keep-alive `Pool` per origin. It resolves for EVERY HTTP status (interpreting statuses is the
 * client's job, after middlewares such as retries have seen them) and rejects only when no response
 * arrived, with an `UpstreamError` of reason `timeout` or `connection`. The bearer token travels
 * only in the `Authorization` header: never in an error, never in a log line.
 */
import type { Dispatcher } from "undici";
import { Pool, undiciErrors } from "./undici-modules.js";
import type { Logger } from "../observability/logger.js";
import type { UpstreamHandler, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";
import { UpstreamError } from "./upstream.error.js";

export interface HttpTransportOptions {
  /** Upstream base URL, e.g. `https://services.leadconnectorhq.com` (a path prefix is kept). */
  baseUrl: string;
  /** Sent as the `Version` header on every call that names none of its own (`UpstreamRequest.version`). */
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
  private readonly basePath: string;
  private readonly origin: string;
  private readonly fixedHeaders: Record<string, string>;
  private readonly options: Required<Omit<HttpTransportOptions, "logger" | "headers">> & Pick<HttpTransportOptions, "logger" | "headers">;
  private closed = false;

  constructor(options: HttpTransportOptions) {
    this.options = { ...DEFAULTS, ...options };
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.basePath = this.base.pathname;
    this.origin = this.base.origin; // a getter that builds a string each time: read once
    this.fixedHeaders = { accept: "application/json", version: this.options.version, ...this.options.headers };
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

  /**
   * `pathname?query` under the base path. Built as a string (no URL object per call): the route
   * path is already percent-encoded by the client, the query is encoded as URLSearchParams does.
   */
  private target(request: UpstreamRequest): string {
    let target = this.basePath + (request.path.startsWith("/") ? request.path.slice(1) : request.path);
    const query = request.query;
    if (query !== undefined) {
      let search: URLSearchParams | undefined;
      for (const key in query) {
        const value = query[key];
        if (value === undefined) continue;
        search ??= new URLSearchParams();
        search.set(key, String(value));
      }
      if (search !== undefined) target += `?${search.toString()}`;
    }
    return target;
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
    const path = this.target(request);
    const headers: Record<string, string> = { ...this.fixedHeaders };
    if (request.version !== undefined) headers.version = request.version;
    if (request.accessToken !== undefined) headers.authorization = `Bearer ${request.accessToken}`;
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers["content-type"] = "application/json";
    }
    const started = performance.now();
    try {
      const response = await dispatchForText(this.pool(this.origin), { method: request.method, path, headers, body }, request.signal);
      const durationMs = performance.now() - started;
      const logger = this.options.logger;
      if (logger?.isLevelEnabled("debug")) logger.debug(
        { upstream: { method: request.method, route: request.route, status: response.status, durationMs: Math.round(durationMs), locationId: request.locationId, attempt: request.attempt } },
        "upstream call",
      );
      return { status: response.status, headers: response.headers, body: parseBody(response.text), durationMs };
    } catch (error) {
      throw transportError(request, error);
    }
  }
}

/**
 * One request through undici's dispatcher with a handler that collects the body into a string:
 * the same wire behaviour as `pool.request()` + `body.text()` (pool timeouts, keep-alive, abort by
 * `signal` with its reason) without a Readable stream, an AsyncResource and their events per
 * call — a measurable share of the gateway's CPU when a dashboard fans out to 151 calls.
 */
function dispatchForText(
  pool: Pool,
  options: { method: string; path: string; headers: Record<string, string>; body: string | undefined },
  signal: AbortSignal | undefined,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    let controller: Dispatcher.DispatchController | undefined;
    let abortReason: unknown;
    let settled = false;
    const onAbort = () => {
      abortReason = signal?.reason ?? new undiciErrors.RequestAbortedError();
      controller?.abort(abortReason as Error);
    };
    const finish = () => {
      settled = true;
      signal?.removeEventListener("abort", onAbort);
    };
    if (signal?.aborted) abortReason = signal.reason ?? new undiciErrors.RequestAbortedError();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(ctrl) {
        controller = ctrl;
        if (abortReason !== undefined) ctrl.abort(abortReason as Error);
      },
      onResponseStart(_ctrl, statusCode, responseHeaders) {
        if (statusCode < 200) return; // informational: the final response follows
        status = statusCode;
        headers = responseHeaders as Record<string, string | string[] | undefined>;
      },
      onResponseData(_ctrl, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        finish();
        const buffer = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        let text = buffer.toString("utf8");
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // as body.text(): no BOM
        resolve({ status, headers, text });
      },
      onResponseError(_ctrl, error) {
        if (settled) return;
        finish();
        reject(error);
      },
    };
    pool.dispatch({ method: options.method as Dispatcher.HttpMethod, path: options.path, headers: options.headers, body: options.body }, handler);
  });
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
  // A DOMException (an aborted signal's reason) has a numeric `code`: only string codes are undici's/the socket's.
  const rawCode = (error as { code?: unknown } | null)?.code;
  const code = typeof rawCode === "string" ? rawCode : "";
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
