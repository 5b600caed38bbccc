/**
 * Public surface of the embedded HighLevel Contacts API simulator: a real HTTP server that
 * behaves like `apps/contacts.json` plus the observed quirks in FACTS.md (used by `npm start`'s
 * demo mode and as every e2e test's upstream). Nothing runs at import time.
 */
export { startSimulator, DEMO_TOKENS, API_VERSION } from "./simulator.server.js";
export {
  DEMO_LOCATION_ID,
  OTHER_LOCATION_ID,
  DEFAULT_SEED,
  DEMO_USER_IDS,
  DEMO_CALENDAR_ID,
  DEMO_CUSTOM_FIELDS,
} from "./seed.data.js";
export { DEFAULT_RATE_LIMIT } from "./rate-limit.js";
export { appointmentTime, appointmentTimeMs } from "./appointment-time.js";
export {
  DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  DEFAULT_WEBHOOK_RETRY_INTERVAL_MS,
  SIMULATOR_APP_ID,
} from "./webhook.emitter.js";
export { SIMULATOR_COMPANY_ID, DEFAULT_ACCESS_TOKEN_TTL_SEC } from "./oauth.routes.js";
export type {
  ActivityOptions,
  AppointmentInput,
  ContactInput,
  DeliveredWebhook,
  FaultRule,
  LatencyOptions,
  NoteInput,
  OAuthClient,
  OAuthIssueCodeInput,
  OAuthOptions,
  RateLimitOptions,
  RequestLogEntry,
  Simulator,
  SimulatorOAuth,
  SimulatorOptions,
  SimulatorScope,
  SimulatorStore,
  SimulatorToken,
  SimulatorWebhookEvent,
  TaskInput,
  WebhookOptions,
  WebhookSignatures,
  WriteOptions,
} from "./simulator.types.js";
