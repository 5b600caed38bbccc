// Two budget scenarios (`BENCH_ONLY=workinghour` or `BENCH_ONLY=restart npm run bench`; both run
// in the full bench too unless BENCH_WORKING_HOUR=0):
//
// workinghour  A scripted working hour: BENCH_HOUR_USERS (10) dashboard users, each refreshing
//              `dashboard(first: 50)` every minute (staggered), and a trickle of changes made in
//              HighLevel (BENCH_HOUR_EVENTS, 40 signed webhooks: notes, completed tasks, contact
//              updates; BENCH_HOUR_EDITS, 6 task edits that send no webhook), the same script
//              (seeded) for every system. Time is compressed by BENCH_HOUR_SPEEDUP (60: the hour
//              takes 60 s), and every TTL and interval is scaled by the same factor: the refresh
//              period, the events' times, the upstream's rate interval (100 calls per 10 s → per
//              10 s ÷ factor), ours' CACHE_TTL_MS, CACHE_WEBHOOK_TTL_MS, CACHE_REVALIDATE_AFTER_MS,
//              WEBHOOK_FLOWING_WINDOW_MS and RATE_LIMIT_INTERVAL_MS, the peer's response-cache TTL
//              (60 s). Not scaled: the upstream's latency (20 ms), the operation deadline and the
//              rate governor's longest wait (they bound a human's wait, not data age), and ours'
//              response-cache TTL, which the gateway derives (half CACHE_TTL_MS, at most 60 s:
//              2.5 s scaled instead of 1 s). Systems: ours (webhook-kept cache, warm-up), ours
//              with the new behaviour off (CACHE_WEBHOOK_TTL_MS=0, WARMUP_CONTACTS=0: the
//              previous behaviour), and the peer (Hive Gateway, response cache TTL 60 s, one cache
//              per Authorization header: each user its own). Measured: upstream calls the
//              simulator saw during the hour (429s included), as a share of HighLevel's daily
//              budget (200,000 per location), and an 8-hour day projected as 8 × that hour
//              (cold start included every hour: an upper bound).
// restart      First dashboard after a restart with Redis: ours with REDIS_URL (a private key
//              prefix, removed afterwards) answers a cold dashboard of 50 contacts, stops; a new
//              process on the same Redis answers the same dashboard first thing: its upstream
//              calls (target 0) and latency. No warm-up in either (it would hide the shared tier).
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { gql, sleep, summarize } from "./measure.mjs";
import { mintCallerToken, startOurs, startPeerSystem } from "./systems.mjs";

const DAILY_BUDGET = 200_000; // HighLevel, per location (FACTS.md)
const HOUR_MS = 3_600_000;
const DASHBOARD_OURS = `query HourDashboard { dashboard(first: 50) { id name email tags
  summary { openTaskCount overdueTaskCount nextAppointment { id title startTime } latestNote { id body } lastActivityAt }
  tasks { id title dueDate completed } notes { id body dateAdded } appointments { id title startTime status } } }`;
const DASHBOARD_PEER = `query HourDashboard($loc: String!) { get_contacts(locationId: $loc, limit: 50) { contacts { id email tags
  tasks { tasks { id title dueDate completed } } notes { notes { id body dateAdded } } appointments { events { id title startTime status } } } } }`;

/** A small deterministic generator, so every system gets the same script. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

function script({ events, edits, contacts }) {
  const random = rng(20261203);
  const kinds = ["note", "complete", "contact"];
  const list = [];
  for (let i = 0; i < events; i++) list.push({ atHourMs: Math.floor(random() * HOUR_MS), kind: kinds[i % kinds.length], contact: Math.floor(random() * contacts) });
  for (let i = 0; i < edits; i++) list.push({ atHourMs: Math.floor(random() * HOUR_MS), kind: "edit", contact: Math.floor(random() * contacts) });
  return list.sort((a, b) => a.atHourMs - b.atHourMs);
}

async function postTo(sys, webhook) {
  if (!webhook) return;
  const url = sys.kind === "peer" ? sys.webhookUrl : `${sys.url}/webhooks/highlevel`;
  const headers = sys.kind === "peer" ? { "content-type": "application/json" } : webhook.headers;
  await fetch(url, { method: "POST", headers, body: webhook.body }).then((r) => r.arrayBuffer()).catch(() => undefined);
}

export async function runWorkingHour({ root, sim, upstream, cpu, port, log, supergraphFile, systems = ["ours", "ours (previous)", "peer+cache"] }) {
  const speedup = Number(process.env.BENCH_HOUR_SPEEDUP ?? 60);
  const users = Number(process.env.BENCH_HOUR_USERS ?? 10);
  const events = Number(process.env.BENCH_HOUR_EVENTS ?? 40);
  const edits = Number(process.env.BENCH_HOUR_EDITS ?? 6);
  const scale = (ms) => Math.max(1, Math.round(ms / speedup));
  const hourMs = scale(HOUR_MS);
  const periodMs = scale(60_000);
  const steps = script({ events, edits, contacts: 50 });
  const results = {};
  for (const name of systems) {
    const prefix = `Hour${name.replace(/\W/g, "")}q`;
    const { ids } = await sim.call("seedDashboard", { prefix, contacts: 50 }); // the newest 50 contacts: the dashboard's
    await sim.call("setRateLimit", { limits: { burst: 100, intervalMs: scale(10_000), daily: 1_000_000_000 } });
    await sim.call("mark");
    const scaledEnv = {
      CACHE_TTL_MS: String(scale(300_000)),
      CACHE_REVALIDATE_AFTER_MS: String(scale(3_600_000)),
      WEBHOOK_FLOWING_WINDOW_MS: String(scale(1_800_000)),
      RATE_LIMIT_INTERVAL_MS: String(scale(10_000)),
      CACHE_WEBHOOK_TTL_MS: name === "ours" ? String(scale(14_400_000)) : "0",
      WARMUP_CONTACTS: name === "ours" ? "100" : "0",
    };
    const sys =
      name === "peer+cache"
        ? { ...(await startPeerSystem({ port, cpu, upstream, responseCache: true, ttlMs: scale(60_000), supergraphFile })), kind: "peer" }
        : { ...(await startOurs({ root, port, cpu, upstream, liftBudget: false, env: scaledEnv, name })), kind: "ours" };
    port += 1;
    log(`working hour: ${name} (1 h in ${(hourMs / 1000).toFixed(0)} s, ${users} users every ${periodMs} ms, ${steps.length} changes)`);
    const headers = [];
    for (let u = 0; u < users; u++) {
      headers.push(sys.kind === "peer" ? { authorization: `Bearer bench-peer-user-${u}` } : { authorization: `Bearer ${await mintCallerToken(upstream.locationId, `dashboard-user-${u}`)}` });
    }
    const latencies = [];
    let answers = 0;
    let incomplete = 0;
    const t0 = performance.now();
    const ask = async (u) => {
      const r = await gql(sys.graphqlUrl, sys.kind === "peer" ? DASHBOARD_PEER : DASHBOARD_OURS, {
        headers: headers[u],
        ...(sys.kind === "peer" ? { variables: { loc: upstream.locationId } } : {}),
      });
      answers += 1;
      latencies.push(r.ms);
      const rows = sys.kind === "peer" ? r.json?.data?.get_contacts?.contacts : r.json?.data?.dashboard;
      if (r.status !== 200 || r.json?.errors || !Array.isArray(rows) || rows.length !== 50) incomplete += 1;
    };
    // Each user's dashboard refreshes on its timer; a refresh still running when the next is due
    // makes the user skip that one (as a dashboard page would), so the hour lasts an hour.
    let skipped = 0;
    const userLoops = Array.from({ length: users }, async (_, u) => {
      let running;
      const inFlight = [];
      for (let next = (u * periodMs) / users; next < hourMs; next += periodMs) {
        const wait = t0 + next - performance.now();
        if (wait > 0) await sleep(wait);
        if (running) {
          skipped += 1;
          continue;
        }
        running = ask(u).finally(() => (running = undefined));
        inFlight.push(running);
      }
      await Promise.all(inFlight);
    });
    const trickle = (async () => {
      for (const [i, step] of steps.entries()) {
        const wait = t0 + step.atHourMs / speedup - performance.now();
        if (wait > 0) await sleep(wait);
        const { webhook } = await sim.call("activity", { contactId: ids[step.contact], kind: step.kind, seq: i });
        await postTo(sys, webhook);
      }
    })();
    await Promise.all([...userLoops, trickle]);
    const elapsedMs = performance.now() - t0;
    const counted = await sim.call("count");
    await sys.stop();
    const calls = counted.total;
    results[name] = {
      calls,
      refused429: counted.byStatus?.[429] ?? 0,
      byRoute: counted.byRoute,
      answers,
      incomplete,
      skipped,
      latencyMs: summarize(latencies),
      elapsedS: Math.round(elapsedMs / 100) / 10,
      shareOfDaily: calls / DAILY_BUDGET,
      projectedDayShare: (8 * calls) / DAILY_BUDGET,
    };
    log(`working hour: ${name}: by route ${JSON.stringify(counted.byRoute)}`);
    log(`working hour: ${name}: ${calls} upstream calls (${counted.byStatus?.[429] ?? 0} refused), ${(100 * calls / DAILY_BUDGET).toFixed(2)} % of the daily budget; ${incomplete} of ${answers} answers incomplete`);
  }
  await sim.call("setRateLimit", { real: false });
  return { speedup, users, events, edits, periodMs, hourMs, results };
}

export async function runRestart({ root, sim, upstream, cpu, port, log }) {
  const prefix = `cgw-bench-${process.pid}-${Date.now()}:`;
  const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, WARMUP_CONTACTS: "0" };
  await sim.call("seedDashboard", { prefix: "Restartq", contacts: 50 });
  await sim.call("setRateLimit", { real: true });
  const token = `Bearer ${await mintCallerToken(upstream.locationId, "restart-user")}`;
  const ask = (sys) => gql(sys.graphqlUrl, DASHBOARD_OURS, { headers: { authorization: token } });
  try {
    await sim.call("mark");
    const first = await startOurs({ root, port, cpu, upstream, liftBudget: false, env, name: "ours (before restart)" });
    let cold;
    try {
      cold = await ask(first);
    } finally {
      await first.stop();
    }
    const coldCalls = (await sim.call("count")).total;
    await sim.call("mark");
    const second = await startOurs({ root, port: port + 1, cpu, upstream, liftBudget: false, env, name: "ours (restarted)" });
    let after;
    try {
      after = await ask(second);
    } finally {
      await second.stop();
    }
    const afterCalls = (await sim.call("count")).total;
    const ok = (r) => r.status === 200 && !r.json?.errors && r.json?.data?.dashboard?.length === 50;
    log(`restart with Redis: cold ${coldCalls} calls in ${Math.round(cold.ms)} ms; after the restart ${afterCalls} calls in ${Math.round(after.ms)} ms`);
    return { coldCalls, coldMs: cold.ms, coldComplete: ok(cold), calls: afterCalls, ms: after.ms, complete: ok(after) };
  } finally {
    await sim.call("setRateLimit", { real: false });
    await dropPrefix(redisUrl, prefix).catch((error) => log(`restart: could not remove the Redis keys under ${prefix}: ${error?.message ?? error}`));
  }
}

async function dropPrefix(url, prefix) {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

const pct = (x) => `${(100 * x).toFixed(2)} %`;

export function renderBudgetScenarios({ hour, restart, startedAt, commit }) {
  const lines = [`<!-- generated by npm run bench (bench/lib/working-hour.mjs); do not edit by hand -->`, `### Budget scenarios (${startedAt.slice(0, 16).replace("T", " ")} UTC${commit ? ` at ${commit}` : ""})`, ""];
  if (hour) {
    const { results } = hour;
    lines.push(
      `Scripted working hour, time compressed ${hour.speedup}× (1 h in ${(hour.hourMs / 1000).toFixed(0)} s; every TTL and interval divided by ${hour.speedup}: see bench/lib/working-hour.mjs): ${hour.users} dashboard users refreshing \`dashboard(first: 50)\` every minute, ${hour.events} signed webhooks and ${hour.edits} task edits without a webhook.`,
      "",
      "| | upstream calls in the hour (429 refused) | share of the daily budget | projected 8-hour day | answers (incomplete; refreshes skipped while one ran) | latency p50 / p95 ms |",
      "|---|---:|---:|---:|---:|---:|",
    );
    for (const [name, r] of Object.entries(results)) {
      lines.push(`| ${name} | ${r.calls} (${r.refused429}) | ${pct(r.shareOfDaily)} | ${pct(r.projectedDayShare)} | ${r.answers} (${r.incomplete}; ${r.skipped}) | ${Math.round(r.latencyMs.p50)} / ${Math.round(r.latencyMs.p95)} |`);
    }
    lines.push("");
    for (const [name, r] of Object.entries(results)) {
      lines.push(`- ${name}, calls by route: ${Object.entries(r.byRoute ?? {}).map(([route, n]) => `${route} ${n}`).join(", ")}`);
    }
    lines.push(
      "- The upstream enforces HighLevel's burst (100 per 10 s, scaled): a system that asks more is refused (429, counted) and its answers come back incomplete; a refresh still running when the next is due is skipped, so every system sees the same hour.",
      "- The bench's upstream token holds `locations/tasks.readonly`, `calendars.readonly` and `calendars/events.readonly` (the gateway's default OAUTH_SCOPES ask for them): ours reads and revalidates tasks through the bulk route, one call per page of 100 tasks, and appointments through the location's calendars (one call per calendar, when fewer than one per contact); the peer serves only the contacts routes.",
    );
    const ours = results["ours"];
    const peer = results["peer+cache"];
    if (ours && peer) lines.push("", `- ${ours.calls <= peer.calls / 10 ? "✅ met" : "❌ **missed**"}: ours ≤ 1/10 of the peer's spend: ${ours.calls} vs ${peer.calls} calls (${(ours.calls / Math.max(1, peer.calls)).toFixed(3)}×)`);
    if (ours) lines.push(`- ${ours.projectedDayShare < 0.05 ? "✅ met" : "❌ **missed**"}: projected 8-hour day under 5 % of the daily budget: ${pct(ours.projectedDayShare)}`);
    lines.push("");
  }
  if (restart) {
    lines.push(
      "First dashboard after a restart with Redis (50 contacts, HighLevel's real limits, no warm-up): the first process answered it cold, a new process on the same Redis answered it first thing.",
      "",
      "| | upstream calls | latency ms | complete |",
      "|---|---:|---:|---|",
      `| cold, before the restart | ${restart.coldCalls} | ${Math.round(restart.coldMs)} | ${restart.coldComplete ? "yes" : "no"} |`,
      `| first after the restart | ${restart.calls} | ${Math.round(restart.ms)} | ${restart.complete ? "yes" : "no"} |`,
      "",
      `- ${restart.calls === 0 && restart.complete ? "✅ met" : "❌ **missed**"}: 0 upstream calls after a restart: ${restart.calls}`,
      "",
    );
  }
  return lines.join("\n");
}

export function writeBudgetScenarios(root, rendered) {
  const dir = join(root, "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "budget.md"), `${rendered}\n`);
}
