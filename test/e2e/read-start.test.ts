/**
 * `npm start` in demo mode, as a real process (`node dist/src/main.js`, built privately): with no
 * CONTACTS_API_URL it starts the embedded simulator and prints the sandbox URL and two caller
 * tokens (read-only, read-write) valid for 24 h that work against it, the live dashboard's URL, and
 * demo events that reach a subscriber within seconds; SIGTERM exits 0; a bad
 * configuration value exits 1 with one line naming the variable.
 */
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { createClient } from "graphql-ws";
import { decodeJwt } from "jose";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrivately, REPO_ROOT, type PrivateBuild } from "../support/ops-build.js";
import { parsePrometheusText } from "../support/ops-prometheus.js";

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
      // Demo activity fast, so the test sees the trickle of signed demo webhooks a newcomer sees.
      env: cleanEnv({ PORT: "0", DEMO_ACTIVITY_INTERVAL_MS: "250", LOG_LEVEL: "warn" }),
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

      // The demo's upstream credential holds what a default install grants (OAUTH_SCOPES): the
      // tasks and appointments of a page (and of the warm-up's 100 contacts) are read in bulk.
      const relations = await fetch(`${sandbox}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${readOnly}` },
        body: JSON.stringify({ query: "{ contacts(first: 30) { nodes { tasks { id } appointments { id } } } }" }),
      });
      expect(((await relations.json()) as { errors?: unknown }).errors).toBeUndefined();
      const metrics = parsePrometheusText(await (await fetch(`${sandbox}/metrics`)).text());
      const calls = (route: string) => metrics.value("cgw_upstream_requests_total", { route });
      expect(calls("/locations/:locationId/tasks/search")).toBeGreaterThan(0);
      expect(calls("/calendars/events")).toBeGreaterThan(0);
      expect(calls("/contacts/:contactId/tasks")).toBe(0);
      // A contact holding an instance of a recurring event is still read on its own
      // (src/upstream/contacts.client.ts): a few at most, never one per contact of the page.
      expect(calls("/contacts/:contactId/appointments")).toBeLessThan(5);

      const page = await fetch(`${sandbox}/graphql`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("ContactsDashboard");
      expect((await fetch(`${sandbox}/healthz`)).status).toBe(200);

      // The banner's live dashboard answers, and live events really flow: the embedded simulator's
      // activity generator sends signed webhooks that reach a subscriber with the read-only token.
      expect(stdout).toContain(`dashboard:    ${sandbox}/dashboard`);
      expect(stdout).toMatch(/live events: +flowing: the simulator sends a signed webhook every 0\.25 s/);
      const dashboard = await fetch(`${sandbox}/dashboard`, { headers: { accept: "text/html" } });
      expect([dashboard.status, dashboard.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
      const ws = /subscriptions\s+(ws:\/\/\S+)/.exec(stdout)?.[1];
      expect(ws).toBe(`${sandbox!.replace("http://", "ws://")}/graphql`);
      const client = createClient({ url: ws!, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${readOnly}` }, retryAttempts: 0 });
      try {
        const first = await new Promise<{ type: string; locationId: string }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no demo event within 20 s")), 20_000);
          client.subscribe<{ contactEvents: { type: string; locationId: string } }>(
            { query: "subscription { contactEvents { type locationId } }" },
            {
              next: (r) => {
                clearTimeout(timer);
                if (r.data) resolve(r.data.contactEvents);
                else reject(new Error(`expected an event, received ${JSON.stringify(r.errors)}`));
              },
              error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
              complete: () => undefined,
            },
          );
        });
        expect(first.locationId).toBe(decodeJwt(readOnly!)["locationId"]);
        expect(first.type).toMatch(/^(NOTE|TASK|APPOINTMENT|CONTACT)_/);
      } finally {
        await client.dispose();
      }
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

  it("stops with one line, no stack trace, when the port is already in use", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const run = promisify(execFile)(process.execPath, [build.file("src/main.js")], {
        cwd: REPO_ROOT,
        env: cleanEnv({ PORT: String(port), DEMO_ACTIVITY_INTERVAL_MS: "0", LOG_LEVEL: "silent" }),
      });
      const error = (await run.then(
        () => {
          throw new Error("expected exit 1");
        },
        (e: unknown) => e,
      )) as { code: number; stdout: string; stderr: string };
      expect(error.code).toBe(1);
      expect(error.stderr).toBe(
        `Contacts Gateway failed to start: listen EADDRINUSE: address already in use 127.0.0.1:${port}; set PORT to a free port (0 picks one)\n`,
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
