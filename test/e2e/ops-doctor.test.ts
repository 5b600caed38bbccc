// `npm run doctor` against the simulator: in-process (runDoctor) for each failure mode, and the
// built CLI once for the pass and once for a bad token (exit code, ✓/✗ lines, fix hint).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { runDoctor, formatDoctorReport, WRITE_PROBE_CONTACT_ID } from "../../src/doctor/index.js";
import { DEMO_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { buildPrivately, REPO_ROOT, type PrivateBuild } from "../support/ops-build.js";

const JWT_SECRET = "doctor-test-secret-0123456789abcdef0123";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim?.close();
});

const envFor = (overrides: Record<string, string>) => ({
  CONTACTS_API_URL: sim.url,
  CONTACTS_API_TOKEN: "sim-rw-A-token",
  CONTACTS_LOCATION_ID: DEMO_LOCATION_ID,
  AUTH_JWT_SECRET: JWT_SECRET,
  ...overrides,
});

describe("runDoctor against the simulator", () => {
  it("passes every check with a read-write token, using one read and one harmless write probe", async () => {
    sim.clearRequests();
    const results = await runDoctor({ config: loadConfig(envFor({})) });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.name.replace(/ \[.*\]$/, ""))).toEqual([
      "Ed25519 webhook key parses (x-ghl-signature)",
      "RSA webhook key parses (x-wh-signature)",
      "upstream reachable",
      "token valid",
      "Version header accepted",
      "read scope (contacts.readonly)",
      "rate-limit headroom",
      "write scope (contacts.write)",
      "bulk read of tasks",
      "bulk read of appointments",
    ]);
    const calls = sim.requests.filter((r) => r.route !== "unknown").map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual(["GET /contacts/", `PUT /contacts/${WRITE_PROBE_CONTACT_ID}`, `POST /locations/${DEMO_LOCATION_ID}/tasks/search`, "GET /calendars/"]);
    const report = formatDoctorReport(results);
    expect(report).toMatch(/^✓ upstream reachable/m);
    // This token lacks the bulk scopes: a warning with the scope to grant, not a failure.
    expect(report).toMatch(/^! bulk read of tasks \[.*\]: .*per contact/m);
    expect(report).toMatch(/fix: grant locations\/tasks\.readonly/);
    expect(report).toMatch(/fix: grant calendars\.readonly/);
    expect(report).toMatch(/all 10 checks passed \(2 with a warning\)/);
  });

  it("a token holding the bulk scopes reads tasks and appointments in bulk: no warning", async () => {
    sim.addToken({
      token: "doctor-install-token-A",
      locationId: DEMO_LOCATION_ID,
      scopes: ["contacts.readonly", "contacts.write", "locations/tasks.readonly", "calendars.readonly", "calendars/events.readonly"],
    });
    sim.clearRequests();
    const results = await runDoctor({ config: loadConfig(envFor({ CONTACTS_API_TOKEN: "doctor-install-token-A" })) });
    expect(results.filter((r) => !r.ok || r.warning)).toEqual([]);
    expect(sim.requests.map((r) => `${r.method} ${r.route}`)).toContain("GET /calendars/events");
  });

  it("a calendar list the gateway cannot read is a warning (appointments per contact), as the gateway would read it", async () => {
    sim.addToken({
      token: "doctor-install-token-B",
      locationId: DEMO_LOCATION_ID,
      scopes: ["contacts.readonly", "contacts.write", "locations/tasks.readonly", "calendars.readonly", "calendars/events.readonly"],
    });
    // One calendar lacks its id: ContactsClient.calendarsOf refuses the whole list, so must the doctor.
    const remove = sim.addFault({ method: "GET", route: "/calendars/", status: 200, body: { calendars: [{ id: "cal-1" }, { name: "no id" }] } });
    try {
      const results = await runDoctor({ config: loadConfig(envFor({ CONTACTS_API_TOKEN: "doctor-install-token-B" })) });
      const appointments = results.find((r) => r.name.startsWith("bulk read of appointments"))!;
      expect(appointments).toMatchObject({ ok: true, warning: true });
      expect(appointments.detail).toMatch(/GET \/calendars\/: expected a response body with calendars with a string "id"; appointments are read per contact/);
      expect(results.find((r) => r.name.startsWith("bulk read of tasks"))).toMatchObject({ ok: true });
      expect(results.find((r) => r.name.startsWith("bulk read of tasks"))?.warning).toBeUndefined();
    } finally {
      remove();
    }
  });

  it("a bad token fails 'token valid' with a hint, and the token never appears in the report", async () => {
    const results = await runDoctor({ config: loadConfig(envFor({ CONTACTS_API_TOKEN: "not-a-real-token-123" })) });
    const token = results.find((r) => r.name.startsWith("token valid"));
    expect(token).toMatchObject({ ok: false });
    expect(token!.hint).toMatch(/CONTACTS_API_TOKEN is invalid or expired/);
    expect(formatDoctorReport(results)).not.toContain("not-a-real-token-123");
  });

  it("a read-only token fails the write-scope check", async () => {
    const results = await runDoctor({ config: loadConfig(envFor({ CONTACTS_API_TOKEN: "sim-ro-A-token" })) });
    expect(results.find((r) => r.name.startsWith("read scope"))).toMatchObject({ ok: true });
    expect(results.find((r) => r.name.startsWith("write scope"))).toMatchObject({ ok: false, hint: expect.stringMatching(/contacts\.write/) });
  });

  it("an unknown Version fails with the variable to fix", async () => {
    const results = await runDoctor({ config: loadConfig(envFor({ CONTACTS_API_VERSION: "2020-01-01" })) });
    expect(results.find((r) => r.name.startsWith("Version"))).toMatchObject({ ok: false, hint: expect.stringMatching(/CONTACTS_API_VERSION/) });
  });

  it("a token of another location fails the read check", async () => {
    const results = await runDoctor({ config: loadConfig(envFor({ CONTACTS_API_TOKEN: "sim-rw-B-token" })) });
    expect(results.find((r) => r.name.startsWith("read scope"))).toMatchObject({ ok: false, hint: expect.stringMatching(/CONTACTS_LOCATION_ID/) });
  });

  it("low rate-limit headroom is a ✗", async () => {
    sim.setRateLimit({ burst: 10 });
    try {
      for (let i = 0; i < 9; i++) await fetch(`${sim.url}/contacts/?locationId=${DEMO_LOCATION_ID}&limit=1`, { headers: { authorization: "Bearer sim-rw-A-token", version: "2021-07-28" } });
      const results = await runDoctor({ config: loadConfig(envFor({})), minHeadroomRatio: 0.5 });
      expect(results.find((r) => r.name.startsWith("rate-limit headroom"))).toMatchObject({ ok: false });
    } finally {
      sim.setRateLimit({});
    }
  });

  it("an unreachable upstream and an unreachable Redis fail with hints", async () => {
    const results = await runDoctor({
      config: loadConfig(envFor({ CONTACTS_API_URL: "http://127.0.0.1:9", REDIS_URL: "redis://127.0.0.1:9" })),
      timeoutMs: 2_000,
    });
    expect(results.find((r) => r.name === "Redis reachable")).toMatchObject({ ok: false, hint: expect.stringMatching(/REDIS_URL/) });
    expect(results.find((r) => r.name === "upstream reachable")).toMatchObject({ ok: false, hint: expect.stringMatching(/CONTACTS_API_URL/) });
  });
});

describe("the built doctor CLI", () => {
  let build: PrivateBuild;
  beforeAll(async () => {
    build = await buildPrivately("ops-doctor");
  }, 180_000);
  afterAll(async () => {
    await build?.cleanup();
  });

  const run = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, [build.file("src/doctor.js")], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? "" }),
    );

  it("exits 0 with only ✓ lines against the simulator", async () => {
    const { code, stdout } = await run(envFor({}));
    expect(stdout).toMatch(/^✓ token valid/m);
    expect(stdout).not.toMatch(/^✗/m);
    expect(code).toBe(0);
  });

  it("exits 1 with a ✗ and a fix hint on a bad token", async () => {
    const { code, stdout } = await run(envFor({ CONTACTS_API_TOKEN: "definitely-wrong-token" }));
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✗ token valid .*401/m);
    expect(stdout).toMatch(/^ {4}fix: CONTACTS_API_TOKEN is invalid or expired/m);
    expect(stdout).not.toContain("definitely-wrong-token");
  });
});
