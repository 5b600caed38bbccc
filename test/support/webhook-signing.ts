// Test helpers for the EVENTS area: key pairs, signing and the docs' example payloads.
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface TestWebhookKeys {
  ed25519: { privateKey: KeyObject; publicKeyPem: string };
  rsa: { privateKey: KeyObject; publicKeyPem: string };
}

export function generateTestWebhookKeys(): TestWebhookKeys {
  const ed = generateKeyPairSync("ed25519");
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    ed25519: { privateKey: ed.privateKey, publicKeyPem: ed.publicKey.export({ type: "spki", format: "pem" }).toString() },
    rsa: { privateKey: rsa.privateKey, publicKeyPem: rsa.publicKey.export({ type: "spki", format: "pem" }).toString() },
  };
}

export const signEd25519 = (body: Buffer | string, key: KeyObject): string =>
  sign(null, Buffer.from(body), key).toString("base64");

export const signRsa = (body: Buffer | string, key: KeyObject): string =>
  sign("sha256", Buffer.from(body), key).toString("base64");

export const WEBHOOK_DOCS_DIR = join(import.meta.dirname, "..", "fixtures", "contacts-api", "docs", "webhook events");

/** The first ```json example block of every docs/webhook events/*.md page, by file name. */
export function loadDocExamples(): { file: string; payload: Record<string, unknown> }[] {
  return readdirSync(WEBHOOK_DOCS_DIR)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((file) => {
      const text = readFileSync(join(WEBHOOK_DOCS_DIR, file), "utf8");
      const match = /```json\n([\s\S]*?)```/.exec(text); // plain `json` blocks, not `json json_schema`
      if (!match?.[1]) throw new Error(`${file}: expected a \`\`\`json example block, found none`);
      return { file, payload: JSON.parse(match[1]) as Record<string, unknown> };
    });
}
