/**
 * `npm run doctor`'s checks, as a function tests can call in-process: from the same Config the
 * gateway uses, a few real requests that confirm the deployment works, each result a ✓/✗ line
 * with a fix hint on failure.
 *
 * Per served location:
 * - read probe `GET /contacts/?locationId=…&limit=1` → token valid, `Version` accepted, read scope,
 *   rate-limit headroom (from the X-RateLimit-* headers of that same response);
 * - write probe `PUT /contacts/DoctorWriteProbe0000` with an empty body: the id does not exist, so
 *   nothing can change. HighLevel checks the scope before looking the contact up: 400 "Contact …
 *   not found" (or a 422 validation answer) means the token carries `contacts.write`; 401 "not
 *   authorized for this scope" means it does not.
 * - each bulk read of a relation (src/upstream/resources.ts `bulk`: tasks through
 *   `POST /locations/:id/tasks/search`, appointments through `GET /calendars/` and
 *   `GET /calendars/events`), probed with one small read each: a refusal is a warning (!), not a
 *   failure, since the gateway then reads that relation per contact (one call per contact);
 * - with FIELD_MAPPING: `GET /locations/:id/customFields?model=contact`, every mapped field
 *   present with a compatible type (one ✗ per problem, naming the field).
 * Plus: webhook public keys parse, Redis answers PING when REDIS_URL is set, the credential store
 * decrypts when CREDENTIALS_KEY is set. Never prints a token, secret or key.
 */
import { createPublicKey } from "node:crypto";
import type { Redis } from "ioredis";
import type { Dispatcher } from "undici";
import { mappingProblems, type Config, type DefinitionLike } from "../config/index.js";
import { createGatewayCredentials } from "../credentials/credentials.setup.js";
import { createRedisConnections } from "../redis/index.js";
import { calendarListOf, credentialsFromConfig, DEFAULT_RESOURCE_REGISTRY, errorFromResponse, request, type CredentialProvider, type PerContactResource } from "../upstream/index.js";

export const WRITE_PROBE_CONTACT_ID = "DoctorWriteProbe0000";

export interface DoctorResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a ✗ (or a warning). */
  hint?: string;
  /** Works, but costs more than it should (e.g. a bulk read refused): shown as !, never a failure. */
  warning?: boolean;
}

export interface RunDoctorOptions {
  config: Config;
  /** The upstream to check; default config.upstream.baseUrl (required outside demo mode). */
  upstreamBaseUrl?: string;
  /** Default: the environment's static location plus stored OAuth locations, as the gateway builds them. */
  credentials?: CredentialProvider;
  /** Per-request timeout. Default 5_000 ms. */
  timeoutMs?: number;
  /** Headroom below this share of a window's limit is a ✗. Default 0.05 (5 %). */
  minHeadroomRatio?: number;
  dispatcher?: Dispatcher;
}

interface Probe {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export async function runDoctor(options: RunDoctorOptions): Promise<DoctorResult[]> {
  const { config } = options;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const minHeadroomRatio = options.minHeadroomRatio ?? 0.05;
  const results: DoctorResult[] = [];
  const add = (r: DoctorResult) => results.push(r);
  const baseUrl = (options.upstreamBaseUrl ?? config.upstream.baseUrl)?.replace(/\/+$/, "");
  const cleanups: (() => Promise<unknown>)[] = [];

  try {
    // --- Redis (first: the credential store may live there) -------------------------------------
    let redis: Redis | undefined;
    if (config.redis.url) {
      // The gateway's own connection factory (src/redis/), one attempt, no reconnects.
      const connections = createRedisConnections({
        url: config.redis.url,
        keyPrefix: config.redis.keyPrefix,
        connectTimeoutMs: timeoutMs,
        reconnect: false,
      });
      const command = connections.command();
      let lastRedisError: unknown;
      command.on("error", (error: unknown) => {
        lastRedisError = error;
      });
      cleanups.push(() => connections.close());
      try {
        if (!(await connections.waitReady(timeoutMs))) throw new Error(`no connection within ${timeoutMs} ms`);
        await withTimeout(command.ping(), timeoutMs);
        redis = command;
        add({ name: "Redis reachable", ok: true, detail: `PING answered at ${redactUrl(config.redis.url)}` });
      } catch (error) {
        add({
          name: "Redis reachable",
          ok: false,
          detail: `no answer from ${redactUrl(config.redis.url)} (${describeError(lastRedisError ?? error)})`,
          hint: "start Redis or fix REDIS_URL (redis://host:6379); unset REDIS_URL to run a single instance",
        });
      }
    }

    // --- webhook keys ----------------------------------------------------------------------------
    for (const [label, pem, type, variable] of [
      ["Ed25519 webhook key parses (x-ghl-signature)", config.webhooks.ed25519PublicKeyPem, "ed25519", "WEBHOOK_ED25519_PUBLIC_KEY"],
      ["RSA webhook key parses (x-wh-signature)", config.webhooks.rsaPublicKeyPem, "rsa", "WEBHOOK_RSA_PUBLIC_KEY"],
    ] as const) {
      try {
        const key = createPublicKey(pem);
        if (key.asymmetricKeyType !== type) throw new Error(`a ${key.asymmetricKeyType} key`);
        add({ name: label, ok: true, detail: `${type === "rsa" ? `RSA ${key.asymmetricKeyDetails?.modulusLength ?? "?"}-bit` : "Ed25519"} public key` });
      } catch (error) {
        add({ name: label, ok: false, detail: describeError(error), hint: `set ${variable} to HighLevel's published PEM (SPKI) public key, or unset it for the default` });
      }
    }

    // --- upstream reachable ----------------------------------------------------------------------
    if (baseUrl === undefined) {
      add({ name: "upstream reachable", ok: false, detail: "no upstream URL", hint: "set CONTACTS_API_URL (production: https://services.leadconnectorhq.com)" });
      return results;
    }
    try {
      const r = await request(baseUrl + "/", { method: "GET", signal: AbortSignal.timeout(timeoutMs), ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });
      await r.body.dump();
      add({ name: "upstream reachable", ok: true, detail: `${baseUrl} answered HTTP ${r.statusCode}` });
    } catch (error) {
      add({
        name: "upstream reachable",
        ok: false,
        detail: `${baseUrl}: ${describeError(error)}`,
        hint: "check CONTACTS_API_URL, DNS, proxy and firewall (production: https://services.leadconnectorhq.com)",
      });
      return results;
    }

    // --- credentials -----------------------------------------------------------------------------
    let credentials = options.credentials;
    if (!credentials) {
      try {
        const staticProvider = credentialsFromConfig(config.upstream);
        const built = createGatewayCredentials({
          config,
          upstreamBaseUrl: baseUrl,
          ...(staticProvider ? { staticProvider } : {}),
          ...(redis ? { redis } : {}),
        });
        cleanups.push(() => built.close());
        await built.start();
        if (built.store) {
          add({ name: "credential store decrypts", ok: true, detail: `${built.store.backendKind} store, ${(await built.store.list()).length} location(s)` });
        }
        credentials = built.provider;
      } catch (error) {
        add({
          name: "credential store decrypts",
          ok: false,
          detail: describeError(error),
          hint: "CREDENTIALS_KEY must be the key the records were written with (after a rotation, keep the old one in CREDENTIALS_KEY_PREVIOUS); with REDIS_URL the store lives in Redis",
        });
        return results;
      }
    }
    const locations = credentials ? await credentials.locations() : [];
    if (!credentials || locations.length === 0) {
      add({
        name: "credentials configured",
        ok: false,
        detail: "no location to serve",
        hint: "set CONTACTS_API_TOKEN and CONTACTS_LOCATION_ID (Private Integration Token), or install the app on a location via /oauth/install",
      });
      return results;
    }

    for (const locationId of locations) {
      await checkLocation(credentials, locationId);
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  return results;

  async function checkLocation(credentials: CredentialProvider, locationId: string): Promise<void> {
    const at = `[${locationId}]`;
    let token: string;
    try {
      token = await credentials.getAccessToken(locationId);
    } catch (error) {
      add({ name: `token available ${at}`, ok: false, detail: describeError(error), hint: "reinstall the app for this location via /oauth/install" });
      return;
    }
    const call = async (method: "GET" | "PUT" | "POST", path: string, query?: Record<string, string>, body?: unknown, version = config.upstream.version): Promise<Probe> => {
      const url = new URL(baseUrl + path);
      for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
      const r = await request(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          version,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      const text = await r.body.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* keep text */
      }
      return { status: r.statusCode, headers: r.headers as Probe["headers"], body: parsed };
    };

    // Read probe.
    let read: Probe;
    try {
      read = await call("GET", "/contacts/", { locationId, limit: "1" });
    } catch (error) {
      add({ name: `read probe ${at}`, ok: false, detail: `GET /contacts/ failed: ${describeError(error)}`, hint: "the upstream accepted a connection but did not answer; retry, or raise UPSTREAM_HEADERS_TIMEOUT_MS" });
      return;
    }
    const readError = read.status >= 200 && read.status < 300 ? undefined : errorFromResponse({ method: "GET", route: "/contacts/" }, { ...read, durationMs: 0 });
    const reason = readError?.reason;
    if (reason === "missing_version") {
      add({ name: `Version header accepted ${at}`, ok: false, detail: `Version ${config.upstream.version} refused: ${readError!.upstreamMessages.join("; ")}`, hint: "set CONTACTS_API_VERSION=2021-07-28 (or unset it for the default)" });
      return;
    }
    if (reason === "invalid_token") {
      add({
        name: `token valid ${at}`,
        ok: false,
        detail: `GET /contacts/ answered 401: ${readError!.upstreamMessages.join("; ") || "invalid token"}`,
        hint: "CONTACTS_API_TOKEN is invalid or expired: create a new Private Integration Token (Settings → Private Integrations) or reinstall the app via /oauth/install",
      });
      return;
    }
    add({ name: `token valid ${at}`, ok: true, detail: "the upstream accepted the bearer token" });
    add({ name: `Version header accepted ${at}`, ok: true, detail: `Version ${config.upstream.version}` });
    if (reason === "location_forbidden") {
      add({ name: `read scope (contacts.readonly) ${at}`, ok: false, detail: "403: the token has no access to this location", hint: "CONTACTS_LOCATION_ID must be the location the token was issued for" });
    } else if (reason === "missing_scope") {
      add({ name: `read scope (contacts.readonly) ${at}`, ok: false, detail: "401: the token is not authorized for contacts.readonly", hint: "grant contacts.readonly to the Private Integration Token / add it to OAUTH_SCOPES and reinstall" });
    } else if (readError) {
      add({ name: `read scope (contacts.readonly) ${at}`, ok: false, detail: `GET /contacts/ answered ${read.status}: ${readError.message}`, hint: read.status === 429 ? "the rate limit is exhausted right now; wait for the window to pass" : "see the upstream's message; check CONTACTS_API_URL points at the Contacts API" });
    } else {
      add({ name: `read scope (contacts.readonly) ${at}`, ok: true, detail: "GET /contacts/?limit=1 answered 200" });
    }

    // Rate-limit headroom from the read probe's headers.
    add(headroom(read.headers, at, minHeadroomRatio));

    // Write probe.
    try {
      const write = await call("PUT", `/contacts/${WRITE_PROBE_CONTACT_ID}`, undefined, {});
      if (write.status === 401 || write.status === 403) {
        const e = errorFromResponse({ method: "PUT", route: "/contacts/:contactId" }, { ...write, durationMs: 0 });
        add({
          name: `write scope (contacts.write) ${at}`,
          ok: false,
          detail: `PUT probe answered ${write.status}: ${e.upstreamMessages.join("; ") || e.reason}`,
          hint: "grant contacts.write to the token (mutations will answer FORBIDDEN until then) / add it to OAUTH_SCOPES and reinstall",
        });
      } else if (write.status === 400 || write.status === 404 || write.status === 422 || (write.status >= 200 && write.status < 300)) {
        add({ name: `write scope (contacts.write) ${at}`, ok: true, detail: `PUT probe on a non-existent contact passed the scope check (HTTP ${write.status})` });
      } else {
        add({ name: `write scope (contacts.write) ${at}`, ok: false, detail: `PUT probe answered ${write.status}, which says nothing about the scope`, hint: write.status === 429 ? "rate limited right now; run doctor again in a few seconds" : "run doctor again; if it persists, check the upstream's status" });
      }
    } catch (error) {
      add({ name: `write scope (contacts.write) ${at}`, ok: false, detail: `PUT probe failed: ${describeError(error)}`, hint: "run doctor again; check the network" });
    }

    // Bulk reads of the relations (resources.ts): one small probe each.
    for (const resource of DEFAULT_RESOURCE_REGISTRY.perContact) {
      if (resource.bulk) add(await checkBulkRead(resource, locationId, at, call));
    }

    // Field mapping (FIELD_MAPPING) against the location's custom-field definitions.
    const mapping = config.fieldMapping;
    if (!mapping) return;
    const name = `field mapping ${at}`;
    try {
      const fields = await call("GET", `/locations/${encodeURIComponent(locationId)}/customFields`, { model: "contact" });
      if (fields.status < 200 || fields.status >= 300) {
        const e = errorFromResponse({ method: "GET", route: "/locations/:locationId/customFields" }, { ...fields, durationMs: 0 });
        add({
          name,
          ok: false,
          detail: `GET /locations/:id/customFields answered ${fields.status}: ${e.upstreamMessages.join("; ") || e.reason}`,
          hint: "grant locations/customFields.readonly to the token (mapped fields resolve with an error until then) / add it to OAUTH_SCOPES and reinstall",
        });
        return;
      }
      const definitions = (fields.body as { customFields?: DefinitionLike[] } | undefined)?.customFields;
      const problems = mappingProblems(mapping, Array.isArray(definitions) ? definitions : []);
      if (problems.length === 0) {
        add({ name, ok: true, detail: `all ${mapping.contact.length} mapped fields of ${mapping.source} exist with compatible types` });
      } else {
        for (const p of problems) {
          add({
            name: `${name} ${p.field}`,
            ok: false,
            detail: `${p.field} (${p.key}): ${p.problem}`,
            hint: `create ${p.key} in the location's custom fields with a type ${p.field} can map, or fix ${mapping.source}; until then ${p.field} resolves to null with an error in this location`,
          });
        }
      }
    } catch (error) {
      add({ name, ok: false, detail: `GET /locations/:id/customFields failed: ${describeError(error)}`, hint: "run doctor again; check the network" });
    }
  }
}

function headroom(headers: Probe["headers"], at: string, minRatio: number): DoctorResult {
  const num = (name: string) => {
    const raw = headers[name];
    const v = Number(Array.isArray(raw) ? raw[0] : raw);
    return raw === undefined || !Number.isFinite(v) ? undefined : v;
  };
  const remaining = num("x-ratelimit-remaining");
  const max = num("x-ratelimit-max");
  const dailyRemaining = num("x-ratelimit-daily-remaining");
  const dailyLimit = num("x-ratelimit-limit-daily");
  const interval = num("x-ratelimit-interval-milliseconds");
  const name = `rate-limit headroom ${at}`;
  if (remaining === undefined || max === undefined || dailyRemaining === undefined || dailyLimit === undefined) {
    return { name, ok: false, detail: "the response carried no X-RateLimit-* headers", hint: "CONTACTS_API_URL should be the HighLevel API (https://services.leadconnectorhq.com), which sends them on every response" };
  }
  const detail = `burst ${remaining}/${max}${interval ? ` per ${interval / 1000} s` : ""}, daily ${dailyRemaining}/${dailyLimit}`;
  if (dailyRemaining < dailyLimit * minRatio) {
    return { name, ok: false, detail, hint: "the daily budget is nearly spent; it resets at midnight UTC. Raise CACHE_TTL_MS and rely on webhooks to cut calls" };
  }
  if (remaining < max * minRatio) {
    return { name, ok: false, detail, hint: "the burst window is nearly exhausted by other clients of this app/location; run doctor again after the interval" };
  }
  return { name, ok: true, detail };
}

function describeError(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { code?: unknown; message?: unknown; name?: unknown };
    const code = typeof e.code === "string" ? e.code : undefined;
    const message = typeof e.message === "string" ? e.message : String(e.name ?? "error");
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

type ProbeCall = (method: "GET" | "POST", path: string, query?: Record<string, string>, body?: unknown, version?: string) => Promise<Probe>;

/**
 * Whether a relation's bulk read works for this location: the tasks search for no contact with
 * `limit` 1, or the calendar list and then one calendar's events over an empty window (0..1 ms).
 * Refused or failing, the gateway reads that relation per contact: a warning naming the scope.
 */
async function checkBulkRead(resource: PerContactResource, locationId: string, at: string, call: ProbeCall): Promise<DoctorResult> {
  const bulk = resource.bulk!;
  const name = `bulk read of ${resource.kind} ${at}`;
  const location = encodeURIComponent(locationId);
  const fallback = (method: "GET" | "POST", route: string, scope: string, probe: Probe): DoctorResult => {
    const e = errorFromResponse({ method, route }, { ...probe, durationMs: 0 });
    const refused = probe.status === 401 || probe.status === 403;
    return {
      name,
      ok: true,
      warning: true,
      detail: `${route} answered ${probe.status}${e.upstreamMessages.length > 0 ? `: ${e.upstreamMessages.join("; ")}` : ""}; ${resource.kind} are read per contact (one call per contact)`,
      hint: refused ? `grant ${scope} to the token / add it to OAUTH_SCOPES and reinstall` : "run doctor again; if it persists, the gateway keeps reading per contact",
    };
  };
  const ok = (status: number) => status >= 200 && status < 300;
  try {
    if (bulk.via === "contacts") {
      const probe = await call("POST", bulk.route.replace(":locationId", location), undefined, { [bulk.contactsField]: [], limit: 1 });
      if (!ok(probe.status)) return fallback("POST", bulk.route, bulk.scope, probe);
      return { name, ok: true, detail: `${bulk.route} answered ${probe.status} (${bulk.scope})` };
    }
    const calendars = await call("GET", bulk.calendarsRoute, { locationId }, undefined, bulk.version);
    if (!ok(calendars.status)) return fallback("GET", bulk.calendarsRoute, bulk.calendarsScope, calendars);
    let list: { id: string }[];
    try {
      list = calendarListOf(calendars.body, bulk); // read as the gateway reads it: what fails here fails there
    } catch (error) {
      return {
        name,
        ok: true,
        warning: true,
        detail: `${describeError(error)}; ${resource.kind} are read per contact (one call per contact)`,
        hint: "run doctor again; if it persists, the gateway keeps reading per contact",
      };
    }
    const first = list[0];
    if (!first) return { name, ok: true, detail: `${bulk.calendarsRoute} answered ${calendars.status} with no calendar: nothing to read yet` };
    const events = await call("GET", bulk.eventsRoute, { locationId, calendarId: first.id, startTime: "0", endTime: "1" }, undefined, bulk.version);
    if (!ok(events.status)) return fallback("GET", bulk.eventsRoute, bulk.eventsScope, events);
    return { name, ok: true, detail: `${bulk.calendarsRoute} and ${bulk.eventsRoute} answered (${bulk.calendarsScope}, ${bulk.eventsScope})` };
  } catch (error) {
    return { name, ok: true, warning: true, detail: `probe failed: ${describeError(error)}; ${resource.kind} may be read per contact`, hint: "run doctor again; check the network" };
  }
}
