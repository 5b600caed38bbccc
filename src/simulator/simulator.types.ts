/**
 * Public vocabulary of the embedded HighLevel Contacts API simulator: options, the request log,
 * fault rules, the data store surface and the running `Simulator` handle.
 * Pure types: no I/O, nothing at import time.
 */

// ---- wire shapes (the simulator owns them: it must not import the gateway's, src/upstream/) ----
// As apps/contacts.json (GetContectByIdSchema, TaskSchema, GetNoteSchema, GetEventSchema) and
// FACTS.md "Objects" describe them.

/** Read form of a custom field value: `[{id, value}]`. */
export interface SimulatorCustomFieldValue {
  id: string;
  value?: unknown;
}

/** A custom field definition as `GET /locations/:locationId/customFields` returns it (apps/locations.json CustomFieldSchema). */
export interface SimulatorCustomFieldDefinition {
  id: string;
  name: string;
  /** `contact.<key>`. */
  fieldKey: string;
  placeholder: string;
  /** FACTS.md: TEXT, LARGE_TEXT, NUMERICAL, PHONE, MONETORY (sic), CHECKBOX, SINGLE_OPTIONS, MULTIPLE_OPTIONS, DATE, TEXTBOX_LIST, FILE_UPLOAD, RADIO. */
  dataType: string;
  position: number;
  picklistOptions: string[];
  locationId: string;
  model: "contact";
}

/** What `defineCustomField` takes besides key and id (defaults: a TEXT field named after its key). */
export interface CustomFieldDetails {
  name?: string;
  dataType?: string;
  picklistOptions?: readonly string[];
  position?: number;
}

/** A contact as `GET /contacts/:contactId` returns it (the full record). */
export interface SimulatorContact {
  id: string;
  locationId: string;
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  companyName?: string | null;
  businessId?: string | null;
  tags?: string[];
  source?: string | null;
  type?: string | null;
  dnd?: boolean | null;
  dndSettings?: Record<string, unknown>;
  assignedTo?: string | null;
  timezone?: string | null;
  address1?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  postalCode?: string | null;
  website?: string | null;
  dateOfBirth?: string | null;
  dateAdded?: string | null;
  dateUpdated?: string | null;
  lastActivity?: string | null;
  followers?: string[];
  attributionSource?: Record<string, unknown>;
  customFields?: SimulatorCustomFieldValue[];
  [extra: string]: unknown;
}

export interface SimulatorTask {
  id: string;
  contactId: string;
  title: string;
  body?: string | null;
  assignedTo?: string | null;
  dueDate?: string | null;
  completed: boolean;
  [extra: string]: unknown;
}

export interface SimulatorNote {
  id: string;
  contactId?: string;
  body: string;
  userId?: string | null;
  dateAdded?: string | null;
  title?: string | null;
  color?: string | null;
  pinned?: boolean | null;
  [extra: string]: unknown;
}

/** A calendar of a location (`GET /calendars/`; a subset of HighLevel's CalendarDTO). */
export interface SimulatorCalendar {
  id: string;
  locationId: string;
  name: string;
  groupId?: string;
  isActive: boolean;
}

/** An item of a contact's `events` (`GET /contacts/:contactId/appointments`). */
export interface SimulatorAppointment {
  id: string;
  calendarId?: string | null;
  status?: string | null;
  title?: string | null;
  assignedUserId?: string | null;
  notes?: string | null;
  startTime?: string | null;
  endTime?: string | null;
  address?: string | null;
  locationId?: string | null;
  contactId?: string | null;
  groupId?: string | null;
  appointmentStatus?: string | null;
  users?: string[];
  dateAdded?: string | null;
  dateUpdated?: string | null;
  [extra: string]: unknown;
}

/**
 * `locations/tasks.readonly`: the bulk task read (location-tasks.routes.ts); `calendars.readonly`
 * and `calendars/events.readonly`: a location's calendars and their events (calendars.routes.ts).
 */
export type SimulatorScope =
  | "contacts.readonly"
  | "contacts.write"
  | "locations/tasks.readonly"
  | "calendars.readonly"
  | "calendars/events.readonly"
  | "locations/customFields.readonly"
  | "locations/tags.readonly";

/** A bearer token the simulator accepts, bound to one location and a scope set. */
export interface SimulatorToken {
  token: string;
  locationId: string;
  scopes: string[];
  /** Epoch ms after which the token is rejected as "Invalid token" (OAuth access tokens). */
  expiresAtMs?: number;
}

export interface RateLimitOptions {
  /** Requests per interval per (token, location). Default 100. */
  burst?: number;
  /** Length of the fixed window in ms. Default 10_000. */
  intervalMs?: number;
  /** Requests per UTC day per (token, location). Default 200_000. */
  daily?: number;
}

export interface LatencyOptions {
  /** Added to every response, ms. Default 0. */
  fixedMs?: number;
  /** Uniform random extra delay 0..jitterMs, ms. Default 0. */
  jitterMs?: number;
}

export interface WebhookOptions {
  /** Where signed webhooks are POSTed; unset = no emission. */
  targetUrl?: string;
  /** Pause before re-sending after a 429, ms. Default 600_000 (HighLevel: 10 minutes). */
  retryIntervalMs?: number;
  /** Uniform random extra pause 0..retryJitterMs added to each retry, ms (HighLevel: "plus jitter"). Default 0. */
  retryJitterMs?: number;
  /** Total attempts including the first. Default 7 (1 + 6 retries, like HighLevel). */
  maxAttempts?: number;
  /** Default true when a target URL is set. */
  enabled?: boolean;
  /** Delivery timeout per attempt, ms. Default 10_000. */
  timeoutMs?: number;
}

export interface ActivityOptions {
  /** One gentle random change in the demo location every intervalMs. */
  intervalMs: number;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  redirectUri?: string;
}

export interface OAuthOptions {
  clients: OAuthClient[];
  /** Lifetime of issued access tokens, s. Default 86_399 (HighLevel). */
  accessTokenTtlSec?: number;
  /** Lifetime of authorization codes, s. Default 600. */
  codeTtlSec?: number;
  /** Location the choose-location page "picks". Default DEMO_LOCATION_ID. */
  defaultLocationId?: string;
  companyId?: string;
  userId?: string;
}

export interface SimulatorOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default DEMO_TOKENS. */
  tokens?: SimulatorToken[];
  /** Deterministic seed data; true = default seed, a number = that seed, false = empty. Default true. */
  seed?: boolean | number;
  /** false = lifted. */
  rateLimit?: RateLimitOptions | false;
  latency?: LatencyOptions;
  webhooks?: WebhookOptions;
  activity?: ActivityOptions;
  oauth?: OAuthOptions;
  /** Injectable clock (epoch ms) for timestamps, token expiry and rate windows. */
  now?: () => number;
  /** Oldest request-log and webhook-delivery entries are dropped beyond this (long demo runs). Default 50_000. */
  logLimit?: number;
  /**
   * How long after its creation a contact shows up in `POST /contacts/search` (HighLevel's search
   * is eventually consistent: "updates may take a few seconds"). Default 0 (tests); demo mode a few seconds.
   */
  searchIndexDelayMs?: number;
}

export interface RequestLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Route template, e.g. `/contacts/:contactId/tasks`; `unknown` when nothing matched. */
  route: string;
  query: Record<string, string>;
  /** Epoch ms (simulator clock) when the request arrived. */
  time: number;
  token?: string;
  /** The `Version` header as received (absent when the request had none). */
  version?: string;
  locationId?: string;
  /** Status sent (0 when the connection was reset by a fault). */
  status: number;
  /** Parsed JSON body (or form fields for OAuth), when there was one. */
  body?: unknown;
}

export interface FaultRule {
  method?: string;
  /** Route template, e.g. `/contacts/:contactId`. */
  route?: string;
  /** Exact path or a RegExp over the path. */
  path?: string | RegExp;
  /** Answer with this status instead of handling the request. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait before answering (or before handling, when no status is given). */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /**
   * Send this text as the response body (content-type JSON), e.g. truncated JSON. Without
   * `status` the request is handled as usual first (a write happens) and only its answer's body
   * is replaced; with `status`, it answers instead of handling.
   */
  rawBody?: string;
  /** How many matching requests the rule applies to. Default: forever. */
  times?: number;
}

export interface WriteOptions {
  /** Emit the matching webhook (data helpers default to false; API writes always emit). */
  emit?: boolean;
}

export interface ContactInput {
  firstName?: string;
  lastName?: string;
  name?: string;
  email?: string;
  phone?: string;
  companyName?: string;
  businessId?: string;
  tags?: string[];
  source?: string;
  type?: string;
  timezone?: string;
  assignedTo?: string;
  dnd?: boolean;
  dndSettings?: Record<string, unknown>;
  address1?: string;
  city?: string;
  state?: string;
  country?: string;
  postalCode?: string;
  website?: string;
  dateOfBirth?: string;
  /** Read form `{id, value}` or write form `{id|key, field_value}`. */
  customFields?: { id?: string; key?: string; value?: unknown; field_value?: unknown }[];
  /** Only for seeding / tests: explicit creation time (ISO). */
  dateAdded?: string;
  /** Only for seeding / tests (the API sets it, no write route accepts it): `AttributionSource`. */
  attributionSource?: Record<string, unknown>;
}

export interface TaskInput {
  title?: string;
  body?: string;
  dueDate?: string;
  completed?: boolean;
  assignedTo?: string;
}

export interface NoteInput {
  body?: string;
  userId?: string;
  title?: string;
  color?: string;
  pinned?: boolean;
}

export interface AppointmentInput {
  calendarId?: string;
  title?: string;
  status?: string;
  appointmentStatus?: string;
  assignedUserId?: string;
  notes?: string;
  startTime?: string;
  endTime?: string;
  address?: string;
  groupId?: string;
  users?: string[];
}

/** Direct data access for tests (no HTTP, no rate limit). Returned objects are copies. */
export interface SimulatorStore {
  locations(): string[];
  /** Newest first by dateAdded. */
  listContacts(locationId: string): SimulatorContact[];
  getContact(contactId: string): SimulatorContact | undefined;
  createContact(locationId: string, input: ContactInput, options?: WriteOptions): SimulatorContact;
  updateContact(contactId: string, patch: ContactInput, options?: WriteOptions): SimulatorContact;
  deleteContact(contactId: string, options?: WriteOptions): void;
  addTags(contactId: string, tags: string[], options?: WriteOptions): string[];
  removeTags(contactId: string, tags: string[], options?: WriteOptions): string[];
  findDuplicate(locationId: string, lookup: { email?: string; phone?: string }): SimulatorContact | undefined;
  upsertContact(locationId: string, input: ContactInput, options?: WriteOptions): { created: boolean; contact: SimulatorContact };
  addFollowers(contactId: string, followers: string[]): { followers: string[]; followersAdded: string[] };
  removeFollowers(contactId: string, followers: string[]): { followers: string[]; followersRemoved: string[] };
  listCampaigns(contactId: string): string[];
  /** Enrols a contact in a campaign (what `POST /contacts/:contactId/campaigns/:campaignId` does). */
  addToCampaign(contactId: string, campaignId: string): void;
  listWorkflows(contactId: string): { workflowId: string; eventStartTime?: string }[];
  /** Enrols a contact in a workflow (what `POST /contacts/:contactId/workflow/:workflowId` does). */
  addToWorkflow(contactId: string, workflowId: string, eventStartTime: string | undefined): void;
  /** Distinct businessIds in use in a location. */
  businessIds(locationId: string): string[];
  /** The location's custom field definitions (`GET /locations/:locationId/customFields`). */
  customFieldDefinitions(locationId: string): SimulatorCustomFieldDefinition[];
  defineCustomField(locationId: string, key: string, id: string, details?: CustomFieldDetails): void;
  removeCustomField(locationId: string, key: string): void;

  listTasks(contactId: string): SimulatorTask[];
  getTask(contactId: string, taskId: string): SimulatorTask | undefined;
  createTask(contactId: string, input: TaskInput, options?: WriteOptions): SimulatorTask;
  updateTask(contactId: string, taskId: string, patch: TaskInput, options?: WriteOptions): SimulatorTask;
  completeTask(contactId: string, taskId: string, completed: boolean, options?: WriteOptions): SimulatorTask;
  deleteTask(contactId: string, taskId: string, options?: WriteOptions): void;

  listNotes(contactId: string): SimulatorNote[];
  getNote(contactId: string, noteId: string): SimulatorNote | undefined;
  createNote(contactId: string, input: NoteInput, options?: WriteOptions): SimulatorNote;
  updateNote(contactId: string, noteId: string, patch: NoteInput, options?: WriteOptions): SimulatorNote;
  deleteNote(contactId: string, noteId: string, options?: WriteOptions): void;

  listAppointments(contactId: string): SimulatorAppointment[];
  /** A location's calendars: the defined ones and every calendar one of its appointments names. */
  listCalendars(locationId: string): SimulatorCalendar[];
  defineCalendar(locationId: string, calendar: { id: string; name?: string; groupId?: string }): void;
  createAppointment(contactId: string, input: AppointmentInput, options?: WriteOptions): SimulatorAppointment;
  updateAppointment(contactId: string, appointmentId: string, patch: AppointmentInput, options?: WriteOptions): SimulatorAppointment;
  deleteAppointment(contactId: string, appointmentId: string, options?: WriteOptions): void;
}

/** A webhook event the simulator produced (before signing). */
export interface SimulatorWebhookEvent {
  type: string;
  locationId: string;
  payload: Record<string, unknown>;
}

export interface DeliveredWebhook {
  body: unknown;
  /** Last status received (0 = network error). */
  status: number;
  attempts: number;
  /** Epoch ms of the last attempt. */
  lastAttemptAt: number;
}

export interface WebhookSignatures {
  "x-ghl-signature": string;
  "x-wh-signature": string;
}

export interface OAuthIssueCodeInput {
  locationId?: string;
  scopes?: string[];
  clientId?: string;
  redirectUri?: string;
}

export interface SimulatorOAuth {
  /** Issue an authorization code as if a user had picked a location. */
  issueCode(input?: OAuthIssueCodeInput): string;
  /** `POST /oauth/token` calls by grant type. */
  readonly counts: { authorizationCode: number; refreshToken: number; rejected: number };
  /** Expire every issued access token now (tests of the refresh path). */
  expireAccessTokens(): void;
  setAccessTokenTtlSec(ttlSec: number): void;
}

export interface Simulator {
  url: string;
  port: number;
  requests: RequestLogEntry[];
  clearRequests(): void;
  waitForRequests(predicate: (r: RequestLogEntry) => boolean, count?: number, timeoutMs?: number): Promise<RequestLogEntry[]>;
  addFault(rule: FaultRule): () => void;
  clearFaults(): void;
  data: SimulatorStore;
  tokens: SimulatorToken[];
  addToken(token: SimulatorToken): void;
  webhookKeys: { ed25519PublicKeyPem: string; rsaPublicKeyPem: string };
  setWebhookTarget(url: string | undefined): void;
  signWebhook(body: string): WebhookSignatures;
  deliveredWebhooks: DeliveredWebhook[];
  /** Resolves when every queued webhook delivery (including scheduled retries) has finished. */
  flushWebhooks(timeoutMs?: number): Promise<void>;
  setRateLimit(options: RateLimitOptions | false): void;
  setLatency(options: LatencyOptions): void;
  /** Changes `searchIndexDelayMs` at runtime. */
  setSearchIndexDelay(delayMs: number): void;
  oauth: SimulatorOAuth;
  /** Start/stop the demo activity generator at runtime. */
  startActivity(options: ActivityOptions): void;
  stopActivity(): void;
  close(): Promise<void>;
}
