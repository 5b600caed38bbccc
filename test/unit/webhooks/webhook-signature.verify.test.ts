import { describe, expect, it } from "vitest";
import { HIGHLEVEL_ED25519_PUBLIC_KEY_PEM, HIGHLEVEL_RSA_PUBLIC_KEY_PEM } from "../../../src/config/config.js";
import { createWebhookSignatureVerifier } from "../../../src/webhooks/webhook-signature.verify.js";
import { generateTestWebhookKeys, signEd25519, signRsa } from "../../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const other = generateTestWebhookKeys();
const verifier = createWebhookSignatureVerifier({
  ed25519PublicKeyPems: [keys.ed25519.publicKeyPem],
  rsaPublicKeyPems: [keys.rsa.publicKeyPem],
});
const body = Buffer.from(JSON.stringify({ type: "ContactCreate", locationId: "L1", id: "c1", webhookId: "w1" }));

describe("webhook signature verification", () => {
  it("accepts a valid Ed25519 x-ghl-signature over the raw bytes", () => {
    expect(verifier.verify(body, { "x-ghl-signature": signEd25519(body, keys.ed25519.privateKey) })).toEqual({ ok: true, scheme: "ed25519" });
  });

  it("accepts a valid RSA-SHA256 x-wh-signature when there is no x-ghl-signature", () => {
    expect(verifier.verify(body, { "x-wh-signature": signRsa(body, keys.rsa.privateKey) })).toEqual({ ok: true, scheme: "rsa-sha256" });
  });

  it("rejects a body changed by one byte", () => {
    const sig = signEd25519(body, keys.ed25519.privateKey);
    const changed = Buffer.from(body);
    changed[changed.length - 2] = (changed[changed.length - 2] ?? 0) ^ 1;
    expect(verifier.verify(changed, { "x-ghl-signature": sig }).ok).toBe(false);
    const rsaSig = signRsa(body, keys.rsa.privateKey);
    expect(verifier.verify(changed, { "x-wh-signature": rsaSig }).ok).toBe(false);
  });

  it("rejects signatures made with another key", () => {
    expect(verifier.verify(body, { "x-ghl-signature": signEd25519(body, other.ed25519.privateKey) })).toMatchObject({ ok: false, reason: "bad-signature" });
    expect(verifier.verify(body, { "x-wh-signature": signRsa(body, other.rsa.privateKey) })).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("does not fall back to RSA when an Ed25519 header is present but bad", () => {
    const result = verifier.verify(body, {
      "x-ghl-signature": signEd25519(body, other.ed25519.privateKey),
      "x-wh-signature": signRsa(body, keys.rsa.privateKey),
    });
    expect(result).toEqual({ ok: false, reason: "bad-signature", scheme: "ed25519" });
  });

  it("reports a missing header, garbage and repeated headers as failures", () => {
    expect(verifier.verify(body, {})).toEqual({ ok: false, reason: "missing-signature" });
    expect(verifier.verify(body, { "x-ghl-signature": "not base64 !!" }).ok).toBe(false);
    expect(verifier.verify(body, { "x-ghl-signature": "" }).ok).toBe(false);
    expect(verifier.verify(body, { "x-wh-signature": "AAAA" }).ok).toBe(false);
    const sig = signEd25519(body, keys.ed25519.privateKey);
    expect(verifier.verify(body, { "x-ghl-signature": [sig, sig] }).ok).toBe(false);
  });

  it("accepts a signature valid under any configured key (HighLevel's plus a test key)", () => {
    const both = createWebhookSignatureVerifier({
      ed25519PublicKeyPems: [HIGHLEVEL_ED25519_PUBLIC_KEY_PEM, keys.ed25519.publicKeyPem],
      rsaPublicKeyPems: [HIGHLEVEL_RSA_PUBLIC_KEY_PEM, keys.rsa.publicKeyPem],
    });
    expect(both.verify(body, { "x-ghl-signature": signEd25519(body, keys.ed25519.privateKey) }).ok).toBe(true);
    expect(both.verify(body, { "x-wh-signature": signRsa(body, keys.rsa.privateKey) }).ok).toBe(true);
  });

  it("refuses a key of the wrong type with a message naming expected and received", () => {
    expect(() => createWebhookSignatureVerifier({ ed25519PublicKeyPems: [keys.rsa.publicKeyPem], rsaPublicKeyPems: [] })).toThrow(
      /expected a ed25519 public key, received a rsa key/,
    );
  });
});
