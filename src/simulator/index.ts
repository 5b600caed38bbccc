/**
 * Public surface of the embedded HighLevel Contacts API simulator: a real HTTP server that
 * behaves like `apps/contacts.json` plus the observed quirks in FACTS.md (used by `npm start`'s
 * demo mode and as every e2e test's upstream). Nothing runs at import time.
 *
 * Documented choices where HighLevel's behaviour is not pinned down:
 * - Check order: bearer token (401 "Invalid token…", also for expired OAuth tokens) → rate limit
 *   (429) → `Version` (401) → scope (401) → location (403) → body (422) → resource (400).
 *   A GET needs `contacts.readonly`, every write `contacts.write` (write does not imply read).
 * - A contact id that exists in ANOTHER location → 403 "The token does not have access to this
 *   location." (same as a foreign `locationId`); an id that exists nowhere → 400 "Contact with id
 *   X not found"; a missing task/note of an existing contact → 400 "Task|Note with id X not found".
 * - Rate limit: fixed window per (token, location); only requests with a valid token on a known
 *   route count; every response carries the five `X-RateLimit-*` headers.
 * - `GET /contacts/` meta: `nextPageUrl`, `startAfterId`, `startAfter`, `nextPage` are OMITTED on
 *   the last page (the spec types them as non-nullable); `prevPage` is null on page 1.
 *   `GET /contacts/business/:id`: `count` is the total of matches, `limit` default 25, max 100.
 * - Bodies also accept `companyName`, `assignedTo`, `businessId` on PUT /contacts/:id although the
 *   spec's UpdateContactDto lacks them (HighLevel accepts them in practice).
 * - Tags are stored trimmed and lower-cased; `POST /tags` answers the contact's full tag list,
 *   `DELETE /tags` what is left.
 * - `GET /contacts/search/duplicate` (the spec gives no 200 schema) answers `{contact}` (the full
 *   record) or `{contact: null}`; it matches the email first, then `number`.
 * - `POST /contacts/upsert` updates the contact with the same email (else phone), else creates one;
 *   `new` says which. Campaign and workflow enrolments are kept per contact (`data.listCampaigns`,
 *   `data.listWorkflows`); the API has no read route for them and HighLevel sends no webhook.
 * - Bulk tags answer one `responses` item per requested id, as the spec's example shows (the schema
 *   types them as strings); bulk business answers the ids it updated and skips unknown or foreign ones.
 * - Webhooks: contact events carry the whole contact minus its own lead/customer `type` (the
 *   event `type` takes that key) plus `attachments: []`, `appId`, `timestamp`, `webhookId`;
 *   PUT task emits TaskComplete only when `completed` flips to true (there is no TaskUpdate);
 *   a change of `dnd` on PUT also emits ContactDndUpdate.
 * - OAuth errors: `{statusCode, message, error: <RFC 6749 code>, error_description}`; a used or
 *   unknown refresh token / code → 400 `invalid_grant`; bad client → 401 `invalid_client`.
 * - Seeded appointment times come in the three upstream forms (ISO Z, zone-less UTC, -05:00).
 * - `POST /contacts/search`: see contact-search.filter.ts for the semantics chosen where the docs
 *   are silent; new contacts show up after `searchIndexDelayMs` (0 by default).
 */
export { startSimulator, DEMO_TOKENS, API_VERSION, demoTokensWithInstall, demoUpstreamCredentials } from "./simulator.server.js";
export {
  DEMO_LOCATION_ID,
  OTHER_LOCATION_ID,
  DEFAULT_SEED,
  DEMO_USER_IDS,
  DEMO_CALENDAR_ID,
  DEMO_CUSTOM_FIELDS,
  DEMO_LOAN_STAGES,
} from "./seed.data.js";
export { SEARCH_MAX_PAGE_LIMIT, SEARCH_MAX_PAGED_RESULTS, SEARCH_MAX_VALUE_LENGTH } from "./contact-search.filter.js";
export { DEFAULT_RATE_LIMIT, LIFTED_RATE_LIMIT } from "./rate-limit.js";
export { appointmentTime, appointmentTimeMs } from "./appointment-time.js";
export {
  DEFAULT_WEBHOOK_MAX_ATTEMPTS,
  DEFAULT_WEBHOOK_RETRY_INTERVAL_MS,
  SIMULATOR_APP_ID,
} from "./webhook.emitter.js";
export { SIMULATOR_COMPANY_ID, DEFAULT_ACCESS_TOKEN_TTL_SEC } from "./oauth.routes.js";
export type {
  ActivityOptions,
  CustomFieldDetails,
  SimulatorCustomFieldDefinition,
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
