// Summarises a V8 `.cpuprofile` (node --cpu-prof): self time by function and by package, so a
// missed benchmark target comes with the profile that explains it.
import { readFileSync } from "node:fs";

function packageOf(url) {
  if (!url) return "(native/V8)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith("node:")) return "node core";
  const dist = url.indexOf("/dist/src/");
  if (dist >= 0) return `ours: src/${url.slice(dist + "/dist/src/".length).split("/")[0]}`;
  return url.replace(/^file:\/\//, "").split("/").slice(-2).join("/");
}

/** Now on the clock V8 profiles use (CLOCK_MONOTONIC, µs), comparable across processes on Linux. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * {totalMs, byPackage: [{name, ms, pct}], byFunction: [{name, ms, pct}]} (top `top` of each).
 * `fromUs`/`toUs` (monotonicUs()) keep only the samples of the workload, not start-up or shutdown.
 */
export function summarizeCpuProfile(file, { top = 12, fromUs = -Infinity, toUs = Infinity } = {}) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const selfUs = new Map();
  const deltas = profile.timeDeltas ?? [];
  let t = profile.startTime ?? 0;
  profile.samples?.forEach((nodeId, i) => {
    t += deltas[i] ?? 0;
    if (t < fromUs || t > toUs) return;
    selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (deltas[i] ?? 0));
  });
  const byPackage = new Map();
  const byFunction = new Map();
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") continue;
    totalUs += us;
    const pkg = functionName === "(garbage collector)" ? "(garbage collector)" : packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${functionName || "(anonymous)"} ${pkg}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const rank = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / Math.max(1, totalUs) }));
  return { totalMs: totalUs / 1000, byPackage: rank(byPackage), byFunction: rank(byFunction) };
}
