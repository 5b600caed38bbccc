// Event-loop delay of the gateway under the attack documents of the hardening work, beside the same
// figure with no attack (`BENCH_ONLY=eventloop npm run bench`). The gateway (dist/src/main.js, with
// Node process metrics on) runs pinned to its core against the embedded simulator; its own
// `perf_hooks.monitorEventLoopDelay` p99 is read from /metrics (prom-client resets the histogram at
// every scrape, so one scrape opens a phase and the next closes it). Each phase lasts
// BENCH_EVENTLOOP_S seconds (default 10); the attack phase sends, at BENCH_EVENTLOOP_RATE requests/s
// in total (default 20), in turn:
//   cost     23 named fragments each spreading the next twice, no token (exponential estimation)
//   nested   `variables` nested 5,000 arrays deep, no token
//   flood    a `subscribe` with a new id on one authenticated graphql-ws socket (past the per-socket cap)
// Target: p99 under 50 ms during the attack. Writes bench/results/eventloop.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { sleep } from "./measure.mjs";
import { mintCallerToken, startOurs } from "./systems.mjs";

const TARGET_P99_MS = 50;

function doublingDocument(n) {
  const parts = ["query Doubling { ...F0 }"];
  for (let i = 0; i < n - 1; i++) parts.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  parts.push(`fragment F${n - 1} on Query { contacts(first: 1) { nodes { id } } }`);
  return parts.join("\n");
}

const DEPTH = 5_000;
const NESTED_BODY = `{"query":"query($v: [String]) { viewer { locationId } }","variables":{"v":${"[".repeat(DEPTH)}1${"]".repeat(DEPTH)}}}`;
const COST_BODY = JSON.stringify({ query: doublingDocument(23) });

async function p99Ms(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => /^cgw_nodejs_eventloop_lag_p99_seconds /.test(l));
  if (!line) throw new Error("eventloop bench: expected cgw_nodejs_eventloop_lag_p99_seconds on /metrics (process metrics on)");
  return Number(line.split(" ")[1]) * 1000;
}

function openFlooder(wsUrl, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, "graphql-transport-ws");
    let next = 0;
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    ws.on("message", (data) => {
      if (JSON.parse(String(data)).type === "connection_ack") {
        resolve({
          send: () => ws.send(JSON.stringify({ id: `s${next++}`, type: "subscribe", payload: { query: "subscription { contactEvents { type } }" } })),
          close: () => ws.close(1000),
        });
      }
    });
    ws.on("error", reject);
  });
}

export async function runEventLoopBench({ root, port, cpu, upstream, log }) {
  const seconds = Number(process.env.BENCH_EVENTLOOP_S ?? 10);
  const rate = Number(process.env.BENCH_EVENTLOOP_RATE ?? 20);
  const ours = await startOurs({ root, port, cpu, upstream, name: "ours" });
  try {
    const token = await mintCallerToken(upstream.locationId);
    const post = (body) => fetch(`${ours.graphqlUrl}`, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) => r.arrayBuffer(), () => undefined);

    log(`eventloop: idle phase, ${seconds} s`);
    await p99Ms(ours.url);
    await sleep(seconds * 1000);
    const idle = await p99Ms(ours.url);

    log(`eventloop: attack phase, ${rate} requests/s for ${seconds} s`);
    const flooder = await openFlooder(`ws://127.0.0.1:${port}/graphql`, token);
    await p99Ms(ours.url);
    const kinds = [() => post(COST_BODY), () => post(NESTED_BODY), () => flooder.send()];
    const sent = { cost: 0, nested: 0, flood: 0 };
    const pending = [];
    const started = Date.now();
    for (let i = 0; Date.now() - started < seconds * 1000; i++) {
      const kind = i % kinds.length;
      sent[["cost", "nested", "flood"][kind]] += 1;
      const result = kinds[kind]();
      if (result) pending.push(result);
      const due = started + ((i + 1) * 1000) / rate;
      await sleep(Math.max(0, due - Date.now()));
    }
    await Promise.all(pending);
    const attack = await p99Ms(ours.url);
    flooder.close();

    const rows = [
      ["no attack", idle],
      ["attack (cost + nested + flood)", attack],
    ];
    const md = [
      "# Event-loop delay under attack",
      "",
      `Gateway pinned to core ${cpu}; p99 of \`perf_hooks.monitorEventLoopDelay\` (10 ms resolution) over ${seconds} s per phase;`,
      `attack: ${rate} requests/s in total (${sent.cost} cost documents, ${sent.nested} nested-variables bodies, ${sent.flood} subscribes on one socket). Target: p99 < ${TARGET_P99_MS} ms during the attack.`,
      "",
      "| phase | event-loop delay p99 (ms) | target met |",
      "|---|---:|---|",
      ...rows.map(([phase, ms]) => `| ${phase} | ${ms.toFixed(1)} | ${ms < TARGET_P99_MS ? "yes" : "no"} |`),
      "",
    ].join("\n");
    mkdirSync(join(root, "bench", "results"), { recursive: true });
    writeFileSync(join(root, "bench", "results", "eventloop.md"), md);
    process.stdout.write(`${md}\n`);
    return { idleP99Ms: idle, attackP99Ms: attack, sent };
  } finally {
    await ours.stop();
  }
}
