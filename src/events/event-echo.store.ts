/**
 * Pairs the gateway's own announcement of a write (source GATEWAY) with HighLevel's webhook for the
 * same change (source WEBHOOK), so subscribers receive each change once: whichever of the two comes
 * first is delivered, the other is recognised as its echo and dropped.
 *
 * A change is named by `location | event type | resource id` (the contact for contact events, the
 * task, note or appointment otherwise). Each side leaves a claim the other side consumes; claims are
 * counted, so two quick writes to the same contact pair with their two webhooks. A gateway claim
 * waits `gatewayTtlMs` (default 10 min: HighLevel delivers within seconds, and only retries after
 * a 429); a webhook claim only `webhookTtlMs` (default 30 s: it only has to cover a webhook that
 * overtakes the write's own answer), so a change made in HighLevel cannot hide a later gateway write
 * for long. Types HighLevel never sends (TASK_UPDATE) are not paired.
 *
 * Memory on one instance; Redis (one Lua script per claim, atomic) when instances share events, so
 * a write at one instance pairs with the webhook delivered to another.
 */
import type { Redis } from "ioredis";
import {
  ContactEventType,
  isAppointmentEvent,
  isNoteEvent,
  isTaskEvent,
  type ContactEvent,
} from "./contact-event.types.js";

export type EchoSide = "gateway" | "webhook";

export interface EventEchoStore {
  /**
   * Records this side's event, or consumes the other side's claim for the same change.
   * `"echo"`: the other side already delivered it (drop this one); `"first"`: deliver it.
   */
  claim(side: EchoSide, event: ContactEvent): Promise<"first" | "echo">;
}

export interface EchoStoreOptions {
  /** How long a gateway announcement waits for its webhook, ms. Default 600_000 (10 min). */
  gatewayTtlMs?: number;
  /** How long a webhook that came first waits for the gateway's announcement, ms. Default 30_000. */
  webhookTtlMs?: number;
  /** Injectable clock (memory store), ms. */
  now?: () => number;
}

const DEFAULTS = { gatewayTtlMs: 600_000, webhookTtlMs: 30_000 };

/** Types HighLevel announces too (so worth pairing). */
const UNPAIRED: ReadonlySet<ContactEventType> = new Set([ContactEventType.TASK_UPDATE]);

/** The change an event names, or undefined when it cannot be paired. */
export function echoKey(event: ContactEvent): string | undefined {
  if (UNPAIRED.has(event.type)) return undefined;
  const id = isTaskEvent(event)
    ? event.task.id
    : isNoteEvent(event)
      ? event.note.id
      : isAppointmentEvent(event)
        ? event.appointment.id
        : event.contactId;
  return id ? `${event.locationId}|${event.type}|${id}` : undefined;
}

const other = (side: EchoSide): EchoSide => (side === "gateway" ? "webhook" : "gateway");

export function createMemoryEchoStore(options: EchoStoreOptions = {}): EventEchoStore {
  const ttl = { gateway: options.gatewayTtlMs ?? DEFAULTS.gatewayTtlMs, webhook: options.webhookTtlMs ?? DEFAULTS.webhookTtlMs };
  const now = options.now ?? Date.now;
  /** side|key → expiry times of its open claims, oldest first. */
  const claims = new Map<string, number[]>();
  const live = (entry: string): number[] => {
    const list = (claims.get(entry) ?? []).filter((expires) => expires > now());
    if (list.length === 0) claims.delete(entry);
    else claims.set(entry, list);
    return list;
  };
  let sweeps = 0;
  return {
    async claim(side, event) {
      const key = echoKey(event);
      if (!key) return "first";
      // Drop expired claims now and then, so keys nobody asks about again do not pile up.
      if (++sweeps % 1_000 === 0) for (const entry of [...claims.keys()]) live(entry);
      const theirs = live(`${other(side)}|${key}`);
      if (theirs.length > 0) {
        theirs.shift();
        if (theirs.length === 0) claims.delete(`${other(side)}|${key}`);
        return "echo";
      }
      const mine = live(`${side}|${key}`);
      claims.set(`${side}|${key}`, [...mine, now() + ttl[side]]);
      return "first";
    },
  };
}

// KEYS[1]: the other side's counter, KEYS[2]: this side's; ARGV[1]: this side's TTL, ms.
const CLAIM_SCRIPT = `
local theirs = tonumber(redis.call('GET', KEYS[1]) or '0')
if theirs > 0 then
  redis.call('DECR', KEYS[1])
  return 1
end
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 0
`;

export interface RedisEchoStoreOptions extends EchoStoreOptions {
  redis: Redis;
  /** Deployment key prefix (config.redis.keyPrefix): keys are `<prefix>echo:<side>:<change>`. */
  keyPrefix: string;
}

export function createRedisEchoStore(options: RedisEchoStoreOptions): EventEchoStore {
  const { redis, keyPrefix } = options;
  const ttl = { gateway: options.gatewayTtlMs ?? DEFAULTS.gatewayTtlMs, webhook: options.webhookTtlMs ?? DEFAULTS.webhookTtlMs };
  return {
    async claim(side, event) {
      const key = echoKey(event);
      if (!key) return "first";
      const paired = await redis.eval(CLAIM_SCRIPT, 2, `${keyPrefix}echo:${other(side)}:${key}`, `${keyPrefix}echo:${side}:${key}`, String(ttl[side]));
      return paired === 1 ? "echo" : "first";
    },
  };
}
