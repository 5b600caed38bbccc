/**
 * Public surface of the write path: the gateway-wide write services (idempotency store, audit
 * logger, upstream-scope memory, upstream traceId capture) and the write feature contributing the
 * mutation resolvers (schema/schema.graphql, with the `duplicateContact` lookup that belongs to them).
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createAuditLogger, createTraceCapture, type TraceCapture } from "../../audit/index.js";
import type { Config } from "../../config/config.js";
import { createIdempotencyStore } from "../../idempotency/index.js";
import { ContactActionResolver } from "../contact/contact-action.resolver.js";
import { ContactWriteResolver } from "../contact/contact-write.resolver.js";
import { NoteWriteResolver } from "../note/note-write.resolver.js";
import { TaskWriteResolver } from "../task/task-write.resolver.js";
import type { WriteServices } from "./mutation-write.runner.js";
import { createUpstreamScopeMemory } from "./scope-write.memory.js";

export type { WriteServices, WriteEngine, WritePort } from "./mutation-write.runner.js";
export { UPSTREAM_WRITE_SCOPE, createWriteEngine } from "./mutation-write.runner.js";

/** The mutations of schema/schema.graphql. */
export const WRITE_RESOLVERS: readonly Function[] = [ContactWriteResolver, TaskWriteResolver, NoteWriteResolver, ContactActionResolver];

export interface WriteServicesOptions {
  config: Pick<Config, "redis">;
  logger: Logger;
  /** The process's Redis command connection when REDIS_URL is set (src/redis/; not closed here). */
  redis?: Redis;
  /** Idempotency TTL, ms. Default 24 h. */
  idempotencyTtlMs?: number;
}

/**
 * Created once per gateway in the composition root. With `redis` (REDIS_URL) the idempotency keys
 * live in Redis under `config.redis.keyPrefix`; otherwise in memory.
 * Add `traceCapture.middleware` to the upstream client's middlewares (innermost).
 */
export function createWriteServices(options: WriteServicesOptions): WriteServices & { traceCapture: TraceCapture } {
  const { config, logger } = options;
  const { redis } = options;
  const idempotency = createIdempotencyStore({
    redis,
    keyPrefix: config.redis.keyPrefix,
    ttlMs: options.idempotencyTtlMs,
  });
  return {
    idempotency,
    // Audit lines are written at info even when LOG_LEVEL is warn/error (only "silent" silences them).
    audit: createAuditLogger({
      logger: logger.child({ component: "audit" }, { level: logger.level === "silent" || logger.levelVal <= 30 ? logger.level : "info" }),
    }),
    scopeMemory: createUpstreamScopeMemory(),
    traceCapture: createTraceCapture(),
    close: () => idempotency.close(),
  };
}

/**
 * The write feature (server/gateway.feature.ts `GatewayFeatureFactory`, declared structurally:
 * nothing below server/ imports server/): the mutation resolvers, and closing the write services
 * it is given. Mutations refused before their resolver ran are audited by the operation pipeline
 * (server/pipeline/refused-mutation.audit.ts) with the same audit logger.
 */
export function writeFeature(internals: { write: WriteServices }): {
  name: string;
  resolvers: readonly Function[];
  close(): Promise<void>;
} {
  const { write } = internals;
  return {
    name: "write",
    resolvers: WRITE_RESOLVERS,
    close: () => write.close(),
  };
}
