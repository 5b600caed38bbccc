/**
 * Error policy of the GraphQL surface (schema/schema.graphql): every error leaves the gateway with an
 * `extensions.code` from one closed list. `UpstreamError`s become field errors with their code
 * (our own credential's failures — invalid token, missing scope, wrong location, no credential —
 * are the gateway's problem, so the caller sees UPSTREAM_ERROR). Deliberate GraphQLErrors pass
 * through. Everything else is masked as INTERNAL_SERVER_ERROR: no message, no stack, no path.
 */
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { isUpstreamError, type UpstreamError } from "../../upstream/upstream.error.js";

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_UNAVAILABLE",
  "UPSTREAM_ERROR",
  "GRAPHQL_VALIDATION_FAILED",
  "INTERNAL_SERVER_ERROR",
] as const;
export type GatewayErrorCode = (typeof ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Codes Apollo and graphql-js use that we fold into the contract's list. */
const FOLDED_CODES: Readonly<Record<string, GatewayErrorCode>> = {
  GRAPHQL_PARSE_FAILED: "GRAPHQL_VALIDATION_FAILED",
  BAD_REQUEST: "BAD_USER_INPUT",
  OPERATION_RESOLUTION_FAILURE: "BAD_USER_INPUT",
  PERSISTED_QUERY_NOT_FOUND: "BAD_USER_INPUT",
  PERSISTED_QUERY_NOT_SUPPORTED: "BAD_USER_INPUT",
};

/** Reasons where the upstream rejected the gateway's own credential or configuration. */
const CREDENTIAL_REASONS: ReadonlySet<string> = new Set([
  "invalid_token",
  "missing_scope",
  "missing_version",
  "location_forbidden",
  "no_credentials",
]);

export const MASKED_MESSAGE = "Internal server error";

/** An error a resolver throws on purpose, with a contract code. */
export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export function badUserInput(argument: string, expected: string, received?: unknown): GraphQLError {
  const got = received === undefined ? "" : `, received ${JSON.stringify(received)?.slice(0, 80)}`;
  return gatewayError("BAD_USER_INPUT", `Argument "${argument}" must be ${expected}${got}`, { argument });
}

/** The caller-facing code of an upstream failure. */
export function upstreamErrorCode(error: UpstreamError): GatewayErrorCode {
  if (CREDENTIAL_REASONS.has(error.reason)) return "UPSTREAM_ERROR";
  return KNOWN_CODES.has(error.code) ? (error.code as GatewayErrorCode) : "UPSTREAM_ERROR";
}

/** A GraphQL error for an upstream failure: route template, status and traceId, never a token or a path with ids. */
export function upstreamToGraphQLError(error: UpstreamError): GraphQLError {
  const code = upstreamErrorCode(error);
  const status = error.status === undefined ? error.reason : `HTTP ${error.status}`;
  const message =
    code === "UPSTREAM_RATE_LIMITED"
      ? "The Contacts API rate limit was reached; retry later"
      : code === "UPSTREAM_UNAVAILABLE"
        ? error.reason === "deadline"
          ? error.message // says which call, the deadline and that its pending work was abandoned
          : `The Contacts API is unavailable (${error.method} ${error.route}: ${status})`
        : code === "NOT_FOUND"
          ? `Not found upstream (${error.method} ${error.route})`
          : code === "UPSTREAM_ERROR"
            ? `The Contacts API call failed (${error.method} ${error.route}: ${status})`
            : error.upstreamMessages.join("; ") || error.message;
  return gatewayError(code, message, {
    reason: error.reason,
    upstreamStatus: error.status,
    traceId: error.traceId,
    retryAfterMs: error.retryAfterMs,
    existingContactId: error.existingContactId,
    outcomeUnknown: error.outcomeUnknown || undefined,
  });
}

/** Maps anything thrown to a contract error, or `undefined` when it must be masked. */
export function toGatewayError(error: unknown): GraphQLError | undefined {
  if (isUpstreamError(error)) return upstreamToGraphQLError(error);
  if (error instanceof GraphQLError) {
    const inner = error.originalError;
    // A variable coercion error (e.g. a DateTime that is not ISO): Apollo coded it BAD_USER_INPUT and
    // its message names the argument path (`at "input.dueDate"`); the scalar's inner error says neither.
    if (error.extensions?.["code"] === "BAD_USER_INPUT" && inner instanceof GraphQLError && inner.extensions?.["code"] === undefined) {
      const field = /^Variable "\$[^"]+" got invalid value .* at "([^"]+)"/.exec(error.message)?.[1];
      return field && error.extensions["field"] === undefined
        ? new GraphQLError(error.message, { extensions: { ...error.extensions, field } })
        : error;
    }
    // The same coercion error where no Apollo coded it (graphql-ws executes with graphql-js):
    // BAD_USER_INPUT with its path too, so both transports answer alike.
    const coercion = /^Variable "\$[^"]+" got invalid value .*?(?: at "([^"]+)")?;/.exec(error.message);
    if (coercion && error.extensions?.["code"] === undefined && (inner === undefined || (inner instanceof GraphQLError && inner.extensions?.["code"] === undefined))) {
      return new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT", ...(coercion[1] ? { field: coercion[1] } : {}) } });
    }
    if (inner && inner !== error && !(inner instanceof GraphQLError)) return toGatewayError(inner);
    if (inner instanceof GraphQLError && inner !== error) return toGatewayError(inner);
    const code = error.extensions?.["code"];
    if (typeof code === "string" && KNOWN_CODES.has(code)) return error;
    if (typeof code === "string" && FOLDED_CODES[code]) {
      return new GraphQLError(error.message, { extensions: { ...error.extensions, code: FOLDED_CODES[code] } });
    }
    // graphql-js validation errors carry no code, no original error and no path: they describe the
    // document. A codeless error with a path came from execution and is masked.
    if (code === undefined && inner === undefined && error.path === undefined) {
      return new GraphQLError(error.message, { extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    }
  }
  return undefined;
}

export interface FormatErrorOptions {
  /** Called with every masked error (log it; never return it). */
  onMasked?: (error: unknown) => void;
}

/**
 * Apollo's `formatError` (and graphql-ws's `onNext`/`onError` via `formatGraphQLError`): keeps
 * `message`, `locations`, `path` and the mapped `extensions`; masks the rest.
 */
export function createFormatError(options: FormatErrorOptions = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const mapped = toGatewayError(original) ?? toGatewayError(error);
    if (!mapped) {
      options.onMasked?.(original);
      return {
        message: MASKED_MESSAGE,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      };
    }
    const extensions = Object.fromEntries(
      Object.entries(mapped.extensions ?? {}).filter(
        ([key, value]) => value !== undefined && key !== "http" && key !== "stacktrace" && key !== "exception",
      ),
    );
    return {
      message: mapped.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions,
    };
  };
}

/** The same policy for a GraphQLError outside Apollo (graphql-ws results). */
export function formatGraphQLError(error: GraphQLError, options: FormatErrorOptions = {}): GraphQLFormattedError {
  return createFormatError(options)(error.toJSON(), error);
}
