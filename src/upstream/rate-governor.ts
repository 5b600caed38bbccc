/**
 * The rate governor: the ONE per-location queue every upstream call passes (reads, writes,
 * precondition reads, each retry attempt), holding both limits of a location in one place: at most
 * `concurrency` calls in flight (UPSTREAM_CONCURRENCY) and HighLevel's budget (FACTS.md "Rate
 * limits": 100 requests per 10 s and 200,000 per day, per app per location), so the gateway never
 * opens a socket storm nor causes a 429 storm, whoever makes the call.
 *
 * - A waiter is granted when a concurrency slot is free AND the budget has a slot; the slot is
 *   held until the call's answer (or failure). Waiting for a concurrency slot never fails by itself
 *   (calls in flight end, bounded by the transport's timeouts).
 * - The budget is a sliding log of grants: at most `limit` grants in any window of `windowMs`
 *   (so ANY interval of the upstream, fixed or sliding, sees at most that many), plus a daily count
 *   that resets at UTC midnight.
 * - The upstream counts a request when it arrives, somewhere between our grant and its answer: a
 *   slot is held from the grant until the answer and then for a whole window (`settle`), so no
 *   upstream window overfills whatever the delay in between (event-loop stalls, connection
 *   queues, network jitter). The Redis store uses Redis' own clock, so instances never compare
 *   their clocks at all.
 * - A safety margin on top: `limit = floor(burst × (1 − safetyRatio))` and
 *   `windowMs = intervalMs + windowMarginMs` (another client of the same app and location, a
 *   window the upstream measures a little differently).
 * - Every response corrects the budget from `X-RateLimit-*` headers; the upstream can only make it
 *   stricter, never more generous than our configuration. A 429 drains the current window: for
 *   its `Retry-After` when it carries one (the upstream's hint wins), else for the whole window.
 * - Requests beyond the budget WAIT in a per-location queue, by priority class (`lane`, most urgent
 *   first): interactive mutations (and every write), interactive queries, subscription events,
 *   background work. Within a class, callers (`sub`) take turns (round robin: the next slot goes
 *   to the caller this instance served least recently, FIFO within a caller): a caller flooding
 *   the location with expensive queries takes its turn with the others instead of ahead of them.
 * - A call of an operation waits for budget up to the operation's deadline (`deadlineAt`, less
 *   `answerReserveMs` for the answer itself): work that can complete in time waits instead of
 *   failing. A call without a deadline waits at most `maxWaitMs`. A request whose expected wait
 *   passes that fails at once with `UPSTREAM_RATE_LIMITED` carrying `retryAfterMs`.
 *
 * The budget itself lives in a `RateBudgetStore`: in memory here (one instance), in Redis in
 * rate-governor.redis.ts (shared by all instances). Knows no GraphQL.
 */
import { UpstreamError } from "./upstream.error.js";
import { systemClock, type Clock } from "./governance.clock.js";
import { callHook, headerText, mergePolicy, parseRetryAfterMs } from "./governance.common.js";
import type { RequestLane, UpstreamMiddleware, UpstreamRequest, UpstreamResponse } from "./pipeline.types.js";

/** Queue order of the priority classes: lower goes first. */
const LANE_RANK: Readonly<Record<RequestLane, number>> = Object.freeze({ mutation: 0, query: 1, subscription: 2, background: 3 });

/** A write ranks with mutations whatever its operation; a read takes its operation's class (default `query`). */
export function laneOf(request: Pick<UpstreamRequest, "priority" | "lane">): RequestLane {
  if (request.priority === "write") return "mutation";
  return request.lane ?? "query";
}

/** Rate policy; every field has a default (HighLevel's production limits). */
export interface RatePolicy {
  /** Upstream requests allowed per interval per location. Default 100 (HighLevel). */
  burst: number;
  /** Length of the upstream's interval, ms. Default 10_000 (HighLevel). */
  intervalMs: number;
  /** Upstream requests per UTC day per location. Default 200_000 (HighLevel). */
  daily: number;
  /** Longest a request may wait for budget before failing with UPSTREAM_RATE_LIMITED, ms. Default 5_000. */
  maxWaitMs: number;
  /** Share of `burst` and `daily` held back as a safety margin. Default 0.05 (5 %). */
  safetyRatio: number;
  /** Added to `intervalMs` for our own window, ms. Default 10 % of the interval, at least 50 and at most 1_000. */
  windowMarginMs?: number;
  /** Calls in flight per location (UPSTREAM_CONCURRENCY). Default 16. */
  concurrency: number;
  /**
   * Time kept for the answer before an operation's deadline, ms: a call is not granted later than
   * this before it. Default 10 % of the interval (1 s for HighLevel's 10 s).
   */
  answerReserveMs?: number;
}

export const DEFAULT_RATE_POLICY: Readonly<RatePolicy> = Object.freeze({
  burst: 100, // requests per interval (FACTS.md)
  intervalMs: 10_000, // 10 seconds (FACTS.md)
  daily: 200_000, // requests per UTC day (FACTS.md)
  maxWaitMs: 5_000, // 5 seconds
  safetyRatio: 0.05, // keep 5 % in reserve
  concurrency: 16, // calls in flight per location
});

/** What the store needs to decide: our effective limits after margins and header corrections. */
export interface EffectiveLimits {
  limit: number;
  windowMs: number;
  dailyLimit: number;
}

export interface BudgetView {
  /** Grants still free in the current window. */
  remaining: number;
  /** Grants still free today. */
  dailyRemaining: number;
}

export interface AcquireResult extends BudgetView {
  granted: boolean;
  /** When not granted: ms until the next slot frees. */
  waitMs: number;
  /** When granted: names the slot for `settle`. */
  ticket?: string;
}

/** Where the budget of a location is kept; all operations are atomic per location. */
export interface RateBudgetStore {
  /** Takes one slot when free; otherwise tells how long until one frees. */
  acquire(locationId: string, limits: EffectiveLimits): Promise<AcquireResult>;
  /** Expected wait of the waiter at `position` (0 = the next grant) if nobody else takes slots. */
  estimateWaitMs(locationId: string, limits: EffectiveLimits, position: number): Promise<number>;
  /** The upstream says fewer remain than we think: take the difference out of the budget. */
  restrict(locationId: string, limits: EffectiveLimits, upstream: Partial<BudgetView>): Promise<BudgetView>;
  /** A 429: no more grants until the window has passed. */
  /**
   * Takes every free slot of the window (after an upstream 429). `holdMs`: how long the taken slots
   * stay taken (the 429's `Retry-After`), at most the window; default the whole window.
   */
  drain(locationId: string, limits: EffectiveLimits, holdMs?: number): Promise<BudgetView>;
  /**
   * The call of a granted slot has finished: its slot now counts from this moment. The upstream
   * counts a request when it ARRIVES, somewhere between our grant and the answer; holding the slot
   * until the answer plus a window keeps every upstream window inside the limit whatever the
   * delay between grant and arrival (event-loop stalls, connection queues, network jitter).
   */
  settle(locationId: string, limits: EffectiveLimits, ticket: string): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * The wait for the grant at `position` given the live grants of the window (ascending), shared
 * by the memory store and (ported to Lua) the Redis script. The k-th future grant can happen once
 * the grant `limit` places before it has left the window.
 */
export function slotWaitMs(input: {
  entries: readonly number[];
  now: number;
  limits: EffectiveLimits;
  dailyUsed: number;
  position: number;
}): number {
  const { entries, now, limits, dailyUsed, position } = input;
  const { limit, windowMs, dailyLimit } = limits;
  let wait = 0;
  if (dailyUsed + position >= dailyLimit) wait = Math.ceil(now / DAY_MS) * DAY_MS - now || DAY_MS;
  const rounds = Math.floor(position / limit);
  const index = entries.length - limit + (position % limit);
  const at = index < 0 ? now + rounds * windowMs : (entries[index] as number) + (rounds + 1) * windowMs;
  return Math.max(wait, at - now);
}

/** The in-memory store: one instance owns the whole budget of its locations. */
export function createMemoryBudgetStore(options: { clock?: Clock } = {}): RateBudgetStore {
  const clock = options.clock ?? systemClock;
  const states = new Map<string, { entries: number[]; day: number; dailyUsed: number }>();

  function load(locationId: string, limits: EffectiveLimits) {
    const now = clock.now();
    let state = states.get(locationId);
    if (!state) {
      state = { entries: [], day: Math.floor(now / DAY_MS), dailyUsed: 0 };
      states.set(locationId, state);
    }
    const day = Math.floor(now / DAY_MS);
    if (state.day !== day) {
      state.day = day;
      state.dailyUsed = 0;
    }
    const horizon = now - limits.windowMs;
    let drop = 0;
    while (drop < state.entries.length && (state.entries[drop] as number) <= horizon) drop++;
    if (drop > 0) state.entries.splice(0, drop);
    return { state, now };
  }

  const view = (state: { entries: number[]; dailyUsed: number }, limits: EffectiveLimits): BudgetView => ({
    remaining: Math.max(0, limits.limit - state.entries.length),
    dailyRemaining: Math.max(0, limits.dailyLimit - state.dailyUsed),
  });

  /** `count` grants at time `at` (≤ now), keeping the log sorted. */
  function fill(state: { entries: number[] }, at: number, count: number) {
    let index = state.entries.length;
    while (index > 0 && (state.entries[index - 1] as number) > at) index--;
    state.entries.splice(index, 0, ...Array.from({ length: count }, () => at));
  }

  return {
    async acquire(locationId, limits) {
      const { state, now } = load(locationId, limits);
      if (state.entries.length < limits.limit && state.dailyUsed < limits.dailyLimit) {
        state.entries.push(now);
        state.dailyUsed += 1;
        return { granted: true, waitMs: 0, ticket: String(now), ...view(state, limits) };
      }
      const waitMs = slotWaitMs({ entries: state.entries, now, limits, dailyUsed: state.dailyUsed, position: 0 });
      return { granted: false, waitMs: Math.max(1, waitMs), ...view(state, limits) };
    },
    async estimateWaitMs(locationId, limits, position) {
      const { state, now } = load(locationId, limits);
      return slotWaitMs({ entries: state.entries, now, limits, dailyUsed: state.dailyUsed, position });
    },
    async restrict(locationId, limits, upstream) {
      const { state, now } = load(locationId, limits);
      const free = limits.limit - state.entries.length;
      if (upstream.remaining !== undefined && free > upstream.remaining) {
        fill(state, now, free - Math.max(0, upstream.remaining));
      }
      if (upstream.dailyRemaining !== undefined) {
        state.dailyUsed = Math.max(state.dailyUsed, limits.dailyLimit - Math.max(0, upstream.dailyRemaining));
      }
      return view(state, limits);
    },
    async drain(locationId, limits, holdMs) {
      const { state, now } = load(locationId, limits);
      // A slot granted at `at` frees at `at + windowMs`: back-dated so it frees after `holdMs`.
      const hold = holdMs === undefined ? limits.windowMs : Math.min(Math.max(1, holdMs), limits.windowMs);
      fill(state, now - limits.windowMs + hold, Math.max(0, limits.limit - state.entries.length));
      return view(state, limits);
    },
    async settle(locationId, limits, ticket) {
      const { state, now } = load(locationId, limits);
      // Entries are bare times: any entry of the grant's time stands for this slot. Searched from
      // the end: the grant is recent, the log holds every grant of the window (thousands at load).
      const index = state.entries.lastIndexOf(Number(ticket));
      if (index < 0) return; // already out of the window
      state.entries.splice(index, 1);
      state.entries.push(now); // `now` is the latest time: the log stays sorted
    },
  };
}

/**
 * Uses `primary` (Redis) and, while it fails, `fallback` (this instance's memory): a Redis outage
 * then degrades to a per-instance budget instead of failing every upstream call.
 */
export function withFallbackStore(
  primary: RateBudgetStore,
  fallback: RateBudgetStore,
  onError: (error: unknown) => void,
): RateBudgetStore {
  const guard =
    <A extends unknown[], R>(pick: (store: RateBudgetStore) => (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await pick(primary)(...args);
      } catch (error) {
        onError(error);
        return pick(fallback)(...args);
      }
    };
  return {
    acquire: guard((s) => s.acquire.bind(s)),
    estimateWaitMs: guard((s) => s.estimateWaitMs.bind(s)),
    restrict: guard((s) => s.restrict.bind(s)),
    drain: guard((s) => s.drain.bind(s)),
    settle: guard((s) => s.settle.bind(s)),
  };
}

/** What the upstream's `X-RateLimit-*` headers say (FACTS.md "Rate limits"). */
export interface RateLimitHeaders {
  max?: number;
  remaining?: number;
  intervalMs?: number;
  dailyRemaining?: number;
  dailyLimit?: number;
}

function headerNumber(headers: UpstreamResponse["headers"], name: string): number | undefined {
  const value = headerText(headers, name);
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function parseRateLimitHeaders(headers: UpstreamResponse["headers"]): RateLimitHeaders {
  return {
    max: headerNumber(headers, "x-ratelimit-max"),
    remaining: headerNumber(headers, "x-ratelimit-remaining"),
    intervalMs: headerNumber(headers, "x-ratelimit-interval-milliseconds"),
    dailyRemaining: headerNumber(headers, "x-ratelimit-daily-remaining"),
    dailyLimit: headerNumber(headers, "x-ratelimit-limit-daily"),
  };
}

export interface RateGovernorHooks {
  /** After every grant or correction: what is left for the location. */
  budget?(event: { locationId: string; remaining: number; dailyRemaining: number }): void;
  /** Whenever the queue of a location grows or shrinks. */
  queueLength?(event: { locationId: string; length: number }): void;
  /** A request gave up waiting (UPSTREAM_RATE_LIMITED raised by us); `priority` is its class (`lane`). */
  rejected?(event: { locationId: string; priority: string; expectedWaitMs: number }): void;
  /** The upstream answered 429 despite our budget. */
  upstreamRateLimited?(event: { locationId: string }): void;
}

export interface RateGovernorOptions {
  policy?: Partial<RatePolicy>;
  store?: RateBudgetStore;
  clock?: Clock;
  hooks?: RateGovernorHooks;
  /** Called when a store operation fails (e.g. Redis down); the request then fails. */
  onStoreError?(error: unknown): void;
}

export interface LocationRateSnapshot {
  locationId: string;
  /** Grants left in the current window, as this instance last saw them (aged: see `snapshot`). */
  remaining: number;
  /** Grants left today, likewise. */
  dailyRemaining: number;
  /** Requests waiting for budget. */
  queueLength: number;
  /** Granted calls still under way (at most the policy's `concurrency`). */
  inFlight: number;
  /** Our effective limits: after the safety margin and the upstream's header corrections. */
  limit: number;
  windowMs: number;
  dailyLimit: number;
}

export interface RateGovernor {
  middleware: UpstreamMiddleware;
  /**
   * Waits for a concurrency slot and budget (queued by priority); rejects with UPSTREAM_RATE_LIMITED
   * past the deadline. Resolves to the grant: call `release()` exactly once when the call is over.
   */
  acquire(request: UpstreamRequest): Promise<Grant>;
  /** Feeds a response's headers back into the budget. `othersInFlight` = our calls still under way. */
  observe(request: UpstreamRequest, response: UpstreamResponse, othersInFlight: number): Promise<void>;
  snapshot(): LocationRateSnapshot[];
  limitsFor(locationId: string): EffectiveLimits;
  /** What is left of a location's window and day, as this instance last saw it (aged like `snapshot`). */
  budgetOf(locationId: string): BudgetView;
}

/** A granted call: its budget ticket, and the concurrency slot it holds until `release`. */
export interface Grant {
  ticket: string | undefined;
  /** Frees the concurrency slot and settles the budget slot (idempotent). */
  release(): Promise<void>;
}

interface Waiter {
  request: UpstreamRequest;
  /** LANE_RANK of its class. */
  rank: number;
  /** Fairness key: the operation's caller (anonymous work shares one). */
  caller: string;
  /** Its expected wait has been compared with its deadline once. */
  checked: boolean;
  deadlineAt: number;
  resolve(grant: Grant): void;
  reject(error: unknown): void;
  cleanup(): void;
}

interface LocationState {
  waiters: Waiter[];
  pumping: boolean;
  /** Aborts the pump's current sleep so it re-evaluates (new waiter, correction). */
  wake: AbortController | undefined;
  inFlight: number;
  /** Per caller: the number of the grant it last got (this instance's), for fairness within a class. */
  lastGrant: Map<string, number>;
  /** Grants so far (numbers `lastGrant`). */
  grants: number;
  view: BudgetView;
  /** Epoch ms of the last grant, correction or finished call (ages `view` in snapshots). */
  lastActivityAt: number;
  upstreamMax?: number;
  upstreamIntervalMs?: number;
  upstreamDaily?: number;
}

export function resolveRatePolicy(policy: Partial<RatePolicy> = {}): RatePolicy {
  const merged = mergePolicy<RatePolicy>(DEFAULT_RATE_POLICY, policy);
  for (const key of ["burst", "intervalMs", "daily"] as const) {
    if (!(Number.isFinite(merged[key]) && merged[key] >= 1)) {
      throw new RangeError(`rate policy ${key}: expected a number >= 1, received ${String(merged[key])}`);
    }
  }
  if (!(merged.safetyRatio >= 0 && merged.safetyRatio < 1)) {
    throw new RangeError(`rate policy safetyRatio: expected 0 <= ratio < 1, received ${String(merged.safetyRatio)}`);
  }
  if (!(Number.isInteger(merged.concurrency) && merged.concurrency >= 1)) {
    throw new RangeError(`rate policy concurrency: expected an integer >= 1, received ${String(merged.concurrency)}`);
  }
  if (!(merged.maxWaitMs >= 0)) {
    throw new RangeError(`rate policy maxWaitMs: expected a number >= 0, received ${String(merged.maxWaitMs)}`);
  }
  if (merged.answerReserveMs !== undefined && !(merged.answerReserveMs >= 0)) {
    throw new RangeError(`rate policy answerReserveMs: expected a number >= 0, received ${String(merged.answerReserveMs)}`);
  }
  return merged;
}

export function createRateGovernor(options: RateGovernorOptions = {}): RateGovernor {
  const policy = resolveRatePolicy(options.policy);
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryBudgetStore({ clock });
  const hooks = options.hooks ?? {};
  const locations = new Map<string, LocationState>();

  function stateOf(locationId: string): LocationState {
    let state = locations.get(locationId);
    if (!state) {
      const limits = limitsFromPolicy(undefined);
      state = {
        waiters: [],
        pumping: false,
        wake: undefined,
        inFlight: 0,
        lastGrant: new Map(),
        grants: 0,
        view: { remaining: limits.limit, dailyRemaining: limits.dailyLimit },
        lastActivityAt: clock.now(),
      };
      locations.set(locationId, state);
    }
    return state;
  }

  function limitsFromPolicy(state: LocationState | undefined): EffectiveLimits {
    // The upstream's headers may only make us stricter.
    const burst = Math.min(policy.burst, state?.upstreamMax ?? Infinity);
    const intervalMs = Math.max(policy.intervalMs, state?.upstreamIntervalMs ?? 0);
    const daily = Math.min(policy.daily, state?.upstreamDaily ?? Infinity);
    const margin = policy.windowMarginMs ?? Math.min(1_000, Math.max(50, Math.round(intervalMs * 0.1)));
    return {
      limit: Math.max(1, Math.floor(burst * (1 - policy.safetyRatio))),
      windowMs: intervalMs + margin,
      dailyLimit: Math.max(1, Math.floor(daily * (1 - policy.safetyRatio))),
    };
  }

  const limitsFor = (locationId: string) => limitsFromPolicy(locations.get(locationId));

  function setView(locationId: string, state: LocationState, view: BudgetView) {
    state.view = { remaining: view.remaining, dailyRemaining: view.dailyRemaining };
    state.lastActivityAt = clock.now();
    callHook(hooks.budget, { locationId, ...state.view });
  }

  const answerReserveMs = policy.answerReserveMs ?? Math.round(policy.intervalMs / 10);

  const MAX_REMEMBERED_CALLERS = 10_000;

  function recordGrant(state: LocationState, caller: string) {
    state.grants += 1;
    state.lastGrant.delete(caller); // re-inserted last: the map stays ordered by last grant
    state.lastGrant.set(caller, state.grants);
    if (state.lastGrant.size > MAX_REMEMBERED_CALLERS) {
      // Forget the longest-served callers first (they would go first anyway: never served = oldest).
      const oldest = state.lastGrant.keys().next().value;
      if (oldest !== undefined) state.lastGrant.delete(oldest);
    }
  }

  /**
   * The waiter the next slot goes to: of the most urgent class waiting, the one whose caller was
   * served least recently (round robin between callers: a caller with a thousand calls queued
   * gets one slot, then a caller with one gets the next); the earliest of that caller's waiters.
   */
  function nextWaiter(state: LocationState): Waiter | undefined {
    const first = state.waiters[0];
    if (!first) return undefined;
    let best = first;
    let bestServed = state.lastGrant.get(first.caller) ?? 0;
    for (let i = 1; i < state.waiters.length && bestServed > 0; i++) {
      const waiter = state.waiters[i] as Waiter;
      if (waiter.rank !== first.rank) break;
      if (waiter.caller === best.caller) continue;
      const served = state.lastGrant.get(waiter.caller) ?? 0;
      if (served < bestServed) {
        best = waiter;
        bestServed = served;
      }
    }
    return best;
  }

  function rateLimited(request: UpstreamRequest, expectedWaitMs: number, allowedMs: number): UpstreamError {
    callHook(hooks.rejected, { locationId: request.locationId, priority: laneOf(request), expectedWaitMs });
    return new UpstreamError({
      code: "UPSTREAM_RATE_LIMITED",
      reason: "rate_limited",
      message:
        `Upstream rate budget of location ${request.locationId} exhausted: expected a wait of at most ` +
        `${Math.max(0, Math.floor(allowedMs))} ms, the next free slot is ${Math.ceil(expectedWaitMs)} ms away`,
      method: request.method,
      route: request.route,
      retryAfterMs: Math.ceil(expectedWaitMs),
    });
  }

  function removeWaiter(state: LocationState, waiter: Waiter, locationId: string) {
    const index = state.waiters.indexOf(waiter);
    if (index >= 0) {
      state.waiters.splice(index, 1);
      callHook(hooks.queueLength, { locationId, length: state.waiters.length });
    }
  }

  function insertByPriority(state: LocationState, waiter: Waiter): number {
    // By class, FIFO within a class (fairness between callers is decided at grant time).
    let index = state.waiters.findIndex((w) => w.rank > waiter.rank);
    if (index < 0) index = state.waiters.length;
    state.waiters.splice(index, 0, waiter);
    return index;
  }

  async function pump(locationId: string, state: LocationState): Promise<void> {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (state.waiters.length > 0) {
        // Every slot is taken: the next call to finish restarts the pump (`grantOf`).
        if (state.inFlight >= policy.concurrency) break;
        const head = nextWaiter(state) as Waiter;
        const limits = limitsFor(locationId);
        let result: AcquireResult;
        try {
          result = await store.acquire(locationId, limits);
        } catch (error) {
          options.onStoreError?.(error);
          // The store is unreachable: fail every waiter rather than guessing a budget.
          for (const waiter of state.waiters.splice(0)) {
            waiter.cleanup();
            waiter.reject(storeUnavailable(waiter.request, error));
          }
          callHook(hooks.queueLength, { locationId, length: 0 });
          return;
        }
        if (result.granted) {
          // Not shift(): `head` need not be first, and others may have joined while we awaited the store.
          const index = state.waiters.indexOf(head);
          if (index >= 0) state.waiters.splice(index, 1);
          head.cleanup();
          setView(locationId, state, result);
          callHook(hooks.queueLength, { locationId, length: state.waiters.length });
          if (index >= 0) {
            state.inFlight += 1; // taken now, before the waiter runs: the next turn sees it
            recordGrant(state, head.caller);
            callHook(head.request.onGrant, undefined);
            head.resolve(grantOf(locationId, state, result.ticket));
          } else if (result.ticket !== undefined) void store.settle(locationId, limits, result.ticket).catch(() => undefined);
          continue;
        }
        setView(locationId, state, result);
        const now = clock.now();
        if (nextWaiter(state) !== head) continue; // someone went ahead or left: decide for them
        if (now + result.waitMs > head.deadlineAt) {
          // The head would wait past its deadline: it gives up now instead of waiting in vain.
          removeWaiter(state, head, locationId);
          head.cleanup();
          head.reject(rateLimited(head.request, result.waitMs, head.deadlineAt - now));
          continue;
        }
        head.checked = true;
        // Everyone else: past the deadline → give up; not yet estimated → estimate where they stand.
        for (const waiter of [...state.waiters]) {
          if (waiter === head) continue;
          // Roughly its place: classes are strict, the order within one bends to fairness.
          const position = state.waiters.indexOf(waiter) + (state.waiters.indexOf(head) > state.waiters.indexOf(waiter) ? 1 : 0);
          if (position < 1) continue;
          let expectedMs = result.waitMs;
          let hopeless = clock.now() >= waiter.deadlineAt;
          if (!hopeless && !waiter.checked) {
            waiter.checked = true;
            try {
              expectedMs = await store.estimateWaitMs(locationId, limits, position);
              hopeless = clock.now() + expectedMs > waiter.deadlineAt;
            } catch (error) {
              options.onStoreError?.(error);
            }
          }
          if (hopeless && state.waiters.includes(waiter)) {
            removeWaiter(state, waiter, locationId);
            waiter.cleanup();
            waiter.reject(rateLimited(waiter.request, expectedMs, waiter.deadlineAt - now));
          }
        }
        if (state.waiters.length === 0) break;
        const nextDeadline = Math.min(...state.waiters.map((w) => w.deadlineAt));
        const sleepMs = Math.max(1, Math.min(result.waitMs, nextDeadline - now));
        const wake = new AbortController();
        state.wake = wake;
        try {
          await clock.sleep(sleepMs, wake.signal);
        } catch {
          // woken early: re-evaluate
        } finally {
          state.wake = undefined;
        }
      }
    } finally {
      state.pumping = false;
    }
  }

  function storeUnavailable(request: UpstreamRequest, cause: unknown): UpstreamError {
    return new UpstreamError({
      code: "UPSTREAM_UNAVAILABLE",
      reason: "unexpected", // not the upstream's fault: neither retried nor counted by the breaker
      message: `Rate budget store unreachable for location ${request.locationId}; the call was not sent`,
      method: request.method,
      route: request.route,
      cause,
    });
  }

  function grantOf(locationId: string, state: LocationState, ticket: string | undefined): Grant {
    let released = false;
    return {
      ticket,
      async release() {
        if (released) return;
        released = true;
        state.inFlight -= 1;
        state.lastActivityAt = clock.now();
        if (state.waiters.length > 0) {
          state.wake?.abort();
          void pump(locationId, state);
        }
        if (ticket !== undefined) {
          await store.settle(locationId, limitsFor(locationId), ticket).catch((error: unknown) => options.onStoreError?.(error));
        }
      },
    };
  }

  async function acquire(request: UpstreamRequest): Promise<Grant> {
    const locationId = request.locationId;
    const state = stateOf(locationId);
    const now = clock.now();
    // An operation's call waits as long as the operation can still use its answer; others maxWaitMs.
    const deadlineAt = request.deadlineAt !== undefined ? request.deadlineAt - answerReserveMs : now + policy.maxWaitMs;
    if (request.signal?.aborted) throw request.signal.reason;

    return new Promise<Grant>((resolve, reject) => {
      const onAbort = () => {
        removeWaiter(state, waiter, locationId);
        reject(request.signal?.reason);
      };
      const waiter: Waiter = {
        request,
        rank: LANE_RANK[laneOf(request)],
        caller: request.caller ?? "",
        checked: false,
        deadlineAt,
        resolve,
        reject,
        cleanup: () => request.signal?.removeEventListener("abort", onAbort),
      };
      request.signal?.addEventListener("abort", onAbort, { once: true });
      const position = insertByPriority(state, waiter);
      callHook(hooks.queueLength, { locationId, length: state.waiters.length });
      // A new head must be decided at once; anyone else is estimated by the pump when the budget
      // runs out (it may well be granted before that).
      if (position === 0) state.wake?.abort();
      void pump(locationId, state);
    });
  }

  async function observe(request: UpstreamRequest, response: UpstreamResponse, othersInFlight: number): Promise<void> {
    const locationId = request.locationId;
    const state = stateOf(locationId);
    const headers = parseRateLimitHeaders(response.headers);
    if (headers.max !== undefined && headers.max >= 1) state.upstreamMax = headers.max;
    if (headers.intervalMs !== undefined && headers.intervalMs >= 1) state.upstreamIntervalMs = headers.intervalMs;
    if (headers.dailyLimit !== undefined && headers.dailyLimit >= 1) state.upstreamDaily = headers.dailyLimit;
    const limits = limitsFor(locationId);
    let view: BudgetView | undefined;
    if (response.status === 429) {
      callHook(hooks.upstreamRateLimited, { locationId });
      // The upstream's Retry-After wins over our own window (a 429 asking for 1 s must not hold
      // the location for the whole 10 s window).
      view = await store.drain(locationId, limits, parseRetryAfterMs(headerText(response.headers, "retry-after"), clock.now()));
    } else {
      // Requests still in flight were not yet counted by the upstream when it answered this one.
      const remaining =
        headers.remaining === undefined ? undefined : Math.max(0, headers.remaining - othersInFlight);
      const dailyRemaining =
        headers.dailyRemaining === undefined ? undefined : Math.max(0, headers.dailyRemaining - othersInFlight);
      const stricter =
        (remaining !== undefined && remaining < state.view.remaining) ||
        (dailyRemaining !== undefined && dailyRemaining < state.view.dailyRemaining);
      if (stricter) view = await store.restrict(locationId, limits, { remaining, dailyRemaining });
    }
    if (view) {
      setView(locationId, state, view);
      state.wake?.abort();
    }
  }

  const middleware: UpstreamMiddleware = (next) => async (request) => {
    const grant = await acquire(request);
    const state = stateOf(request.locationId);
    let response: UpstreamResponse;
    try {
      response = await next(request);
    } finally {
      await grant.release();
    }
    try {
      await observe(request, response, state.inFlight);
    } catch (error) {
      options.onStoreError?.(error);
    }
    return response;
  };

  /**
   * The budget as this instance last saw it, aged: once nothing of ours is queued or under way and
   * a whole window has passed since our last grant, correction or answer, every slot we took has
   * left the window (and the daily count has reset after UTC midnight). Without this, a burst's
   * "0 left" would stand in /metrics until the next call. Other instances' calls on a shared Redis
   * budget show up at our next grant.
   */
  function agedView(state: LocationState, limits: EffectiveLimits): BudgetView {
    if (state.inFlight > 0 || state.waiters.length > 0) return state.view;
    const now = clock.now();
    const windowPassed = now - state.lastActivityAt >= limits.windowMs;
    const dayPassed = Math.floor(now / DAY_MS) !== Math.floor(state.lastActivityAt / DAY_MS);
    return {
      remaining: windowPassed ? limits.limit : state.view.remaining,
      dailyRemaining: dayPassed ? limits.dailyLimit : state.view.dailyRemaining,
    };
  }

  function snapshot(): LocationRateSnapshot[] {
    return [...locations.entries()].map(([locationId, state]) => {
      const limits = limitsFor(locationId);
      const view = agedView(state, limits);
      return {
        locationId,
        remaining: view.remaining,
        dailyRemaining: view.dailyRemaining,
        queueLength: state.waiters.length,
        inFlight: state.inFlight,
        limit: limits.limit,
        windowMs: limits.windowMs,
        dailyLimit: limits.dailyLimit,
      };
    });
  }

  function budgetOf(locationId: string): BudgetView {
    const state = locations.get(locationId);
    const limits = limitsFor(locationId);
    return state ? agedView(state, limits) : { remaining: limits.limit, dailyRemaining: limits.dailyLimit };
  }

  return { middleware, acquire, observe, snapshot, limitsFor, budgetOf };
}
