/**
 * The gateway's configuration: the only module that reads the environment (README, "Configuration").
 * `loadConfig(env)` validates every variable and returns one typed, frozen `Config`; a bad value
 * throws a `ConfigError` whose message is one line naming the variable and the expected form.
 * Nothing here runs at import time.
 */
import { createPublicKey } from "node:crypto";
import { z } from "zod";
import { loadFieldMappingFile, type FieldMapping } from "./field-mapping.parse.js";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`Invalid configuration: ${variable} must be ${expected}`);
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** FIELD_MAPPING: the product's typed fields over HighLevel custom fields (field-mapping.parse.ts); undefined = none. */
  fieldMapping: FieldMapping | undefined;
  /** Where the gateway listens. PORT 0 picks a free port (tests). */
  port: number;
  host: string;
  upstream: {
    /** `undefined` = run the embedded simulator (demo mode). */
    baseUrl: string | undefined;
    /** Private Integration Token / OAuth access token of the single configured location. */
    token: string | undefined;
    locationId: string | undefined;
    /** Scopes granted to `token`, when known (space-separated in CONTACTS_API_SCOPES). */
    tokenScopes: string[] | undefined;
    version: string;
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    /** Max concurrent upstream calls per location. */
    concurrencyPerLocation: number;
  };
  auth: {
    /** HS256 secret for caller JWTs. `undefined` outside demo mode means start-up fails. */
    jwtSecret: string | undefined;
  };
  webhooks: {
    ed25519PublicKeyPem: string;
    rsaPublicKeyPem: string;
    /** Replay window for `timestamp`; ids are remembered at least this long. */
    replayWindowMs: number;
    /**
     * How long the id of a delivery WITHOUT a `timestamp` is remembered (no age check can refuse
     * its replay): at least the replay window. Durable across restarts with REDIS_URL.
     */
    untimedDedupMs: number;
    maxBodyBytes: number;
    /** How long after a signed delivery for a location its webhooks count as flowing, ms (WEBHOOK_FLOWING_WINDOW_MS); 0 = never. */
    flowingWindowMs: number;
  };
  redis: {
    url: string | undefined;
    keyPrefix: string;
  };
  cache: {
    ttlMs: number;
    maxEntries: number;
    /** Lifetime of an entry in the shared (Redis) tier, ms; 0 = no shared tier. Used only with REDIS_URL. */
    sharedTtlMs: number;
    /**
     * How long an entry webhooks keep current (the registry's `webhookCoverage`) is served while its
     * location's webhooks flow, ms (CACHE_WEBHOOK_TTL_MS); at most `ttlMs` = off.
     */
    webhookTtlMs: number;
    /** Bytes of stored answers the response cache holds at most (RESPONSE_CACHE_MAX_MB; least recently used go first). */
    responseMaxBytes: number;
    /** Age after which such an entry, fully covered by webhooks, is revalidated in the background, ms (partly covered: `ttlMs`). */
    revalidateAfterMs: number;
    /** Share of a location's interval budget (RATE_LIMIT_BURST per RATE_LIMIT_INTERVAL_MS) background revalidation may use, percent. */
    revalidateBudgetPercent: number;
    /** Lifetime of a cached `POST /contacts/search` page, ms (capped by ttlMs). */
    searchTtlMs: number;
    /** How long a location's calendar list (`GET /calendars/`, for reading appointments in bulk) is used, ms. */
    calendarsTtlMs: number;
    /** Interval of the scheduled refresh of each location's custom-field definitions, ms; 0 = on demand only. */
    fieldDefinitionsRefreshMs: number;
  };
  warmUp: {
    /** Newest contacts per served location prefetched with their relations after start and install; 0 = no warm-up. */
    contacts: number;
    /** First contact pages (no query) prefetched, each at most `contacts`: the `first` of the dashboards served. */
    pageSizes: readonly number[];
    /** Share of a location's interval budget warm-up may use, percent. */
    budgetPercent: number;
  };
  rateLimit: {
    burst: number;
    intervalMs: number;
    daily: number;
    /** A call that would wait longer than this for budget fails with UPSTREAM_RATE_LIMITED. */
    maxWaitMs: number;
  };
  retry: {
    attempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
  };
  breaker: {
    failureThreshold: number;
    resetMs: number;
  };
  queryLimits: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    /** Directives per operation (`@include`/`@skip` and any other). */
    maxDirectives: number;
    /** Worst-case upstream calls an operation may cost (default: what a location serves within the deadline). */
    costBudget: number;
    /** List size assumed for `first` when a query leaves it out. */
    defaultListSize: number;
  };
  execution: {
    /**
     * COMPILE_ON_RUN: N = a query (same document and operation name) is compiled with graphql-jit
     * on its N-th execution (server/pipeline/execution.runner.ts); 0 = never compile, every
     * operation executes with graphql-js.
     */
    compileOnRun: number;
  };
  oauth: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    redirectUri: string | undefined;
    scopes: string[];
    authorizeUrl: string;
    /** Defaults to `<upstream base>/oauth/token`. */
    tokenUrl: string | undefined;
    /** Refresh this long before `expires_in` runs out. */
    refreshSkewMs: number;
  };
  credentials: {
    /** AES-256-GCM key (32 bytes) encrypting stored credentials; `undefined` = no persistent store. */
    key: Buffer | undefined;
    /** Older keys that still decrypt until records are re-encrypted (rotation). */
    previousKeys: Buffer[];
    dataDir: string;
  };
  demo: {
    /** Interval of the simulator's activity generator in demo mode; 0 = off. */
    activityIntervalMs: number;
  };
  /** Caps of graphql-ws (ws://…/graphql): a dashboard never reaches them, a flood does. */
  websocket: {
    /** Open operations on one socket; the next subscribe gets an error message. */
    maxSubscriptionsPerSocket: number;
    /** Open operations of one caller (`sub`, else its location) over all its sockets. */
    maxSubscriptionsPerCaller: number;
    /** Open sockets of one caller; the next is closed with 4429 after connection_init. */
    maxSocketsPerCaller: number;
  };
  /** Node's http.Server timeouts, set deliberately (its defaults hold slow clients for minutes). */
  http: {
    /** Time to receive a request's headers. */
    headersTimeoutMs: number;
    /** Time to receive a whole request (headers and body). */
    requestTimeoutMs: number;
    /** How long an idle keep-alive connection stays open. */
    keepAliveTimeoutMs: number;
  };
  /**
   * Every operation's deadline (OPERATION_DEADLINE_MS): waiting for an upstream queue slot,
   * retries and answers included; past it the pending upstream work is abandoned.
   */
  operationDeadlineMs: number;
  ops: {
    /** Bearer token for `GET /metrics` and for the location ids in `GET /readyz`; unset = /metrics is open, /readyz never lists locations. */
    metricsToken: string | undefined;
  };
  logLevel: LogLevel;
  shutdownGraceMs: number;
  /**
   * HEAP_GROWING_PERCENT: how far V8 lets the old generation grow past what the last major GC
   * kept before it collects again, percent (V8's `--heap-growing-percent`); 0 = V8's own
   * heuristic, which on a machine with more than 2 GB of heap limit lets it reach up to 4× (a
   * gateway's promoted request garbage then stays resident until the next major GC). Applied by
   * `npm start` (src/main.ts).
   */
  heapGrowingPercent: number;
}

/** HighLevel's published Ed25519 webhook key (FACTS.md "Webhooks"). */
export const HIGHLEVEL_ED25519_PUBLIC_KEY_PEM = [
  "-----BEGIN PUBLIC KEY-----",
  "MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=",
  "-----END PUBLIC KEY-----",
  "",
].join("\n");

/** HighLevel's published RSA webhook key (docs/oauth/WebhookAuthentication.md), legacy `x-wh-signature`. */
export const HIGHLEVEL_RSA_PUBLIC_KEY_PEM = [
  "-----BEGIN PUBLIC KEY-----",
  "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAokvo/r9tVgcfZ5DysOSC",
  "Frm602qYV0MaAiNnX9O8KxMbiyRKWeL9JpCpVpt4XHIcBOK4u3cLSqJGOLaPuXw6",
  "dO0t6Q/ZVdAV5Phz+ZtzPL16iCGeK9po6D6JHBpbi989mmzMryUnQJezlYJ3DVfB",
  "csedpinheNnyYeFXolrJvcsjDtfAeRx5ByHQmTnSdFUzuAnC9/GepgLT9SM4nCpv",
  "uxmZMxrJt5Rw+VUaQ9B8JSvbMPpez4peKaJPZHBbU3OdeCVx5klVXXZQGNHOs8gF",
  "3kvoV5rTnXV0IknLBXlcKKAQLZcY/Q9rG6Ifi9c+5vqlvHPCUJFT5XUGG5RKgOKU",
  "J062fRtN+rLYZUV+BjafxQauvC8wSWeYja63VSUruvmNj8xkx2zE/Juc+yjLjTXp",
  "IocmaiFeAO6fUtNjDeFVkhf5LNb59vECyrHD2SQIrhgXpO4Q3dVNA5rw576PwTzN",
  "h/AMfHKIjE4xQA1SZuYJmNnmVZLIZBlQAF9Ntd03rfadZ+yDiOXCCs9FkHibELhC",
  "HULgCsnuDJHcrGNd5/Ddm5hxGQ0ASitgHeMZ0kcIOwKDOzOU53lDza6/Y09T7sYJ",
  "PQe7z0cvj7aE4B+Ax1ZoZGPzpJlZtGXCsu9aTEGEnKzmsFqwcSsnw3JB31IGKAyk",
  "T1hhTiaCeIY/OwwwNUY2yvcCAwEAAQ==",
  "-----END PUBLIC KEY-----",
  "",
].join("\n");

type Env = Readonly<Record<string, string | undefined>>;

/** Reads one variable through a zod schema; failures name the variable and the expected form. */
function read<T>(env: Env, name: string, schema: z.ZodType<T>, expected: string): T {
  const raw = env[name];
  const value = raw === undefined || raw.trim() === "" ? undefined : raw.trim();
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ConfigError(name, expected);
  return parsed.data;
}

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback);

const optionalString = z.string().optional();

function httpUrl(env: Env, name: string): string | undefined {
  return read(
    env,
    name,
    z
      .string()
      .refine((s) => {
        try {
          const u = new URL(s);
          return u.protocol === "http:" || u.protocol === "https:";
        } catch {
          return false;
        }
      })
      .transform((s) => s.replace(/\/+$/, ""))
      .optional(),
    "an http(s) URL, e.g. https://services.leadconnectorhq.com",
  );
}

function publicKeyPem(env: Env, name: string, fallback: string, type: "ed25519" | "rsa"): string {
  const pem = read(env, name, optionalString, "a PEM public key");
  if (pem === undefined) return fallback;
  const text = `${pem.replace(/\\n/g, "\n").trim()}\n`;
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== type) throw new Error("wrong key type");
  } catch {
    throw new ConfigError(name, `a PEM (SPKI) ${type === "rsa" ? "RSA" : "Ed25519"} public key`);
  }
  return text;
}

function aesKey(env: Env, name: string): Buffer | undefined {
  const raw = read(env, name, optionalString, "32 bytes encoded as base64");
  if (raw === undefined) return undefined;
  const key = Buffer.from(raw, "base64");
  if (key.length !== 32 || key.toString("base64").replace(/=+$/, "") !== raw.replace(/=+$/, "")) {
    throw new ConfigError(name, "32 bytes encoded as base64 (e.g. `openssl rand -base64 32`)");
  }
  return key;
}

const scopeList = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** Validates the environment into a frozen Config. Throws ConfigError (one line) on the first bad value. */
export function loadConfig(env: Env): Config {
  const baseUrl = httpUrl(env, "CONTACTS_API_URL");
  const token = read(env, "CONTACTS_API_TOKEN", optionalString, "a bearer token");
  const locationId = read(
    env,
    "CONTACTS_LOCATION_ID",
    z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    "a HighLevel location id (letters and digits, e.g. ve9EPM428h8vShlRW1KT)",
  );
  if ((token === undefined) !== (locationId === undefined)) {
    throw new ConfigError(
      token === undefined ? "CONTACTS_API_TOKEN" : "CONTACTS_LOCATION_ID",
      "set together with " + (token === undefined ? "CONTACTS_LOCATION_ID" : "CONTACTS_API_TOKEN"),
    );
  }
  const tokenScopesRaw = read(env, "CONTACTS_API_SCOPES", optionalString, "space-separated scopes");
  const jwtSecret = read(env, "AUTH_JWT_SECRET", z.string().min(32).optional(), "a secret of at least 32 characters");
  const redisUrl = read(
    env,
    "REDIS_URL",
    z
      .string()
      .regex(/^rediss?:\/\/.+/)
      .optional(),
    "a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379",
  );

  const cacheTtlMs = read(env, "CACHE_TTL_MS", int(0, 86_400_000, 300_000), "milliseconds (0..86400000)");
  const fieldMappingPath = read(env, "FIELD_MAPPING", z.string().min(1).max(4096).optional(), "the path of a JSON field mapping file");
  const config: Config = {
    fieldMapping: fieldMappingPath === undefined ? undefined : loadFieldMappingFile(fieldMappingPath),
    port: read(env, "PORT", int(0, 65535, 4000), "a port number from 0 to 65535"),
    host: read(env, "HOST", z.string().min(1).optional(), "a host name or IP address") ?? "127.0.0.1",
    upstream: {
      baseUrl,
      token,
      locationId,
      tokenScopes: tokenScopesRaw === undefined ? undefined : scopeList(tokenScopesRaw),
      version:
        read(env, "CONTACTS_API_VERSION", z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), "a date like 2021-07-28") ??
        "2021-07-28",
      connectTimeoutMs: read(env, "UPSTREAM_CONNECT_TIMEOUT_MS", int(1, 600_000, 5_000), "milliseconds (1..600000)"),
      headersTimeoutMs: read(env, "UPSTREAM_HEADERS_TIMEOUT_MS", int(1, 600_000, 15_000), "milliseconds (1..600000)"),
      bodyTimeoutMs: read(env, "UPSTREAM_BODY_TIMEOUT_MS", int(1, 600_000, 15_000), "milliseconds (1..600000)"),
      concurrencyPerLocation: read(env, "UPSTREAM_CONCURRENCY", int(1, 1_000, 16), "an integer from 1 to 1000"),
    },
    auth: { jwtSecret },
    webhooks: {
      ed25519PublicKeyPem: publicKeyPem(env, "WEBHOOK_ED25519_PUBLIC_KEY", HIGHLEVEL_ED25519_PUBLIC_KEY_PEM, "ed25519"),
      rsaPublicKeyPem: publicKeyPem(env, "WEBHOOK_RSA_PUBLIC_KEY", HIGHLEVEL_RSA_PUBLIC_KEY_PEM, "rsa"),
      replayWindowMs:
        read(env, "WEBHOOK_REPLAY_WINDOW_MINUTES", int(1, 7 * 24 * 60, 90), "minutes (1..10080)") * 60_000,
      untimedDedupMs: read(env, "WEBHOOK_UNTIMED_DEDUP_DAYS", int(1, 365, 30), "days (1..365)") * 86_400_000,
      maxBodyBytes: 1024 * 1024,
      flowingWindowMs: read(env, "WEBHOOK_FLOWING_WINDOW_MS", int(0, 86_400_000, 1_800_000), "milliseconds (0..86400000)"),
    },
    redis: {
      url: redisUrl,
      keyPrefix: read(env, "REDIS_KEY_PREFIX", z.string().min(1).max(64).optional(), "1 to 64 characters") ?? "cgw:",
    },
    cache: {
      ttlMs: cacheTtlMs,
      maxEntries: read(env, "CACHE_MAX_ENTRIES", int(1, 10_000_000, 100_000), "an integer from 1 to 10000000"),
      responseMaxBytes: read(env, "RESPONSE_CACHE_MAX_MB", int(1, 4096, 16), "an integer from 1 to 4096 (MiB)") * 1024 * 1024,
      sharedTtlMs: read(env, "CACHE_SHARED_TTL_MS", int(0, 7 * 86_400_000, cacheTtlMs), "milliseconds (0..604800000)"),
      webhookTtlMs: read(env, "CACHE_WEBHOOK_TTL_MS", int(0, 7 * 86_400_000, 14_400_000), "milliseconds (0..604800000)"),
      revalidateAfterMs: read(env, "CACHE_REVALIDATE_AFTER_MS", int(1, 7 * 86_400_000, 3_600_000), "milliseconds (1..604800000)"),
      revalidateBudgetPercent: read(env, "CACHE_REVALIDATE_BUDGET_PERCENT", int(1, 100, 10), "a percentage from 1 to 100"),
      searchTtlMs: read(env, "CACHE_SEARCH_TTL_MS", int(0, 600_000, 5_000), "milliseconds (0..600000)"),
      calendarsTtlMs: read(env, "CACHE_CALENDARS_TTL_MS", int(0, 7 * 86_400_000, 3_600_000), "milliseconds (0..604800000)"),
      fieldDefinitionsRefreshMs: read(env, "FIELD_DEFINITIONS_REFRESH_MS", int(0, 86_400_000, 300_000), "milliseconds (0..86400000)"),
    },
    warmUp: {
      contacts: read(env, "WARMUP_CONTACTS", int(0, 100, 100), "an integer from 0 to 100 (0 = no warm-up)"),
      pageSizes:
        read(
          env,
          "WARMUP_PAGE_SIZES",
          z
            .string()
            .regex(/^\d{1,3}(,\d{1,3})*$/)
            .transform((s) => s.split(",").map(Number))
            .refine((sizes) => sizes.every((n) => n >= 1 && n <= 100))
            .optional(),
          "comma-separated page sizes from 1 to 100, e.g. 20,25,50",
        ) ?? [20, 25, 50],
      budgetPercent: read(env, "WARMUP_BUDGET_PERCENT", int(1, 100, 30), "a percentage from 1 to 100"),
    },
    rateLimit: {
      burst: read(env, "RATE_LIMIT_BURST", int(1, 1_000_000, 100), "an integer from 1 to 1000000"),
      intervalMs: read(env, "RATE_LIMIT_INTERVAL_MS", int(1, 3_600_000, 10_000), "milliseconds (1..3600000)"),
      daily: read(env, "RATE_LIMIT_DAILY", int(1, 100_000_000, 200_000), "an integer from 1 to 100000000"),
      maxWaitMs: read(env, "RATE_LIMIT_MAX_WAIT_MS", int(0, 600_000, 5_000), "milliseconds (0..600000)"),
    },
    retry: {
      attempts: read(env, "UPSTREAM_RETRY_ATTEMPTS", int(1, 10, 3), "an integer from 1 to 10"),
      baseDelayMs: read(env, "UPSTREAM_RETRY_BASE_DELAY_MS", int(1, 60_000, 200), "milliseconds (1..60000)"),
      maxDelayMs: read(env, "UPSTREAM_RETRY_MAX_DELAY_MS", int(1, 600_000, 10_000), "milliseconds (1..600000)"),
    },
    breaker: {
      failureThreshold: read(env, "BREAKER_FAILURE_THRESHOLD", int(1, 1_000, 5), "an integer from 1 to 1000"),
      resetMs: read(env, "BREAKER_RESET_MS", int(1, 3_600_000, 10_000), "milliseconds (1..3600000)"),
    },
    queryLimits: {
      maxDepth: read(env, "QUERY_MAX_DEPTH", int(1, 100, 10), "an integer from 1 to 100"),
      maxAliases: read(env, "QUERY_MAX_ALIASES", int(0, 1_000, 30), "an integer from 0 to 1000"),
      maxTokens: read(env, "QUERY_MAX_TOKENS", int(1, 100_000, 2_000), "an integer from 1 to 100000"),
      maxDirectives: read(env, "QUERY_MAX_DIRECTIVES", int(0, 1_000, 50), "an integer from 0 to 1000"),
      // 180: what one location serves within the default deadline (95 calls per 11 s window after
      // the rate governor's margins, two windows in 15 s less the answer's reserve), with room for
      // other callers' calls (test/unit/config/config.test.ts checks the fit).
      costBudget: read(env, "QUERY_COST_BUDGET", int(1, 1_000_000, 180), "an integer from 1 to 1000000"),
      defaultListSize: read(env, "QUERY_DEFAULT_LIST_SIZE", int(1, 1_000, 20), "an integer from 1 to 1000"),
    },
    execution: {
      compileOnRun: read(env, "COMPILE_ON_RUN", int(0, 1_000, 3), "an integer from 0 to 1000 (0 = never compile)"),
    },
    oauth: {
      clientId: read(env, "OAUTH_CLIENT_ID", optionalString, "the Marketplace app's client id"),
      clientSecret: read(env, "OAUTH_CLIENT_SECRET", optionalString, "the Marketplace app's client secret"),
      redirectUri: httpUrl(env, "OAUTH_REDIRECT_URI"),
      scopes: scopeList(
        // The reads the gateway makes beside the contacts routes: the bulk task read
        // (POST /locations/:locationId/tasks/search), the custom-field definitions and the tags
        // (test/fixtures/contacts-api/apps/locations.json), the calendars and their events (many
        // contacts' appointments at once, HighLevel's calendars OpenAPI spec); without them the
        // gateway falls back (tasks and appointments per contact, untyped custom fields, no tag picker).
        read(env, "OAUTH_SCOPES", optionalString, "space-separated scopes") ??
          "contacts.readonly contacts.write locations/tasks.readonly locations/customFields.readonly locations/tags.readonly calendars.readonly calendars/events.readonly",
      ),
      authorizeUrl:
        httpUrl(env, "OAUTH_AUTHORIZE_URL") ?? "https://marketplace.gohighlevel.com/v2/oauth/chooselocation",
      tokenUrl: httpUrl(env, "OAUTH_TOKEN_URL"),
      refreshSkewMs: read(env, "OAUTH_REFRESH_SKEW_MS", int(0, 86_400_000, 300_000), "milliseconds (0..86400000)"),
    },
    credentials: {
      key: aesKey(env, "CREDENTIALS_KEY"),
      previousKeys: (read(env, "CREDENTIALS_KEY_PREVIOUS", optionalString, "comma-separated base64 keys") ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((k) => aesKey({ CREDENTIALS_KEY_PREVIOUS: k }, "CREDENTIALS_KEY_PREVIOUS") as Buffer),
      dataDir: read(env, "DATA_DIR", z.string().min(1).optional(), "a directory path") ?? ".data",
    },
    demo: {
      activityIntervalMs: read(env, "DEMO_ACTIVITY_INTERVAL_MS", int(0, 3_600_000, 5_000), "milliseconds (0 = off)"),
    },
    websocket: {
      maxSubscriptionsPerSocket: read(env, "WS_MAX_SUBSCRIPTIONS_PER_SOCKET", int(1, 100_000, 100), "an integer from 1 to 100000"),
      maxSubscriptionsPerCaller: read(env, "WS_MAX_SUBSCRIPTIONS_PER_CALLER", int(1, 1_000_000, 500), "an integer from 1 to 1000000"),
      maxSocketsPerCaller: read(env, "WS_MAX_SOCKETS_PER_CALLER", int(1, 10_000, 20), "an integer from 1 to 10000"),
    },
    http: {
      headersTimeoutMs: read(env, "HTTP_HEADERS_TIMEOUT_MS", int(1_000, 600_000, 10_000), "milliseconds (1000..600000)"),
      requestTimeoutMs: read(env, "HTTP_REQUEST_TIMEOUT_MS", int(1_000, 3_600_000, 30_000), "milliseconds (1000..3600000)"),
      keepAliveTimeoutMs: read(env, "HTTP_KEEP_ALIVE_TIMEOUT_MS", int(1_000, 600_000, 5_000), "milliseconds (1000..600000)"),
    },
    operationDeadlineMs: read(env, "OPERATION_DEADLINE_MS", int(100, 600_000, 15_000), "milliseconds (100..600000)"),
    ops: {
      metricsToken: read(env, "METRICS_TOKEN", z.string().min(16).max(512).regex(/^[\x21-\x7e]+$/).optional(), "16 to 512 printable characters without spaces"),
    },
    logLevel: read(env, "LOG_LEVEL", z.enum(LOG_LEVELS).optional(), `one of ${LOG_LEVELS.join(", ")}`) ?? "info",
    shutdownGraceMs: read(env, "SHUTDOWN_GRACE_MS", int(0, 600_000, 10_000), "milliseconds (0..600000)"),
    heapGrowingPercent: read(
      env,
      "HEAP_GROWING_PERCENT",
      // Below 10 % the old generation is collected again almost as soon as anything is promoted.
      int(0, 300, 50).refine((percent) => percent === 0 || percent >= 10),
      "0 (V8's own heuristic) or a percentage from 10 to 300",
    ),
  };
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    // Node refuses a headersTimeout above requestTimeout (it could never fire).
    throw new ConfigError("HTTP_HEADERS_TIMEOUT_MS", `at most HTTP_REQUEST_TIMEOUT_MS (${config.http.requestTimeoutMs})`);
  }
  if (config.oauth.clientId !== undefined && config.credentials.key === undefined) {
    throw new ConfigError("CREDENTIALS_KEY", "set (32 bytes, base64) when OAUTH_CLIENT_ID is set, to encrypt stored tokens");
  }
  if (baseUrl !== undefined && token === undefined && config.oauth.clientId === undefined) {
    throw new ConfigError("CONTACTS_API_TOKEN", "set (with CONTACTS_LOCATION_ID) or OAUTH_CLIENT_ID set when CONTACTS_API_URL is set");
  }
  if (baseUrl !== undefined && jwtSecret === undefined) {
    throw new ConfigError("AUTH_JWT_SECRET", "set (at least 32 characters) when CONTACTS_API_URL is set");
  }
  return deepFreeze(config);
}

/** The process's own environment: the single place `process.env` is read. */
export function loadConfigFromProcess(): Config {
  return loadConfig(process.env);
}

/** True in `npm start`'s embedded mode (no CONTACTS_API_URL): the simulator is the upstream. */
export function isDemoMode(config: Config): boolean {
  return config.upstream.baseUrl === undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
