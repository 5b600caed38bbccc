// Starts a private, throw-away redis-server on a free port (never the shared 6379), so a test can
// stop and restart Redis under a running gateway. No persistence; the process is killed on stop.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function ping(): Promise<boolean> {
    const probe = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === "PONG";
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "ignore"] });
      child = started;
      let output = "";
      started.stdout!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-2_000)));
      const deadline = Date.now() + 10_000;
      // Poll for PING (a condition, not a fixed wait); fail at once if the server died (e.g. the port was taken meanwhile).
      while (!(await ping())) {
        if (started.exitCode !== null || started.signalCode !== null) {
          throw new Error(`redis-server on port ${port}: expected it to keep running, it exited (${started.exitCode ?? started.signalCode}): ${output.trim().split("\n").pop() ?? ""}`);
        }
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port}: expected to answer PING within 10 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once("exit", () => resolve());
        c.kill("SIGKILL");
      });
    },
  };
}
