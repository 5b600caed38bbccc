/**
 * The HighLevel webhook intake as a pure decision over (raw body, headers) → (status, JSON body),
 * exactly as README "Live events" documents:
 *   401  no signature header, a signature that fails, or a `timestamp` outside the replay window;
 *        nothing applied or published. `error.reason` tells which: missing_signature,
 *        invalid_signature, stale_timestamp, future_timestamp (logs and metrics: outcome "stale").
 *   400  not JSON, or no string `type` (or a served type without the fields it needs)
 *   200  accepted, a duplicate `webhookId`, or a type this gateway does not serve
 *   429  cannot be accepted right now (dedup store / pub-sub unreachable): HighLevel retries only on 429
 * (413 is decided by the HTTP route, before the body is buffered.)
 * Replay protection: a `timestamp` older than the window (90 min: HighLevel's six retries span ~70)
 * or more than 5 minutes ahead is refused (401); ids are remembered longer than the window. Why 401
 * and not 400 or 200: the signature covers the body, `timestamp` included, so the timestamp is the
 * only proof that a validly signed body is not a replay; outside the window the request is not
 * authentic *now* (like an expired caller token, which is also 401). HighLevel retries only on 429,
 * so a 401 is never retried; the distinct `reason` keeps it apart from a key problem in logs.
 * A body without `timestamp`: HighLevel's webhook authentication guide
 * (test/fixtures/contacts-api/docs/oauth/WebhookAuthentication.md) says every delivery carries
 * `timestamp` and `webhookId`, but none of the per-event payload docs (same folder,
 * `webhook events/*.md`) lists them, so no
 * event type is assumed to always have one. Such a body is accepted (occurredAt = receipt; refusing
 * it would lose the event for good) but, with no age to check, its id (`webhookId`, or the SHA-256
 * of its bytes: HighLevel's retries re-send the same bytes) is remembered in `untimedDedup` for
 * much longer than the window (WEBHOOK_UNTIMED_DEDUP_DAYS, in Redis when configured, so it survives
 * a restart): a replay is a 200 duplicate, never published again.
 * Never a 5xx: anything unexpected becomes a 429 so the event is retried rather than lost, and no
 * response carries an internal message, a stack trace or a path.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { ContactEvent } from "../events/contact-event.types.js";
import type { WebhookDedupStore } from "./webhook-dedup.store.js";
import { parseWebhookEvent } from "./webhook-event.parse.js";
import type { WebhookSignatureVerifier } from "./webhook-signature.verify.js";

export interface IntakeResponse {
  status: 200 | 400 | 401 | 413 | 429;
  body: { status: "accepted" | "duplicate" | "ignored" } | { error: { code: string; message: string; reason?: string } };
  headers?: Record<string, string>;
}

export interface WebhookIntakeOptions {
  verifier: WebhookSignatureVerifier;
  dedup: WebhookDedupStore;
  /** Where the ids of deliveries without a `timestamp` are remembered (a longer TTL). Default: `dedup`. */
  untimedDedup?: WebhookDedupStore;
  /** Oldest accepted `timestamp`, relative to now (contract: 90 minutes by default). */
  replayWindowMs: number;
  /** How far in the future a `timestamp` may be (sender clock skew). */
  maxClockSkewMs?: number;
  /** Updates/evicts the cached resources the event names. A failure is logged, never fatal. */
  applyToCache: (event: ContactEvent) => Promise<void> | void;
  /** Publishes to subscribers (all instances). A failure → 429 (the delivery is released and retried). */
  publish: (event: ContactEvent) => Promise<void>;
  /**
   * The app was installed or uninstalled at a location (AppInstall / AppUninstall). A failure → 429
   * (released and retried). Absent: such deliveries are ignored.
   */
  onLifecycle?: (change: { action: "install" | "uninstall"; locationId: string }) => Promise<void>;
  logger?: Logger;
  now?: () => number;
  /** Seconds suggested in `Retry-After` on 429. */
  retryAfterSeconds?: number;
  /**
   * Observes every decision (metrics): `type` is HighLevel's webhook type ("unknown" before the body
   * is read); `outcome` is accepted | duplicate | ignored | unauthenticated | stale | invalid | deferred.
   */
  onOutcome?: (type: string, outcome: WebhookOutcome) => void;
}

export type WebhookOutcome = "accepted" | "duplicate" | "ignored" | "unauthenticated" | "stale" | "invalid" | "deferred";

export interface WebhookIntake {
  handle(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Promise<IntakeResponse>;
}

const error = (status: IntakeResponse["status"], code: string, message: string, reason?: string): IntakeResponse => ({
  status,
  body: { error: { code, message, ...(reason ? { reason } : {}) } },
});

export function createWebhookIntake(options: WebhookIntakeOptions): WebhookIntake {
  const {
    verifier,
    dedup,
    untimedDedup = dedup,
    replayWindowMs,
    maxClockSkewMs = 5 * 60_000, // 5 minutes
    applyToCache,
    publish,
    onLifecycle,
    logger,
    now = Date.now,
    retryAfterSeconds = 30,
    onOutcome,
  } = options;
  const observe = (type: string, outcome: WebhookOutcome) => {
    try {
      onOutcome?.(type, outcome);
    } catch {
      // metrics must never change the answer
    }
  };

  const retryLater = (message: string): IntakeResponse => ({
    ...error(429, "TRY_AGAIN_LATER", message),
    headers: { "retry-after": String(retryAfterSeconds) },
  });

  async function handle(rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Promise<IntakeResponse> {
    const signature = verifier.verify(rawBody, headers);
    if (!signature.ok) {
      logger?.warn({ reason: signature.reason, scheme: signature.scheme }, "webhook rejected: signature");
      observe("unknown", "unauthenticated");
      return signature.reason === "missing-signature"
        ? error(401, "UNAUTHENTICATED", "expected an x-ghl-signature (Ed25519) or x-wh-signature (RSA-SHA256) header", "missing_signature")
        : error(
            401,
            "UNAUTHENTICATED",
            `the ${signature.scheme === "ed25519" ? "x-ghl-signature" : "x-wh-signature"} signature does not verify over the request body`,
            "invalid_signature",
          );
    }

    let json: unknown;
    try {
      // Content-Type parameters (charset) do not matter: JSON is UTF-8 (RFC 8259); a BOM is tolerated.
      json = JSON.parse(rawBody.toString("utf8").replace(/^\uFEFF/, ""));
    } catch {
      observe("unknown", "invalid");
      return error(400, "BAD_REQUEST", "body: expected a JSON object with a string `type`, received text that is not valid JSON");
    }

    const receivedAtMs = now();
    const parsed = parseWebhookEvent(json, {
      fallbackWebhookId: `sha256:${createHash("sha256").update(rawBody).digest("hex")}`,
      receivedAtMs,
    });
    const webhookType = typeof (json as { type?: unknown } | null)?.type === "string" ? String((json as { type: string }).type).slice(0, 64) : "unknown";
    if (parsed.kind === "invalid") {
      observe(webhookType, "invalid");
      return error(400, "BAD_REQUEST", parsed.message);
    }
    if (parsed.kind === "ignored") {
      observe("other", "ignored");
      logger?.debug({ webhookType: parsed.webhookType }, "webhook ignored: type not served");
      return { status: 200, body: { status: "ignored" } };
    }

    if (parsed.kind === "lifecycle") {
      if (!parsed.locationId || !onLifecycle) {
        // Agency-level (only a companyId): the gateway serves locations, so there is nothing to do.
        observe(webhookType, "ignored");
        return { status: 200, body: { status: "ignored" } };
      }
      const { timestampMs: at } = parsed;
      if (at !== undefined && (at - receivedAtMs > maxClockSkewMs || receivedAtMs - at > replayWindowMs)) {
        observe(webhookType, "stale");
        return error(401, "UNAUTHENTICATED", `timestamp: expected within the last ${Math.round(replayWindowMs / 60_000)} minutes`, "stale_timestamp");
      }
      // Untimed deliveries (the docs' examples carry no timestamp) are remembered far longer.
      const ids = at === undefined ? untimedDedup : dedup;
      try {
        if ((await ids.claim(parsed.webhookId)) === "duplicate") {
          observe(webhookType, "duplicate");
          return { status: 200, body: { status: "duplicate" } };
        }
      } catch {
        observe(webhookType, "deferred");
        return retryLater("the event cannot be accepted right now; retry later");
      }
      try {
        await onLifecycle({ action: parsed.action, locationId: parsed.locationId });
      } catch (err) {
        logger?.warn({ err, locationId: parsed.locationId, action: parsed.action }, "webhook deferred: app lifecycle not applied");
        await ids.release(parsed.webhookId).catch(() => undefined);
        observe(webhookType, "deferred");
        return retryLater("the event cannot be applied right now; retry later");
      }
      logger?.info({ locationId: parsed.locationId, action: parsed.action }, parsed.action === "install" ? "app installed" : "app uninstalled");
      observe(webhookType, "accepted");
      return { status: 200, body: { status: "accepted" } };
    }

    const { event, timestampMs } = parsed;
    if (timestampMs !== undefined) {
      const future = timestampMs - receivedAtMs > maxClockSkewMs;
      if (future || receivedAtMs - timestampMs > replayWindowMs) {
        const reason = future ? "future_timestamp" : "stale_timestamp";
        logger?.warn({ webhookId: event.webhookId, timestamp: new Date(timestampMs).toISOString(), reason }, "webhook rejected: timestamp outside the replay window");
        observe(webhookType, "stale");
        return error(
          401,
          "UNAUTHENTICATED",
          future
            ? `timestamp: expected at most ${Math.round(maxClockSkewMs / 60_000)} minutes ahead of this server's clock, received ${new Date(timestampMs).toISOString()}`
            : `timestamp: expected within the last ${Math.round(replayWindowMs / 60_000)} minutes, received ${new Date(timestampMs).toISOString()} (a replay or a late retry)`,
          reason,
        );
      }
    }

    const ids = timestampMs === undefined ? untimedDedup : dedup;
    try {
      if ((await ids.claim(event.webhookId)) === "duplicate") {
        logger?.debug({ webhookId: event.webhookId }, "webhook duplicate");
        observe(webhookType, "duplicate");
        return { status: 200, body: { status: "duplicate" } };
      }
    } catch (err) {
      logger?.warn({ err, webhookId: event.webhookId }, "webhook deferred: de-duplication store unavailable");
      observe(webhookType, "deferred");
      return retryLater("the event cannot be accepted right now; retry later");
    }

    try {
      await applyToCache(event);
    } catch (err) {
      // The cache stays correct-by-expiry; subscribers must still hear about the event.
      logger?.error({ err, webhookId: event.webhookId, type: event.type }, "webhook: applying to cache failed");
    }

    try {
      await publish(event);
    } catch (err) {
      logger?.warn({ err, webhookId: event.webhookId }, "webhook deferred: publish failed");
      await ids.release(event.webhookId).catch(() => undefined);
      observe(webhookType, "deferred");
      return retryLater("the event cannot be published right now; retry later");
    }
    logger?.info({ webhookId: event.webhookId, type: event.type, locationId: event.locationId }, "webhook accepted");
    observe(webhookType, "accepted");
    return { status: 200, body: { status: "accepted" } };
  }

  return {
    async handle(rawBody, headers) {
      try {
        return await handle(rawBody, headers);
      } catch (err) {
        // Unexpected: never a 5xx (HighLevel would drop the event); ask for a retry instead.
        logger?.error({ err }, "webhook intake failed unexpectedly");
        return retryLater("the event cannot be accepted right now; retry later");
      }
    },
  };
}
