/**
 * `POST /webhooks/highlevel` as a plain Node request handler (express 5 accepts it as middleware).
 * Reads the RAW body bytes itself (signatures cover the exact bytes: mount it before any JSON body
 * parser), refuses bodies over the limit with 413 without buffering them (a declared
 * Content-Length is refused before reading; a chunked body is counted and dropped as it streams),
 * then hands the bytes to the intake. Responses are small JSON objects; never a stack trace or path.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { IntakeResponse, WebhookIntake } from "./webhook.intake.js";

export const WEBHOOK_PATH = "/webhooks/highlevel";

export interface WebhookRouteOptions {
  intake: WebhookIntake;
  /** 1 MiB by default (README "Live events"). */
  maxBodyBytes: number;
  /** How long a client may take to send its body. */
  bodyTimeoutMs?: number;
  logger?: Logger;
}

export type WebhookRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

function send(res: ServerResponse, response: IntakeResponse, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    ...response.headers,
    ...extraHeaders,
  });
  res.end(payload);
}

const tooLarge = (maxBodyBytes: number): IntakeResponse => ({
  status: 413,
  body: { error: { code: "PAYLOAD_TOO_LARGE", message: `body: expected at most ${maxBodyBytes} bytes` } },
});

export function createWebhookRoute(options: WebhookRouteOptions): WebhookRequestHandler {
  const { intake, maxBodyBytes, bodyTimeoutMs = 30_000, logger } = options;

  return function webhookRoute(req, res) {
    if (req.method !== "POST") {
      send(res, { status: 400, body: { error: { code: "BAD_REQUEST", message: `method: expected POST, received ${req.method ?? "none"}` } } }, { allow: "POST" });
      req.resume();
      return;
    }
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      // Answer at once, read nothing; close the connection so the rest of the upload is not awaited.
      send(res, tooLarge(maxBodyBytes), { connection: "close" });
      req.resume();
      return;
    }

    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      send(res, { status: 400, body: { error: { code: "BAD_REQUEST", message: "body: not received in time" } } }, { connection: "close" });
      req.destroy();
    }, bodyTimeoutMs);
    timer.unref();

    req.on("data", (chunk: Buffer) => {
      if (done) return;
      received += chunk.length;
      if (received > maxBodyBytes) {
        done = true;
        clearTimeout(timer);
        chunks.length = 0; // drop what was kept; the rest is read and discarded
        send(res, tooLarge(maxBodyBytes), { connection: "close" });
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // The client went away mid-body: nothing to answer.
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const body = Buffer.concat(chunks, received);
      intake.handle(body, req.headers).then(
        (response) => send(res, response),
        (err: unknown) => {
          logger?.error({ err }, "webhook route failed");
          send(res, { status: 429, body: { error: { code: "TRY_AGAIN_LATER", message: "retry later" } } });
        },
      );
    });
  };
}
