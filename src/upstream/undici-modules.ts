/**
 * The parts of undici the gateway uses (a keep-alive `Pool`, its error classes, `request`), loaded
 * from undici's own modules rather than its index: the index also loads fetch, WebSocket,
 * EventSource, the cache stores and the mock agents, ~3 MB of heap that no gateway process uses
 * (3-6 MB of RSS with 10,000 contacts cached, bench/results/2026-12-03-execution-memory.md).
 * The paths are those of the exact undici version package.json pins;
 * test/unit/upstream/undici-modules.test.ts fails if an upgrade moves them (the classes must be
 * the index's own).
 */
import { createRequire } from "node:module";
import type { Dispatcher, Pool as UndiciPool, errors as UndiciErrors } from "undici";

const load = createRequire(import.meta.url);

/** undici's `Pool` (undici/lib/dispatcher/pool.js). */
export const Pool = load("undici/lib/dispatcher/pool.js") as typeof UndiciPool;
export type Pool = UndiciPool;

/** undici's `errors` (undici/lib/core/errors.js). */
export const undiciErrors = load("undici/lib/core/errors.js") as typeof UndiciErrors;

type RequestApi = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
let requestApi: RequestApi | undefined;
let globalDispatcher: (() => Dispatcher) | undefined;

export type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path" | "method"> & {
  method?: Dispatcher.HttpMethod;
  /** Default: undici's global dispatcher (an `Agent`, created on first use). */
  dispatcher?: Dispatcher;
};

/**
 * undici's `request(url, options)`, as its index builds it: the request API called on
 * `options.dispatcher` (or the global one) with the URL split into origin and path. Loaded on
 * first use: a gateway that is never asked for readiness or an OAuth token never loads it.
 */
export function request(url: string | URL, options: RequestOptions = {}): Promise<Dispatcher.ResponseData> {
  requestApi ??= load("undici/lib/api/api-request.js") as RequestApi;
  const { dispatcher, ...rest } = options;
  const target = new URL(url);
  const via = dispatcher ?? (globalDispatcher ??= (load("undici/lib/global.js") as { getGlobalDispatcher(): Dispatcher }).getGlobalDispatcher)();
  return requestApi.call(via, {
    ...rest,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
    method: rest.method ?? (rest.body ? "PUT" : "GET"),
  });
}
