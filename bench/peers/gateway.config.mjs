// The peer gateway's runtime config (Hive Gateway CLI: `hive-gateway supergraph -c gateway.config.mjs`).
// Switches (read by this file only, set by bench/peers/start-peer.mjs):
//   PEER_RESPONSE_CACHE=1     response caching on (the peer's best configuration for the warm dashboard)
//   PEER_CACHE_TTL_MS=60000   its TTL: how long a cached answer may stay stale
// Webhooks are on: POST /webhooks/contact_events publishes the body to the pubsub topic that the
// additional `Subscription.contactEvents` field (declared in mesh.config.mjs) listens to.
import { defineConfig, MemPubSub } from "@graphql-hive/gateway";

const responseCache = process.env.PEER_RESPONSE_CACHE === "1";
const ttlMs = Number(process.env.PEER_CACHE_TTL_MS ?? 60_000);

export const gatewayConfig = defineConfig({
  webhooks: true,
  pubsub: new MemPubSub(),
  logging: process.env.PEER_LOG_LEVEL ?? "error",
  maskedErrors: true,
  ...(responseCache
    ? {
        responseCaching: {
          ttl: ttlMs,
          // One cache per caller token, like a scoped cache would be.
          session: (request) => request.headers.get("authorization"),
        },
      }
    : {}),
});
