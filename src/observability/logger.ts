/**
 * The gateway's structured logger (pino). Redaction is configured once here: authorization
 * headers, tokens, secrets and keys never reach a log line, whatever object is logged.
 */
import { pino, type Logger, type DestinationStream } from "pino";

export type { Logger } from "pino";

/** Paths pino censors. `*` matches one level; the list covers our own objects and undici/express requests. */
export const REDACT_PATHS = [
  "authorization",
  "*.authorization",
  "*.*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  'headers["x-ghl-signature"]',
  'headers["x-wh-signature"]',
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "access_token",
  "*.access_token",
  "refresh_token",
  "*.refresh_token",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "clientSecret",
  "*.clientSecret",
  "client_secret",
  "*.client_secret",
  "jwtSecret",
  "*.jwtSecret",
  "password",
  "*.password",
  "key",
  "*.key",
  "credentialsKey",
  "*.credentialsKey",
  // Two levels deep (a whole Config, `{ config }`, `{ request: { headers } }`) and cookies (OAuth state).
  "*.*.accessToken",
  "*.*.refreshToken",
  "*.*.token",
  "*.*.secret",
  "*.*.clientSecret",
  "*.*.jwtSecret",
  "*.*.key",
  "previousKeys",
  "*.previousKeys",
  "*.*.previousKeys",
  "cookie",
  "headers.cookie",
  "*.headers.cookie",
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go (tests pass a stream to scan every line). Default: stdout. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? "contacts-gateway",
      level: options.level ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
    },
    options.destination,
  );
}

/** Errors are logged by name, code and message only: never a stack trace (house rule) and never a cause chain that could hold a request. */
export function serializeError(error: unknown): Record<string, unknown> {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; message?: unknown; code?: unknown; reason?: unknown; status?: unknown; route?: unknown; method?: unknown; traceId?: unknown };
    return {
      type: typeof e.name === "string" ? e.name : "Error",
      message: typeof e.message === "string" ? e.message : String(error),
      code: e.code,
      reason: e.reason,
      status: e.status,
      method: e.method,
      route: e.route,
      traceId: e.traceId,
    };
  }
  return { type: typeof error, message: String(error) };
}
