// Test helper of the OPS area: gateways configured from the environment the way `npm start` does
// (no injected credentials: the static location and the OAuth credential store come from config),
// on a known free port (OAUTH_REDIRECT_URI must name it before start), with every log line kept
// so tests can scan them for secrets; plus the OAuth install walk a browser would do.
import net from "node:net";
import { Writable } from "node:stream";
import { mintCallerToken } from "../../src/auth/index.js";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/logger.js";
import { createGateway, type Gateway } from "../../src/server/index.js";

export const OPS_JWT_SECRET = "ops-test-caller-secret-0123456789abcdef0123";
export const OAUTH_CLIENT = { clientId: "ops-client-id", clientSecret: "ops-client-secret-" + Math.random().toString(36).slice(2) };

/** Every log line of every gateway started through this module in this test file. */
export const capturedLogs: string[] = [];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface OpsGatewayOptions {
  simUrl: string;
  env?: Record<string, string>;
  port?: number;
}

export async function startOpsGateway(options: OpsGatewayOptions): Promise<Gateway> {
  const port = options.port ?? (await freePort());
  const config = loadConfig({
    CONTACTS_API_URL: options.simUrl,
    WARMUP_CONTACTS: "0", // its background reads would mix into the request logs
    PORT: String(port),
    HOST: "127.0.0.1",
    AUTH_JWT_SECRET: OPS_JWT_SECRET,
    OAUTH_CLIENT_ID: OAUTH_CLIENT.clientId,
    OAUTH_CLIENT_SECRET: OAUTH_CLIENT.clientSecret,
    OAUTH_REDIRECT_URI: `http://127.0.0.1:${port}/oauth/callback`,
    OAUTH_AUTHORIZE_URL: `${options.simUrl}/oauth/chooselocation`,
    LOG_LEVEL: "debug",
    DEMO_ACTIVITY_INTERVAL_MS: "0",
    // The simulator runs without a rate limit here; so does the gateway's own governor (tests burst 100+ calls).
    RATE_LIMIT_BURST: "100000",
    ...options.env,
  });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) capturedLogs.push(line);
      callback();
    },
  });
  return createGateway({ config, logger: createLogger({ level: "debug", destination }), sandbox: false });
}

export function callerToken(locationId: string, scopes: string[] = ["contacts.readonly"]): Promise<string> {
  return mintCallerToken({ secret: OPS_JWT_SECRET, scopes, locationId, expiresInSeconds: 3600, subject: "ops-test" });
}

export async function gql(gatewayUrl: string, query: string, token: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] },
  };
}

export interface InstallWalk {
  installLocation: URL;
  authorizeStatus: number;
  callbackUrl: URL;
  code: string;
  cookie: string;
  callback: { status: number; body: Record<string, unknown> };
}

/** The browser's walk: /oauth/install → (302) choose-location → (302) /oauth/callback with the cookie. */
export async function installViaOAuth(gatewayUrl: string): Promise<InstallWalk> {
  const install = await fetch(`${gatewayUrl}/oauth/install`, { redirect: "manual" });
  if (install.status !== 302) throw new Error(`installViaOAuth: expected 302 from /oauth/install, received ${install.status}`);
  const installLocation = new URL(install.headers.get("location")!);
  const cookie = (install.headers.get("set-cookie") ?? "").split(";")[0]!;
  const authorize = await fetch(installLocation, { redirect: "manual" });
  const callbackUrl = new URL(authorize.headers.get("location") ?? "http://invalid/");
  const code = callbackUrl.searchParams.get("code") ?? "";
  const callback = await fetch(callbackUrl, { headers: { cookie }, redirect: "manual" });
  return {
    installLocation,
    authorizeStatus: authorize.status,
    callbackUrl,
    code,
    cookie,
    callback: { status: callback.status, body: (await callback.json()) as Record<string, unknown> },
  };
}
