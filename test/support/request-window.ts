import type { RequestLogEntry } from "../../src/simulator/index.js";

/** The most requests the simulator's log shows in any window of `windowMs` (sliding, every start point). */
export function maxInAnyWindow(requests: readonly RequestLogEntry[], windowMs: number): number {
  const times = requests.map((r) => r.time).sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
