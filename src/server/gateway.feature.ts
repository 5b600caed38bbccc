/**
 * How features plug into the composition root. A feature (events, webhooks, ops routes, mutations,
 * the dashboard) is a factory that receives the gateway's shared, already built parts and returns
 * what it contributes: routes (raw-body routes are mounted before any body parser), resolvers, the
 * event bus, and a close hook. It never assigns into shared objects: the root collects the
 * contributions and builds everything that depends on them afterwards. `gateway.ts` lists the
 * built-in factories explicitly; tests and embedders add more through `createGateway({ features })`.
 * Limits, authentication, authorization, error formatting and audit are no feature's business:
 * they are stages of the operation pipeline (pipeline/operation.pipeline.ts), the same for every
 * transport.
 */
import type { Express } from "express";
import type { Logger } from "pino";
import type { PubSub } from "type-graphql";
import type { ResourceCache } from "../cache/resource-cache.js";
import type { WebhookActivity } from "../cache/webhook-activity.state.js";
import type { Config } from "../config/config.js";
import type { ContactEventBus } from "../events/event-bus.js";
import type { ContactEvent } from "../events/contact-event.types.js";
import type { WriteServices } from "../graphql/write/index-write.js";
import type { CredentialProvider } from "../upstream/credentials.types.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { RedisConnections } from "../redis/index.js";

/** What every feature factory receives: the gateway's shared, long-lived parts (read-only). */
export interface GatewayInternals {
  readonly config: Config;
  readonly logger: Logger;
  readonly credentials: CredentialProvider;
  readonly cache: ResourceCache;
  /** The write path's services (idempotency, audit, upstream-scope memory). */
  readonly write: WriteServices;
  /** `Authorization` the demo sandbox and dashboard page prefill (demo data only); unset otherwise. */
  readonly demoAuthorization?: string;
  /** The gateway's metrics (per-gateway registry): `recordWebhookEvent`, `setSources(…)`. */
  readonly metrics: GatewayMetrics;
  /** Whether each location's webhooks are flowing (the events feature reports deliveries to it). */
  readonly webhookActivity: WebhookActivity;
  /**
   * A webhook's appointment names this calendar: a remembered calendar list of the location that
   * lacks it is dropped (loaders/calendar-list.memory.ts), so bulk appointment reads see the new calendar.
   */
  readonly appointmentCalendarSeen?: (locationId: string, calendarId: string) => void;
  /** The process's Redis connections (REDIS_URL set), owned and closed by the composition root. */
  readonly redis?: RedisConnections;
  /**
   * HighLevel's AppInstall / AppUninstall of a location: an uninstall purges the location's stored
   * credentials and cached data (on every instance) and closes its callers' sockets with 4403.
   */
  appLifecycle(change: { action: "install" | "uninstall"; locationId: string }): Promise<void>;
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
  /** The live-events bus GraphQL subscribes to (at most one feature provides it). */
  events?: ContactEventBus;
  /** Publishes the gateway's own announcement of a write (source GATEWAY), paired with HighLevel's webhook for it. */
  announce?: (event: ContactEvent) => Promise<void>;
  /** Called once the gateway listens. */
  onListening?(info: { url: string; wsUrl: string; port: number }): void | Promise<void>;
  /** Called on close, in reverse order of registration, after HTTP and graphql-ws have drained. */
  close?(): Promise<void>;
}

export type GatewayFeatureFactory = (internals: GatewayInternals) => GatewayFeature | Promise<GatewayFeature>;
