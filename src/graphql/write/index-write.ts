/**
 * Public surface of the write path: the mutation resolvers to pass to `buildGatewaySchema`, and
 * the factory of the gateway-wide write services (idempotency store, audit logger, scope memory).
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createAuditLogger } from "../../audit/index.js";
import { createIdempotencyStore } from "../../idempotency/index.js";
import { ContactWriteResolver } from "../contact/contact-write.resolver.js";
import { TaskWriteResolver } from "../task/task-write.resolver.js";
import type { WriteServices } from "./mutation-write.runner.js";
import { createUpstreamScopeMemory } from "./scope-write.memory.js";

export type { WriteServices, WriteContext } from "./mutation-write.runner.js";
export { UPSTREAM_WRITE_SCOPE } from "./mutation-write.runner.js";

/** The eight mutations of contract §5. */
export const WRITE_RESOLVERS: readonly Function[] = [ContactWriteResolver, TaskWriteResolver];

export interface WriteServicesOptions {
  logger: Logger;
  /** A connected ioredis client when REDIS_URL is set: idempotency keys are then shared by instances. */
  redis?: Redis | undefined;
  /** Config `redis.keyPrefix`. */
  keyPrefix?: string;
  /** Idempotency TTL, ms. Default 24 h. */
  idempotencyTtlMs?: number;
}

export function createWriteServices(options: WriteServicesOptions): WriteServices {
  return {
    idempotency: createIdempotencyStore({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      ttlMs: options.idempotencyTtlMs,
    }),
    audit: createAuditLogger({ logger: options.logger }),
    scopeMemory: createUpstreamScopeMemory(),
  };
}
