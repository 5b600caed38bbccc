// Test helpers for the EVENTS area: key pairs, signing and the docs' example payloads.
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, fetch as undiciFetch } from "undici";

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

export interface PostWebhookOptions {
  /** Which signature header(s) to send. Default "ed25519". */
  sign?: "ed25519" | "rsa" | "both" | "none";
  keys: TestWebhookKeys;
  headers?: Record<string, string>;
  contentType?: string;
}

/**
 * One connection per delivery, as HighLevel sends them: no keep-alive, so a POST is never written
 * on a pooled socket the server's keep-alive timer (5 s) is closing at that moment (a non-idempotent
 * request is not retried by undici). Hardening: not observed to be the cause of a failure here.
 */
let deliveryAgent: Agent | undefined;

/** POSTs raw bytes to the intake, signed as asked; returns status and parsed body. */
export async function postWebhook(
  url: string,
  body: string | Buffer,
  options: PostWebhookOptions,
): Promise<{ status: number; text: string; json: unknown }> {
  const bytes = Buffer.from(body);
  const sign = options.sign ?? "ed25519";
  const headers: Record<string, string> = { "content-type": options.contentType ?? "application/json" };
  if (sign === "ed25519" || sign === "both") headers["x-ghl-signature"] = signEd25519(bytes, options.keys.ed25519.privateKey);
  if (sign === "rsa" || sign === "both") headers["x-wh-signature"] = signRsa(bytes, options.keys.rsa.privateKey);
  deliveryAgent ??= new Agent({ pipelining: 0 }); // pipelining 0: the connection is closed after each request
  const response = await undiciFetch(url, { method: "POST", headers: { ...headers, ...options.headers }, body: bytes, dispatcher: deliveryAgent });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** A signed-ready webhook body: the given fields plus a fresh webhookId and a current timestamp. */
export function webhookBody(fields: Record<string, unknown>, extra: { webhookId?: string; timestamp?: string } = {}): string {
  return JSON.stringify({
    ...fields,
    webhookId: extra.webhookId ?? `wh-${Math.random().toString(36).slice(2)}-${Date.now()}`,
    timestamp: extra.timestamp ?? new Date().toISOString(),
  });
}

/** The env a test gateway needs to trust `keys` (instead of HighLevel's published ones). */
export function webhookKeyEnv(keys: TestWebhookKeys): Record<string, string> {
  return { WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519.publicKeyPem, WEBHOOK_RSA_PUBLIC_KEY: keys.rsa.publicKeyPem };
}
