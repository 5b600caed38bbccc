/** Caller JWTs: claims → Viewer, every refusal with its reason, tokens never echoed. */
import { SignJWT, decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import {
  CallerAuthError,
  authenticateCaller,
  bearerToken,
  mintCallerToken,
  verifyCallerToken,
  type CallerAuth,
} from "../../../src/auth/index.js";

const secret = "unit-test-secret-unit-test-secret-0123";
const credentials = { hasLocation: (l: string) => l === "LocA" };

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CallerAuthError);
    return (error as CallerAuthError).reason;
  }
  throw new Error("expected a CallerAuthError");
}

describe("caller tokens", () => {
  it("maps scope, locationId and sub to a Viewer", async () => {
    const token = await mintCallerToken({ secret, scopes: ["contacts.readonly", "contacts.write"], locationId: "LocA", subject: "u1" });
    expect(await verifyCallerToken(token, { secret })).toEqual({
      subject: "u1",
      locationId: "LocA",
      scopes: ["contacts.readonly", "contacts.write"],
      expiresAtMs: decodeJwt(token).exp! * 1000,
    });
  });

  it("a token verified a moment ago (kept briefly) still fails under another secret and past its exp", async () => {
    const token = await mintCallerToken({ secret, scopes: ["contacts.readonly"], locationId: "LocA", expiresInSeconds: 2 });
    expect((await verifyCallerToken(token, { secret })).locationId).toBe("LocA");
    expect((await verifyCallerToken(token, { secret })).locationId).toBe("LocA");
    expect(await reason(verifyCallerToken(token, { secret: "y".repeat(40) }))).toBe("invalid_token");
    const exp = decodeJwt(token).exp! * 1000;
    await expect.poll(() => Date.now() >= exp + 5_500, { timeout: 10_000, interval: 200 }).toBe(true); // past exp + the 5 s tolerance
    expect(await reason(verifyCallerToken(token, { secret }))).toBe("expired_token");
  }, 15_000);

  it("refuses expired, wrongly signed, unsigned-algorithm and claim-less tokens", async () => {
    const expired = await mintCallerToken({ secret, scopes: [], locationId: "LocA", expiresInSeconds: -60 });
    expect(await reason(verifyCallerToken(expired, { secret }))).toBe("expired_token");
    const foreign = await mintCallerToken({ secret: "x".repeat(40), scopes: [], locationId: "LocA" });
    expect(await reason(verifyCallerToken(foreign, { secret }))).toBe("invalid_token");
    const noExp = await new SignJWT({ locationId: "LocA" }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
    expect(await reason(verifyCallerToken(noExp, { secret }))).toBe("invalid_claims");
    const noLocation = await new SignJWT({ scope: "contacts.readonly" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(secret));
    expect(await reason(verifyCallerToken(noLocation, { secret }))).toBe("invalid_claims");
    const hs512 = await new SignJWT({ locationId: "LocA" })
      .setProtectedHeader({ alg: "HS512" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(secret));
    expect(await reason(verifyCallerToken(hs512, { secret }))).toBe("invalid_token");
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"locationId":"LocA","exp":9999999999}').toString("base64url")}.`;
    expect(await reason(verifyCallerToken(none, { secret }))).toBe("invalid_token");
  });

  it("parses bearer headers strictly", () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer   abc")).toBe("abc");
    expect(() => bearerToken("Basic abc")).toThrow(/Bearer <JWT>/);
    expect(() => bearerToken("Bearer a b")).toThrow(CallerAuthError);
    expect(() => bearerToken(42)).toThrow(CallerAuthError);
  });

  it("refuses a location the gateway holds no credential for, without echoing the token", async () => {
    const token = await mintCallerToken({ secret, scopes: ["contacts.readonly"], locationId: "LocB" });
    const auth = await authenticateCaller(`Bearer ${token}`, { secret, credentials });
    expect(auth.status).toBe("rejected");
    const error = (auth as Extract<CallerAuth, { status: "rejected" }>).error;
    expect(error).toMatchObject({ code: "FORBIDDEN", reason: "unknown_location" });
    expect(error.message).not.toContain(token);
    expect(await authenticateCaller(undefined, { secret, credentials })).toEqual({ status: "anonymous" });
  });
});
