// Measurement helpers for the benchmarks: process CPU time and RSS from /proc (the same reading
// for every system, whatever it runs on), percentiles, a bounded load run with autocannon that
// keeps every response time (autocannon's own histogram has no p95), and small timing utilities.
import { readFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import autocannon from "autocannon";

export const CLOCK_TICKS_PER_S = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** User + system CPU time of a process so far, ms (Linux /proc; 10 ms resolution at 100 Hz). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Field 2 (comm) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_S;
}

/** Resident set size of a process, MB. */
export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Pins a running process (and its future threads) to one CPU; false when taskset is missing. */
export function pin(pid, cpu) {
  if (!existsSync("/usr/bin/taskset")) return false;
  return spawnSync("taskset", ["-a", "-cp", String(cpu), String(pid)], { stdio: "ignore" }).status === 0;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : NaN,
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `intervalMs` until it returns truthy or `timeoutMs` passes; returns the value or undefined. */
export async function waitFor(check, { timeoutMs = 10_000, intervalMs = 20 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}

/**
 * One autocannon run of POST `body` to `url`: requests/s, latency percentiles over every response,
 * non-2xx and error counts. `validate(bodyText)` is checked on the first response only.
 */
export function load({ url, headers, body, connections, durationS }) {
  return new Promise((resolve, reject) => {
    const times = [];
    let non2xx = 0;
    const instance = autocannon(
      {
        url,
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
        connections,
        duration: durationS,
        timeout: 60,
      },
      (error, result) => {
        if (error) return reject(error);
        const s = summarize(times);
        resolve({
          requests: times.length,
          rps: times.length / durationS,
          p50: s.p50,
          p95: s.p95,
          p99: s.p99,
          non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode >= 300) non2xx++;
      times.push(responseTime);
    });
  });
}

/** POST a GraphQL operation; returns {status, json, ms}. */
export async function gql(url, query, { headers = {}, variables } = {}) {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: res.status, json, ms };
}
