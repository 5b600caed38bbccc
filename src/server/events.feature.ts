/**
 * The live-events feature: mounts `POST /webhooks/highlevel` on the raw body (before any JSON
 * parser), adds `Subscription.contactEvents` to the schema, and contributes the event bus the
 * composition root passes to GraphQL (`events`). Memory pub/sub on one instance; Redis fan-out,
 * shared de-duplication and cache-invalidation broadcast when REDIS_URL is set.
 * The per-event GraphQL context for graphql-ws lives in gateway.ts (`createPerEventSubscribe`).
 */
import { isAppointmentEvent } from "../events/index.js";
import { EVENT_RESOLVERS, createSchemaPubSub } from "../graphql/event/index.js";
import { WEBHOOK_PATH, createLiveEvents } from "../webhooks/index.js";
import type { GatewayFeatureFactory } from "./gateway.feature.js";

export interface EventsFeatureOptions {
  /**
   * Public keys trusted IN ADDITION to HighLevel's (config). Only demo mode passes any: the embedded
   * simulator's, so its signed webhooks are accepted; a production gateway never trusts them.
   */
  extraTrustedKeys?: { ed25519PublicKeyPem?: string; rsaPublicKeyPem?: string } | undefined;
}

export function eventsFeature(options: EventsFeatureOptions = {}): GatewayFeatureFactory {
  return async (internals) => {
    const { metrics } = internals;
    const live = createLiveEvents({
      config: internals.config,
      cache: internals.cache,
      ...(internals.redis ? { redis: internals.redis } : {}),
      logger: internals.logger,
      ...(options.extraTrustedKeys ? { extraTrustedKeys: options.extraTrustedKeys } : {}),
      onWebhookOutcome: (type: string, outcome: string) => metrics.recordWebhookEvent(type, outcome),
      onAppLifecycle: (change) => internals.appLifecycle(change),
      onDelivery: (locationId, event) => {
        internals.webhookActivity.seen(locationId);
        // A calendar the gateway's list of the location's calendars may lack (a new one).
        if (isAppointmentEvent(event) && event.appointment.calendarId) internals.appointmentCalendarSeen?.(locationId, event.appointment.calendarId);
      },
    });
    await live.start();
    return {
      name: "events",
      rawRoutes(app) {
        app.post(WEBHOOK_PATH, live.webhookRoute);
      },
      resolvers: EVENT_RESOLVERS,
      pubSub: createSchemaPubSub(),
      events: live.bus,
      announce: (event) => live.announce(event),
      close: () => live.close(),
    };
  };
}
