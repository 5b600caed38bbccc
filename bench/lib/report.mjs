// Renders the benchmark results: a markdown report (bench/results/latest.md, also pasted into the
// README's "Benchmarks" section), a console table, and a hand-written SVG bar chart.
const ORDER = ["ours", "baseline", "tuned", "peer+cache", "peer"];
const LABEL = { ours: "ours", baseline: "naive baseline", tuned: "tuned baseline", "peer+cache": "peer (response cache)", peer: "peer (no cache)" };

const f0 = (v) => (v === undefined || v === null || Number.isNaN(v) ? "–" : Math.round(v).toLocaleString("en-US"));
const f1 = (v) => (v === undefined || v === null || Number.isNaN(v) ? "–" : v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString("en-US"));
const f2 = (v) => (v === undefined || v === null || Number.isNaN(v) ? "–" : v.toFixed(2));

function rows(r) {
  const names = ORDER.filter((n) => r.systems[n]);
  const get = (fn) => names.map((n) => {
    try {
      return fn(r.systems[n], n);
    } catch {
      return "–";
    }
  });
  const fresh = (s) =>
    !s.freshness ? "–" : s.freshness.stale ? `stale > ${f0(s.freshness.afterMs)} ms${s.freshness.ttlMs ? ` (TTL ${f0(s.freshness.ttlMs / 1000)} s)` : ""}` : `${f0(s.freshness.ms)} ms`;
  const fan = (s, k) => (s[k] ? `${f0(s[k].p50)} / ${f0(s[k].p99)}${s[k].lost ? ` (${s[k].lost} lost)` : ""}` : "–");
  return {
    names,
    table: [
      ["warm dashboard: requests/s", get((s) => f1(s.warm?.rps))],
      ["warm dashboard: p50 / p95 / p99 ms", get((s) => (s.warm ? `${f1(s.warm.p50)} / ${f1(s.warm.p95)} / ${f1(s.warm.p99)}` : "–"))],
      ["warm dashboard: upstream calls / request", get((s) => f2(s.warm?.upstreamCallsPerRequest))],
      ["warm dashboard: CPU ms / request", get((s) => f2(s.warm?.cpuMsPerRequest))],
      ["warm dashboard: errors / non-2xx", get((s) => (s.warm ? `${s.warm.errors} / ${s.warm.non2xx}` : "–"))],
      ["warm contacts page: requests/s", get((s) => f1(s.page?.rps))],
      ["warm contacts page: p50 / p95 / p99 ms", get((s) => (s.page ? `${f1(s.page.p50)} / ${f1(s.page.p95)} / ${f1(s.page.p99)}` : "–"))],
      ["warm contacts page: upstream calls / request", get((s) => f2(s.page?.upstreamCallsPerRequest))],
      ["warm contacts page: CPU ms / request", get((s) => f2(s.page?.cpuMsPerRequest))],
      ["warm contacts page: errors / non-2xx", get((s) => (s.page ? `${s.page.errors} / ${s.page.non2xx}` : "–"))],
      ...[
        ["pageMiss", "a new document each"],
        ["pageMissSameDoc", "the same document"],
      ].map(([field, what]) => [
        `contacts page, response-cache miss, warm resources (${what}): CPU ms / request`,
        get((s) => (s[field] ? `${f2(s[field].cpuMsPerRequest)}${s[field].upstreamCalls ? ` (${s[field].upstreamCalls} upstream calls)` : ""}${s[field].failed ? ` (${s[field].failed} failed)` : ""}` : "–")),
      ]),
      ["cold dashboard: latency ms", get((s) => f0(s.cold?.latencyMs))],
      ["cold dashboard: upstream calls (minimal)", get((s) => (s.cold ? `${f1(s.cold.upstreamCalls)} (${s.cold.minimalCalls})` : "–"))],
      ["cold dashboard: CPU ms / request", get((s) => f1(s.cold?.cpuMsPerRequest))],
      ["freshness: webhook → answer shows it", get(fresh)],
      [`fan-out, ${r.cfg.subscribers} subscribers, scalar: p50 / p99 ms`, get((s) => fan(s, "fanout_scalar"))],
      [`fan-out, ${r.cfg.subscribers} subscribers, joined contact: p50 / p99 ms`, get((s) => fan(s, "fanout_joined"))],
      ["fan-out: gateway CPU ms / event (scalar / joined)", get((s) => (s.fanout_scalar ? `${f1(s.fanout_scalar.gatewayCpuMsPerEvent)} / ${f1(s.fanout_joined?.gatewayCpuMsPerEvent)}` : "–"))],
      ["fan-out: upstream calls / event (scalar / joined)", get((s) => (s.fanout_scalar ? `${f2(s.fanout_scalar.upstreamCallsPerEvent)} / ${f2(s.fanout_joined?.upstreamCallsPerEvent)}` : "–"))],
      ["RSS MB: after warm load", get((s) => f0(s.rssAfterWarmMb))],
      [`RSS MB: with ${r.cfg.subscribers} subscribers`, get((s) => f0(s.fanout_scalar?.rssMb))],
      [`RSS MB: with ${f0(r.cfg.cachedContacts)} contacts cached`, get((s) => f0(s.memory?.rssMb))],
    ],
  };
}

function ratios(r) {
  const s = r.systems;
  const out = [];
  if (s.ours?.warm && s["peer+cache"]?.warm) out.push(`warm req/s: ours ÷ peer (response cache) = **${f2(s.ours.warm.rps / s["peer+cache"].warm.rps)}×**; p95 ${f1(s.ours.warm.p95)} vs ${f1(s["peer+cache"].warm.p95)} ms`);
  if (s.ours?.warm && s.peer?.warm) out.push(`warm req/s: ours ÷ peer (no cache) = **${f2(s.ours.warm.rps / s.peer.warm.rps)}×**`);
  if (s.ours?.warm && s.baseline?.warm) out.push(`warm req/s: ours ÷ naive baseline = **${f2(s.ours.warm.rps / s.baseline.warm.rps)}×**`);
  if (s.ours?.warm && s.tuned?.warm) out.push(`warm req/s: ours ÷ tuned baseline = **${f2(s.ours.warm.rps / s.tuned.warm.rps)}×**`);
  if (s.ours?.page && s["peer+cache"]?.page) out.push(`warm contacts page req/s: ours ÷ peer (response cache) = **${f2(s.ours.page.rps / s["peer+cache"].page.rps)}×**; p95 ${f1(s.ours.page.p95)} vs ${f1(s["peer+cache"].page.p95)} ms`);
  if (s.ours?.page && s.tuned?.page) out.push(`warm contacts page req/s: ours ÷ tuned baseline = **${f2(s.ours.page.rps / s.tuned.page.rps)}×**`);
  if (s.ours?.pageMiss && s.tuned?.pageMiss) out.push(`contacts page, response-cache miss (a new document each), CPU per request: ours ÷ tuned baseline = **${f2(s.ours.pageMiss.cpuMsPerRequest / s.tuned.pageMiss.cpuMsPerRequest)}×**`);
  if (s.ours?.pageMissSameDoc && s.tuned?.pageMissSameDoc) out.push(`contacts page, response-cache miss (the same document), CPU per request: ours ÷ tuned baseline = **${f2(s.ours.pageMissSameDoc.cpuMsPerRequest / s.tuned.pageMissSameDoc.cpuMsPerRequest)}×**`);
  if (s.ours?.cold && s.peer?.cold) out.push(`cold CPU per request: ours ÷ peer (no cache) = **${f2(s.ours.cold.cpuMsPerRequest / s.peer.cold.cpuMsPerRequest)}×**`);
  if (s.ours?.cold && s.baseline?.cold) out.push(`cold CPU per request: ours ÷ naive baseline = **${f2(s.ours.cold.cpuMsPerRequest / s.baseline.cold.cpuMsPerRequest)}×**`);
  if (s.ours?.fanout_scalar && s.peer?.fanout_scalar) out.push(`fan-out p99, scalar: ours ÷ peer = **${f2(s.ours.fanout_scalar.p99 / s.peer.fanout_scalar.p99)}×**`);
  if (s.ours?.fanout_joined && s.peer?.fanout_joined) out.push(`fan-out p99, joined contact: ours ÷ peer = **${f2(s.ours.fanout_joined.p99 / s.peer.fanout_joined.p99)}×**`);
  return out;
}

/** `imagePath`: where the chart is, relative to the markdown file (README: bench/results/latest.svg). */
export function renderMarkdown(r, { imagePath = "latest.svg" } = {}) {
  const { names, table } = rows(r);
  const c = r.cfg;
  const lines = [];
  lines.push(`<!-- generated by npm run bench (bench/run.mjs); do not edit by hand -->`);
  lines.push(`### Benchmarks (${r.startedAt.slice(0, 16).replace("T", " ")} UTC${c.quick ? ", quick mode" : ""})`);
  lines.push("");
  lines.push(
    `Upstream: the simulator, ${c.latencyMs} ms per call, rate limit lifted. Each gateway pinned to core ${c.gatewayCpu}; load generator and simulator on core ${c.driverCpu}. ` +
      `Warm: autocannon, ${c.connections} connections, ${c.durationS} s, dashboard of ${c.contacts} contacts × tasks, notes, appointments. ` +
      `Cold: ${c.coldSamples} sequential requests over contacts never read before. Node ${r.node}.`,
  );
  lines.push("");
  lines.push(
    "Limits lifted: in every scenario but \"real limits\", the simulator's rate limit (1,000,000 per 10 s) and ours' own budget and concurrency (RATE_LIMIT_BURST=1000000, RATE_LIMIT_DAILY=100000000, UPSTREAM_CONCURRENCY=64); in fan-out also ours' per-caller graphql-ws caps (WS_MAX_SOCKETS_PER_CALLER, WS_MAX_SUBSCRIPTIONS_PER_CALLER: one token opens every socket). " +
      (r.realLimits ? "Real limits: nothing lifted (simulator at 100 per 10 s and 200,000 per day; ours at its defaults)." : "The real-limits scenario was skipped (BENCH_REAL_LIMITS=0)."),
  );
  lines.push("");
  lines.push(`| | ${names.map((n) => LABEL[n]).join(" | ")} |`);
  lines.push(`|---|${names.map(() => "---:").join("|")}|`);
  for (const [label, values] of table) lines.push(`| ${label} | ${values.join(" | ")} |`);
  lines.push("");
  const rs = ratios(r);
  if (rs.length) {
    lines.push("Ratios:");
    for (const x of rs) lines.push(`- ${x}`);
    lines.push("");
  }
  if (r.realLimits) {
    lines.push("Real limits (simulator at 100 calls per 10 s and 200,000 per day, nothing lifted), cold 50-contact dashboard, retried 1 s after each incomplete answer:");
    lines.push("");
    lines.push("| | complete after | requests | upstream calls (429 refused) | calls once warm | answers (at s: rows, errors) |");
    lines.push("|---|---:|---:|---:|---:|---|");
    for (const [name, x] of Object.entries(r.realLimits)) {
      const trail = x.answers
        .slice(0, 8)
        .map((a) => `${(a.atMs / 1000).toFixed(1)} s: ${a.rows ?? "–"} rows, ${a.errors} errors${a.codes.length ? ` (${a.codes.slice(0, 2).join(", ")})` : ""}`)
        .join("; ");
      lines.push(
        `| ${LABEL[name]} | ${x.complete ? `${(x.completeMs / 1000).toFixed(1)} s` : `not within ${r.cfg.realLimitsMaxS} s`} | ${x.attempts} | ${x.upstreamCalls} (${x.refused429}) | ${x.warmCalls ?? "–"} | ${trail}${x.answers.length > 8 ? "; …" : ""} |`,
      );
    }
    lines.push("");
  }
  if (r.targets?.length) {
    lines.push("Targets:");
    for (const t of r.targets) lines.push(`- ${t.met ? "✅ met" : "❌ **missed**"}: ${t.name}: ${t.detail}`);
    lines.push("");
  }
  for (const [kind, p] of Object.entries(r.profile ?? {})) {
    lines.push(`Profile of ours, ${kind} (${p.workload}; \`node --cpu-prof\`, self time${p.file ? `, ${p.file}` : ""}):`);
    if (p.error) lines.push(`- ${p.error}`);
    else {
      lines.push(`- by package: ${p.byPackage.slice(0, 8).map((x) => `${x.name} ${x.pct.toFixed(0)}%`).join(", ")}`);
      lines.push(`- hottest functions: ${p.byFunction.slice(0, 8).map((x) => `\`${x.name}\` ${x.pct.toFixed(1)}%`).join(", ")}`);
    }
    lines.push("");
  }
  if (r.notes?.length) lines.push("How it was measured:");
  for (const n of r.notes ?? []) lines.push(`- ${n}`);
  lines.push("");
  lines.push(`![Benchmark chart: warm requests/s, p95, cold CPU, fan-out p99](${imagePath})`);
  return lines.join("\n") + "\n";
}

export function renderConsole(r) {
  const { names, table } = rows(r);
  const header = ["", ...names.map((n) => LABEL[n])];
  const all = [header, ...table.map(([l, v]) => [l, ...v])];
  const widths = header.map((_, i) => Math.max(...all.map((row) => String(row[i]).length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...table.map(([l, v]) => line([l, ...v]))];
  out.push("", ...ratios(r).map((x) => `  ${x.replace(/\*\*/g, "")}`));
  if (r.targets?.length) out.push("", ...r.targets.map((t) => `  ${t.met ? "met   " : "MISSED"} ${t.name}: ${t.detail}`));
  return out.join("\n");
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Three panels of horizontal bars: warm req/s (log scale), warm p95, fan-out p99. */
export function renderSvg(r) {
  const names = ORDER.filter((n) => r.systems[n]);
  const colors = { ours: "#1f77b4", baseline: "#7f7f7f", "peer+cache": "#d62728", peer: "#ff9896" };
  const panels = [
    { title: "Warm dashboard: requests/s (log scale, higher is better)", value: (s) => s.warm?.rps, log: true, unit: "req/s" },
    { title: "Warm dashboard: p95 latency ms (lower is better)", value: (s) => s.warm?.p95, unit: "ms" },
    { title: "Cold dashboard: CPU ms per request (lower is better)", value: (s) => s.cold?.cpuMsPerRequest, unit: "ms" },
    { title: `Fan-out to ${r.cfg.subscribers} subscribers, scalar: p99 ms (lower is better)`, value: (s) => s.fanout_scalar?.p99, unit: "ms" },
  ];
  const width = 760;
  const barH = 18;
  const labelW = 170;
  const chartW = width - labelW - 110;
  let y = 20;
  const parts = [];
  for (const panel of panels) {
    const vals = names.map((n) => ({ n, v: panel.value(r.systems[n]) })).filter((x) => typeof x.v === "number" && Number.isFinite(x.v));
    if (vals.length === 0) continue;
    parts.push(`<text x="10" y="${y + 12}" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
    y += 22;
    const max = Math.max(...vals.map((x) => x.v));
    const scale = (v) => (panel.log ? (Math.log10(Math.max(1, v)) / Math.log10(Math.max(10, max))) * chartW : (v / (max || 1)) * chartW);
    for (const { n, v } of vals) {
      const w = Math.max(1, scale(v));
      parts.push(`<text x="${labelW - 8}" y="${y + 13}" font-size="12" text-anchor="end">${esc(LABEL[n])}</text>`);
      parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colors[n]}"><title>${esc(`${LABEL[n]}: ${f1(v)} ${panel.unit}`)}</title></rect>`);
      parts.push(`<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 13}" font-size="12">${esc(`${f1(v)} ${panel.unit}`)}</text>`);
      y += barH + 6;
    }
    y += 14;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" viewBox="0 0 ${width} ${y + 10}" font-family="system-ui, sans-serif" role="img" aria-label="Benchmark results">
<rect width="100%" height="100%" fill="#fff"/>
${parts.join("\n")}
</svg>
`;
}
