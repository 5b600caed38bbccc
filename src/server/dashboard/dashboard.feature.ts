/**
 * The dashboard feature (issue 8): `Contact.summary` + `Query.dashboard` resolvers and the live page
 *   GET /dashboard                 the page (HTML)
 *   GET /dashboard/app.js          its module (dashboard.script.ts)
 *   GET /dashboard/graphql-ws.js   the graphql-ws browser client, from node_modules/graphql-ws/umd
 * Every asset comes from the gateway itself (CSP `'self'` only). In demo mode the page's token
 * field is prefilled with the sandbox's read-only demo token (`internals.demoAuthorization`).
 *
 * It also runs the dashboard's response cache (response-cache.ts): a hit on `POST /graphql` is
 * answered here, before Apollo (no parse, validate or execute); a miss runs normally and an Apollo
 * plugin stores its answer. Invalidated by every change the shared resource cache announces.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ApolloServerPlugin } from "@apollo/server";
import express, { type Express, type RequestHandler, type Response } from "express";
import { Kind } from "graphql";
import type { Viewer } from "../../auth/index.js";
import { DASHBOARD_RESOLVERS } from "../../graphql/dashboard/index.js";
import type { GatewayContext } from "../../graphql/context.js";
import { GRAPHQL_JSON_BODY_LIMIT, type GatewayFeature, type GatewayFeatureFactory, type GatewayInternals } from "../gateway.feature.js";
import { renderDashboardPage } from "./dashboard.page.js";
import { DASHBOARD_SCRIPT } from "./dashboard.script.js";
import { createResponseCache, type ResponseCache } from "./response-cache.js";

export const DASHBOARD_PATH = "/dashboard";

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** The UMD build of the graphql-ws client (`window.graphqlWs`), read once on first request. */
function readGraphqlWsBrowserClient(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("graphql-ws"); // …/node_modules/graphql-ws/dist/index.cjs
  const umdDir = join(dirname(entry), "..", "umd");
  for (const file of ["graphql-ws.min.js", "graphql-ws.js"]) {
    try {
      return readFileSync(join(umdDir, file), "utf8");
    } catch {
      /* try the next build */
    }
  }
  throw new Error(`dashboard: expected the graphql-ws browser build in ${umdDir}, found none`);
}

export interface DashboardFeatureOptions {
  /** `Authorization` value to prefill (demo data only). */
  prefillAuthorization?: string;
  /** The response cache and what it needs from the gateway; omitted = no response cache. */
  responseCache?: {
    cache: ResponseCache;
    authenticate: GatewayInternals["authenticate"];
    /** Subscribes the cache to resource changes; returns the unsubscribe function. */
    subscribe: (listener: ResponseCache["onChange"]) => () => void;
  };
}

/** Contact ids a stored response shows (rows of the root fields), or undefined when it cannot tell. */
function contactIdsOf(data: Record<string, unknown>): ReadonlySet<string> | undefined {
  const ids = new Set<string>();
  for (const value of Object.values(data)) {
    if (!Array.isArray(value)) return undefined;
    for (const row of value) {
      const id = row && typeof row === "object" ? (row as Record<string, unknown>)["id"] : undefined;
      if (typeof id !== "string") return undefined;
      ids.add(id);
    }
  }
  return ids;
}

function responseCacheParts(rc: NonNullable<DashboardFeatureOptions["responseCache"]>) {
  const { cache, authenticate } = rc;
  // A miss is answered by Apollo, which serialises the result itself. Rather than serialising it a
  // second time to store it (~1.5 ms of CPU for a 50-contact dashboard), the plugin leaves the
  // store step under the request's parsed body (the object Apollo hands it as request.http.body)
  // and the miss path's res.send stores the very bytes Apollo sends.
  const capturing = new WeakSet<object>();
  const pendingStores = new WeakMap<object, (json: string) => void>();
  const captureSend = (body: object, res: Response) => {
    capturing.add(body);
    const send = res.send;
    res.send = function (this: Response, payload?: unknown) {
      const store = pendingStores.get(body);
      if (store !== undefined) {
        pendingStores.delete(body);
        if (typeof payload === "string" && res.statusCode === 200) store(payload);
      }
      return send.call(this, payload);
    } as Response["send"];
  };
  // A verified caller token is remembered by the auth layer (caller-token.ts: min(10 s, exp)), so
  // the hit path does not run HMAC per request.
  const viewerFor = async (authorization: string | undefined): Promise<Viewer | undefined> => {
    if (!authorization) return undefined;
    const auth = await authenticate(authorization);
    return auth.status === "authenticated" ? auth.viewer : undefined;
  };
  const serveHit: RequestHandler = (req, res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!cache.enabled || !body || typeof body !== "object" || typeof body["query"] !== "string") return next();
    const operationKey = cache.operationKey({ query: body["query"], variables: body["variables"], operationName: body["operationName"] });
    if (!cache.mayHave(operationKey)) {
      captureSend(body, res);
      return next();
    }
    viewerFor(req.headers.authorization).then((viewer) => {
      const hit = viewer ? cache.get(operationKey, viewer.locationId, viewer.scopes) : undefined;
      if (hit === undefined) {
        captureSend(body, res);
        return next();
      }
      // The stored bytes as they are: no re-serialising, no ETag hashing.
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": hit.length, "x-response-cache": "hit" });
      res.end(hit);
    }, next);
  };
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue, request }) {
      const viewer = contextValue.viewer;
      if (!cache.enabled || !viewer || request.http?.method !== "POST" || typeof request.query !== "string") return;
      const generation = cache.generation(viewer.locationId);
      return {
        async willSendResponse({ response, operation }) {
          if (!operation || operation.operation !== "query" || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          if ((result.errors && result.errors.length > 0) || !result.data) return;
          const onlyViews = operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && cache.rootFields.has(s.name.value));
          if (!onlyViews) return;
          const operationKey = cache.operationKey({ query: request.query!, variables: request.variables, operationName: request.operationName });
          const contactIds = contactIdsOf(result.data);
          const httpBody = request.http?.body;
          if (httpBody !== null && typeof httpBody === "object" && capturing.has(httpBody)) {
            pendingStores.set(httpBody, (json) => cache.store(operationKey, viewer, generation, json, contactIds));
          } else {
            cache.store(operationKey, viewer, generation, JSON.stringify(result), contactIds);
          }
        },
      };
    },
  };
  return { serveHit, plugin };
}

export function createDashboardFeature(options: DashboardFeatureOptions = {}): GatewayFeature {
  let page: string | undefined;
  let wsClient: string | undefined;
  const rc = options.responseCache ? responseCacheParts(options.responseCache) : undefined;
  const unsubscribe = options.responseCache?.subscribe(options.responseCache.cache.onChange);
  return {
    name: "dashboard",
    resolvers: DASHBOARD_RESOLVERS,
    ...(rc ? { apolloPlugins: [rc.plugin] } : {}),
    async close() {
      unsubscribe?.();
    },
    routes(app: Express) {
      if (rc) app.post("/graphql", express.json({ limit: GRAPHQL_JSON_BODY_LIMIT }), rc.serveHit);
      app.get(DASHBOARD_PATH, (_req, res) => {
        page ??= renderDashboardPage({
          basePath: DASHBOARD_PATH,
          endpoint: "/graphql",
          ...(options.prefillAuthorization ? { prefillAuthorization: options.prefillAuthorization } : {}),
        });
        res.status(200).set(PAGE_HEADERS).send(page);
      });
      app.get(`${DASHBOARD_PATH}/app.js`, (_req, res) => {
        res
          .status(200)
          .set({ "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache", "x-content-type-options": "nosniff" })
          .send(DASHBOARD_SCRIPT);
      });
      app.get(`${DASHBOARD_PATH}/graphql-ws.js`, (_req, res, next) => {
        try {
          wsClient ??= readGraphqlWsBrowserClient();
        } catch (error) {
          return next(error);
        }
        res
          .status(200)
          .set({ "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" })
          .send(wsClient);
      });
    },
  };
}

/**
 * The built-in factory: prefills the token only when the gateway runs on demo data; the response
 * cache lives half the resource cache's TTL (at most 60 s: "overdue" moves with the clock) and is
 * off when the resource cache is (CACHE_TTL_MS=0).
 */
export const dashboardFeature: GatewayFeatureFactory = (internals) =>
  createDashboardFeature({
    ...(internals.demoAuthorization ? { prefillAuthorization: internals.demoAuthorization } : {}),
    responseCache: {
      cache: createResponseCache({ ttlMs: Math.min(Math.floor(internals.config.cache.ttlMs / 2), 60_000) }),
      authenticate: internals.authenticate,
      subscribe: (listener) => internals.cache.onInvalidate(listener),
    },
  });
