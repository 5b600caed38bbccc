/**
 * The dashboard feature: `Contact.summary` + `Query.dashboard` resolvers and the live page
 *   GET /dashboard                 the page (HTML)
 *   GET /dashboard/app.js          its module (dashboard.script.ts)
 *   GET /dashboard/graphql-ws.js   the graphql-ws browser client, from node_modules/graphql-ws/umd
 * Every asset comes from the gateway itself (CSP `'self'` only). In demo mode the page's token
 * field is prefilled with the sandbox's read-only demo token (`internals.demoAuthorization`).
 * The dashboard's response cache is a stage of the operation pipeline (pipeline/response-cache.ts).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Express } from "express";
import { DASHBOARD_RESOLVERS } from "../../graphql/dashboard/index.js";
import type { GatewayFeature, GatewayFeatureFactory } from "../gateway.feature.js";
import { renderDashboardPage, type DashboardStageField } from "./dashboard.page.js";
import { DASHBOARD_SCRIPT } from "./dashboard.script.js";

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
  /** The mapped Enum field the page filters and charts by (FIELD_MAPPING, e.g. loanStage). */
  stageField?: DashboardStageField;
}

export function createDashboardFeature(options: DashboardFeatureOptions = {}): GatewayFeature {
  let page: string | undefined;
  let wsClient: string | undefined;
  return {
    name: "dashboard",
    resolvers: DASHBOARD_RESOLVERS,
    routes(app: Express) {
      app.get(DASHBOARD_PATH, (_req, res) => {
        page ??= renderDashboardPage({
          basePath: DASHBOARD_PATH,
          endpoint: "/graphql",
          ...(options.prefillAuthorization ? { prefillAuthorization: options.prefillAuthorization } : {}),
          ...(options.stageField ? { stageField: options.stageField } : {}),
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

/** The built-in factory: prefills the token only when the gateway runs on demo data. */
export const dashboardFeature: GatewayFeatureFactory = (internals) => {
  // The first Enum field of the mapping (the demo's loanStage): a filter and a chart on the page.
  const stage = internals.config.fieldMapping?.contact.find((f) => f.type === "Enum" && f.values);
  return createDashboardFeature({
    ...(internals.demoAuthorization ? { prefillAuthorization: internals.demoAuthorization } : {}),
    ...(stage?.values ? { stageField: { name: stage.name, label: labelOf(stage.name), options: Object.entries(stage.values) } } : {}),
  });
};

/** `loanStage` → "Loan stage". */
function labelOf(name: string): string {
  const words = name.replace(/([A-Z])/g, " $1").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
