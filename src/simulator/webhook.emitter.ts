/**
 * Delivers the simulator's webhook events to a target URL like HighLevel: one signed POST per
 * event (flat JSON + `timestamp` + `webhookId`), re-sent with the same bytes only when the
 * receiver answers 429 (default 6 retries, 10 minutes apart), any other status is final.
 * Deliveries go out one at a time in event order; retries are scheduled on timers.
 */
import { randomUUID } from "node:crypto";
import type { DeliveredWebhook, SimulatorWebhookEvent, WebhookOptions } from "./simulator.types.js";
import type { WebhookSigner } from "./webhook.signer.js";

export const DEFAULT_WEBHOOK_RETRY_INTERVAL_MS = 600_000; // HighLevel: 10 minutes
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 7; // 1 + 6 retries
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** Stands in for the Marketplace app the events belong to. */
export const SIMULATOR_APP_ID = "6578278e879ad2646715ba9c";

export interface WebhookEmitterOptions extends WebhookOptions {
  signer: WebhookSigner;
  now: () => number;
  /** Oldest `delivered`/`emitted` entries are dropped beyond this. */
  logLimit: number;
}

export class WebhookEmitter {
  readonly delivered: DeliveredWebhook[] = [];
  /** Every event body produced while emission was on, in order (delivered or not yet). */
  readonly emitted: Record<string, unknown>[] = [];
  private targetUrl: string | undefined;
  private enabled: boolean;
  private readonly retryIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WebhookEmitterOptions) {
    this.targetUrl = options.targetUrl;
    this.enabled = options.enabled ?? true;
    this.retryIntervalMs = options.retryIntervalMs ?? DEFAULT_WEBHOOK_RETRY_INTERVAL_MS;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_WEBHOOK_MAX_ATTEMPTS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  }

  setTarget(url: string | undefined): void {
    this.targetUrl = url;
    if (url) this.enabled = true;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  emit(event: SimulatorWebhookEvent): void {
    if (this.closed || !this.enabled || !this.targetUrl) return;
    const body: Record<string, unknown> = {
      ...event.payload,
      appId: SIMULATOR_APP_ID,
      timestamp: new Date(this.options.now()).toISOString(),
      webhookId: randomUUID(),
    };
    this.emitted.push(body);
    if (this.emitted.length > this.options.logLimit) this.emitted.splice(0, this.emitted.length - this.options.logLimit);
    const bytes = JSON.stringify(body);
    const record: DeliveredWebhook = { body, status: 0, attempts: 0, lastAttemptAt: 0 };
    const url = this.targetUrl;
    this.pending++;
    this.chain = this.chain.then(() => this.attempt(url, bytes, record));
  }

  /** Resolves once nothing is queued or scheduled for retry. */
  async flush(timeoutMs = 30_000): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        reject(new Error(`flushWebhooks: expected all deliveries to finish within ${timeoutMs} ms, ${this.pending} still pending`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending = 0;
    this.settle();
  }

  private async attempt(url: string, bytes: string, record: DeliveredWebhook): Promise<void> {
    if (this.closed) return;
    record.attempts++;
    record.lastAttemptAt = this.options.now();
    if (record.attempts === 1) {
      this.delivered.push(record);
      if (this.delivered.length > this.options.logLimit) this.delivered.splice(0, this.delivered.length - this.options.logLimit);
    }
    let status = 0;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.options.signer.sign(bytes) },
        body: bytes,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch {
      status = 0;
    }
    record.status = status;
    if (status === 429 && record.attempts < this.maxAttempts && !this.closed) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.chain = this.chain.then(() => this.attempt(url, bytes, record));
      }, this.retryIntervalMs + (this.options.retryJitterMs ? Math.random() * this.options.retryJitterMs : 0));
      timer.unref?.();
      this.timers.add(timer);
      return;
    }
    this.pending = Math.max(0, this.pending - 1);
    this.settle();
  }

  private settle(): void {
    if (this.pending !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
