// Graceful shutdown of the real process: `node dist/src/main.js` (built privately in beforeAll)
// against the simulator behind a small recording proxy. SIGTERM while a query waits on a slow
// upstream call → new connections are refused at once, the open WebSocket is closed with 1001,
// the slow query still completes with its data, and the process exits 0. Its log holds no secret.
// The real process also serves the Node process metrics on /metrics.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintCallerToken } from "../../src/auth/index.js";
import { DEMO_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { buildPrivately, REPO_ROOT, type PrivateBuild } from "../support/ops-build.js";
import { freePort } from "../support/ops-stack.js";

const JWT_SECRET = "ops-shutdown-secret-0123456789abcdef012345";
const UPSTREAM_TOKEN = "sim-rw-A-token";
const SLOW_MS = 3_000;

let build: PrivateBuild;
let sim: Simulator;
let proxy: http.Server;
let proxyUrl: string;
const arrivals: string[] = [];

beforeAll(async () => {
  build = await buildPrivately("ops-shutdown");
  sim = await startSimulator({ port: 0, rateLimit: false });
  // Records when an upstream request ARRIVES (the simulator logs at completion), then forwards it.
  proxy = http.createServer((req, res) => {
    arrivals.push(`${req.method} ${req.url}`);
    const upstream = http.request(`${sim.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await sim?.close();
  await build?.cleanup();
});

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

describe("SIGTERM", () => {
  it("finishes the in-flight query, refuses new connections, closes websockets with 1001, exits 0", async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [build.file("src/main.js")], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        CONTACTS_API_URL: proxyUrl,
        CONTACTS_API_TOKEN: UPSTREAM_TOKEN,
        CONTACTS_LOCATION_ID: DEMO_LOCATION_ID,
        AUTH_JWT_SECRET: JWT_SECRET,
        PORT: String(port),
        HOST: "127.0.0.1",
        SHUTDOWN_GRACE_MS: "15000",
        LOG_LEVEL: "debug",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString("utf8")));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      await expect
        .poll(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status, { timeout: 30_000, interval: 100 })
        .toBe(200);
      // `npm start` collects the Node process metrics (test gateways do not).
      expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^cgw_process_cpu_user_seconds_total \d/m);
      const caller = await mintCallerToken({ secret: JWT_SECRET, scopes: ["contacts.readonly"], locationId: DEMO_LOCATION_ID, expiresInSeconds: 600 });

      // An open graphql-ws connection.
      const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, "graphql-transport-ws");
      const wsClosed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${caller}` } })));
        ws.on("message", (data) => {
          if (JSON.parse(String(data)).type === "connection_ack") resolve();
        });
        ws.once("error", reject);
      });

      // A slow query: its upstream call waits SLOW_MS in the simulator.
      const contact = sim.data.listContacts(DEMO_LOCATION_ID)[7]!;
      sim.addFault({ route: "/contacts/:contactId", delayMs: SLOW_MS, times: 1 });
      let settled = false;
      const slow = fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${caller}` },
        body: JSON.stringify({ query: "query($id: ID!) { contact(id: $id) { id firstName } }", variables: { id: contact.id } }),
      }).then(async (r) => {
        settled = true;
        return { status: r.status, body: (await r.json()) as { data?: { contact?: { id: string } }; errors?: unknown[] } };
      });
      // That contact's own GET (the process's warm-up reads its tasks, notes and appointments too).
      const own = `GET /contacts/${contact.id}`;
      await expect.poll(() => arrivals.some((a) => a === own || a.startsWith(`${own}?`)), { timeout: 10_000, interval: 20 }).toBe(true);

      child.kill("SIGTERM");
      await expect.poll(() => connectRefused(port), { timeout: 5_000, interval: 20 }).toBe(true);
      expect(settled).toBe(false); // refused while the slow query was still running
      expect(await wsClosed).toBe(1001);

      const result = await slow;
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.contact?.id).toBe(contact.id);
      expect(await exited).toEqual({ code: 0, signal: null });

      expect(output).toMatch(/"shutting down"/);
      for (const secret of [UPSTREAM_TOKEN, JWT_SECRET, caller]) expect(output).not.toContain(secret);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
