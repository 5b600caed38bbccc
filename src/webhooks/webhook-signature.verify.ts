/**
 * Verifies a HighLevel webhook signature over the RAW body bytes (README, "Live events"; HighLevel's webhook docs):
 * `x-ghl-signature` (Ed25519, base64) when present, otherwise the legacy `x-wh-signature`
 * (RSA-SHA256 PKCS#1 v1.5, base64). When `x-ghl-signature` is present and fails, the RSA header is
 * NOT tried: a downgrade to the legacy scheme would let a forged Ed25519 header be ignored.
 * Only `node:crypto` compares signatures; nothing is compared by hand.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";

export const ED25519_SIGNATURE_HEADER = "x-ghl-signature";
export const RSA_SIGNATURE_HEADER = "x-wh-signature";

export type SignatureScheme = "ed25519" | "rsa-sha256";

export type SignatureResult =
  | { ok: true; scheme: SignatureScheme }
  | { ok: false; reason: "missing-signature" | "bad-signature"; scheme?: SignatureScheme };

export interface WebhookSignatureVerifierOptions {
  /** SPKI PEM Ed25519 public keys; a signature valid under any of them is accepted. */
  ed25519PublicKeyPems: readonly string[];
  /** SPKI PEM RSA public keys for the legacy header. */
  rsaPublicKeyPems: readonly string[];
}

export interface WebhookSignatureVerifier {
  /** `headers` as node gives them (lower-case names; a value may be an array when repeated). */
  verify(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): SignatureResult;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function headerValue(v: string | string[] | undefined): string | undefined {
  // A repeated signature header is ambiguous: treat it as malformed (the caller answers 401).
  if (Array.isArray(v)) return v.length === 1 ? v[0] : "";
  return v;
}

function decodeSignature(value: string): Buffer | undefined {
  const s = value.trim();
  if (s === "" || !BASE64.test(s)) return undefined;
  const bytes = Buffer.from(s, s.includes("-") || s.includes("_") ? "base64url" : "base64");
  return bytes.length === 0 ? undefined : bytes;
}

function toKeys(pems: readonly string[], type: "ed25519" | "rsa", what: string): KeyObject[] {
  return pems.map((pem, i) => {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw new Error(`${what}[${i}]: expected an SPKI PEM public key, received text that does not parse as one`);
    }
    if (key.asymmetricKeyType !== type) {
      throw new Error(`${what}[${i}]: expected a ${type} public key, received a ${key.asymmetricKeyType ?? "unknown"} key`);
    }
    return key;
  });
}

export function createWebhookSignatureVerifier(options: WebhookSignatureVerifierOptions): WebhookSignatureVerifier {
  const edKeys = toKeys(options.ed25519PublicKeyPems, "ed25519", "ed25519PublicKeyPems");
  const rsaKeys = toKeys(options.rsaPublicKeyPems, "rsa", "rsaPublicKeyPems");

  return {
    verify(rawBody, headers) {
      const ghl = headerValue(headers[ED25519_SIGNATURE_HEADER]);
      if (ghl !== undefined) {
        const sig = decodeSignature(ghl);
        // Ed25519 signatures are exactly 64 bytes; anything else cannot verify.
        if (sig === undefined || sig.length !== 64) return { ok: false, reason: "bad-signature", scheme: "ed25519" };
        const ok = edKeys.some((key) => safeVerify(null, rawBody, key, sig));
        return ok ? { ok: true, scheme: "ed25519" } : { ok: false, reason: "bad-signature", scheme: "ed25519" };
      }
      const wh = headerValue(headers[RSA_SIGNATURE_HEADER]);
      if (wh !== undefined) {
        const sig = decodeSignature(wh);
        if (sig === undefined) return { ok: false, reason: "bad-signature", scheme: "rsa-sha256" };
        const ok = rsaKeys.some((key) => safeVerify("sha256", rawBody, key, sig));
        return ok ? { ok: true, scheme: "rsa-sha256" } : { ok: false, reason: "bad-signature", scheme: "rsa-sha256" };
      }
      return { ok: false, reason: "missing-signature" };
    },
  };
}

function safeVerify(algorithm: string | null, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(algorithm, data, key, signature);
  } catch {
    // e.g. an RSA signature of the wrong length throws instead of returning false
    return false;
  }
}
