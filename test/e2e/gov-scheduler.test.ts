/**
 * The per-location scheduler against the simulator at HighLevel's limits (100 calls per interval),
 * with time compressed 5× on both sides so the test runs in seconds: the simulator's interval and
 * the gateway's RATE_LIMIT_INTERVAL_MS are 2 s instead of 10 s, OPERATION_DEADLINE_MS 3 s instead
 * of 15 s.
 * - A cold 50-contact dashboard with tasks, notes and appointments (tasks through the bulk route)
 *   needs more than one interval's budget: its calls wait for the next window instead of failing,
 *   and it returns complete, with never more than 100 calls in any interval and no upstream 429.
 *   With the calendars' scopes too (appointments through the location's calendars), it needs at
 *   most 100 calls in all.
 * - Two callers of one location, one flooding it with expensive queries: the other's small query
 *   takes the first slot that frees (callers take turns within a priority class), instead of
 *   waiting behind the flood's queued calls.
 */
import { describe, expect, it } from "vitest";
import { DEMO_TOKENS } from "../../src/simulator/index.js";
import { maxInAnyWindow } from "../support/request-window.js";
import { startStack } from "../support/harness.js";
import { waitFor } from "../support/events-wait.js";

const SCALE = 5;
const INTERVAL_MS = 10_000 / SCALE;
const BURST = 100;
const env = {
  RATE_LIMIT_BURST: String(BURST),
  RATE_LIMIT_INTERVAL_MS: String(INTERVAL_MS),
  OPERATION_DEADLINE_MS: String(15_000 / SCALE),
};
const simulator = {
  rateLimit: { burst: BURST, intervalMs: INTERVAL_MS },
  // Location A's read-write token may use the bulk task route.
  tokens: DEMO_TOKENS.map((t) => (t.token === "sim-rw-A-token" ? { ...t, scopes: [...t.scopes, "locations/tasks.readonly"] } : t)),
};


const DASHBOARD = `query Dashboard {
  dashboard(first: 50) { id name tasks { id title } notes { id } appointments { id } summary { openTaskCount nextAppointment { id } latestNote { id } } }
}`;

describe("one scheduler per location (e2e, HighLevel's limits, time compressed 5×)", () => {
  it("returns a cold 50-contact dashboard complete, never over 100 calls per interval, no upstream 429", async () => {
    await using stack = await startStack({ simulator, env });
    const res = await stack.gql<{ dashboard: unknown[] }>(DASHBOARD, {}, await stack.tokenFor());
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.dashboard).toHaveLength(50);
    const log = stack.sim.requests;
    // The page, 50 notes and 50 appointment lists, the tasks in bulk: more than one interval allows.
    expect(log.length).toBeGreaterThan(BURST);
    expect(stack.upstream("/contacts/:contactId/tasks")).toHaveLength(0);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(maxInAnyWindow(log, INTERVAL_MS)).toBeLessThanOrEqual(BURST);
  });

  it("with the calendars' scopes, a cold 50-contact dashboard costs at most one interval's budget", async () => {
    // An install with the default OAUTH_SCOPES: appointments through the location's calendars too.
    const tokens = simulator.tokens.map((t) => (t.token === "sim-rw-A-token" ? { ...t, scopes: [...t.scopes, "calendars.readonly", "calendars/events.readonly"] } : t));
    await using stack = await startStack({ simulator: { ...simulator, tokens }, env });
    const res = await stack.gql<{ dashboard: unknown[] }>(DASHBOARD, {}, await stack.tokenFor());
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.dashboard).toHaveLength(50);
    expect(stack.upstream("/contacts/:contactId/appointments")).toHaveLength(0);
    expect(stack.upstream("/contacts/:contactId/tasks")).toHaveLength(0);
    expect(stack.sim.requests.length).toBeLessThanOrEqual(BURST);
    expect(stack.sim.requests.filter((r) => r.status === 429)).toEqual([]);
  });

  it("serves a small query of one caller at the first free slot while another floods the location", async () => {
    await using stack = await startStack({ simulator, env: { ...env, CACHE_TTL_MS: "0" } });
    const flooder = await stack.tokenFor({ subject: "flooder" });
    const analyst = await stack.tokenFor({ subject: "analyst" });
    // Three pages of 45 different contacts (identical loads in flight would be coalesced).
    const cursors = await stack.gql<{ contacts: { edges: { cursor: string }[] } }>(`{ contacts(first: 90) { edges { cursor } } }`, {}, flooder);
    const edges = cursors.body.data!.contacts.edges;
    const EXPENSIVE = `query Flood($after: String) { contacts(first: 45, after: $after) { nodes { id notes { id } appointments { id } } } }`; // 91 calls
    const flood = [undefined, edges[44]!.cursor, edges[89]!.cursor].map((after) => stack.gql(EXPENSIVE, { after }, flooder));
    // The flood has spent the interval's budget and has more than another interval's worth queued.
    await waitFor(() => stack.sim.requests.length >= 90, { what: "the flood to spend the interval's budget", timeoutMs: 10_000 });
    const contactId = stack.sim.requests.find((r) => r.route === "/contacts/:contactId/notes")!.path.split("/")[2]!;
    const submittedAt = Date.now();
    const small = await stack.gql<{ contact: { id: string } }>(`query Small($id: ID!) { contact(id: $id) { id firstName } }`, { id: contactId }, analyst);
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data!.contact.id).toBe(contactId);

    const floods = await Promise.all(flood);
    const log = stack.sim.requests;
    const smallCall = log.find((r) => r.route === "/contacts/:contactId")!;
    const floodCalls = log.filter((r) => r.route !== "/contacts/:contactId");
    // Between the small query's arrival and its call, at most the flood's calls already under way
    // (UPSTREAM_CONCURRENCY, 16) reached the upstream: it did not queue behind the flood.
    expect(floodCalls.filter((r) => r.time >= submittedAt && r.time < smallCall.time).length).toBeLessThanOrEqual(16);
    // ... although the flood still had calls to make after it.
    expect(floodCalls.filter((r) => r.time > smallCall.time).length).toBeGreaterThan(0);
    // Whatever of the flood could not be served within its deadline was refused with a retry hint, never a 429.
    for (const res of floods) {
      for (const error of res.body.errors ?? []) {
        expect(error.extensions?.["code"]).toBe("UPSTREAM_RATE_LIMITED");
        expect(error.extensions?.["retryAfterMs"]).toBeGreaterThan(0);
      }
    }
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(maxInAnyWindow(log, INTERVAL_MS)).toBeLessThanOrEqual(BURST);
  });
});
