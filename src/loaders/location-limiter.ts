/**
 * Bounds concurrent upstream calls per location (UPSTREAM_CONCURRENCY): a dashboard asking for 50
 * contacts × 3 relations does not open 150 sockets at once. One limiter is shared by every request
 * of a gateway. Rate budgets are the rate governor's business, not this module's.
 */

export interface LocationLimiterOptions {
  /** Max calls in flight per location. Default 16. */
  concurrencyPerLocation?: number;
}

export interface LocationLimiter {
  run<T>(locationId: string, task: () => Promise<T>): Promise<T>;
  /** Calls running / waiting for a location (metrics, tests). */
  load(locationId: string): { active: number; queued: number };
}

export function createLocationLimiter(options: LocationLimiterOptions = {}): LocationLimiter {
  const limit = options.concurrencyPerLocation ?? 16;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TypeError(`createLocationLimiter: concurrencyPerLocation must be an integer >= 1, received ${limit}`);
  }
  const lanes = new Map<string, { active: number; queue: Array<() => void> }>();

  const lane = (locationId: string) => {
    let l = lanes.get(locationId);
    if (!l) lanes.set(locationId, (l = { active: 0, queue: [] }));
    return l;
  };

  return {
    async run<T>(locationId: string, task: () => Promise<T>): Promise<T> {
      const l = lane(locationId);
      if (l.active >= limit) await new Promise<void>((resolve) => l.queue.push(resolve));
      l.active += 1;
      try {
        return await task();
      } finally {
        l.active -= 1;
        const next = l.queue.shift();
        if (next) next();
        else if (l.active === 0) lanes.delete(locationId);
      }
    },
    load(locationId: string) {
      const l = lanes.get(locationId);
      return { active: l?.active ?? 0, queued: l?.queue.length ?? 0 };
    },
  };
}
