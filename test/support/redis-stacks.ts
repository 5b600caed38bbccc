// Several gateway stacks (test/support/harness.ts) sharing the real Redis under one unique key
// prefix, as multi-instance mode runs in production: started on demand inside a describe block,
// all closed and exactly their keys deleted after it.
import { afterAll } from "vitest";
import { startStack, type Stack } from "./harness.js";
import { TEST_REDIS_URL, redisTestPrefix } from "./redis.js";

export interface StacksOnRedis {
  /** The key prefix every stack of this block uses (for asserting on keys and channels). */
  prefix: string;
  /** Starts one more instance on the shared Redis. */
  start(): Promise<Stack>;
}

/** Call inside a `describe`: registers the block's cleanup with `afterAll`. */
export function useStacksOnRedis(area: string, env: Record<string, string> = {}): StacksOnRedis {
  const redis = redisTestPrefix(area);
  const opened: Stack[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((stack) => stack.close()));
    await redis.cleanup();
  });
  return {
    prefix: redis.prefix,
    async start() {
      const stack = await startStack({ env: { ...env, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redis.prefix } });
      opened.push(stack);
      return stack;
    },
  };
}
