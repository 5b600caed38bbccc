/**
 * The rate governor's budget in Redis, shared by every gateway instance: N replicas together stay
 * inside a location's upstream limit. One Lua script does each operation atomically:
 * it reads Redis' own clock (`TIME`), so instances never compare their clocks, prunes the sliding
 * log of grants (a sorted set scored by grant time), and either reserves a slot or answers how long
 * until one frees. The daily count is a hash `{day, used}` reset at UTC midnight.
 *
 * Keys (under the configured prefix): `<prefix>rl:{<locationId>}:w` (grants of the window) and
 * `<prefix>rl:{<locationId>}:d` (daily count); both expire on their own when a location is idle.
 * The queue of waiting requests stays local to each instance (see rate-governor.ts).
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { AcquireResult, BudgetView, EffectiveLimits, RateBudgetStore } from "./rate-governor.js";

/**
 * ARGV: mode (acquire | estimate | restrict | drain | settle), limit, windowMs, dailyLimit, position
 * (for drain: how long the drained slots stay taken, ms; 0 = the whole window), member (the
 * grant's id; for settle the ticket), remaining (-1 = unknown), dailyRemaining (-1).
 * Returns {granted (0|1), waitMs, remaining, dailyRemaining}. The wait formula is `slotWaitMs` of
 * rate-governor.ts: the k-th future grant needs the grant `limit` places before it out of the window.
 */
export const RATE_BUDGET_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode = ARGV[1]
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local dailyLimit = tonumber(ARGV[4])
local position = tonumber(ARGV[5])
local member = ARGV[6]
local upRemaining = tonumber(ARGV[7])
local upDaily = tonumber(ARGV[8])
local DAY = 86400000

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local day = math.floor(now / DAY)
local used = 0
local d = redis.call('HMGET', KEYS[2], 'day', 'used')
if tonumber(d[1]) == day then used = tonumber(d[2]) or 0 end

local function saveDaily()
  redis.call('HSET', KEYS[2], 'day', day, 'used', used)
  redis.call('PEXPIRE', KEYS[2], 2 * DAY)
end

local function fill(n, at)
  for i = 1, n do
    redis.call('ZADD', KEYS[1], at or now, 'p:' .. now .. ':' .. i .. ':' .. member)
  end
  count = count + n
  redis.call('PEXPIRE', KEYS[1], window + 1000)
end

local function waitFor(p)
  local w = 0
  if used + p >= dailyLimit then w = (day + 1) * DAY - now end
  local rounds = math.floor(p / limit)
  local index = count - limit + (p % limit)
  local at
  if index < 0 then
    at = now + rounds * window
  else
    local e = redis.call('ZRANGE', KEYS[1], index, index, 'WITHSCORES')
    at = tonumber(e[2]) + (rounds + 1) * window
  end
  if at - now > w then w = at - now end
  return w
end

local function view(granted, wait)
  local remaining = limit - count
  if remaining < 0 then remaining = 0 end
  local dailyRemaining = dailyLimit - used
  if dailyRemaining < 0 then dailyRemaining = 0 end
  return {granted, wait, remaining, dailyRemaining}
end

if mode == 'acquire' then
  if count < limit and used < dailyLimit then
    redis.call('ZADD', KEYS[1], now, member)
    redis.call('PEXPIRE', KEYS[1], window + 1000)
    count = count + 1
    used = used + 1
    saveDaily()
    return view(1, 0)
  end
  local w = waitFor(0)
  if w < 1 then w = 1 end
  return view(0, w)
elseif mode == 'estimate' then
  return view(0, waitFor(position))
elseif mode == 'restrict' then
  if upRemaining >= 0 and limit - count > upRemaining then fill(limit - count - upRemaining) end
  if upDaily >= 0 and dailyLimit - upDaily > used then
    used = dailyLimit - upDaily
    saveDaily()
  end
  return view(0, 0)
elseif mode == 'settle' then
  -- the call of this grant has finished: its slot counts from now (see RateBudgetStore.settle)
  if redis.call('ZSCORE', KEYS[1], member) then
    redis.call('ZADD', KEYS[1], now, member)
    redis.call('PEXPIRE', KEYS[1], window + 1000)
  end
  return view(0, 0)
elseif mode == 'drain' then
  -- back-dated so the drained slots free after \`position\` ms (the 429's Retry-After)
  local hold = window
  if position > 0 and position < window then hold = position end
  if limit - count > 0 then fill(limit - count, now - window + hold) end
  return view(0, 0)
end
return redis.error_reply('rate budget script: unknown mode ' .. tostring(mode))
`;

export interface RedisBudgetStoreOptions {
  redis: Redis;
  /** Key prefix, e.g. `cgw:` (config.redis.keyPrefix). */
  keyPrefix: string;
}

type ScriptReply = [number, number, number, number];

export function createRedisBudgetStore(options: RedisBudgetStoreOptions): RateBudgetStore & {
  /** The keys of a location (tests clean them up). */
  keysFor(locationId: string): string[];
} {
  const { redis, keyPrefix } = options;
  const instanceId = randomUUID();
  let sequence = 0;
  let sha: string | undefined;

  // `{…}` hash tags keep both keys of a location in one cluster slot.
  const keysFor = (locationId: string) => [`${keyPrefix}rl:{${locationId}}:w`, `${keyPrefix}rl:{${locationId}}:d`];

  async function run(
    mode: string,
    locationId: string,
    limits: EffectiveLimits,
    extra: { position?: number; remaining?: number; dailyRemaining?: number; member?: string } = {},
  ): Promise<ScriptReply> {
    const member = extra.member ?? `${instanceId}:${++sequence}`;
    const args = [
      mode,
      limits.limit,
      Math.ceil(limits.windowMs),
      limits.dailyLimit,
      extra.position ?? 0,
      member,
      extra.remaining === undefined ? -1 : Math.max(0, Math.floor(extra.remaining)),
      extra.dailyRemaining === undefined ? -1 : Math.max(0, Math.floor(extra.dailyRemaining)),
    ];
    const keys = keysFor(locationId);
    if (sha === undefined) sha = (await redis.script("LOAD", RATE_BUDGET_SCRIPT)) as string;
    try {
      return (await redis.evalsha(sha, keys.length, ...keys, ...args)) as ScriptReply;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
      // Redis restarted or flushed its script cache: send the script itself once.
      sha = undefined;
      return (await redis.eval(RATE_BUDGET_SCRIPT, keys.length, ...keys, ...args)) as ScriptReply;
    }
  }

  const toView = (reply: ScriptReply): BudgetView => ({ remaining: Number(reply[2]), dailyRemaining: Number(reply[3]) });

  return {
    keysFor,
    async acquire(locationId, limits): Promise<AcquireResult> {
      const member = `${instanceId}:${++sequence}`;
      const reply = await run("acquire", locationId, limits, { member });
      const granted = Number(reply[0]) === 1;
      return { granted, waitMs: Number(reply[1]), ...toView(reply), ...(granted ? { ticket: member } : {}) };
    },
    async settle(locationId, limits, ticket) {
      await run("settle", locationId, limits, { member: ticket });
    },
    async estimateWaitMs(locationId, limits, position) {
      const reply = await run("estimate", locationId, limits, { position });
      return Number(reply[1]);
    },
    async restrict(locationId, limits, upstream) {
      return toView(await run("restrict", locationId, limits, upstream));
    },
    async drain(locationId, limits, holdMs) {
      return toView(await run("drain", locationId, limits, { position: holdMs === undefined ? 0 : Math.max(1, Math.ceil(holdMs)) }));
    },
  };
}
