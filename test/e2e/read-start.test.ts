/**
 * `npm start` in demo mode, as a real process (`node dist/src/main.js`, built privately): with no
 * CONTACTS_API_URL it starts the embedded simulator and prints the sandbox URL and two caller
 * tokens (read-only, read-write) valid for 24 h that work against it; SIGTERM exits 0; a bad
 * configuration value exits 1 with one line naming the variable.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrivately, REPO_ROOT, type PrivateBuild } from "../support/ops-build.js";

let build: PrivateBuild;

/** The environment of a fresh shell: nothing of the gateway's configuration set. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"], HOME: process.env["HOME"], NODE_ENV: "production" };
  return { ...env, ...extra };
}

beforeAll(async () => {
  build = await buildPrivately("read-start");
}, 180_000);

afterAll(async () => {
  await build?.cleanup();
});

describe("npm start (demo mode)", () => {
  it("prints the sandbox URL and two working caller tokens, serves them, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [build.file("src/main.js")], {
      cwd: REPO_ROOT,
      env: cleanEnv({ PORT: "0", DEMO_ACTIVITY_INTERVAL_MS: "0", LOG_LEVEL: "warn" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          if (/read-write:\s+\S+/.test(stdout)) resolve();
        });
        child.on("exit", (code) => reject(new Error(`exited early (${code}): ${stderr.slice(0, 500)}`)));
      });
      const sandbox = /sandbox:\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(stdout)?.[1];
      const readOnly = /read-only:\s+(\S+)/.exec(stdout)?.[1];
      const readWrite = /read-write:\s+(\S+)/.exec(stdout)?.[1];
      expect(sandbox).toBeDefined();
      for (const token of [readOnly!, readWrite!]) {
        const claims = decodeJwt(token);
        expect(claims.exp! - claims.iat!).toBe(24 * 60 * 60);
      }

      const ask = async (token: string) => {
        const res = await fetch(`${sandbox}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: "{ viewer { scopes } contacts(first: 2) { totalCount nodes { name } } }" }),
        });
        return (await res.json()) as { data: { viewer: { scopes: string[] }; contacts: { totalCount: number; nodes: Array<{ name: string }> } } };
      };
      const ro = await ask(readOnly!);
      expect(ro.data.viewer.scopes).toEqual(["contacts.readonly"]);
      expect(ro.data.contacts.totalCount).toBeGreaterThan(100);
      expect(ro.data.contacts.nodes[0]!.name).toBeTruthy();
      expect((await ask(readWrite!)).data.viewer.scopes).toEqual(["contacts.readonly", "contacts.write"]);

      const page = await fetch(`${sandbox}/graphql`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("ContactsDashboard");
      expect((await fetch(`${sandbox}/healthz`)).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe("");
  });

  it("stops with one line naming the variable when a value is bad", async () => {
    const run = promisify(execFile)(process.execPath, [build.file("src/main.js")], {
      cwd: REPO_ROOT,
      env: cleanEnv({ PORT: "not-a-port" }),
    });
    const error = (await run.then(
      () => {
        throw new Error("expected exit 1");
      },
      (e: unknown) => e,
    )) as { code: number; stdout: string; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toBe("Invalid configuration: PORT must be a port number from 0 to 65535\n");
    expect(error.stdout).toBe("");
  });
});
