/**
 * `npm start`: the only module with side effects. Loads the configuration (a bad value prints one
 * line and exits 1), then either
 *   - demo mode (no CONTACTS_API_URL): starts the embedded Contacts API simulator in-process, runs
 *     the gateway against it, generates AUTH_JWT_SECRET when unset, and prints the sandbox URL and
 *     two caller tokens (read-only, read-write) valid for 24 h; or
 *   - serves the real location of CONTACTS_API_URL / CONTACTS_API_TOKEN / CONTACTS_LOCATION_ID.
 * SIGTERM/SIGINT close the gateway (and the simulator) gracefully.
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { SCOPES, mintCallerToken } from "./auth/index.js";
import { ConfigError, isDemoMode, loadConfigFromProcess, withDemoFieldMapping, type Config } from "./config/index.js";
import { createLogger } from "./observability/logger.js";
import { createGateway, type Gateway } from "./server/index.js";
import type { Simulator } from "./simulator/index.js";
import { StaticCredentialProvider } from "./upstream/index.js";

const DEMO_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/** A configuration step whose ConfigError (a bad variable or FIELD_MAPPING file) prints one line and exits 1. */
function orExit<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * HEAP_GROWING_PERCENT as V8's `--heap-growing-percent`, set before the gateway allocates anything
 * long-lived (V8 reads it whenever it sizes the next major GC). Left to itself, V8 lets the old
 * generation grow to up to 4× what the last major GC kept when the heap limit is large (V8's
 * src/heap/heap-controller.cc, `MaxGrowingFactor`), and a gateway promotes the state of every
 * request waiting on an upstream call: that garbage stays resident until the next major GC. Set
 * here rather than on the command line, so `npm start`, the Docker image and `node
 * dist/src/main.js` all get it (NODE_OPTIONS does not accept this flag).
 */
function applyHeapGrowing(config: Config): void {
  if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
}

async function main(): Promise<void> {
  const config = orExit(loadConfigFromProcess);
  applyHeapGrowing(config);
  const logger = createLogger({ level: config.logLevel });
  let simulator: Simulator | undefined;
  let gateway: Gateway | undefined;
  let stopping = false;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // In-flight work gets SHUTDOWN_GRACE_MS (the HTTP drain's hard limit); if closing still hangs
    // after that plus a margin, exit non-zero rather than never.
    setTimeout(() => {
      logger.error({ graceMs: config.shutdownGraceMs }, "shutdown did not finish in time");
      process.exit(1);
    }, config.shutdownGraceMs + 5_000).unref();
    try {
      await gateway?.close();
      await simulator?.close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));

  if (isDemoMode(config)) {
    // Loaded in demo mode only: a real-mode process never holds the simulator and its seed data.
    const { DEMO_LOCATION_ID, demoTokensWithInstall, demoUpstreamCredentials, startSimulator } = await import("./simulator/index.js");
    const tokens = demoTokensWithInstall(config.oauth.scopes);
    simulator = await startSimulator({
      port: 0,
      // The gateway's upstream credential holds what an install grants (OAUTH_SCOPES), so the demo
      // reads the way a default install does: tasks and appointments of many contacts in bulk.
      tokens,
      // As in HighLevel, a new contact takes a few seconds to show up in search.
      searchIndexDelayMs: 3_000,
      ...(config.demo.activityIntervalMs > 0 ? { activity: { intervalMs: config.demo.activityIntervalMs } } : {}),
    });
    const jwtSecret = config.auth.jwtSecret ?? randomBytes(32).toString("base64url");
    const mint = (scopes: string[], subject: string) =>
      mintCallerToken({ secret: jwtSecret, scopes, locationId: DEMO_LOCATION_ID, subject, expiresInSeconds: DEMO_TOKEN_LIFETIME_SECONDS });
    const readOnly = await mint([SCOPES.read], "demo-reader");
    const readWrite = await mint([SCOPES.read, SCOPES.write], "demo-writer");
    gateway = await createGateway({
      // Demo mode's field mapping (src/config/field-mapping.parse.ts) when FIELD_MAPPING is unset.
      config: orExit(() => withDemoFieldMapping(config)),
      logger,
      // The token with the most scopes of each location (the install token).
      credentials: new StaticCredentialProvider(demoUpstreamCredentials(tokens)),
      upstreamBaseUrl: simulator.url,
      jwtSecret,
      // Demo mode only: trust the embedded simulator's webhook keys (never a real upstream's stand-in).
      trustedWebhookKeys: simulator.webhookKeys,
      // Demo data only: the sandbox opens ready to run with the read-only token.
      sandbox: { defaultHeaders: { Authorization: `Bearer ${readOnly}` } },
      processMetrics: true,
    });
    // The simulator signs its events (writes through the gateway, the activity generator) and
    // delivers them to the gateway's intake, like HighLevel would.
    simulator.setWebhookTarget(`${gateway.url}/webhooks/highlevel`);
    process.stdout.write(
      [
        "",
        "Contacts Gateway — demo mode (embedded Contacts API simulator, seeded demo data)",
        `  sandbox:      ${gateway.url}/graphql   (open in a browser)`,
        `  dashboard:    ${gateway.url}/dashboard   (live: updates as events arrive)`,
        `  GraphQL:      POST ${gateway.url}/graphql · subscriptions ${gateway.wsUrl}`,
        config.demo.activityIntervalMs > 0
          ? `  live events:  flowing: the simulator sends a signed webhook every ${config.demo.activityIntervalMs / 1000} s (a note, a completed task, an appointment);`
          : "  live events:  demo activity off (DEMO_ACTIVITY_INTERVAL_MS=0); writes through the gateway still send webhooks;",
        "                in the sandbox run  subscription { contactEvents { type contactId occurredAt } }",
        `  location:     ${DEMO_LOCATION_ID}`,
        "  caller tokens (valid 24 h; send as  Authorization: Bearer <token>):",
        `    read-only:  ${readOnly}`,
        `    read-write: ${readWrite}`,
        "",
      ].join("\n") + "\n",
    );
  } else {
    gateway = await createGateway({ config, logger, processMetrics: true });
    process.stdout.write(
      `Contacts Gateway listening: ${gateway.url}/graphql (sandbox in a browser)\n` +
        `  dashboard: ${gateway.url}/dashboard · webhook intake for the HighLevel app: POST ${gateway.url}/webhooks/highlevel\n`,
    );
  }
}

/** A failure to listen names the variable to change (PORT / HOST), like a bad configuration value. */
function startFailureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (syscall === "listen" && code === "EADDRINUSE") return `${message}; set PORT to a free port (0 picks one)`;
  if (syscall === "listen" && code === "EACCES") return `${message}; PORT below 1024 needs privileges, use e.g. 4000`;
  if (syscall === "listen" || syscall === "getaddrinfo") {
    return `${message}; HOST must be an address or host name of this machine, e.g. 127.0.0.1 or 0.0.0.0`;
  }
  return message;
}

main().catch((error: unknown) => {
  const message = startFailureMessage(error);
  process.stderr.write(`Contacts Gateway failed to start: ${message}\n`);
  process.exit(1);
});
