/**
 * Warm-up: after start and after an install, each served location's newest contacts (WARMUP_CONTACTS)
 * are read with their relations into the resource cache, in the background, so the first
 * dashboard is already warm. It reads through a loader set like any operation (so it fills the
 * very keys a dashboard reads: the first contact pages of WARMUP_PAGE_SIZES, each contact's
 * tasks and appointments (through their bulk reads, all newest contacts in one batch, when the
 * location can use them), notes), inside the
 * background budget's warm-up lane (src/upstream/background-budget.ts): never more than
 * WARMUP_BUDGET_PERCENT of a location's interval budget in any interval. Failures are counted and
 * left to the first real read. Progress is reported (`/readyz`), never awaited by readiness.
 */
import type { BackgroundBudget } from "../upstream/background-budget.js";
import type { PerContactResource } from "../upstream/resources.js";
import type { Loaders } from "./contact.loaders.js";

export interface WarmUpOptions {
  /** A loader set for a location (no read log, no operation deadline). */
  createLoaders(locationId: string): Loaders;
  /** The locations to warm after start (the credential provider's `locations()`). */
  servedLocations(): Iterable<string> | Promise<Iterable<string>>;
  budget: Pick<BackgroundBudget, "run" | "free" | "whenFree">;
  /** The budget lane (default "warmUp"). */
  lane?: string;
  /** Newest contacts per location whose relations are read. */
  contacts: number;
  /** First contact pages read (no query), each at most `contacts`; the largest names the contacts. */
  pageSizes: readonly number[];
  /** The relations read per contact (the registry's per-contact resources). */
  resources: readonly PerContactResource[];
  /**
   * Whether a location reads a resource through its bulk route (bulk-route.memory.ts `usable`):
   * then the lists of every newest contact are read in one batch. Absent: every list one call,
   * contacts in chunks that fit the lane's free share.
   */
  bulkUsable?(locationId: string, resource: PerContactResource): boolean;
  onError?: (error: unknown, locationId: string) => void;
}

export interface LocationWarmUp {
  state: "running" | "done" | "failed";
  /** Pages and relation lists read (or found cached) so far, and how many in all (known once the page is read). */
  loaded: number;
  total: number;
  failed: number;
}

export interface WarmUpProgress {
  state: "off" | "idle" | "running" | "done";
  locations: { total: number; done: number };
  /** Per location (ids; callers decide who may see them). */
  byLocation: Record<string, LocationWarmUp>;
}

export interface WarmUp {
  /** Warms every served location (after start); resolves when all are done. */
  start(): Promise<void>;
  /** Warms one location (after an install); resolves when done. A location warming already is not started twice. */
  warm(locationId: string): Promise<void>;
  progress(): WarmUpProgress;
}

export function createWarmUp(options: WarmUpOptions): WarmUp {
  const lane = options.lane ?? "warmUp";
  const off = options.contacts <= 0;
  const sizes = [...new Set([...options.pageSizes, options.contacts])].filter((n) => n >= 1 && n <= options.contacts).sort((a, b) => a - b);
  const byLocation = new Map<string, LocationWarmUp>();
  const running = new Map<string, Promise<void>>();
  let started = false;

  const warmLocation = async (locationId: string, state: LocationWarmUp) => {
    const loaders = options.createLoaders(locationId);
    const step = <T>(promise: Promise<T>) =>
      promise.then(
        () => void (state.loaded += 1),
        (error: unknown) => {
          state.failed += 1;
          options.onError?.(error, locationId);
        },
      );
    let newest: string[] = [];
    state.total = sizes.length;
    // Reads start only when the lane has room for them, so none waits in the budget's queue while
    // registered in the cache's single-flight (an interactive read joining it would wait too).
    await options.budget.whenFree(lane, locationId, sizes.length);
    await Promise.all(
      sizes.map((limit) =>
        step(
          loaders.contactPage({ limit }).then((page) => {
            if (limit === sizes[sizes.length - 1]) newest = page.contacts.map((c) => c.id);
          }),
        ),
      ),
    );
    state.total += newest.length * options.resources.length;
    // Relations the location reads in bulk (tasks' search route, appointments through the
    // calendars) first, for every newest contact at once: one DataLoader batch each, a few calls
    // (their estimate: a call per `contactsPerCall` contacts) instead of one per contact per chunk.
    const inBulk = options.resources.filter((r) => r.bulk && options.bulkUsable?.(locationId, r));
    if (inBulk.length > 0 && newest.length > 0) {
      const estimate = inBulk.reduce((calls, r) => calls + Math.ceil(newest.length / r.bulk!.contactsPerCall), 0);
      await options.budget.whenFree(lane, locationId, estimate);
      await Promise.all(inBulk.flatMap((resource) => newest.map((contactId) => step(loaders.list(resource).load(contactId)))));
    }
    const perContactResources = options.resources.filter((r) => !inBulk.includes(r));
    const perContact = perContactResources.reduce((calls, r) => calls + r.costWeight, 0);
    for (let i = 0; i < newest.length && perContactResources.length > 0; ) {
      await options.budget.whenFree(lane, locationId, perContact);
      const take = Math.max(1, Math.floor(options.budget.free(lane, locationId) / perContact));
      const chunk = newest.slice(i, i + take);
      i += chunk.length;
      await Promise.all(chunk.flatMap((contactId) => perContactResources.map((resource) => step(loaders.list(resource).load(contactId)))));
    }
  };

  const warm = (locationId: string): Promise<void> => {
    if (off) return Promise.resolve();
    const current = running.get(locationId);
    if (current) return current;
    const state: LocationWarmUp = { state: "running", loaded: 0, total: 0, failed: 0 };
    byLocation.set(locationId, state);
    const work = options.budget
      .run(lane, () => warmLocation(locationId, state))
      .then(
        () => void (state.state = state.failed > 0 && state.loaded === 0 ? "failed" : "done"),
        (error: unknown) => {
          state.state = "failed";
          options.onError?.(error, locationId);
        },
      )
      .finally(() => running.delete(locationId));
    running.set(locationId, work);
    return work;
  };

  return {
    async start() {
      if (off) return;
      started = true;
      let locations: string[] = [];
      try {
        locations = [...(await options.servedLocations())];
      } catch (error) {
        options.onError?.(error, "*");
      }
      await Promise.all(locations.map((id) => warm(id)));
    },
    warm,
    progress() {
      const all = [...byLocation.values()];
      const done = all.filter((s) => s.state !== "running").length;
      return {
        state: off ? "off" : !started && all.length === 0 ? "idle" : done < all.length ? "running" : "done",
        locations: { total: all.length, done },
        byLocation: Object.fromEntries(byLocation),
      };
    },
  };
}
