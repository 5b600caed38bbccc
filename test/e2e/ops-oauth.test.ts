// OAuth end to end against the simulator, with the default file credential store:
// install → choose-location → callback → queries work for that location; 50 concurrent queries
// when the access token is rejected, or when it is about to expire → exactly one refresh, none
// rejected; a restart keeps the location (the file holds no token text); no secret in any log line.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCredentialCipher, createCredentialStore, createFileCredentialBackend, type StoredCredential } from "../../src/credentials/index.js";
import { loadConfig } from "../../src/config/index.js";
import { runDoctor } from "../../src/doctor/index.js";
import type { Gateway } from "../../src/server/index.js";
import { DEMO_LOCATION_ID, OTHER_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { OAUTH_CLIENT, OPS_JWT_SECRET, callerToken, capturedLogs, gql, installViaOAuth, startOpsGateway } from "../support/ops-stack.js";

const KEY = randomBytes(32);
let sim: Simulator;
let dataDir: string;
let gateway: Gateway;
/** Secret strings that must never appear in a log line. */
const secrets = new Set<string>([OAUTH_CLIENT.clientSecret, KEY.toString("base64"), OPS_JWT_SECRET]);

const env = () => ({ CREDENTIALS_KEY: KEY.toString("base64"), DATA_DIR: dataDir });
const CONTACT_QUERY = "query($id: ID!) { contact(id: $id) { id firstName } }";

async function storedRecord(): Promise<StoredCredential> {
  const store = createCredentialStore({ backend: createFileCredentialBackend({ dataDir }), cipher: createCredentialCipher({ key: KEY }) });
  const record = await store.get(DEMO_LOCATION_ID);
  if (!record) throw new Error("expected a stored credential for the demo location");
  secrets.add(record.accessToken);
  if (record.refreshToken) secrets.add(record.refreshToken);
  return record;
}

/** Remembers every token/code/secret the simulator saw, for the log scan. */
function collectSimulatorSecrets() {
  for (const r of sim.requests) {
    if (r.token) secrets.add(r.token);
    const body = r.body as Record<string, unknown> | undefined;
    for (const field of ["code", "refresh_token", "client_secret"]) {
      if (body && typeof body[field] === "string") secrets.add(body[field] as string);
    }
  }
}

const contactIds = (from: number, count: number) => sim.data.listContacts(DEMO_LOCATION_ID).slice(from, from + count).map((c) => c.id);

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rateLimit: { burst: 100_000 }, oauth: { clients: [OAUTH_CLIENT], accessTokenTtlSec: 3600 } });
  dataDir = await mkdtemp(path.join(tmpdir(), "cgw-ops-oauth-"));
  gateway = await startOpsGateway({ simUrl: sim.url, env: env() });
});
afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("OAuth install", () => {
  it("before the install the location is refused", async () => {
    const res = await gql(gateway.url, "{ viewer { locationId } }", await callerToken(DEMO_LOCATION_ID));
    expect(res.body.errors?.[0]?.extensions?.code).toMatch(/^(FORBIDDEN|UNAUTHENTICATED)$/);
  });

  it("install → choose-location → callback stores the location, and a query then works with the OAuth token", async () => {
    const walk = await installViaOAuth(gateway.url);
    secrets.add(walk.code);
    expect(`${walk.installLocation.origin}${walk.installLocation.pathname}`).toBe(`${sim.url}/oauth/chooselocation`);
    expect(Object.fromEntries(walk.installLocation.searchParams)).toMatchObject({
      response_type: "code",
      client_id: OAUTH_CLIENT.clientId,
      redirect_uri: `${gateway.url}/oauth/callback`,
      scope: "contacts.readonly contacts.write locations/tasks.readonly locations/customFields.readonly locations/tags.readonly calendars.readonly calendars/events.readonly",
      state: expect.stringMatching(/^[\w-]+\.\d+\.[\w-]+$/),
    });
    expect(walk.cookie).toMatch(/^cgw_oauth_state=/);
    expect(walk.authorizeStatus).toBe(302);
    expect(walk.callback).toEqual({
      status: 200,
      body: { installed: true, locationId: DEMO_LOCATION_ID, scopes: ["contacts.readonly", "contacts.write", "locations/tasks.readonly", "locations/customFields.readonly", "locations/tags.readonly", "calendars.readonly", "calendars/events.readonly"], userType: "Location" },
    });
    expect(JSON.stringify(walk.callback.body)).not.toMatch(/sim-oauth-|sim-refresh-/);
    expect(sim.oauth.counts.authorizationCode).toBe(1);

    const token = await callerToken(DEMO_LOCATION_ID);
    const res = await gql(gateway.url, "{ contacts(first: 3) { nodes { id } } }", token);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.contacts.nodes).toHaveLength(3);
    const list = sim.requests.filter((r) => r.route === "/contacts/");
    expect(list.at(-1)?.token).toBe((await storedRecord()).accessToken);
    expect(list.at(-1)?.token).toMatch(/^sim-oauth-/);
    // Other locations stay refused.
    const other = await gql(gateway.url, "{ viewer { locationId } }", await callerToken(OTHER_LOCATION_ID));
    expect(other.body.errors?.[0]?.extensions?.code).toMatch(/^(FORBIDDEN|UNAUTHENTICATED)$/);
  });

  it("the callback refuses a missing code, a forged or replayed state, a missing cookie and a bad code, without leaking secrets", async () => {
    const install = await fetch(`${gateway.url}/oauth/install`, { redirect: "manual" });
    const state = new URL(install.headers.get("location")!).searchParams.get("state")!;
    const cookie = install.headers.get("set-cookie")!.split(";")[0]!;
    const callback = async (query: Record<string, string>, withCookie = true) => {
      const r = await fetch(`${gateway.url}/oauth/callback?${new URLSearchParams(query)}`, { headers: withCookie ? { cookie } : {} });
      const text = await r.text();
      expect(text).not.toContain(OAUTH_CLIENT.clientSecret);
      return { status: r.status, body: JSON.parse(text) as { error: string; message: string } };
    };
    expect(await callback({ state })).toMatchObject({ status: 400, body: { error: "oauth_code_missing" } });
    expect(await callback({ code: "x", state: state.slice(0, -2) + "AA" })).toMatchObject({ status: 400, body: { error: "oauth_state_invalid", message: expect.stringMatching(/signature/) } });
    expect(await callback({ code: "x" })).toMatchObject({ status: 400, body: { error: "oauth_state_invalid", message: expect.stringMatching(/missing/) } });
    expect(await callback({ code: "x", state }, false)).toMatchObject({ status: 400, body: { error: "oauth_state_invalid", message: expect.stringMatching(/cookie/) } });
    expect(await callback({ code: "not-a-real-code", state })).toMatchObject({ status: 502, body: { error: "oauth_exchange_failed", message: expect.stringMatching(/invalid_grant/) } });
    expect(await callback({ code: "x", state })).toMatchObject({ status: 400, body: { error: "oauth_state_invalid", message: expect.stringMatching(/already used/) } });
    expect(await callback({ error: "access_denied" })).toMatchObject({ status: 400, body: { error: "oauth_denied" } });
  });
});

describe("token refresh", () => {
  it("50 concurrent queries right after the access token was invalidated → exactly one refresh, none rejected, all succeed", async () => {
    const before = { ...sim.oauth.counts };
    const oldToken = (await storedRecord()).accessToken;
    sim.oauth.expireAccessTokens();
    const token = await callerToken(DEMO_LOCATION_ID);
    const results = await Promise.all(contactIds(10, 50).map((id) => gql(gateway.url, CONTACT_QUERY, token, { id })));
    expect(results.filter((r) => r.body.errors !== undefined)).toEqual([]);
    expect(results.every((r) => r.body.data?.contact?.id)).toBe(true);
    expect(sim.oauth.counts.refreshToken - before.refreshToken).toBe(1);
    expect(sim.oauth.counts.rejected - before.rejected).toBe(0);
    const record = await storedRecord();
    expect(record.accessToken).not.toBe(oldToken);
    collectSimulatorSecrets();
  });

  it("50 concurrent queries when the token is about to expire → one refresh before expiry, no upstream 401", async () => {
    // A short-lived token: the next refresh hands out 4 s; the provider refreshes within the last
    // min(OAUTH_REFRESH_SKEW_MS, lifetime / 2) = 2 s.
    sim.oauth.setAccessTokenTtlSec(4);
    sim.oauth.expireAccessTokens();
    const token = await callerToken(DEMO_LOCATION_ID);
    const warm = await gql(gateway.url, CONTACT_QUERY, token, { id: contactIds(60, 1)[0] });
    expect(warm.body.errors).toBeUndefined();
    const short = await storedRecord();
    expect(short.expiresAt! - short.updatedAt).toBe(4000);
    sim.oauth.setAccessTokenTtlSec(3600);

    // Wait (by polling the clock) until the token is inside its refresh window but not yet expired.
    const refreshAt = short.expiresAt! - 2000;
    await expect.poll(() => Date.now() >= refreshAt, { timeout: 10_000, interval: 25 }).toBe(true);
    const before = { ...sim.oauth.counts };
    const mark = sim.requests.length;
    const results = await Promise.all(contactIds(61, 50).map((id) => gql(gateway.url, CONTACT_QUERY, token, { id })));
    expect(results.filter((r) => r.body.errors !== undefined)).toEqual([]);
    expect(sim.oauth.counts.refreshToken - before.refreshToken).toBe(1);
    expect(sim.oauth.counts.rejected - before.rejected).toBe(0);
    expect(sim.requests.slice(mark).filter((r) => r.status === 401)).toEqual([]);
    const after = await storedRecord();
    expect(after.expiresAt! - after.updatedAt).toBe(3_600_000);
    collectSimulatorSecrets();
  });
});

describe("restart with the file store", () => {
  it("the location still works after a restart, and the file holds no token text", async () => {
    const record = await storedRecord();
    await gateway.close();
    const file = await readFile(path.join(dataDir, "credentials.json"), "utf8");
    expect(file).toContain(DEMO_LOCATION_ID);
    expect(file).not.toContain(record.accessToken);
    expect(file).not.toContain(record.refreshToken!);
    expect(file).not.toMatch(/sim-oauth-|sim-refresh-/);

    const codesBefore = sim.oauth.counts.authorizationCode;
    gateway = await startOpsGateway({ simUrl: sim.url, env: env() });
    const res = await gql(gateway.url, CONTACT_QUERY, await callerToken(DEMO_LOCATION_ID), { id: contactIds(120, 1)[0] });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.contact?.id).toBe(contactIds(120, 1)[0]);
    expect(sim.requests.filter((r) => r.route === "/contacts/:contactId").at(-1)?.token).toBe(record.accessToken);
    expect(sim.oauth.counts.authorizationCode).toBe(codesBefore);
  });
});

describe("static token next to OAuth locations", () => {
  it("CONTACTS_API_TOKEN + CONTACTS_LOCATION_ID serve their location alongside the stored OAuth one", async () => {
    const both = await startOpsGateway({
      simUrl: sim.url,
      env: { ...env(), CONTACTS_API_TOKEN: "sim-rw-B-token", CONTACTS_LOCATION_ID: OTHER_LOCATION_ID },
    });
    try {
      for (const [locationId, expectedToken] of [
        [OTHER_LOCATION_ID, "sim-rw-B-token"],
        [DEMO_LOCATION_ID, (await storedRecord()).accessToken],
      ] as const) {
        const res = await gql(both.url, "{ contacts(first: 1) { nodes { id locationId } } }", await callerToken(locationId));
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data?.contacts.nodes[0].locationId).toBe(locationId);
        expect(sim.requests.filter((r) => r.route === "/contacts/").at(-1)?.token).toBe(expectedToken);
      }
    } finally {
      await both.close();
    }
  });
});

describe("doctor with stored OAuth locations", () => {
  it("checks every installed location with its (decrypted) OAuth token", async () => {
    const results = await runDoctor({
      config: loadConfig({
        CONTACTS_API_URL: sim.url,
        AUTH_JWT_SECRET: OPS_JWT_SECRET,
        OAUTH_CLIENT_ID: OAUTH_CLIENT.clientId,
        OAUTH_CLIENT_SECRET: OAUTH_CLIENT.clientSecret,
        ...env(),
      }),
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.find((r) => r.name === "credential store decrypts")?.detail).toBe("file store, 1 location(s)");
    expect(results.some((r) => r.name === `write scope (contacts.write) [${DEMO_LOCATION_ID}]`)).toBe(true);
  });

  it("a wrong CREDENTIALS_KEY fails with the rotation hint", async () => {
    const results = await runDoctor({
      config: loadConfig({
        CONTACTS_API_URL: sim.url,
        AUTH_JWT_SECRET: OPS_JWT_SECRET,
        OAUTH_CLIENT_ID: OAUTH_CLIENT.clientId,
        OAUTH_CLIENT_SECRET: OAUTH_CLIENT.clientSecret,
        ...env(),
        CREDENTIALS_KEY: randomBytes(32).toString("base64"),
      }),
    });
    expect(results.find((r) => r.name === "credential store decrypts")).toMatchObject({ ok: false, hint: expect.stringMatching(/CREDENTIALS_KEY_PREVIOUS/) });
  });
});

describe("logs", () => {
  it("no token, code, client secret, JWT secret or credentials key appears in any log line", async () => {
    collectSimulatorSecrets();
    await storedRecord();
    expect(capturedLogs.length).toBeGreaterThan(5);
    expect(capturedLogs.some((l) => l.includes("oauth token refreshed"))).toBe(true);
    expect(capturedLogs.some((l) => l.includes("oauth location installed"))).toBe(true);
    const leaks = capturedLogs.flatMap((line) => [...secrets].filter((s) => s.length >= 8 && line.includes(s)).map((s) => `${s.slice(0, 6)}… in ${line.slice(0, 120)}`));
    expect(leaks).toEqual([]);
    expect(secrets.size).toBeGreaterThan(8);
  });
});
