/**
 * Readiness (`GET /readyz`, contract §4): 200 only when the upstream answers (a cheap unauthenticated
 * GET of its base URL: any HTTP status proves reachability and costs no rate budget), Redis answers
 * PING when configured, and no circuit breaker is open; otherwise 503 with the reasons. Results are
 * cached briefly so probes from load balancers never hammer the upstream.
 */
import type { Redis } from "ioredis";
import { request, type Dispatcher } from "undici";
import type { BreakerStateName } from "./metrics.js";

export interface ReadinessOptions {
  /** Base URL of the upstream actually used (the simulator's in demo mode). */
  upstreamBaseUrl: string;
  redis?: Pick<Redis, "ping">;
  /** Circuit breaker states (from the rate governor / breaker). */
  breakerStates?: () => Iterable<{ name: string; state: BreakerStateName }>;
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

export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessCheckResult[];
  /** One line per failing check (the 503 body's `reason`). */
  reasons: string[];
}

export interface ReadinessCheck {
  check(): Promise<ReadinessReport>;
}

export function createReadinessCheck(options: ReadinessOptions): ReadinessCheck {
  const cacheMs = options.cacheMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;

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

  async function run(): Promise<ReadinessReport> {
    const checks = await Promise.all([probeUpstream(), ...(options.redis ? [probeRedis(options.redis)] : [])]);
    if (options.breakerStates) {
      const open = [...options.breakerStates()].filter((b) => b.state === "open").map((b) => b.name);
      checks.push(
        open.length === 0
          ? { name: "breaker", ok: true, detail: "all closed" }
          : { name: "breaker", ok: false, detail: `circuit breaker open: ${open.join(", ")}` },
      );
    }
    const reasons = checks.filter((c) => !c.ok).map((c) => c.detail);
    return { ready: reasons.length === 0, checks, reasons };
  }

  return {
    check() {
      if (cached && now() - cached.at < cacheMs) return cached.report;
      const report = run();
      cached = { at: now(), report };
      return report;
    },
  };
}

/** Express-compatible handler: 200 `{status:"ready", checks}` or 503 `{status:"not_ready", reason, checks}`. */
export function createReadinessHandler(readiness: ReadinessCheck) {
  return async (_req: unknown, res: { status(code: number): { json(body: unknown): void }; setHeader(n: string, v: string): void }) => {
    const report = await readiness.check();
    res.setHeader("cache-control", "no-store");
    if (report.ready) res.status(200).json({ status: "ready", checks: report.checks });
    else res.status(503).json({ status: "not_ready", reason: report.reasons.join("; "), checks: report.checks });
  };
}
