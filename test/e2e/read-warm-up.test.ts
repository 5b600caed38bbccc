/**
 * Warm-up after start: each served location's newest contacts (WARMUP_CONTACTS) are read with
 * their relations in the background, never more than WARMUP_BUDGET_PERCENT of the location's
 * interval budget in any interval (the simulator's request log, at a scaled-down budget of 20
 * calls per second, so 6 warm-up calls per second); /readyz answers ready while it runs and
 * reports its progress; once it reports done, the first dashboard costs 0 upstream calls.
 */
import { describe, expect, it } from "vitest";
import { DEMO_TOKENS } from "../../src/simulator/index.js";
import { LOCATION_A, useStack, type Stack } from "../support/harness.js";
import { waitFor } from "../support/events-wait.js";

const INTERVAL_MS = 1_000;
const SHARE = 6; // 30 % of a burst of 20

describe("warm-up", () => {
  const stack = useStack({
    // The simulator enforces the same scaled-down budget (its X-RateLimit headers would otherwise
    // tell the gateway a 10 s interval).
    simulator: { rateLimit: { burst: 20, intervalMs: INTERVAL_MS, daily: 1_000_000 } },
    locations: [LOCATION_A],
    env: {
      WARMUP_CONTACTS: "12",
      WARMUP_PAGE_SIZES: "5",
      WARMUP_BUDGET_PERCENT: "30",
      RATE_LIMIT_BURST: "20",
      RATE_LIMIT_INTERVAL_MS: String(INTERVAL_MS),
    },
  });

  it("prefetches the newest contacts with their relations within its share of every interval; then the first dashboard costs 0 calls", async () => {
    const s = stack();
    const first = await fetch(`${s.gateway.url}/readyz`);
    expect(first.status).toBe(200); // never waits for the warm-up
    const progress = ((await first.json()) as { warmUp?: { state: string } }).warmUp;
    expect(["running", "done"]).toContain(progress?.state);

    let last: { state: string; locations: { total: number; done: number } } | undefined;
    await waitFor(
      async () => {
        last = ((await (await fetch(`${s.gateway.url}/readyz`)).json()) as { warmUp: typeof last }).warmUp;
        return last?.state === "done";
      },
      { what: "the warm-up to report done" },
    );
    expect(last).toEqual({ state: "done", locations: { total: 1, done: 1 } }); // no location ids without METRICS_TOKEN

    // Every call it made: the two first pages, then the newest contacts' tasks, notes and appointments.
    const calls = s.sim.requests.filter((r) => r.route !== "unknown"); // not /readyz's reachability probe
    expect(calls.every((r) => r.status === 200)).toBe(true);
    expect(calls.length).toBeGreaterThan(SHARE * 2); // enough to need several intervals
    expectWithinShare(calls);
    await expectWarmDashboard(s);
  });
});

describe("warm-up with the bulk reads' scopes", () => {
  const stack = useStack({
    simulator: {
      rateLimit: { burst: 20, intervalMs: INTERVAL_MS, daily: 1_000_000 },
      tokens: DEMO_TOKENS.map((t) => (t.token === "sim-rw-A-token" ? { ...t, scopes: [...t.scopes, "locations/tasks.readonly", "calendars.readonly", "calendars/events.readonly"] } : t)),
    },
    locations: [LOCATION_A],
    env: { WARMUP_CONTACTS: "12", WARMUP_PAGE_SIZES: "5", WARMUP_BUDGET_PERCENT: "30", RATE_LIMIT_BURST: "20", RATE_LIMIT_INTERVAL_MS: String(INTERVAL_MS) },
  });

  it("reads the newest contacts' tasks in one bulk read, their appointments through the calendars, notes per contact", async () => {
    const s = stack();
    await waitFor(
      async () => ((await (await fetch(`${s.gateway.url}/readyz`)).json()) as { warmUp: { state: string } }).warmUp.state === "done",
      { what: "the warm-up to report done" },
    );
    const calendars = s.sim.data.listCalendars(LOCATION_A).length;
    expect(s.upstream("/locations/:locationId/tasks/search")).toHaveLength(1);
    expect(s.upstream("/calendars/")).toHaveLength(1);
    expect(s.upstream("/calendars/events")).toHaveLength(calendars);
    expect(s.upstream("/contacts/:contactId/notes")).toHaveLength(12);
    expect(s.upstream("/contacts/:contactId/tasks")).toHaveLength(0);
    expect(s.upstream("/contacts/:contactId/appointments")).toHaveLength(0);
    expectWithinShare(s.sim.requests.filter((r) => r.route !== "unknown"));
    await expectWarmDashboard(s);
  });
});

/** Never more than the warm-up's share of calls in any window of one interval. */
function expectWithinShare(calls: Stack["sim"]["requests"]): void {
  const times = calls.map((r) => r.time).sort((a, b) => a - b);
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + INTERVAL_MS).length;
    expect(inWindow).toBeLessThanOrEqual(SHARE);
  }
}

/** Once warm, the first dashboard costs 0 upstream calls. */
async function expectWarmDashboard(s: Stack): Promise<void> {
  s.sim.clearRequests();
  const dashboard = await s.gql(
    `query WarmDashboard { dashboard(first: 5) { id summary { openTaskCount nextAppointment { id } latestNote { id } } tasks { id } notes { id } appointments { id } } }`,
    {},
    await s.tokenFor(),
  );
  expect(dashboard.body.errors).toBeUndefined();
  expect((dashboard.body.data as { dashboard: unknown[] }).dashboard).toHaveLength(5);
  expect(s.sim.requests).toEqual([]);
}
