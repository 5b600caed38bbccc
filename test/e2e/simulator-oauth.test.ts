// The simulator's OAuth 2.0 (apps/oauth.json): both grants, browserless choose-location redirect,
// issued tokens usable on the API, refresh-token rotation and rejection of a used one, expiry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_LOCATION_ID, OTHER_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { call } from "./simulator-support.js";

const CLIENT = { clientId: "sim-client-id", clientSecret: "sim-client-secret", redirectUri: "http://127.0.0.1:1/oauth/callback" };
let sim: Simulator;
let clock = 1_800_000_000_000;

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false, now: () => clock, oauth: { clients: [CLIENT], accessTokenTtlSec: 60 } });
});
afterAll(async () => {
  await sim.close();
});

async function tokenRequest(fields: Record<string, string>) {
  const response = await fetch(`${sim.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, user_type: "Location", ...fields }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string | number> };
}

describe("simulator OAuth", () => {
  it("authorization_code: a code from chooselocation is exchanged for a working token pair", async () => {
    const authorize = new URL(`${sim.url}/oauth/chooselocation`);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: CLIENT.clientId,
      redirect_uri: CLIENT.redirectUri,
      scope: "contacts.readonly contacts.write",
      state: "abc",
    }).toString();
    const redirect = await fetch(authorize, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(CLIENT.redirectUri);
    expect(location.searchParams.get("state")).toBe("abc");
    const code = location.searchParams.get("code") ?? "";

    const granted = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: CLIENT.redirectUri });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({
      token_type: "Bearer",
      expires_in: 60,
      scope: "contacts.readonly contacts.write",
      userType: "Location",
      locationId: DEMO_LOCATION_ID,
    });
    for (const field of ["access_token", "refresh_token", "companyId", "userId"]) expect(typeof granted.body[field]).toBe("string");
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    const read = await call(sim.url, "GET", `/contacts/${contact.id}`, { token: String(granted.body.access_token) });
    expect(read.status).toBe(200);

    const reused = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: CLIENT.redirectUri });
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: "invalid_grant" });
  });

  it("refresh_token rotates: the new pair works, the used refresh token is rejected with invalid_grant", async () => {
    const before = { ...sim.oauth.counts };
    const code = sim.oauth.issueCode({ locationId: OTHER_LOCATION_ID, scopes: ["contacts.readonly"] });
    const first = await tokenRequest({ grant_type: "authorization_code", code });
    expect(first.body).toMatchObject({ locationId: OTHER_LOCATION_ID, scope: "contacts.readonly" });

    const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: String(first.body.refresh_token) });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(refreshed.body.access_token).not.toBe(first.body.access_token);
    expect(refreshed.body).toMatchObject({ locationId: OTHER_LOCATION_ID, scope: "contacts.readonly" });

    const replay = await tokenRequest({ grant_type: "refresh_token", refresh_token: String(first.body.refresh_token) });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ statusCode: 400, error: "invalid_grant", error_description: "Invalid grant: refresh token is invalid" });

    const again = await tokenRequest({ grant_type: "refresh_token", refresh_token: String(refreshed.body.refresh_token) });
    expect(again.status).toBe(200);
    expect(sim.oauth.counts.refreshToken - before.refreshToken).toBe(3);
    expect(sim.oauth.counts.rejected - before.rejected).toBe(1);
    expect(sim.requests.filter((r) => r.route === "/oauth/token").length).toBeGreaterThanOrEqual(4);

    // Scopes of the grant are enforced on the API.
    const contact = sim.data.listContacts(OTHER_LOCATION_ID)[0]!;
    const write = await call(sim.url, "POST", `/contacts/${contact.id}/tags`, { token: String(again.body.access_token), body: { tags: ["x"] } });
    expect(write.status).toBe(401);
    expect(write.body.message).toBe("The token is not authorized for this scope.");
  });

  it("an expired access token → 401 'Invalid token: access token is invalid'", async () => {
    const granted = await tokenRequest({ grant_type: "authorization_code", code: sim.oauth.issueCode() });
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    const token = String(granted.body.access_token);
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`, { token })).status).toBe(200);
    clock += 61_000;
    const expired = await call(sim.url, "GET", `/contacts/${contact.id}`, { token });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ message: "Invalid token: access token is invalid", error: "Unauthorized" });
    const fresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: String(granted.body.refresh_token) });
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`, { token: String(fresh.body.access_token) })).status).toBe(200);
    sim.oauth.expireAccessTokens();
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`, { token: String(fresh.body.access_token) })).status).toBe(401);
  });

  it("bad client credentials → 401 invalid_client; an unknown grant type → 422", async () => {
    const badClient = await tokenRequest({ grant_type: "authorization_code", code: sim.oauth.issueCode(), client_secret: "wrong" });
    expect(badClient.status).toBe(401);
    expect(badClient.body).toMatchObject({ error: "invalid_client" });
    const badGrant = await tokenRequest({ grant_type: "password" });
    expect(badGrant.status).toBe(422);
    expect(badGrant.body).toMatchObject({ error: "unsupported_grant_type" });
  });
});
