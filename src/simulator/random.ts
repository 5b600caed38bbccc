/**
 * Deterministic pseudo-random numbers and HighLevel-shaped ids for the simulator
 * (mulberry32: tiny, fast, good enough for demo data; NOT for secrets).
 */

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** 20-char alphanumeric id like `ocQHyuzHvysMo5N5VsXc`. */
  id20(): string;
  /** 24-hex id (Mongo ObjectId shape) like businessId. */
  hex24(): string;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const from = (alphabet: string, length: number): string => {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)];
    return out;
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error("Rng.pick: expected a non-empty list, received an empty one");
      return items[int(items.length)] as T;
    },
    chance: (probability: number) => next() < probability,
    id20: () => from(ALPHANUMERIC, 20),
    hex24: () => from(HEX, 24),
  };
}
