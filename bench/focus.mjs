// A focused, repeatable slice of `npm run bench` for work on execution cost and memory: the contacts
// page on a response-cache miss over warm resources (CPU ms per request) and the RSS with N
// contacts cached, for one or more builds of the gateway side by side with the tuned baseline
// (bench/baseline/tuned.mjs), in one run, several rounds, the order of the systems rotating each
// round. The scenarios are those of bench/run.mjs (1c and 5), measured the same way.
//
//   node bench/focus.mjs                                  this checkout's dist/ against tuned
//   BENCH_FOCUS_OURS=before=/tmp/old,after=. node bench/focus.mjs
//       several builds: each directory holds dist/src/main.js and a package.json with
//       "type": "module" (and resolves node_modules from there, e.g. a symlink)
//
// Scenario `hit` is bench/run.mjs 1 (the warm dashboard, a response-cache hit, under autocannon with
// BENCH_CONNECTIONS (10) for BENCH_DURATION_S (5) per round): requests/s and CPU ms per request.
//
// Knobs (env): BENCH_FOCUS (comma list of `hit`, `miss`, `memory`; default miss,memory), BENCH_FOCUS_ROUNDS (3),
// BENCH_MISS_REQUESTS (300 per round), BENCH_MISS_WARMUP (400 unmeasured first, as bench/run.mjs), BENCH_MISS_DOC (default `new`: a new document per miss; `same`: one
// document, each request missing through a variable it does not declare), BENCH_CONTACTS (50), BENCH_CACHED_CONTACTS (10000),
// BENCH_FOCUS_PROFILE=1 (ours under --cpu-prof during the misses; summary printed, files under
// bench/results/raw/), BENCH_FOCUS_HEAPSNAPSHOT=1 (a heap snapshot of ours after the memory load,
// under bench/results/raw/), BENCH_GATEWAY_CPU (1), BENCH_DRIVER_CPU (0), BENCH_FOCUS_ENV_<name> /
// BENCH_FOCUS_FLAGS_<name> (environment / node flags of one build; flags default to its package.json's
// npm start). Prints JSON lines (miss rounds with GC time per request and helper-thread CPU) and a summary.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CLOCK_TICKS_PER_S, cpuMs, gql, load, pin, rssMb, sleep } from "./lib/measure.mjs";
import { monotonicUs, summarizeCpuProfile } from "./lib/profile.mjs";
import { mintCallerToken, startBaseline, startOurs } from "./lib/systems.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = process.env;
const num = (name, fallback) => {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: expected a non-negative number, received ${JSON.stringify(raw)}`);
  return value;
};
const cfg = {
  scenarios: (env.BENCH_FOCUS ?? "miss,memory").split(",").map((s) => s.trim()).filter(Boolean),
  rounds: num("BENCH_FOCUS_ROUNDS", 3),
  missRequests: num("BENCH_MISS_REQUESTS", 300),
  missWarmup: num("BENCH_MISS_WARMUP", 400),
  contacts: num("BENCH_CONTACTS", 50),
  cachedContacts: num("BENCH_CACHED_CONTACTS", 10_000),
  gatewayCpu: num("BENCH_GATEWAY_CPU", 1),
  driverCpu: num("BENCH_DRIVER_CPU", 0),
  connections: num("BENCH_CONNECTIONS", 10),
  durationS: num("BENCH_DURATION_S", 5),
  profile: env.BENCH_FOCUS_PROFILE === "1",
  heapSnapshot: env.BENCH_FOCUS_HEAPSNAPSHOT === "1",
  missDoc: env.BENCH_MISS_DOC ?? "new",
};
if (!["new", "same"].includes(cfg.missDoc)) throw new Error(`BENCH_MISS_DOC: expected new or same, received ${JSON.stringify(cfg.missDoc)}`);
for (const s of cfg.scenarios) if (!["hit", "miss", "memory"].includes(s)) throw new Error(`BENCH_FOCUS: expected names from hit, miss, memory, received ${JSON.stringify(s)}`);
const builds = (env.BENCH_FOCUS_OURS ?? `ours=${root}`).split(",").map((pair) => {
  const [name, dir] = pair.split("=");
  if (!name || !dir) throw new Error(`BENCH_FOCUS_OURS: expected name=directory pairs, received ${JSON.stringify(pair)}`);
  const abs = resolve(root, dir);
  if (!existsSync(join(abs, "dist", "src", "main.js"))) throw new Error(`BENCH_FOCUS_OURS ${name}: expected ${abs}/dist/src/main.js (run npm run build)`);
  return { name, root: abs };
});
const log = (...args) => console.error(`[focus ${new Date().toISOString().slice(11, 19)}]`, ...args);
if (existsSync("/usr/bin/taskset")) pin(process.pid, cfg.driverCpu);

const DASHBOARD = `query Dashboard($q: String, $n: Int!) { dashboard(first: $n, query: $q) { id name email tags
  summary { openTaskCount overdueTaskCount nextAppointment { id title startTime } latestNote { id body } lastActivityAt }
  tasks { id title dueDate completed } notes { id body dateAdded } appointments { id title startTime status } } }`;
const PAGE = `query ContactsPage($q: String, $n: Int) { contacts(first: $n, query: $q) { nodes { id name email tags
  tasks { id title dueDate completed } notes { id body dateAdded } appointments { id title startTime status } } } }`;

// The simulator in its own process on the driver's core (bench/lib/sim.child.mjs, over IPC).
const simChild = spawn(process.execPath, [join(root, "bench", "lib", "sim.child.mjs")], {
  stdio: ["ignore", "inherit", "inherit", "ipc"],
  env: { ...env, BENCH_ROOT: root, BENCH_UPSTREAM_LATENCY_MS: "20" },
});
if (existsSync("/usr/bin/taskset")) pin(simChild.pid, cfg.driverCpu);
let nextId = 1;
const pending = new Map();
let simReady;
const simReadyP = new Promise((r) => (simReady = r));
simChild.on("message", (msg) => {
  if (msg.ready) return simReady();
  const p = pending.get(msg.id);
  if (!p) return;
  pending.delete(msg.id);
  if (msg.ok) p.resolve(msg.result);
  else p.reject(new Error(`simulator: ${msg.error}`));
});
const sim = (cmd, args) =>
  new Promise((res, rej) => {
    const id = nextId++;
    pending.set(id, { resolve: res, reject: rej });
    simChild.send({ id, cmd, args });
  });

const running = [];
async function start(build, port, extra = {}) {
  const sys = await startOurs({
    root: build.root,
    port,
    cpu: cfg.gatewayCpu,
    upstream: extra.upstream,
    name: build.name,
    ...(extra.cpuProfileDir ? { cpuProfileDir: extra.cpuProfileDir } : {}),
    // BENCH_FOCUS_FLAGS_<name>: node flags for one build instead of its npm start's (space-separated; empty for none).
    ...(env[`BENCH_FOCUS_FLAGS_${build.name}`] !== undefined ? { nodeFlags: env[`BENCH_FOCUS_FLAGS_${build.name}`].split(/\s+/).filter(Boolean) } : {}),
    env: {
      // BENCH_FOCUS_OURS_ENV=K=V,K2=V2: extra environment for ours (runtime experiments, e.g. allocator settings).
      // BENCH_FOCUS_ENV_<name>: the same, for one build only.
      ...Object.fromEntries(`${env.BENCH_FOCUS_OURS_ENV ?? ""},${env[`BENCH_FOCUS_ENV_${build.name}`] ?? ""}`.split(",").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
      ...(extra.snapshotDir ? { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${extra.snapshotDir}` } : {}),
    },
  });
  running.push(sys);
  return sys;
}

/** Stops each system and prints the CPU profile of the measured rounds (from `fromUs` to now) of those profiled. */
async function stopAndSummarize(systems, fromUs, top) {
  const toUs = monotonicUs();
  for (const { sys, profileDir } of systems) {
    await stop(sys);
    if (!profileDir) continue;
    const files = existsSync(profileDir) ? readdirSync(profileDir).filter((f) => f.endsWith(".cpuprofile")) : [];
    if (!files[0]) continue;
    const s = summarizeCpuProfile(join(profileDir, files[0]), { top, fromUs, toUs });
    console.log(`\nprofile ${sys.name} (${join(profileDir, files[0])}), ${s.totalMs.toFixed(0)} ms:`);
    for (const p of s.byPackage) console.log(`  ${p.pct.toFixed(1).padStart(5)} %  ${p.name}`);
    for (const f of s.byFunction) console.log(`  ${f.pct.toFixed(1).padStart(5)} %  ${f.name}`);
  }
}
async function stop(sys) {
  running.splice(running.indexOf(sys), 1);
  await sys.stop();
}

/** Waits until the serving processes' CPU is still for 600 ms (requests from a phase before are done). */
async function untilQuiet(pids) {
  let last = "";
  let since = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const state = pids.map((pid) => Math.floor(cpuMs(pid) / 30)).join(",");
    if (state !== last) {
      last = state;
      since = Date.now();
    } else if (Date.now() - since >= 600) return;
    await sleep(100);
  }
}

/** bench/run.mjs 1c: `n` page requests, each a distinct operation name (or the same document, BENCH_MISS_DOC=same), 4 concurrent clients. */
async function misses(sys, headers, n, tag) {
  let next = 0;
  let bad = 0;
  const worker = async () => {
    while (next < n) {
      const k = next++;
      // BENCH_MISS_DOC=same: one document, each request missing through a variable it does not declare (bench/run.mjs 1c).
      const same = cfg.missDoc === "same";
      const text = same ? PAGE : PAGE.replace("query ContactsPage(", `query ContactsPage${tag}${k}(`);
      const r = await gql(sys.graphqlUrl, text, { headers, variables: { q: "dashq", n: cfg.contacts, ...(same ? { nonce: `${tag}${k}` } : {}) } });
      const rows = r.json?.data?.contacts?.nodes;
      if (r.status !== 200 || r.json.errors || !Array.isArray(rows) || rows.length !== cfg.contacts) bad++;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return bad;
}

/** V8's committed heap by space and external memory, MB (the gateway's /metrics). */
async function heapSpacesMb(sys) {
  const text = await (await fetch(`${sys.url}/metrics`)).text();
  const out = {};
  for (const m of text.matchAll(/^\w*nodejs_heap_space_size_total_bytes\{space="(\w+)"\}\s+([\d.e+]+)/gm)) out[m[1]] = +(Number(m[2]) / 1048576).toFixed(1);
  const ext = /^\w*nodejs_external_memory_bytes\s+([\d.e+]+)/m.exec(text);
  if (ext) out.external = +(Number(ext[1]) / 1048576).toFixed(1);
  return out;
}

/**
 * CPU ms so far of a process's threads other than the main one (V8's concurrent marking and
 * sweeping, libuv's pool): what a heap setting costs off the main thread. From /proc; 0 elsewhere.
 */
function helperThreadsCpuMs(pid) {
  let total = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      if (tid === String(pid)) continue;
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
    }
  } catch {
    // a thread ended while being read, or no /proc
  }
  return total;
}

/** V8's GC time so far by kind (major, minor, incremental, weakcb), ms, from the gateway's /metrics; {} for a system without them. */
async function gcMs(sys) {
  const text = await (await fetch(`${sys.url}/metrics`)).text().catch(() => "");
  const out = {};
  for (const m of text.matchAll(/^\w*nodejs_gc_duration_seconds_sum\{kind="(\w+)"\}\s+([\d.e+-]+)/gm)) out[m[1]] = Number(m[2]) * 1000;
  for (const m of text.matchAll(/^\w*nodejs_gc_duration_seconds_count\{kind="(\w+)"\}\s+([\d.e+-]+)/gm)) out[`${m[1]}Count`] = Number(m[2]);
  return out;
}

async function heapUsedMb(sys) {
  const text = await (await fetch(`${sys.url}/metrics`)).text();
  const m = /^\w*nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(text);
  return m ? Number(m[1]) / 1048576 : NaN;
}

/** bench/run.mjs 5: every id read once, 10 aliases per request (one operation text), 16 clients. */
async function loadContacts(sys, headers, ids) {
  const batch = 10;
  const chunks = [];
  for (let i = 0; i < ids.length; i += batch) chunks.push(ids.slice(i, i + batch));
  const query = `query Contacts(${Array.from({ length: batch }, (_, i) => `$id${i}: ID!`).join(", ")}) { ${Array.from(
    { length: batch },
    (_, i) => `c${i}: contact(id: $id${i}) { id name email phone tags dateAdded }`,
  ).join(" ")} }`;
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      const variables = Object.fromEntries(Array.from({ length: batch }, (_, i) => [`id${i}`, chunk[i] ?? chunk[0]]));
      const r = await gql(sys.graphqlUrl, query, { headers, variables });
      if (r.json.errors) throw new Error(`memory phase: ${JSON.stringify(r.json.errors).slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

const spread = (xs) => (xs.length ? `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)} (median ${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(2)})` : "-");

async function main() {
  await simReadyP;
  const upstream = await sim("info");
  await sim("seedDashboard", { prefix: "Dashq", contacts: cfg.contacts });
  const token = await mintCallerToken(upstream.locationId);
  const headers = { authorization: `Bearer ${token}` };
  let port = 5300 + Math.floor(Math.random() * 300);
  const out = { hit: {}, hitCpu: {}, miss: {}, memory: {} };

  if (cfg.scenarios.includes("hit")) {
    const systems = [];
    for (const build of builds) {
      const dir = cfg.profile ? join(root, "bench", "results", "raw", `focus-hitprof-${build.name}-${Date.now()}`) : undefined;
      systems.push({ sys: await start(build, port++, { upstream, cpuProfileDir: dir }), profileDir: dir });
    }
    const body = JSON.stringify({ query: DASHBOARD, variables: { q: "dashq", n: cfg.contacts } });
    for (const { sys } of systems) {
      const r = await gql(sys.graphqlUrl, DASHBOARD, { headers, variables: { q: "dashq", n: cfg.contacts } });
      if (r.json?.data?.dashboard?.length !== cfg.contacts) throw new Error(`${sys.name}: expected a dashboard of ${cfg.contacts}, received ${JSON.stringify(r.json).slice(0, 400)}`);
      await load({ url: sys.graphqlUrl, headers, body, connections: cfg.connections, durationS: 2 }); // JIT
    }
    const fromUs = monotonicUs();
    for (let round = 0; round < cfg.rounds; round++) {
      for (const { sys } of systems.map((_, i) => systems[(i + round) % systems.length])) {
        await untilQuiet(systems.map((s) => s.sys.pid));
        // The response cache's TTL may have run out since the last round: refill it unmeasured.
        await gql(sys.graphqlUrl, DASHBOARD, { headers, variables: { q: "dashq", n: cfg.contacts } });
        const cpu0 = cpuMs(sys.pid);
        const r = await load({ url: sys.graphqlUrl, headers, body, connections: cfg.connections, durationS: cfg.durationS });
        const cpu = cpuMs(sys.pid) - cpu0;
        (out.hit[sys.name] ??= []).push(r.rps);
        (out.hitCpu[sys.name] ??= []).push(cpu / Math.max(1, r.requests));
        console.log(JSON.stringify({ scenario: "hit", round, system: sys.name, rps: r.rps, p95: r.p95, cpuMsPerRequest: cpu / Math.max(1, r.requests), non2xx: r.non2xx, errors: r.errors }));
      }
    }
    await stopAndSummarize(systems, fromUs, 40);
  }

  if (cfg.scenarios.includes("miss")) {
    const systems = [];
    for (const build of builds) {
      const dir = cfg.profile ? join(root, "bench", "results", "raw", `focus-prof-${build.name}-${Date.now()}`) : undefined;
      const sys = await start(build, port++, { upstream, cpuProfileDir: dir });
      systems.push({ sys, headers, profileDir: dir });
    }
    const tuned = await startBaseline({ root, port: port++, cpu: cfg.gatewayCpu, upstream, variant: "tuned" });
    running.push(tuned);
    systems.push({ sys: tuned, headers: {} });
    for (const { sys, headers: h } of systems) {
      out.miss[sys.name] = [];
      const r = await gql(sys.graphqlUrl, PAGE, { headers: h, variables: { q: "dashq", n: cfg.contacts } }); // resources warm
      if (r.json?.data?.contacts?.nodes?.length !== cfg.contacts) throw new Error(`${sys.name}: expected a page of ${cfg.contacts}, received ${JSON.stringify(r.json).slice(0, 400)}`);
      await misses(sys, h, cfg.missWarmup, "Warmup"); // JIT, a full response cache (bench/run.mjs `missWarmup`)
    }
    const fromUs = monotonicUs(); // the profiles keep the measured rounds only
    for (let round = 0; round < cfg.rounds; round++) {
      const order = systems.map((_, i) => systems[(i + round) % systems.length]);
      for (const { sys, headers: h } of order) {
        await untilQuiet(systems.map((s) => s.sys.pid));
        await sim("mark");
        const gc0 = sys.name === "tuned" ? {} : await gcMs(sys);
        const cpu0 = cpuMs(sys.pid);
        const helpers0 = helperThreadsCpuMs(sys.pid);
        const bad = await misses(sys, h, cfg.missRequests, `R${round}x`);
        const cpu = cpuMs(sys.pid) - cpu0;
        const helpersPerRequest = +((helperThreadsCpuMs(sys.pid) - helpers0) / cfg.missRequests).toFixed(3);
        const gc1 = sys.name === "tuned" ? {} : await gcMs(sys);
        // GC per request by kind (ms; counts for the round): what a heap setting costs, less noisy than CPU on a shared machine.
        const gc = Object.fromEntries(Object.keys(gc1).map((k) => [k, k.endsWith("Count") ? gc1[k] - (gc0[k] ?? 0) : +((gc1[k] - (gc0[k] ?? 0)) / cfg.missRequests).toFixed(3)]));
        const calls = (await sim("count")).total;
        const perRequest = cpu / cfg.missRequests;
        out.miss[sys.name].push(perRequest);
        // RSS and V8's used heap after the round (the response cache holds up to 1,000 stored pages by now).
        const memory = sys.name === "tuned" ? {} : { rssMb: rssMb(sys.pid), heapUsedMb: +(await heapUsedMb(sys)).toFixed(1) };
        console.log(JSON.stringify({ scenario: "miss", missDoc: cfg.missDoc, round, system: sys.name, cpuMsPerRequest: perRequest, helperThreadsCpuMsPerRequest: helpersPerRequest, upstreamCalls: calls, failed: bad, ...(Object.keys(gc).length ? { gcMsPerRequest: gc } : {}), ...memory }));
      }
    }
    await stopAndSummarize(systems, fromUs, 25);
  }

  if (cfg.scenarios.includes("memory")) {
    const { ids } = await sim("seedMass", { count: cfg.cachedContacts });
    for (let round = 0; round < Math.max(1, Math.min(cfg.rounds, 2)); round++) {
      for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
        const snapshotDir = cfg.heapSnapshot && round === 0 ? join(root, "bench", "results", "raw", `focus-heap-${build.name}-${Date.now()}`) : undefined;
        if (snapshotDir) mkdirSync(snapshotDir, { recursive: true });
        const sys = await start(build, port++, { upstream, snapshotDir });
        try {
          const rssBefore = rssMb(sys.pid);
          await loadContacts(sys, headers, ids);
          await untilQuiet([sys.pid]);
          await sleep(500);
          const gc = await gcMs(sys);
          const m = { rssMb: rssMb(sys.pid), heapUsedMb: await heapUsedMb(sys), rssBeforeMb: rssBefore, committedMb: await heapSpacesMb(sys), gcCounts: { minor: gc.minorCount, major: gc.majorCount, incremental: gc.incrementalCount } };
          // BENCH_FOCUS_LATER_S: RSS again after that many seconds idle (what V8 gives back by itself).
          for (const s of (env.BENCH_FOCUS_LATER_S ?? "").split(",").filter(Boolean).map(Number)) {
            await sleep(s * 1000 - (m.laterS ?? 0) * 1000);
            m.laterS = s;
            m[`rssAfter${s}sMb`] = rssMb(sys.pid);
          }
          (out.memory[build.name] ??= []).push(m.rssMb);
          console.log(JSON.stringify({ scenario: "memory", round, system: build.name, cachedContacts: ids.length, ...m }));
          if (snapshotDir) {
            process.kill(sys.pid, "SIGUSR2");
            // Written when complete (renamed from a temporary name): wait for a stable size.
            let last = -1;
            for (let i = 0; i < 600; i++) {
              await sleep(500);
              const files = readdirSync(snapshotDir).filter((f) => f.endsWith(".heapsnapshot"));
              const size = files[0] ? statSync(join(snapshotDir, files[0])).size : -1;
              if (size > 0 && size === last) {
                console.log(`heap snapshot ${build.name}: ${join(snapshotDir, files[0])}`);
                break;
              }
              last = size;
            }
          }
        } finally {
          await stop(sys);
        }
      }
    }
  }

  console.log("\nsummary");
  for (const [name, xs] of Object.entries(out.hit)) console.log(`  hit req/s            ${name.padEnd(10)} ${spread(xs)}`);
  for (const [name, xs] of Object.entries(out.hitCpu)) console.log(`  hit CPU ms/request   ${name.padEnd(10)} ${spread(xs)}`);
  for (const [name, xs] of Object.entries(out.miss)) console.log(`  miss (${cfg.missDoc} document) CPU ms/request  ${name.padEnd(10)} ${spread(xs)}`);
  // Builds measured in the same round share its load: their ratio to the first build, round by round.
  const [first, ...others] = Object.keys(out.miss);
  for (const name of others) console.log(`  miss ÷ ${first.padEnd(12)} ${name.padEnd(10)} ${spread(out.miss[name].map((x, i) => x / out.miss[first][i]))}`);
  for (const [name, xs] of Object.entries(out.memory)) console.log(`  RSS MB, ${cfg.cachedContacts} cached  ${name.padEnd(10)} ${spread(xs)}`);
}

let code = 0;
try {
  await main();
} catch (error) {
  code = 1;
  console.error(`focus bench failed: ${error?.stack ?? error}`);
  for (const sys of running) if (sys.stderrTail) console.error(`--- ${sys.name} ---\n${sys.stderrTail()}`);
} finally {
  for (const sys of running.splice(0)) await sys.stop().catch(() => {});
  await sim("close").catch(() => {});
  simChild.kill();
  process.exit(code);
}
