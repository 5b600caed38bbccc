/**
 * HighLevel's app lifecycle webhooks against a gateway holding an OAuth-installed location (file
 * credential store): a signed AppUninstall removes the location from the credential file, drops
 * its cached data, closes its graphql-ws sockets with 4403 and refuses its callers with a clear
 * error; AppInstall is logged and counted. Another location is untouched.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/index.js";
import { DEMO_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { OAUTH_CLIENT, callerToken, capturedLogs, gql, installViaOAuth, startOpsGateway } from "../support/ops-stack.js";
import { waitFor } from "../support/events-wait.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";
import { LOCATION_A, LOCATION_B, READ, type Stack } from "../support/harness.js";
import { useStacksOnRedis } from "../support/redis-stacks.js";

const KEY = randomBytes(32);
const keys = generateTestWebhookKeys();
let sim: Simulator;
let dataDir: string;
let gateway: Gateway;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rateLimit: { burst: 100_000 }, oauth: { clients: [OAUTH_CLIENT], accessTokenTtlSec: 3600 } });
  dataDir = await mkdtemp(path.join(tmpdir(), "cgw-lifecycle-"));
  gateway = await startOpsGateway({ simUrl: sim.url, env: { CREDENTIALS_KEY: KEY.toString("base64"), DATA_DIR: dataDir, ...webhookKeyEnv(keys) } });
  const walk = await installViaOAuth(gateway.url);
  expect(walk.callback.status).toBe(200);
});
afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const credentialFile = async () => (await readFile(path.join(dataDir, "credentials.json"), "utf8").catch(() => "")) as string;

/** A graphql-ws socket past connection_ack; resolves its close code and reason when it closes. */
async function openSocket(token: string, wsUrl = gateway.wsUrl): Promise<{ closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws");
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    socket.on("message", (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === "connection_ack") resolve();
    });
    socket.on("error", reject);
  });
  return { closed };
}

describe("app lifecycle webhooks", () => {
  it("AppInstall is accepted, logged and counted", async () => {
    const res = await postWebhook(`${gateway.url}/webhooks/highlevel`, webhookBody({ type: "AppInstall", appId: "app1", locationId: DEMO_LOCATION_ID }), { keys });
    expect(res).toMatchObject({ status: 200, json: { status: "accepted" } });
    expect(capturedLogs.some((l) => l.includes('"app installed"') && l.includes(DEMO_LOCATION_ID))).toBe(true);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/cgw_webhook_events_total\{[^}]*type="AppInstall"[^}]*\} 1/);
  });

  it("a signed AppUninstall purges the credential file and the cache, closes the location's sockets with 4403, and refuses its callers", async () => {
    const token = await callerToken(DEMO_LOCATION_ID);
    const contactId = sim.data.listContacts(DEMO_LOCATION_ID)[0]!.id;
    const read = await gql(gateway.url, "query($id: ID!) { contact(id: $id) { id } }", token, { id: contactId });
    expect(read.body.data?.contact).toEqual({ id: contactId });
    expect(await credentialFile()).toContain(DEMO_LOCATION_ID);
    expect(gateway.cache.stats().size).toBeGreaterThan(0);
    const socket = await openSocket(token);

    // An unsigned one changes nothing.
    const unsigned = await postWebhook(`${gateway.url}/webhooks/highlevel`, webhookBody({ type: "AppUninstall", locationId: DEMO_LOCATION_ID }), { keys, sign: "none" });
    expect(unsigned.status).toBe(401);
    expect(await credentialFile()).toContain(DEMO_LOCATION_ID);

    const res = await postWebhook(`${gateway.url}/webhooks/highlevel`, webhookBody({ type: "AppUninstall", appId: "app1", locationId: DEMO_LOCATION_ID }), { keys });
    expect(res).toMatchObject({ status: 200, json: { status: "accepted" } });
    expect(await socket.closed).toEqual({ code: 4403, reason: "Forbidden: the app was uninstalled from this location" });
    expect(await credentialFile()).not.toContain(DEMO_LOCATION_ID);
    expect(gateway.cache.peek({ locationId: DEMO_LOCATION_ID, kind: "contact", id: contactId })).toBeUndefined();

    sim.clearRequests();
    const refused = await gql(gateway.url, "query($id: ID!) { contact(id: $id) { id } }", token, { id: contactId });
    expect(refused.body.errors?.[0]).toMatchObject({
      extensions: { code: "FORBIDDEN" },
      message: expect.stringContaining("uninstalled"),
    });
    expect(sim.requests).toEqual([]);
    // A new socket of that location is refused at connection_init.
    const again = new WebSocket(gateway.wsUrl, "graphql-transport-ws");
    again.on("open", () => again.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    const closed = await new Promise<number>((resolve) => again.on("close", (code) => resolve(code)));
    expect(closed).toBe(4403);
    await waitFor(() => capturedLogs.some((l) => l.includes('"app uninstalled"')), { what: "the uninstall log line" });
  });

  it("an agency-level uninstall (no locationId) is ignored", async () => {
    const res = await postWebhook(`${gateway.url}/webhooks/highlevel`, webhookBody({ type: "UNINSTALL", appId: "app1", companyId: "Company1" }), { keys });
    expect(res).toMatchObject({ status: 200, json: { status: "ignored" } });
  });
});

describe("app uninstall with two instances on one Redis", () => {
  const stacks = useStacksOnRedis("lifecycle", webhookKeyEnv(keys));
  let one: Stack;
  let two: Stack;
  beforeAll(async () => {
    one = await stacks.start();
    two = await stacks.start();
  });

  it("an AppUninstall posted to one instance closes the location's sockets and refuses its callers on the other too", async () => {
    const tokenB = await two.tokenFor({ scopes: [READ], locationId: LOCATION_B });
    const tokenA = await two.tokenFor({ scopes: [READ], locationId: LOCATION_A });
    const contactB = one.sim.data.listContacts(LOCATION_B)[0]!.id;
    expect((await two.gql("query($id: ID!) { contact(id: $id) { id } }", { id: contactB }, tokenB)).body.data).toEqual({ contact: { id: contactB } });
    const socketB = await openSocket(tokenB, two.gateway.wsUrl);
    const socketA = await openSocket(tokenA, two.gateway.wsUrl);

    const res = await postWebhook(`${one.gateway.url}/webhooks/highlevel`, webhookBody({ type: "AppUninstall", appId: "app1", locationId: LOCATION_B }), { keys });
    expect(res).toMatchObject({ status: 200, json: { status: "accepted" } });
    expect(await socketB.closed).toMatchObject({ code: 4403 });
    await waitFor(async () => (await two.gql("{ viewer { locationId } }", {}, tokenB)).body.errors?.[0]?.extensions?.["code"] === "FORBIDDEN", {
      what: "the other instance to refuse the uninstalled location",
    });
    expect(two.gateway.cache.peek({ locationId: LOCATION_B, kind: "contact", id: contactB, contactId: contactB })).toBeUndefined();
    // Location A is untouched on both.
    expect((await two.gql("{ viewer { locationId } }", {}, tokenA)).body.data).toEqual({ viewer: { locationId: LOCATION_A } });
    expect(await Promise.race([socketA.closed, two.gql("{ viewer { locationId } }", {}, tokenA).then(() => "open")])).toBe("open");
  });
});
