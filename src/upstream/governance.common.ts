/**
 * What the governance middlewares (rate governor, retry, breaker) share: merging a partial policy
 * over its defaults, calling a metrics hook so that a failing hook never breaks a call, and
 * reading a response header. Knows no GraphQL and no prom-client.
 */
import type { UpstreamResponse } from "./pipeline.types.js";

/** `defaults` with every field of `overrides` that is not `undefined` (config leaves unset ones undefined). */
export function mergePolicy<T extends object>(defaults: Readonly<T>, overrides: Partial<T> = {}): T {
  const set = Object.entries(overrides).filter(([, value]) => value !== undefined);
  return { ...defaults, ...(Object.fromEntries(set) as Partial<T>) } as T;
}

/** Calls a metrics hook; whatever it throws is swallowed (metrics must never break a call). */
export function callHook<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // metrics must never break a call
  }
}

/** A response header's first value, trimmed; `undefined` when absent or blank. */
export function headerText(headers: UpstreamResponse["headers"], name: string): string | undefined {
  const raw = headers[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** `Retry-After` as ms from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
