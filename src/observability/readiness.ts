/**
 * Readiness (`GET /readyz`, README "HTTP surface"). An instance is NOT ready (503, with the reasons) when:
 *   - the upstream does not answer (a cheap unauthenticated GET of its base URL: any HTTP status
 *     proves reachability and costs no rate budget), or
 *   - Redis does not answer PING (when configured), or
 *   - the circuit breaker of EVERY served location is open: this instance can serve nobody.
 * An open circuit of only some locations does not take the instance out of the load balancer
 * (every other instance shares the same upstream and would be as stuck for that location): it
 * answers 200 `status: "degraded"` listing those locations. An open circuit past its reset time
 * reports `half_open` (ready to probe), so an instance taken out never stays out for want of the
 * traffic that would close it again.
 * Probe results (and the served-location list) are cached briefly so load balancer probes never
 * hammer the upstream; breaker states are read fresh on every request. Location ids appear only
 * for a caller the handler's `showLocations` admits (a bearer of METRICS_TOKEN); everyone else
 * gets counts.
 */
import type { Redis } from "ioredis";
import type { Dispatcher } from "undici";
import { request, type BreakerState } from "../upstream/index.js";

export interface ReadinessOptions {
  /** Base URL of the upstream actually used (the simulator's in demo mode). */
  upstreamBaseUrl: string;
  redis?: Pick<Redis, "ping">;
  /** Circuit breaker state per location (upstream/governance.ts). */
  breakerStates?: () => Iterable<{ locationId: string; state: BreakerState }>;
  /**
   * Every location the gateway serves (its credential provider's `locations()`). Not ready only
   * when all of them have an open circuit. Default: the locations `breakerStates` knows.
   */
  servedLocations?: () => Iterable<string> | Promise<Iterable<string>>;
  /** How long a result is reused. Default 2_000 ms. */
  cacheMs?: number;
  /** Per-probe timeout. Default 2_000 ms. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  now?: () => number;
}

export interface ReadinessCheckResult {
  name: "upstream" | "redis" | "breaker";
  ok: boolean;
  detail: string;
}

/** A location whose calls currently fail fast (`open`) or wait for a probe's verdict (`half_open`). */
export interface DegradedLocation {
  locationId: string;
  breaker: "open" | "half_open";
}

export interface ReadinessReport {
  ready: boolean;
  /** Locations whose circuit is not closed (sorted by id); empty when all are healthy. */
  degraded: DegradedLocation[];
  checks: ReadinessCheckResult[];
  /** One line per failing check (the 503 body's `reason`). */
  reasons: string[];
}

interface Probes {
  checks: ReadinessCheckResult[];
  served: string[] | undefined;
}

export interface ReadinessCheck {
  check(): Promise<ReadinessReport>;
}

export function createReadinessCheck(options: ReadinessOptions): ReadinessCheck {
  const cacheMs = options.cacheMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; probes: Promise<Probes> } | undefined;

  async function probeUpstream(): Promise<ReadinessCheckResult> {
    try {
      const response = await request(options.upstreamBaseUrl + "/", {
        method: "GET",
        signal: AbortSignal.timeout(timeoutMs),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      await response.body.dump();
      return { name: "upstream", ok: true, detail: `reachable (HTTP ${response.statusCode})` };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { name: "upstream", ok: false, detail: `upstream unreachable (${typeof code === "string" ? code : (error as Error).name})` };
    }
  }

  async function probeRedis(redis: Pick<Redis, "ping">): Promise<ReadinessCheckResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([redis.ping(), timeout]);
      return { name: "redis", ok: true, detail: "PONG" };
    } catch (error) {
      return { name: "redis", ok: false, detail: `redis unreachable (${(error as Error).message})` };
    } finally {
      clearTimeout(timer);
    }
  }

  async function servedLocations(): Promise<string[] | undefined> {
    if (!options.servedLocations) return undefined;
    try {
      return [...(await options.servedLocations())];
    } catch {
      return undefined; // the credential store is unreadable: judge by the locations the breaker knows
    }
  }

  async function probe(): Promise<Probes> {
    const [checks, served] = await Promise.all([
      Promise.all([probeUpstream(), ...(options.redis ? [probeRedis(options.redis)] : [])]),
      servedLocations(),
    ]);
    return { checks, served };
  }

  function breakerCheck(served: string[] | undefined): { check: ReadinessCheckResult; degraded: DegradedLocation[] } {
    const states = [...(options.breakerStates?.() ?? [])];
    const degraded: DegradedLocation[] = states
      .flatMap((b) => (b.state === "closed" ? [] : [{ locationId: b.locationId, breaker: b.state }]))
      .sort((x, y) => x.locationId.localeCompare(y.locationId));
    const open = new Set(degraded.filter((d) => d.breaker === "open").map((d) => d.locationId));
    const scope = served ?? states.map((b) => b.locationId);
    const openIds = [...open].join(", ");
    if (open.size === 0) {
      const probing = degraded.map((d) => d.locationId).join(", ");
      return { check: { name: "breaker", ok: true, detail: probing ? `circuit half-open (probing): ${probing}` : "all closed" }, degraded };
    }
    if (scope.length > 0 && scope.every((id) => open.has(id))) {
      return { check: { name: "breaker", ok: false, detail: `circuit breaker open for every served location: ${openIds}` }, degraded };
    }
    const of = scope.length > 0 ? ` (${open.size} of ${scope.length} served locations)` : "";
    return { check: { name: "breaker", ok: true, detail: `circuit breaker open: ${openIds}${of}; other locations are served` }, degraded };
  }

  return {
    async check() {
      if (!cached || now() - cached.at >= cacheMs) cached = { at: now(), probes: probe() };
      const { checks: probes, served } = await cached.probes;
      const checks = [...probes];
      let degraded: DegradedLocation[] = [];
      if (options.breakerStates) {
        const breaker = breakerCheck(served);
        checks.push(breaker.check);
        degraded = breaker.degraded;
      }
      const reasons = checks.filter((c) => !c.ok).map((c) => c.detail);
      return { ready: reasons.length === 0, degraded, checks, reasons };
    },
  };
}

/** The report without location ids (for callers that may not see which locations are served). */
export function withoutLocations(report: ReadinessReport): ReadinessReport {
  const open = report.degraded.filter((d) => d.breaker === "open").length;
  const halfOpen = report.degraded.length - open;
  const checks = report.checks.map((check) => {
    if (check.name !== "breaker") return check;
    const parts = [open > 0 ? `open for ${open} location(s)` : "", halfOpen > 0 ? `half-open (probing) for ${halfOpen} location(s)` : ""].filter(Boolean);
    const detail = !check.ok
      ? "circuit breaker open for every served location"
      : parts.length === 0
        ? "all closed"
        : `circuit breaker ${parts.join(", ")}; other locations are served`;
    return { ...check, detail };
  });
  return {
    ready: report.ready,
    degraded: report.degraded.map(({ breaker }) => ({ breaker })) as DegradedLocation[],
    checks,
    reasons: checks.filter((c) => !c.ok).map((c) => c.detail),
  };
}

export interface ReadinessHandlerOptions {
  /** Whether this request may see location ids (a bearer of METRICS_TOKEN). Default: never. */
  showLocations?: (req: { headers: Record<string, string | string[] | undefined> }) => boolean;
  /**
   * Background work reported beside the checks, never a reason to be not ready (the warm-up:
   * `{ warmUp: { state, locations, byLocation } }`); `byLocation` only to those `showLocations` admits.
   */
  progress?: () => Record<string, unknown> | undefined;
}

/** `progress` without per-location detail (location ids) for callers that may not see them. */
function withoutLocationDetail(progress: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(progress).map(([name, value]) => {
      if (!value || typeof value !== "object" || !("byLocation" in value)) return [name, value];
      const { byLocation: _ids, ...rest } = value as Record<string, unknown>;
      return [name, rest];
    }),
  );
}

/**
 * Express-compatible handler: 200 `{status:"ready", checks}`, 200 `{status:"degraded", checks,
 * degraded}` (some locations' circuits open), or 503 `{status:"not_ready", reason, checks, degraded}`.
 */
export function createReadinessHandler(readiness: ReadinessCheck, options: ReadinessHandlerOptions = {}) {
  return async (
    req: { headers: Record<string, string | string[] | undefined> },
    res: { status(code: number): { json(body: unknown): void }; setHeader(n: string, v: string): void },
  ) => {
    const full = await readiness.check();
    const mayName = options.showLocations?.(req) ?? false;
    const report = mayName ? full : withoutLocations(full);
    res.setHeader("cache-control", "no-store");
    const { checks, degraded } = report;
    const details = options.progress?.();
    const extra = details ? (mayName ? details : withoutLocationDetail(details)) : {};
    if (!report.ready) res.status(503).json({ status: "not_ready", reason: report.reasons.join("; "), checks, degraded, ...extra });
    else if (degraded.length > 0) res.status(200).json({ status: "degraded", checks, degraded, ...extra });
    else res.status(200).json({ status: "ready", checks, ...extra });
  };
}
