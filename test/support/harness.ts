/**
 * The e2e harness every area's tests share: the embedded simulator on port 0 and a real gateway on
 * port 0 with upstream credentials for the simulator's locations A and B, a fixed caller-JWT
 * secret, and logs captured in memory (never printed). Keep this API stable; extend compatibly.
 *
 *   const stack = await startStack();               // or: const stack = useStack() per file
 *   const token = await stack.tokenFor({ scopes: ["contacts.readonly"] });
 *   const res = await stack.gql(`{ viewer { locationId } }`, {}, token);
 *   stack.sim.requests                              // the simulator's request log
 *   await stack.close();
 */
import { Writable } from "node:stream";
import { print, type DocumentNode } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { afterAll, beforeAll } from "vitest";
import { mintCallerToken } from "../../src/auth/index.js";
import { loadConfig, type Config } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/logger.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/server/index.js";
import {
  DEMO_LOCATION_ID,
  demoUpstreamCredentials,
  OTHER_LOCATION_ID,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from "../../src/simulator/index.js";
import { StaticCredentialProvider } from "../../src/upstream/static-credentials.js";

/** Fixed caller-token secret of every test gateway. */
export const TEST_JWT_SECRET = "test-secret-for-caller-jwts-0123456789abcdef";
export const LOCATION_A = DEMO_LOCATION_ID;
export const LOCATION_B = OTHER_LOCATION_ID;
export const READ = "contacts.readonly";
export const WRITE = "contacts.write";

/**
 * The simulator's default budget in tests: practically unlimited, and honest about it in its
 * X-RateLimit-* headers, which the gateway's rate governor believes (`rateLimit: false` now
 * advertises a lifted budget too). Tests of rate limiting pass their own.
 */
export const GENEROUS_UPSTREAM_RATE_LIMIT = { burst: 1_000_000, intervalMs: 10_000, daily: 100_000_000 } as const;

export interface StackOptions {
  /** Passed to `startSimulator` (port is always 0). Default: seeded, GENEROUS_UPSTREAM_RATE_LIMIT, no activity. */
  simulator?: SimulatorOptions;
  /** Extra environment for `loadConfig` (e.g. `{ CACHE_TTL_MS: "0" }`). PORT/HOST/AUTH_JWT_SECRET are set by the harness. */
  env?: Record<string, string>;
  /** Extra `createGateway` options (features, sandbox, upstreamMiddlewares, credentials, …). */
  gateway?: Partial<Omit<GatewayOptions, "config" | "logger" | "upstreamBaseUrl" | "jwtSecret">>;
  /** Logger level of the captured log. Default "info". */
  logLevel?: string;
  /** Locations the gateway holds credentials for. Default: A and B. */
  locations?: string[];
  /**
   * Demo-mode webhooks: the gateway trusts the simulator's webhook keys and the simulator POSTs its
   * signed events to the gateway's intake (as `npm start` wires them). Default false.
   */
  trustSimulatorWebhooks?: boolean;
}

export interface TokenOptions {
  /** Default: ["contacts.readonly"]. */
  scopes?: readonly string[];
  /** Default: location A. */
  locationId?: string;
  /** Seconds; negative = already expired. Default 3600. */
  expiresIn?: number;
  subject?: string;
  /** Sign with another secret (bad-signature tests). */
  secret?: string;
}

export interface GqlResponse<TData = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: TData | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
}

export interface Stack {
  sim: Simulator;
  gateway: Gateway;
  config: Config;
  /** Every log line the gateway wrote (JSON strings). */
  logs: string[];
  tokenFor(options?: TokenOptions): Promise<string>;
  /** POST /graphql. `token` (without "Bearer ") is sent as Authorization when given. */
  gql<TData = Record<string, unknown>, TVariables = Record<string, unknown>>(
    query: string | DocumentNode | TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GqlResponse<TData>>;
  /** Upstream requests the simulator logged for a route template (e.g. "/contacts/:contactId/tasks"). */
  upstream(route?: string): Simulator["requests"];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({ rateLimit: GENEROUS_UPSTREAM_RATE_LIMIT, ...options.simulator, port: 0 });
  try {
    const config = loadConfig({
      LOG_LEVEL: options.logLevel ?? "info",
      DEMO_ACTIVITY_INTERVAL_MS: "0",
      // No warm-up unless a test asks for it: its background reads would mix into request logs.
      WARMUP_CONTACTS: "0",
      ...options.env,
      PORT: "0",
      HOST: "127.0.0.1",
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
    });
    const logs: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString("utf8").split("\n")) if (line) logs.push(line);
        callback();
      },
    });
    const logger = createLogger({ level: options.logLevel ?? "info", destination });
    const locations = options.locations ?? [LOCATION_A, LOCATION_B];
    const demo = demoUpstreamCredentials(sim.tokens);
    const byLocation: Record<string, { token: string; scopes: string[] }> = {};
    for (const locationId of locations) {
      if (!demo[locationId]) throw new Error(`startStack: the simulator has no token for location ${locationId}`);
      byLocation[locationId] = demo[locationId];
    }
    const gateway = await createGateway({
      credentials: new StaticCredentialProvider(byLocation),
      ...options.gateway,
      config,
      logger,
      upstreamBaseUrl: sim.url,
      jwtSecret: TEST_JWT_SECRET,
      ...(options.trustSimulatorWebhooks ? { trustedWebhookKeys: sim.webhookKeys } : {}),
    });
    if (options.trustSimulatorWebhooks) sim.setWebhookTarget(`${gateway.url}/webhooks/highlevel`);

    let closed: Promise<void> | undefined;
    const close = () =>
      (closed ??= (async () => {
        try {
          await gateway.close();
        } finally {
          await sim.close();
        }
      })());

    return {
      sim,
      gateway,
      config,
      logs,
      tokenFor: (o: TokenOptions = {}) =>
        mintCallerToken({
          secret: o.secret ?? TEST_JWT_SECRET,
          scopes: o.scopes ?? [READ],
          locationId: o.locationId ?? LOCATION_A,
          expiresInSeconds: o.expiresIn ?? 3600,
          ...(o.subject !== undefined ? { subject: o.subject } : {}),
        }),
      async gql(query, variables, token, headers = {}) {
        const response = await fetch(`${gateway.url}/graphql`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
            ...headers,
          },
          body: JSON.stringify({ query: typeof query === "string" ? query : print(query), variables: variables ?? {} }),
        });
        const text = await response.text();
        let body: GqlResponse["body"];
        try {
          body = JSON.parse(text) as GqlResponse["body"];
        } catch {
          throw new Error(`gql: expected a JSON response, received HTTP ${response.status}: ${text.slice(0, 200)}`);
        }
        return { status: response.status, headers: response.headers, body } as GqlResponse<never>;
      },
      upstream: (route) => (route === undefined ? [...sim.requests] : sim.requests.filter((r) => r.route === route)),
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await sim.close();
    throw error;
  }
}

/**
 * One stack per test file: started in `beforeAll`, closed in `afterAll`. Returns a getter
 * (the stack does not exist before `beforeAll` ran).
 */
export function useStack(options: StackOptions = {}): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  });
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error("useStack: the stack is only available inside tests (after beforeAll)");
    return stack;
  };
}
