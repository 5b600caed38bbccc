/**
 * The simulator's HTTP server (node:http): request log, fault injection, latency, auth (token,
 * Version, scope), rate limiting with HighLevel's headers, route dispatch and JSON answers with a
 * `traceId`. Wires store, webhooks, OAuth and the activity generator into one `Simulator` handle.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { randomUUID } from "node:crypto";
import { createActivityGenerator, type ActivityGenerator } from "./activity.generator.js";
import { createContactRoutes, type RouteDefinition } from "./contacts.routes.js";
import { createSearchRoutes } from "./contacts-search.routes.js";
import { createLocationTaskRoutes } from "./location-tasks.routes.js";
import { createCalendarRoutes } from "./calendars.routes.js";
import { FaultRegistry } from "./faults.js";
import { OAuthServer } from "./oauth.routes.js";
import { createRng } from "./random.js";
import { RateLimiter } from "./rate-limit.js";
import { DEFAULT_SEED, DEMO_LOCATION_ID, OTHER_LOCATION_ID, registerLocations, seedStore } from "./seed.data.js";
import { errors, HttpError, type RouteContext } from "./simulator.http.js";
import { MemoryStore } from "./simulator.store.js";
import type {
  FaultRule,
  LatencyOptions,
  RequestLogEntry,
  Simulator,
  SimulatorOptions,
  SimulatorToken,
} from "./simulator.types.js";
import { WebhookEmitter } from "./webhook.emitter.js";
import { createWebhookSigner } from "./webhook.signer.js";

/** The only `Version` header value HighLevel's Contacts API accepts. */
export const API_VERSION = "2021-07-28";
const MAX_BODY_BYTES = 1_048_576;
const DEFAULT_LOG_LIMIT = 50_000;

/** The location reads a dashboard's filter pickers need (custom-field definitions, tags). */
const LOCATION_READ_SCOPES = ["locations/customFields.readonly", "locations/tags.readonly"];

/** Ready-made tokens: read-write and read-only for location A, read-write and read-only for B. */
export const DEMO_TOKENS: readonly SimulatorToken[] = Object.freeze([
  { token: "sim-rw-A-token", locationId: DEMO_LOCATION_ID, scopes: ["contacts.readonly", "contacts.write", ...LOCATION_READ_SCOPES] },
  { token: "sim-ro-A-token", locationId: DEMO_LOCATION_ID, scopes: ["contacts.readonly", ...LOCATION_READ_SCOPES] },
  { token: "sim-rw-B-token", locationId: OTHER_LOCATION_ID, scopes: ["contacts.readonly", "contacts.write", ...LOCATION_READ_SCOPES] },
  { token: "sim-ro-B-token", locationId: OTHER_LOCATION_ID, scopes: ["contacts.readonly", ...LOCATION_READ_SCOPES] },
]);

/**
 * DEMO_TOKENS plus, for each demo location, an install token holding `scopes` (what a default
 * install grants, OAUTH_SCOPES): the credential `npm start` and `npm run doctor` use in demo mode,
 * so the demo reads the way a real install does (tasks and appointments in bulk). A fresh random
 * token per process: it never appears in a log or a test.
 */
export function demoTokensWithInstall(scopes: readonly string[]): SimulatorToken[] {
  const install = [DEMO_LOCATION_ID, OTHER_LOCATION_ID].map((locationId) => ({
    token: `sim-install-${randomUUID()}`,
    locationId,
    scopes: [...scopes],
  }));
  // No copy of DEMO_TOKENS' entries: startSimulator copies each token it is given.
  return [...DEMO_TOKENS, ...install];
}

/**
 * Demo mode's upstream credential per location: the token with the most scopes (the first of
 * equals), so `npm start` and `npm run doctor` act as the same install.
 */
export function demoUpstreamCredentials(tokens: readonly SimulatorToken[]): Record<string, { token: string; scopes: string[] }> {
  const byLocation: Record<string, { token: string; scopes: string[] }> = {};
  for (const t of tokens) {
    if (!byLocation[t.locationId] || t.scopes.length > byLocation[t.locationId]!.scopes.length) {
      byLocation[t.locationId] = { token: t.token, scopes: [...t.scopes] };
    }
  }
  return byLocation;
}

interface CompiledRoute {
  definition: RouteDefinition;
  pattern: RegExp;
  names: string[];
}

function compile(definition: RouteDefinition): CompiledRoute {
  const names: string[] = [];
  const trimmed = definition.route.replace(/\/$/, "");
  const source = trimmed
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        names.push(segment.slice(1));
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { definition, pattern: new RegExp(`^${source}/?$`), names };
}

function checkDelay(delayMs: number): number {
  if (!Number.isInteger(delayMs) || delayMs < 0) throw new TypeError(`simulator: expected searchIndexDelayMs to be an integer >= 0, received ${delayMs}`);
  return delayMs;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const seedNumber = typeof options.seed === "number" ? options.seed : DEFAULT_SEED;
  const signer = createWebhookSigner();
  const emitter = new WebhookEmitter({ ...options.webhooks, signer, now, logLimit: options.logLimit ?? DEFAULT_LOG_LIMIT });
  const store = new MemoryStore({ now, rng: createRng(seedNumber ^ 0x2545f491), onEvent: (e) => emitter.emit(e) });
  registerLocations(store);
  if (options.seed !== false) seedStore(store, { seed: seedNumber, nowMs: now() });

  const tokens = new Map<string, SimulatorToken>();
  for (const t of options.tokens ?? DEMO_TOKENS) tokens.set(t.token, { ...t, scopes: [...t.scopes] });
  const rateLimiter = new RateLimiter(options.rateLimit, now);
  const faults = new FaultRegistry();
  let latency: LatencyOptions = { ...options.latency };
  const requests: RequestLogEntry[] = [];
  const logWaiters = new Set<() => void>();

  const oauth = new OAuthServer({
    options: options.oauth,
    defaultLocationId: DEMO_LOCATION_ID,
    now,
    addToken: (t) => tokens.set(t.token, t),
    expireTokens: (predicate) => {
      const expiredAt = now() - 1;
      for (const t of tokens.values()) if (predicate(t)) t.expiresAtMs = expiredAt;
    },
  });

  let searchIndexDelayMs = checkDelay(options.searchIndexDelayMs ?? 0);
  const routes = [
    ...createSearchRoutes(store, { now, indexDelayMs: () => searchIndexDelayMs }),
    ...createContactRoutes(store),
    ...createLocationTaskRoutes(store),
    ...createCalendarRoutes(store),
  ].map(compile);
  let baseUrl = "";

  const match = (method: string, path: string): { route?: CompiledRoute; params: Record<string, string> } => {
    for (const route of routes) {
      if (route.definition.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeSegment(m[i + 1] ?? "")));
      return { route, params };
    }
    return { params: {} };
  };

  const logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
  const record = (entry: RequestLogEntry) => {
    requests.push(entry);
    if (requests.length > logLimit) requests.splice(0, requests.length - logLimit);
    for (const waiter of [...logWaiters]) waiter();
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const payload = body === undefined ? "" : JSON.stringify(body);
    const merged: Record<string, string | number> = {};
    // Lower-cased so a fault's header overrides the computed one instead of duplicating it.
    for (const [name, value] of Object.entries(headers)) merged[name.toLowerCase()] = value;
    if (body !== undefined) merged["content-type"] = "application/json; charset=utf-8";
    merged["content-length"] = Buffer.byteLength(payload);
    res.writeHead(status, merged);
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const time = now();
    const url = new URL(req.url ?? "/", "http://simulator.local");
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const isOAuthToken = path === "/oauth/token";
    const isChooseLocation = path === "/oauth/chooselocation" || path === "/v2/oauth/chooselocation";
    const { route, params } = match(method, path);
    const template = isOAuthToken ? "/oauth/token" : isChooseLocation ? "/oauth/chooselocation" : route?.definition.route ?? "unknown";
    const authHeader = req.headers.authorization;
    const bearer = typeof authHeader === "string" && /^Bearer\s+/i.test(authHeader) ? authHeader.replace(/^Bearer\s+/i, "").trim() : undefined;
    const known = bearer ? tokens.get(bearer) : undefined;
    const entry: RequestLogEntry = { method, path, route: template, query, time, status: 0 };
    if (bearer) entry.token = bearer;
    if (typeof req.headers.version === "string") entry.version = req.headers.version;
    if (known) entry.locationId = known.locationId;

    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch {
      entry.status = 413;
      record(entry);
      send(res, 413, { statusCode: 413, message: `request body: expected at most ${MAX_BODY_BYTES} bytes`, error: "Payload Too Large" }, rateLimiter.check(undefined, false).headers);
      return;
    }

    // Faults first: they stand in for anything upstream might do, before any real handling.
    const fault = faults.take(method, template, path);
    const finish = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      record(entry);
      if (fault?.rawBody === undefined) return send(res, status, body, headers);
      const merged: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(headers)) merged[name.toLowerCase()] = value;
      merged["content-type"] = "application/json; charset=utf-8";
      merged["content-length"] = Buffer.byteLength(fault.rawBody);
      res.writeHead(status, merged);
      res.end(fault.rawBody);
    };

    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.reset) {
      entry.status = 0;
      record(entry);
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const rate = rateLimiter.check(known ? `${known.token}|${known.locationId}` : undefined, false).headers;
      finish(fault.status, fault.body ?? { statusCode: fault.status, message: "Injected fault", traceId: randomUUID() }, { ...rate, ...fault.headers });
      return;
    }

    const delayMs = (latency.fixedMs ?? 0) + (latency.jitterMs ? Math.random() * latency.jitterMs : 0);
    if (delayMs > 0) await sleep(delayMs);

    if (isOAuthToken || isChooseLocation) {
      try {
        if (isOAuthToken) {
          if (method !== "POST") throw new HttpError(404, { statusCode: 404, message: `Cannot ${method} ${path}`, error: "Not Found" });
          const form = parseForm(raw, req.headers["content-type"]);
          entry.body = { ...form, client_secret: form.client_secret ? "[redacted]" : undefined, code: form.code ? "[redacted]" : undefined, refresh_token: form.refresh_token ? "[redacted]" : undefined };
          const result = oauth.token(form);
          finish(result.status, result.body, { ...rateLimiter.check(undefined, false).headers, "cache-control": "no-store" });
        } else {
          const result = oauth.chooseLocation(query);
          entry.status = result.status;
          record(entry);
          res.writeHead(result.status, result.headers ?? {});
          res.end();
        }
      } catch (error) {
        const headers = rateLimiter.check(undefined, false).headers;
        if (error instanceof HttpError) finish(error.status, error.body, headers);
        else finish(500, { statusCode: 500, message: "Internal server error" }, headers);
      }
      return;
    }

    // Auth: token → rate limit → Version → scope → (location, in the route).
    const rateKey = known ? `${known.token}|${known.locationId}` : undefined;
    const tokenValid = known !== undefined && (known.expiresAtMs === undefined || known.expiresAtMs > now());
    const decision = rateLimiter.check(tokenValid ? rateKey : undefined, tokenValid && route !== undefined);
    const rateHeaders = decision.headers;
    const reply = (status: number, body: Record<string, unknown>) =>
      finish(status, { ...body, traceId: randomUUID() }, rateHeaders);
    try {
      if (!route) {
        // NestJS's answer for an unknown route (or a known path with another method).
        throw new HttpError(404, { statusCode: 404, message: `Cannot ${method} ${path}`, error: "Not Found" });
      }
      if (!tokenValid) throw errors.invalidToken();
      if (!decision.allowed) throw errors.tooManyRequests();
      const version = req.headers.version;
      if (version === undefined || version === "") throw errors.versionMissing();
      if (version !== (route.definition.version ?? API_VERSION)) throw errors.versionInvalid();
      if (!known.scopes.includes(route.definition.scope)) throw errors.scope();
      let body: unknown;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new HttpError(400, { statusCode: 400, message: "Unexpected token in JSON body: expected valid JSON", error: "Bad Request" });
        }
        entry.body = body;
      }
      const ctx: RouteContext = { params, query, body, token: known, baseUrl };
      const result = route.definition.handle(ctx);
      reply(result.status, result.body);
    } catch (error) {
      if (error instanceof HttpError) reply(error.status, error.body);
      else reply(500, { statusCode: 500, message: "Internal server error", error: "Internal Server Error" });
    }
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { statusCode: 500, message: "Internal server error" });
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== "0.0.0.0" && options.host !== "::" ? options.host : "127.0.0.1";
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;

  let activity: ActivityGenerator | undefined;
  const startActivity = (activityOptions: { intervalMs: number }) => {
    activity?.stop();
    activity = createActivityGenerator({ store, locationId: DEMO_LOCATION_ID, intervalMs: activityOptions.intervalMs, seed: seedNumber, now });
    activity.start();
  };
  if (options.activity) startActivity(options.activity);

  const simulator: Simulator = {
    url: baseUrl,
    port: address.port,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    waitForRequests: (predicate, count = 1, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = requests.filter(predicate);
          if (found.length >= count) {
            cleanup();
            resolve(found);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`waitForRequests: expected ${count} matching request(s) within ${timeoutMs} ms, saw ${requests.filter(predicate).length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          logWaiters.delete(waiter);
        };
        const waiter = () => void check();
        if (!check()) logWaiters.add(waiter);
      }),
    addFault: (rule: FaultRule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    data: store,
    get tokens() {
      return [...tokens.values()];
    },
    addToken: (t) => {
      tokens.set(t.token, { ...t, scopes: [...t.scopes] });
    },
    webhookKeys: { ed25519PublicKeyPem: signer.ed25519PublicKeyPem, rsaPublicKeyPem: signer.rsaPublicKeyPem },
    setWebhookTarget: (target) => {
      emitter.setTarget(target);
      if (!target) emitter.setEnabled(false);
    },
    signWebhook: (body) => signer.sign(body),
    deliveredWebhooks: emitter.delivered,
    flushWebhooks: (timeoutMs) => emitter.flush(timeoutMs),
    setRateLimit: (rateOptions) => rateLimiter.set(rateOptions),
    setLatency: (latencyOptions) => {
      latency = { ...latencyOptions };
    },
    setSearchIndexDelay: (delayMs) => {
      searchIndexDelayMs = checkDelay(delayMs);
    },
    oauth,
    startActivity,
    stopActivity: () => {
      activity?.stop();
      activity = undefined;
    },
    close: async () => {
      activity?.stop();
      emitter.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
  return simulator;
}

/** A path parameter, percent-decoded; a malformed escape (`%E0%A4%A`) stays as sent (it then names no resource: 400, not a 500). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("body too large"));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseForm(raw: Buffer, contentType: string | undefined): Record<string, string> {
  const text = raw.toString("utf8");
  if (contentType?.includes("application/json")) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}
