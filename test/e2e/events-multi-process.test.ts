// Two gateway PROCESSES on one Redis: `node dist/src/main.js` twice, in real mode against
// one simulator, sharing REDIS_URL (the real Redis on 127.0.0.1:6379, a unique key prefix, exactly
// those keys deleted afterwards). A webhook posted to process 1 reaches a subscriber on process 2;
// the same delivery posted to both is published once. Nothing but Redis connects the two.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "graphql-ws";
import { mintCallerToken } from "../../src/auth/index.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { GENEROUS_UPSTREAM_RATE_LIMIT, LOCATION_A, READ, TEST_JWT_SECRET } from "../support/harness.js";
import { buildPrivately, REPO_ROOT, type PrivateBuild } from "../support/ops-build.js";
import { redisTestPrefix } from "../support/redis.js";
import { collect, wsClient, type CollectedSubscription } from "../support/events-subscriber.js";
import { waitFor } from "../support/events-wait.js";
import { generateTestWebhookKeys, postWebhook, webhookBody, webhookKeyEnv } from "../support/webhook-signing.js";

const keys = generateTestWebhookKeys();
const redis = redisTestPrefix("events-multi-process");
type Result = { contactEvents: { type: string; webhookId: string } };

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  exited: Promise<number | null>;
  stderr(): string;
}

let build: PrivateBuild;
let sim: Simulator;
const processes: GatewayProcess[] = [];
const clients: Client[] = [];

/** Starts `node dist/src/main.js` in real mode; resolves once it printed where it listens. */
async function startGatewayProcess(): Promise<GatewayProcess> {
  const upstream = sim.tokens.find((t) => t.locationId === LOCATION_A && t.scopes.includes("contacts.write"))!;
  const child = spawn(process.execPath, [build.file("src/main.js")], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env["PATH"],
      HOME: process.env["HOME"],
      NODE_ENV: "production",
      PORT: "0",
      LOG_LEVEL: "warn",
      CONTACTS_API_URL: sim.url,
      CONTACTS_API_TOKEN: upstream.token,
      CONTACTS_LOCATION_ID: LOCATION_A,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: redis.prefix,
      RATE_LIMIT_BURST: "100000",
      ...webhookKeyEnv(keys),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const match = /listening: (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`gateway process exited early (${code}): ${stderr.slice(0, 500)}`)));
  });
  const gateway = { child, url, wsUrl: `${url.replace("http://", "ws://")}/graphql`, exited, stderr: () => stderr };
  processes.push(gateway);
  return gateway;
}

async function subscribe(gateway: GatewayProcess): Promise<CollectedSubscription<Result>> {
  const token = await mintCallerToken({ secret: TEST_JWT_SECRET, scopes: [READ], locationId: LOCATION_A, expiresInSeconds: 600 });
  const client = wsClient(gateway.wsUrl, token);
  clients.push(client);
  return collect<Result>(client, "subscription { contactEvents { type webhookId } }");
}

const intake = (gateway: GatewayProcess) => `${gateway.url}/webhooks/highlevel`;
const note = (webhookId: string) =>
  webhookBody({ type: "NoteCreate", locationId: LOCATION_A, id: "note0000000000000001", contactId: "contact0000000000001", body: "x" }, { webhookId });
const ids = (sub: CollectedSubscription<Result>) => sub.results.map((r) => r.contactEvents.webhookId);

beforeAll(async () => {
  [build, sim] = await Promise.all([buildPrivately("events-multi-process"), startSimulator({ port: 0, rateLimit: GENEROUS_UPSTREAM_RATE_LIMIT })]);
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const p of processes) p.child.kill("SIGTERM");
  const codes = await Promise.all(processes.map((p) => p.exited));
  await sim?.close();
  await redis.cleanup();
  await build?.cleanup();
  expect(codes.every((c) => c === 0)).toBe(true);
});

describe("two gateway processes on one Redis", () => {
  it("deliver a webhook posted to process 1 to a subscriber on process 2, and publish a delivery posted to both once", async () => {
    const [one, two] = await Promise.all([startGatewayProcess(), startGatewayProcess()]);
    const onTwo = await subscribe(two);
    const onOne = await subscribe(one);
    // live once a probe posted to process 1 reached both subscribers (through Redis for process 2)
    await waitFor(async () => {
      expect((await postWebhook(intake(one), note(`probe-${randomUUID()}`), { keys })).status).toBe(200);
      return onTwo.results.length > 0 && onOne.results.length > 0;
    }, { timeoutMs: 30_000, what: "both subscriptions to be live" });

    expect((await postWebhook(intake(one), note("cross-process"), { keys })).status).toBe(200);
    await waitFor(() => ids(onTwo).includes("cross-process"), { what: "process 2's subscriber to receive process 1's webhook" });

    const body = note("both-processes");
    const answers = await Promise.all([postWebhook(intake(one), body, { keys }), postWebhook(intake(two), body, { keys })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.map((a) => (a.json as { status: string }).status).sort()).toEqual(["accepted", "duplicate"]);
    await postWebhook(intake(two), note("marker"), { keys });
    await waitFor(() => ids(onOne).includes("marker") && ids(onTwo).includes("marker"), { what: "the marker on both" });
    expect(ids(onOne).filter((id) => id === "both-processes")).toHaveLength(1);
    expect(ids(onTwo).filter((id) => id === "both-processes")).toHaveLength(1);
    expect([...onOne.errors, ...onTwo.errors]).toEqual([]);
    expect(one.stderr() + two.stderr()).toBe("");
  });
});
