// Starts the systems the benchmarks compare, each in its own process pinned to the same CPU:
// ours (the built gateway, dist/src/main.js, configured through its environment variables),
// the naive and tuned baselines (bench/baseline/server.mjs, tuned.mjs) and the peer (bench/peers/start-peer.mjs).
// Every start resolves once the system answers, and returns {name, url, pid, stop()}.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import { startPeer } from "../peers/start-peer.mjs";
import { sleep } from "./measure.mjs";

export const BENCH_JWT_SECRET = "bench-caller-secret-0123456789abcdef0123456789";

/** A caller token for ours: HS256 with the bench secret, read + write, the bench location. */
export async function mintCallerToken(locationId, subject = "bench") {
  return new SignJWT({ scope: "contacts.readonly contacts.write", locationId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));
}

function spawnPinned(cpu, args, options) {
  const useTaskset = cpu !== undefined && existsSync("/usr/bin/taskset");
  return useTaskset ? spawn("taskset", ["-c", String(cpu), process.execPath, ...args], options) : spawn(process.execPath, args, options);
}

async function untilServing(child, probe, name, timeoutMs, stderrTail) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it served: ${stderrTail()}`);
    try {
      if (await probe()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not serve within ${timeoutMs} ms: ${stderrTail()}`);
    }
    await sleep(150);
  }
}

function stopper(child) {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 8_000).unref();
    });
}

function tail(child) {
  let text = "";
  child.stderr?.on("data", (c) => (text = (text + c).slice(-3000)));
  child.stdout?.on("data", (c) => (text = (text + c).slice(-3000)));
  return () => text.slice(-1200);
}

/**
 * The node flags `npm start` runs the gateway with (the `start` script of the build's package.json,
 * `node <flags> dist/src/main.js`): the bench starts ours as the product starts. A build whose
 * package.json starts it without flags gets none.
 */
export function startFlags(root) {
  const start = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts?.start ?? "";
  const m = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/src\/main\.js$/.exec(start.trim());
  if (!m) throw new Error(`${root}/package.json: expected the start script "node [--flag[=value] ...] dist/src/main.js", received ${JSON.stringify(start)}`);
  return m[1].split(" ").filter(Boolean);
}

/**
 * Ours: `node <npm start's flags> dist/src/main.js` against the simulator, with the client-side rate budget lifted like
 * the simulator's (the bench measures the gateway, not the governor) unless `liftBudget` is false.
 * `cpuProfileDir` adds --cpu-prof; `nodeFlags` replaces npm start's flags (experiments).
 */
export async function startOurs({ root, port, cpu, upstream, env = {}, cpuProfileDir, name = "ours", liftBudget = true, nodeFlags = startFlags(root) }) {
  const args = [...nodeFlags];
  if (cpuProfileDir) {
    mkdirSync(cpuProfileDir, { recursive: true });
    args.push("--cpu-prof", "--cpu-prof-dir", cpuProfileDir);
  }
  args.push(join(root, "dist", "src", "main.js"));
  const child = spawnPinned(cpu, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      CONTACTS_API_URL: upstream.url,
      CONTACTS_API_TOKEN: upstream.token,
      CONTACTS_LOCATION_ID: upstream.locationId,
      AUTH_JWT_SECRET: BENCH_JWT_SECRET,
      WEBHOOK_ED25519_PUBLIC_KEY: upstream.webhookKeys.ed25519PublicKeyPem,
      WEBHOOK_RSA_PUBLIC_KEY: upstream.webhookKeys.rsaPublicKeyPem,
      // `liftBudget: false` (the real-limits scenario): the budget and concurrency at their defaults.
      ...(liftBudget ? { RATE_LIMIT_BURST: "1000000", RATE_LIMIT_DAILY: "100000000", UPSTREAM_CONCURRENCY: "64" } : {}),
      // The fan-out run opens up to 1,000 sockets with ONE caller token (one `sub`): lift the
      // per-caller graphql-ws caps, which exist to stop exactly that from a real caller.
      WS_MAX_SOCKETS_PER_CALLER: "10000",
      WS_MAX_SUBSCRIPTIONS_PER_CALLER: "100000",
      LOG_LEVEL: "warn",
      // Every scenario measures the gateway cold unless it asks for the warm-up (env).
      WARMUP_CONTACTS: "0",
      // Exploring runtime flags (e.g. "--max-semi-space-size=2"): BENCH_OURS_NODE_OPTIONS.
      ...(process.env.BENCH_OURS_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_OURS_NODE_OPTIONS } : {}),
      ...env,
    },
  });
  const stderrTail = tail(child);
  const url = `http://127.0.0.1:${port}`;
  await untilServing(child, async () => (await fetch(`${url}/healthz`)).ok, name, 60_000, stderrTail);
  return { name, url, graphqlUrl: `${url}/graphql`, pid: child.pid, child, stop: stopper(child), stderrTail };
}

/** `variant`: "naive" (bench/baseline/server.mjs) or "tuned" (bench/baseline/tuned.mjs). */
export async function startBaseline({ root, port, cpu, upstream, variant = "naive" }) {
  const script = variant === "tuned" ? "tuned.mjs" : "server.mjs";
  const name = variant === "tuned" ? "tuned" : "baseline";
  const child = spawnPinned(cpu, [join(root, "bench", "baseline", script), "--upstream", upstream.url, "--port", String(port), "--location", upstream.locationId], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, BASELINE_UPSTREAM_TOKEN: upstream.token, NODE_ENV: "production" },
  });
  const stderrTail = tail(child);
  const url = `http://127.0.0.1:${port}`;
  await untilServing(child, async () => (await fetch(`${url}/healthz`)).ok, name, 30_000, stderrTail);
  return { name, url, graphqlUrl: `${url}/graphql`, pid: child.pid, child, stop: stopper(child), stderrTail };
}

export async function startPeerSystem({ port, cpu, upstream, responseCache, ttlMs, supergraphFile }) {
  const peer = await startPeer({ upstreamUrl: upstream.url, port, token: upstream.token, responseCache, ttlMs, cpu, supergraphFile });
  return {
    name: responseCache ? "peer+cache" : "peer",
    url: peer.url,
    graphqlUrl: `${peer.url}/graphql`,
    webhookUrl: `${peer.url}/webhooks/contact_events`,
    pid: peer.pid,
    child: peer.child,
    stop: peer.stop,
  };
}
