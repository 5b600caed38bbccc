// Warm-up after an install: a location installed through the OAuth callback is warmed at once (its
// newest contacts with their relations), /readyz names its progress to the metrics token's bearer,
// and once done its first dashboard costs 0 upstream calls.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Gateway } from "../../src/server/index.js";
import { DEMO_LOCATION_ID, startSimulator, type Simulator } from "../../src/simulator/index.js";
import { OAUTH_CLIENT, callerToken, gql, installViaOAuth, startOpsGateway } from "../support/ops-stack.js";
import { waitFor } from "../support/events-wait.js";

const METRICS_TOKEN = "metrics-token-for-warm-up-0123456789";
let sim: Simulator;
let dataDir: string;
let gateway: Gateway;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rateLimit: { burst: 100_000 }, oauth: { clients: [OAUTH_CLIENT], accessTokenTtlSec: 3600 } });
  dataDir = await mkdtemp(path.join(tmpdir(), "cgw-warm-up-"));
  gateway = await startOpsGateway({
    simUrl: sim.url,
    env: { CREDENTIALS_KEY: randomBytes(32).toString("base64"), DATA_DIR: dataDir, WARMUP_CONTACTS: "6", WARMUP_PAGE_SIZES: "6", METRICS_TOKEN },
  });
});
afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  await rm(dataDir, { recursive: true, force: true });
});

it("an OAuth install warms the location; then its first dashboard costs 0 upstream calls", async () => {
  const walk = await installViaOAuth(gateway.url);
  expect(walk.callback.status).toBe(200);
  type Progress = { state: string; byLocation?: Record<string, { state: string; loaded: number; total: number }> };
  let warmUp: Progress | undefined;
  await waitFor(
    async () => {
      const res = await fetch(`${gateway.url}/readyz`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      warmUp = ((await res.json()) as { warmUp: Progress }).warmUp;
      return warmUp.byLocation?.[DEMO_LOCATION_ID]?.state === "done";
    },
    { what: "the installed location's warm-up to be done" },
  );
  expect(warmUp?.byLocation?.[DEMO_LOCATION_ID]).toMatchObject({ state: "done", loaded: 1 + 6 * 3, total: 1 + 6 * 3 });

  sim.clearRequests();
  const res = await gql(gateway.url, `{ dashboard(first: 6) { id tasks { id } notes { id } appointments { id } summary { openTaskCount } } }`, await callerToken(DEMO_LOCATION_ID));
  expect(res.body.errors).toBeUndefined();
  expect(sim.requests.filter((r) => r.route !== "unknown")).toEqual([]);
});
