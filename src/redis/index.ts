/** Public surface of the Redis connection factory: one command and one subscriber connection per process. */
export { createRedisConnections, redisConnectionName } from "./redis.connections.js";
export type { RedisConnectionRole, RedisConnections, RedisConnectionsLogger, RedisConnectionsOptions } from "./redis.connections.js";
