/**
 * An answer's freshness, from what it read (read-log.ts): the age of the oldest upstream data it
 * used, and whether the location's webhooks keep that data current. Reported in every answer's
 * `extensions.freshness` (src/server/pipeline/response-extensions.build.ts), on response-cache
 * hits too (the basis is kept with the stored answer and the age computed at each hit).
 *
 *   ageMs     now minus the oldest `fetchedAt` of the values it used (0 when it used none)
 *   webhooks  "current": the location's webhooks are flowing and announce every change of
 *             everything it read; "partial": flowing, but it read something whose changes are
 *             not all announced (a task edit sends no webhook: such data is as old as `ageMs`
 *             at most, and revalidated in the background); "off": not flowing (the data is
 *             as old as `ageMs`, bounded by CACHE_TTL_MS)
 * Pure: no clock, no I/O.
 */
import type { WebhookCoverage } from "../upstream/resources.js";
import type { Read } from "./read-log.js";

export interface Freshness {
  ageMs: number;
  webhooks: "current" | "partial" | "off";
}

/** What an answer's freshness depends on, kept with a stored answer. */
export interface FreshnessBasis {
  /** The oldest `fetchedAt` of the values it used (undefined: it used none). */
  oldestAt: number | undefined;
  /** The weakest webhook coverage of the kinds it read (`full` when it read nothing). */
  coverage: WebhookCoverage;
}

const RANK: Record<WebhookCoverage, number> = { full: 2, partial: 1, none: 0 };

export function freshnessBasis(reads: ReadonlyArray<Read>, coverageOf: (kind: string) => WebhookCoverage): FreshnessBasis {
  let oldestAt: number | undefined;
  let coverage: WebhookCoverage = "full";
  for (const [key, value, fetchedAt] of reads) {
    const kindCoverage = coverageOf(key.kind);
    if (RANK[kindCoverage] < RANK[coverage]) coverage = kindCoverage;
    if (value !== undefined && fetchedAt !== undefined && (oldestAt === undefined || fetchedAt < oldestAt)) oldestAt = fetchedAt;
  }
  return { oldestAt, coverage };
}

export function freshnessAt(basis: FreshnessBasis, nowMs: number, webhooksFlowing: boolean): Freshness {
  const ageMs = basis.oldestAt === undefined ? 0 : Math.max(0, Math.round(nowMs - basis.oldestAt));
  const webhooks = !webhooksFlowing ? "off" : basis.coverage === "full" ? "current" : "partial";
  return { ageMs, webhooks };
}
