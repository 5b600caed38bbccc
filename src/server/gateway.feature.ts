/**
 * How features plug into the composition root. A feature (events, webhooks, ops routes, query
 * limits, mutations, the dashboard) is a factory that receives the gateway's shared internals and
 * returns what it contributes: routes (raw-body routes are mounted before any body parser),
 * resolvers, Apollo plugins, validation rules, and a close hook. `gateway.ts` lists the built-in
 * factories explicitly; tests and embedders add more through `createGateway({ features })`.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import type { Express } from "express";
import type { ValidationRule } from "graphql";
import type http from "node:http";
import type { Logger } from "pino";
import type { PubSub } from "type-graphql";
import type { CallerAuth } from "../auth/index.js";
import type { ResourceCache } from "../cache/resource-cache.js";
import type { Config } from "../config/config.js";
import type { GatewayContext, GatewayServices } from "../graphql/context.js";
import type { LoaderFactory } from "../loaders/index.js";
import type { ContactsClient } from "../upstream/contacts.client.js";
import type { CredentialProvider } from "../upstream/credentials.types.js";
import type { GatewayMetrics } from "../observability/metrics.js";

/** What every feature factory receives: the gateway's shared, long-lived parts. */
export interface GatewayInternals {
  config: Config;
  logger: Logger;
  credentials: CredentialProvider;
  client: ContactsClient;
  cache: ResourceCache;
  createLoaders: LoaderFactory;
  services: GatewayServices;
  /** The one http.Server (not listening yet when factories run). */
  httpServer: http.Server;
  /** Verifies a bearer header (`Authorization` or graphql-ws `authorization`) incl. the location check. */
  authenticate(authorization: unknown): Promise<CallerAuth>;
  /** Builds a GraphQL context (fresh loaders) for an already authenticated caller. */
  createContext(auth: CallerAuth, requestId?: string, headers?: GatewayContext["headers"]): GatewayContext;
  /** `Authorization` the demo sandbox and dashboard page prefill (demo data only); unset otherwise. */
  demoAuthorization?: string;
  /** The gateway's metrics (per-gateway registry): `recordWebhookEvent`, `setSources({ activeSubscriptions, rateBudgets, breakerStates })`. */
  metrics?: GatewayMetrics;
}

export interface GatewayFeature {
  /** For logs and errors. */
  name: string;
  /** Routes that need the raw body (e.g. `POST /webhooks/highlevel`): mounted before any JSON parser. */
  rawRoutes?(app: Express): void;
  /** Other routes (`/readyz`, `/metrics`, `/oauth/*`, `/dashboard`), mounted before `/graphql`. */
  routes?(app: Express): void;
  /** type-graphql resolver classes (mutations, subscriptions, views). */
  resolvers?: readonly Function[];
  /** type-graphql pub/sub for `@Subscription` topics (at most one feature provides it). */
  pubSub?: PubSub;
  apolloPlugins?: readonly ApolloServerPlugin<GatewayContext>[];
  /** Extra validation rules, applied to HTTP and graphql-ws operations alike. */
  validationRules?: readonly ValidationRule[];
  /** Called once the gateway listens. */
  onListening?(info: { url: string; wsUrl: string; port: number }): void | Promise<void>;
  /** Called on close, in reverse order of registration, after HTTP and graphql-ws have drained. */
  close?(): Promise<void>;
}

export type GatewayFeatureFactory = (internals: GatewayInternals) => GatewayFeature | Promise<GatewayFeature>;

/**
 * The largest JSON body `POST /graphql` accepts (express `limit` syntax). Every parser mounted on
 * that route uses it, so changing it in one place changes the limit (and the 413 message says it).
 */
export const GRAPHQL_JSON_BODY_LIMIT = "1mb";
export const GRAPHQL_JSON_BODY_LIMIT_TEXT = "1 MiB";
