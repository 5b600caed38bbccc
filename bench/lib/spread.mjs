// The spread over several `npm run bench` runs (the machine is shared and noisy: one run is not a
// number) and the comparison with the runs of 2026-11-27 (bench/results/2026-11-27.json, the three
// full runs committed that day as bench/results/latest.md: df87900, 6e0b7cb, 2c88831).
// Every full run leaves bench/results/raw/runs/<start>.json; the spread takes the full runs with the
// same systems that started within `windowHours` of the newest one.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const SYSTEMS = ["ours", "baseline", "tuned", "peer+cache", "peer"];
const LABEL = { ours: "ours", baseline: "naive baseline", tuned: "tuned baseline", "peer+cache": "peer (response cache)", peer: "peer (no cache)" };

/** Per-system metrics: key -> [label, read(system result, run) -> number | undefined, lower is better]. */
const METRICS = {
  warmRps: ["warm dashboard: requests/s", (s) => s.warm?.rps, false],
  warmP95: ["warm dashboard: p95 ms", (s) => s.warm?.p95, true],
  warmCpu: ["warm dashboard: CPU ms / request", (s) => s.warm?.cpuMsPerRequest, true],
  pageRps: ["warm contacts page: requests/s", (s) => s.page?.rps, false],
  pageP95: ["warm contacts page: p95 ms", (s) => s.page?.p95, true],
  pageCpu: ["warm contacts page: CPU ms / request", (s) => s.page?.cpuMsPerRequest, true],
  missCpu: ["contacts page, response-cache miss (a new document each): CPU ms / request", (s) => s.pageMiss?.cpuMsPerRequest, true],
  missSameDocCpu: ["contacts page, response-cache miss (the same document): CPU ms / request", (s) => s.pageMissSameDoc?.cpuMsPerRequest, true],
  coldMs: ["cold dashboard: latency ms", (s) => s.cold?.latencyMs, true],
  coldCpu: ["cold dashboard: CPU ms / request", (s) => s.cold?.cpuMsPerRequest, true],
  freshMs: ["freshness: webhook → answer ms", (s) => (s.freshness && !s.freshness.stale ? s.freshness.ms : undefined), true],
  fanScalarP99: ["fan-out scalar: p99 ms", (s) => s.fanout_scalar?.p99, true],
  fanJoinedP99: ["fan-out joined contact: p99 ms", (s) => s.fanout_joined?.p99, true],
  rss10k: ["RSS MB with 10,000 contacts cached", (s) => s.memory?.rssMb, true],
  realCompleteS: ["real limits: cold dashboard complete after s", (_s, name, run) => (run.realLimits?.[name]?.complete ? run.realLimits[name].completeMs / 1000 : undefined), true],
  realCalls: ["real limits: upstream calls", (_s, name, run) => run.realLimits?.[name]?.upstreamCalls, true],
};

/** Ratios: key -> [label, read(run) -> number | undefined]. */
const RATIOS = {
  warmVsPeerCache: ["warm dashboard req/s: ours ÷ peer (response cache)", (r) => div(r.systems.ours?.warm?.rps, r.systems["peer+cache"]?.warm?.rps)],
  warmVsTuned: ["warm dashboard req/s: ours ÷ tuned baseline", (r) => div(r.systems.ours?.warm?.rps, r.systems.tuned?.warm?.rps)],
  pageVsPeerCache: ["warm contacts page req/s: ours ÷ peer (response cache)", (r) => div(r.systems.ours?.page?.rps, r.systems["peer+cache"]?.page?.rps)],
  pageVsTuned: ["warm contacts page req/s: ours ÷ tuned baseline", (r) => div(r.systems.ours?.page?.rps, r.systems.tuned?.page?.rps)],
  missVsTuned: ["contacts page miss CPU (a new document each): ours ÷ tuned baseline", (r) => div(r.systems.ours?.pageMiss?.cpuMsPerRequest, r.systems.tuned?.pageMiss?.cpuMsPerRequest)],
  missSameDocVsTuned: ["contacts page miss CPU (the same document): ours ÷ tuned baseline", (r) => div(r.systems.ours?.pageMissSameDoc?.cpuMsPerRequest, r.systems.tuned?.pageMissSameDoc?.cpuMsPerRequest)],
  coldCpuVsPeer: ["cold dashboard CPU: ours ÷ peer (no cache)", (r) => div(r.systems.ours?.cold?.cpuMsPerRequest, r.systems.peer?.cold?.cpuMsPerRequest)],
  coldCpuVsBaseline: ["cold dashboard CPU: ours ÷ naive baseline", (r) => div(r.systems.ours?.cold?.cpuMsPerRequest, r.systems.baseline?.cold?.cpuMsPerRequest)],
  fanScalarVsPeer: ["fan-out scalar p99: ours ÷ peer", (r) => div(r.systems.ours?.fanout_scalar?.p99, r.systems.peer?.fanout_scalar?.p99)],
  fanJoinedVsPeer: ["fan-out joined p99: ours ÷ peer", (r) => div(r.systems.ours?.fanout_joined?.p99, r.systems.peer?.fanout_joined?.p99)],
};

function div(a, b) {
  return typeof a === "number" && typeof b === "number" && b > 0 ? a / b : undefined;
}

/** Medians closer than this are within noise even when the (few-run) ranges do not overlap. */
const NOISE = 0.15;
const fmt = (v) => (v === undefined || Number.isNaN(v) ? "–" : v >= 100 ? Math.round(v).toLocaleString("en-US") : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const range = (vals) => {
  const v = vals.filter((x) => typeof x === "number" && Number.isFinite(x));
  if (v.length === 0) return undefined;
  return { min: Math.min(...v), max: Math.max(...v), median: [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)], n: v.length };
};
const showRange = (r) => (!r ? "–" : r.n === 1 || fmt(r.min) === fmt(r.max) ? fmt(r.min) : `${fmt(r.min)}–${fmt(r.max)}`);

/** Full runs of the current series, oldest first. */
export function loadRuns(dir, { windowHours = 6 } = {}) {
  if (!existsSync(dir)) return [];
  const runs = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")))
    .filter((r) => !r.cfg?.quick)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const last = runs.at(-1);
  if (!last) return [];
  const key = (r) => [...r.cfg.systems].sort().join(",");
  return runs.filter((r) => key(r) === key(last) && Date.parse(last.startedAt) - Date.parse(r.startedAt) <= windowHours * 3_600_000);
}

/** Old runs (bench/results/2026-11-27.json) in the same shape as new ones, for the metrics they had. */
function oldValue(old, key, name) {
  return old.runs.map((run) => run.systems[name]?.[key]);
}

/** Markdown: the spread over `runs`, and (with `old`) the side-by-side comparison. */
export function renderSpread(runs, old) {
  if (runs.length === 0) return "";
  const names = SYSTEMS.filter((n) => runs.at(-1).systems[n]);
  const lines = [];
  const when = (r) => `${r.startedAt.slice(0, 16).replace("T", " ")} UTC${r.commit ? ` at ${r.commit}` : ""}`;
  lines.push(`### Spread over ${runs.length} full run${runs.length === 1 ? "" : "s"} (${runs.map(when).join(", ")})`);
  lines.push("");
  lines.push("Min–max per row over the runs (one value: every run agreed to the digits shown). The machine has 2 cores shared with other engineers' test suites; each gateway is pinned to core 1, but nothing keeps other processes off it.");
  lines.push("");
  lines.push(`| | ${names.map((n) => LABEL[n]).join(" | ")} |`);
  lines.push(`|---|${names.map(() => "---:").join("|")}|`);
  for (const [key, [label, read]] of Object.entries(METRICS)) {
    const cells = names.map((n) => showRange(range(runs.map((r) => (r.systems[n] ? read(r.systems[n], n, r) : undefined)))));
    if (cells.every((c) => c === "–")) continue;
    lines.push(`| ${label} | ${cells.join(" | ")} |`);
    void key;
  }
  lines.push("");
  lines.push("| ratio | min–max |");
  lines.push("|---|---:|");
  for (const [, [label, read]] of Object.entries(RATIOS)) {
    const r = range(runs.map(read));
    if (r) lines.push(`| ${label} | ${showRange(r)}× |`);
  }
  lines.push("");
  if (old) lines.push(renderComparison(runs, old));
  return lines.join("\n") + "\n";
}

/**
 * The rows that existed on 2026-11-27, then and now. "Within noise": the two ranges (min–max over
 * that day's runs and over today's) overlap or the medians are within NOISE; otherwise the factor
 * between the medians says how far.
 */
export function renderComparison(runs, old) {
  const lines = [];
  lines.push(`### Today vs ${old.date}`);
  lines.push("");
  lines.push(
    `${old.date}: ${old.runs.length} full runs (${old.runs.map((r) => r.label).join("; ")}). Today: ${runs.length} full run(s). ` +
      `Within noise = the two min–max ranges overlap, or the medians are less than ${NOISE * 100}% apart (two or three runs under-state the spread); otherwise better or worse beyond noise.`,
  );
  lines.push("");
  lines.push(`| row | system | ${old.date} | today | today ÷ then (medians) | verdict |`);
  lines.push("|---|---|---:|---:|---:|---|");
  const verdict = (then, now, lowerIsBetter) => {
    if (!then || !now) return ["–", "–"];
    const factor = now.median / then.median;
    if (now.min <= then.max && then.min <= now.max) return [`${fmt(factor)}×`, "within noise (ranges overlap)"];
    if (factor > 1 / (1 + NOISE) && factor < 1 + NOISE) return [`${fmt(factor)}×`, `within noise (< ${NOISE * 100}% apart)`];
    const better = lowerIsBetter ? factor < 1 : factor > 1;
    return [`${fmt(factor)}×`, `**${better ? "better" : "worse"}**, beyond noise`];
  };
  for (const [key, [label, read, lowerIsBetter]] of Object.entries(METRICS)) {
    for (const n of SYSTEMS) {
      const then = range(oldValue(old, key, n));
      if (!then) continue;
      const now = range(runs.map((r) => (r.systems[n] ? read(r.systems[n], n, r) : undefined)));
      const [factor, v] = verdict(then, now, lowerIsBetter);
      lines.push(`| ${label} | ${LABEL[n]} | ${showRange(then)} | ${showRange(now)} | ${factor} | ${v} |`);
    }
  }
  for (const [key, [label, read]] of Object.entries(RATIOS)) {
    const then = range(old.runs.map((r) => r.ratios?.[key]));
    if (!then) continue;
    const now = range(runs.map(read));
    const lowerIsBetter = /CPU|p99/.test(label);
    const [factor, v] = verdict(then, now, lowerIsBetter);
    lines.push(`| ${label} | – | ${showRange(then)}× | ${now ? `${showRange(now)}×` : "–"} | ${factor} | ${v} |`);
  }
  lines.push("");
  return lines.join("\n");
}
