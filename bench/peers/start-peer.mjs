// Starts the peer gateway for the benchmarks: Hive Gateway serving a GraphQL Mesh supergraph
// composed from the official Contacts OpenAPI spec against a given upstream (the simulator).
//
//   node bench/peers/start-peer.mjs --upstream http://127.0.0.1:PORT --port 4100 [--cache] [--ttl-ms 60000] [--cpu 1]
//   (the upstream bearer token comes from PEER_UPSTREAM_TOKEN, never from the command line)
//
// As a module: `ensurePeerInstalled()`, `composePeerSupergraph()`, `startPeer()`.
// The peer lives in its own package (bench/peers/package.json) so the main install stays lean; it is
// installed on first use with `npm ci --prefix bench/peers`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const peerDir = dirname(fileURLToPath(import.meta.url));
const defaults = { ttlMs: 60_000, startTimeoutMs: 60_000 };

/** Installs bench/peers/node_modules when missing (npm ci with the committed lockfile). */
export function ensurePeerInstalled({ log = console.error } = {}) {
  const marker = join(peerDir, "node_modules", "@graphql-hive", "gateway", "package.json");
  if (existsSync(marker)) return;
  const hasLock = existsSync(join(peerDir, "package-lock.json"));
  log(`[peer] installing the peer gateway into bench/peers/node_modules (npm ${hasLock ? "ci" : "install"}, once)…`);
  const args = [hasLock ? "ci" : "install", "--prefix", peerDir, "--no-audit", "--no-fund", "--loglevel=error"];
  const result = spawnSync("npm", args, { stdio: ["ignore", "inherit", "inherit"], cwd: peerDir });
  if (result.status !== 0 || !existsSync(marker)) {
    throw new Error(`peer install failed: expected npm ${args[0]} in bench/peers to succeed, it exited with ${result.status}`);
  }
}

/** Composes the supergraph against `upstreamUrl`; returns the file path. Holds no token. */
export function composePeerSupergraph({ upstreamUrl, outFile = join(peerDir, ".mesh", "supergraph.graphql") }) {
  if (!/^https?:\/\//.test(upstreamUrl ?? "")) {
    throw new Error(`upstreamUrl: expected an http(s) URL of the simulator, received ${JSON.stringify(upstreamUrl)}`);
  }
  mkdirSync(dirname(outFile), { recursive: true });
  const bin = join(peerDir, "node_modules", "@graphql-mesh", "compose-cli", "esm", "bin.js");
  const result = spawnSync(process.execPath, [bin, "-c", join(peerDir, "mesh.config.mjs")], {
    cwd: peerDir,
    env: { ...process.env, PEER_UPSTREAM_URL: upstreamUrl, PEER_SUPERGRAPH_PATH: outFile },
    encoding: "utf8",
  });
  if (result.status !== 0 || !existsSync(outFile)) {
    throw new Error(`peer composition failed (exit ${result.status}): ${(result.stderr ?? "").slice(-800)}`);
  }
  return outFile;
}

/**
 * Starts the peer on `port`; resolves once it answers GraphQL. Returns { url, pid, child, stop }.
 * `cpu` pins it with `taskset -c` (when taskset exists), like every gateway in the bench.
 */
export async function startPeer({
  upstreamUrl,
  port,
  token,
  responseCache = false,
  ttlMs = defaults.ttlMs,
  cpu,
  supergraphFile,
  startTimeoutMs = defaults.startTimeoutMs,
  extraNodeArgs = [],
}) {
  if (!Number.isInteger(port) || port <= 0) throw new Error(`port: expected a positive integer, received ${port}`);
  const file = supergraphFile ?? composePeerSupergraph({ upstreamUrl });
  const bin = join(peerDir, "node_modules", "@graphql-hive", "gateway", "dist", "bin.js");
  const nodeArgs = [...extraNodeArgs, bin, "supergraph", file, "-c", join(peerDir, "gateway.config.mjs"), "-p", String(port), "-h", "127.0.0.1", "--fork", "1"];
  const useTaskset = cpu !== undefined && existsSync("/usr/bin/taskset");
  const [cmd, args] = useTaskset ? ["taskset", ["-c", String(cpu), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(cmd, args, {
    cwd: peerDir,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PEER_UPSTREAM_TOKEN: token ?? process.env.PEER_UPSTREAM_TOKEN ?? "",
      PEER_RESPONSE_CACHE: responseCache ? "1" : "0",
      PEER_CACHE_TTL_MS: String(ttlMs),
    },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`peer exited with ${child.exitCode} before it served: ${stderr.slice(-800)}`);
    try {
      const res = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`peer did not answer on ${url} within ${startTimeoutMs} ms: ${stderr.slice(-800)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    });
  // taskset execs node, so child.pid is the gateway's own pid (for /proc stats and CPU time).
  return { url, pid: child.pid, child, stop };
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const upstreamUrl = opt("--upstream");
  const port = Number(opt("--port") ?? 4100);
  const cpu = opt("--cpu");
  ensurePeerInstalled();
  const peer = await startPeer({
    upstreamUrl,
    port,
    responseCache: argv.includes("--cache"),
    ttlMs: Number(opt("--ttl-ms") ?? defaults.ttlMs),
    cpu,
  });
  console.log(`peer gateway on ${peer.url}/graphql (response cache ${argv.includes("--cache") ? "on" : "off"}); webhooks at ${peer.url}/webhooks/contact_events`);
  process.on("SIGINT", async () => { await peer.stop(); process.exit(0); });
  process.on("SIGTERM", async () => { await peer.stop(); process.exit(0); });
}
