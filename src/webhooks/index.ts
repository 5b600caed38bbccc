/** Public surface of the webhook intake: verify, parse, de-duplicate, then hand to events/ (apply + publish). */
export {
  createWebhookSignatureVerifier,
  ED25519_SIGNATURE_HEADER,
  RSA_SIGNATURE_HEADER,
} from "./webhook-signature.verify.js";
export type { SignatureResult, SignatureScheme, WebhookSignatureVerifier, WebhookSignatureVerifierOptions } from "./webhook-signature.verify.js";
export { parseWebhookEvent } from "./webhook-event.parse.js";
export type { ParseOptions, ParseResult } from "./webhook-event.parse.js";
export { createMemoryDedupStore, createRedisDedupStore } from "./webhook-dedup.store.js";
export type { ClaimResult, WebhookDedupStore } from "./webhook-dedup.store.js";
export { createWebhookIntake } from "./webhook.intake.js";
export type { IntakeResponse, WebhookIntake, WebhookIntakeOptions, WebhookOutcome } from "./webhook.intake.js";
export { createWebhookRoute, WEBHOOK_PATH } from "./webhook.route.js";
export type { WebhookRequestHandler, WebhookRouteOptions } from "./webhook.route.js";
export { createLiveEvents } from "./live-events.setup.js";
export type { LiveEvents, LiveEventsOptions } from "./live-events.setup.js";
