// The response cache's `store` alone (src/server/pipeline/response-cache.ts), for one or more builds
// side by side: the reads of bench/focus.mjs's miss (a contacts page of 50 over warm resources: the
// page, then each contact's tasks, notes and appointments, with the values the resource cache holds,
// as seeded by bench/lib/sim.child.mjs `seedDashboard`), stored under a new operation each time into
// a full LRU (1,000 answers), so every store also drops the oldest answer. It times the memo-hit
// case: every store reads the same value objects (new keys, as the loaders make them), so what each
// value adds is computed once, in the unmeasured warm-up; the first store after a value changes
// (a webhook's new list: its facts computed again) is not timed. Each build runs in its own
// process, the builds interleaved, several rounds; prints microseconds per store (spread) and the
// heap in use after the rounds (the 1,000 stored answers and their index).
//
//   npm run build && node bench/response-store.mjs base=/tmp/base,ours=.
//
// Knobs (env): BENCH_STORE_ROUNDS (3 processes per build), BENCH_STORE_COUNT (2,000 stores per
// measured batch, 5 batches per process, after 3,000 unmeasured).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), "..");

async function measure(dir, count) {
  const load = (path) => import(pathToFileURL(join(dir, "dist", "src", path)).href);
  const { createResponseCache, answerBody } = await load("server/pipeline/response-cache.js");
  const { cacheKeys } = await load("cache/index.js");
  const { DEFAULT_RESOURCE_REGISTRY } = await load("upstream/resources.js");
  const L = "benchLocation0000001";
  const DAY_MS = 86_400_000;
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString();
  const apptTime = (ms) => iso(ms).replace("T", " ").slice(0, 19); // the upstream's zone-less form
  const contacts = Array.from({ length: 50 }, (_, i) => ({ id: `c${String(i).padStart(19, "0")}`, firstName: "Dashq", lastName: `Person ${i}` }));
  const reads = [[cacheKeys.contactPage(L, { limit: 50, query: "dashq" }), { contacts, meta: { total: 50 } }, now]];
  const lists = { tasks: [], notes: [], appointments: [] };
  contacts.forEach(({ id }, i) => {
    const tasks = Array.from({ length: 3 }, (_, t) => ({
      id: `t${i}_${t}`,
      contactId: id,
      dueDate: iso(t < i % 5 ? now - (t + 1) * DAY_MS : now + (t + 2) * DAY_MS),
      completed: t === 2 && i % 4 === 0,
    }));
    lists.tasks.push([id, tasks]);
    lists.notes.push([id, Array.from({ length: 2 }, (_, k) => ({ id: `n${i}_${k}`, contactId: id, body: `Note ${k + 1}`, dateAdded: iso(now) }))]);
    lists.appointments.push([id, Array.from({ length: 2 }, (_, a) => ({ id: `a${i}_${a}`, contactId: id, startTime: apptTime(now + ((i % 11) + 1 + a * 9) * 3_600_000) }))]);
  });
  for (const kind of ["tasks", "notes", "appointments"]) for (const [id, value] of lists[kind]) reads.push([cacheKeys.list(L, kind, id), value, now]);
  const cache = createResponseCache({ registry: DEFAULT_RESOURCE_REGISTRY, ttlMs: 600_000, maxEntries: 1_000 });
  const viewer = { locationId: L, scopes: Object.freeze(["contacts.readonly", "contacts.write"]) };
  const body = answerBody({ data: { contacts: { nodes: [] } } });
  let n = 0;
  const batch = (size) => {
    let ms = 0;
    for (let i = 0; i < size; i++) {
      const log = reads.map(([key, value, fetchedAt]) => [{ ...key }, value, fetchedAt]); // the loaders make new keys per operation
      const operationKey = JSON.stringify([`query ContactsPage${n++} { contacts { nodes { id } } }`, { q: "dashq", n: 50 }, null]);
      const t0 = performance.now();
      const stored = cache.store(operationKey, viewer, cache.generation(L), body, log);
      ms += performance.now() - t0;
      if (!stored) throw new Error(`${dir}: expected the answer to be stored`);
    }
    return (ms * 1000) / size;
  };
  batch(3_000);
  const us = Array.from({ length: 5 }, () => batch(count));
  globalThis.gc?.();
  return { us, heapMb: process.memoryUsage().heapUsed / 1048576 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const num = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: expected a positive integer, received ${JSON.stringify(raw)}`);
  return value;
};

if (process.argv[2] === "--child") {
  console.log(JSON.stringify(await measure(process.argv[3], Number(process.argv[4]))));
} else {
  const builds = (process.argv[2] ?? `ours=${root}`).split(",").map((pair) => {
    const [name, dir] = pair.split("=");
    if (!name || !dir) throw new Error(`expected name=directory pairs, received ${JSON.stringify(pair)}`);
    const abs = resolve(process.cwd(), dir);
    if (!existsSync(join(abs, "dist", "src", "server", "pipeline", "response-cache.js"))) throw new Error(`${name}: expected ${abs}/dist (run npm run build)`);
    return { name, dir: abs };
  });
  const rounds = num("BENCH_STORE_ROUNDS", 3);
  const count = num("BENCH_STORE_COUNT", 2_000);
  const out = Object.fromEntries(builds.map((b) => [b.name, { us: [], heapMb: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const build of builds.map((_, i) => builds[(i + round) % builds.length])) {
      const result = JSON.parse(execFileSync(process.execPath, ["--expose-gc", self, "--child", build.dir, String(count)], { encoding: "utf8" }));
      out[build.name].us.push(median(result.us));
      out[build.name].heapMb.push(result.heapMb);
      console.log(JSON.stringify({ round, build: build.name, usPerStore: result.us.map((x) => +x.toFixed(1)), heapMb: +result.heapMb.toFixed(1) }));
    }
  }
  const spread = (xs, digits = 1) => `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)} (median ${median(xs).toFixed(digits)})`;
  console.log("\nsummary (per process: the median of its batches)");
  for (const [name, r] of Object.entries(out)) console.log(`  store us  ${name.padEnd(10)} ${spread(r.us)}   heap MB ${spread(r.heapMb)}`);
  const [first, ...others] = Object.keys(out);
  for (const name of others) console.log(`  ${name} ÷ ${first}: ${spread(out[name].us.map((x, i) => x / out[first].us[i]), 2)}`);
}
