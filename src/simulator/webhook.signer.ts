/**
 * Signs webhook bodies the way HighLevel does: Ed25519 over the exact bytes (`x-ghl-signature`,
 * base64) and legacy RSA-SHA256 PKCS#1 v1.5 (`x-wh-signature`, base64). Keys are generated per
 * simulator instance; only the public PEMs leave this module.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import type { WebhookSignatures } from "./simulator.types.js";

export interface WebhookSigner {
  ed25519PublicKeyPem: string;
  rsaPublicKeyPem: string;
  sign(body: string | Buffer): WebhookSignatures;
}

export function createWebhookSigner(): WebhookSigner {
  const ed = generateKeyPairSync("ed25519");
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
  return {
    ed25519PublicKeyPem: pem(ed.publicKey),
    rsaPublicKeyPem: pem(rsa.publicKey),
    sign(body) {
      const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      return {
        "x-ghl-signature": sign(null, bytes, ed.privateKey).toString("base64"),
        "x-wh-signature": sign("sha256", bytes, rsa.privateKey).toString("base64"),
      };
    },
  };
}

/** Short, non-secret fingerprint of a public key (for logs and doctor output). */
export function publicKeyFingerprint(pem: string): string {
  return createHash("sha256").update(pem).digest("hex").slice(0, 16);
}
