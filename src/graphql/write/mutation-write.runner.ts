/**
 * The one path every mutation takes, in this order:
 *   1. validation of the arguments (BAD_USER_INPUT naming the field; no upstream call);
 *   2. the Idempotency-Key header (malformed → BAD_USER_INPUT);
 *   3. the upstream credential's scope: when the location's credential is known to lack
 *      `contacts.write` (granted scopes, or an earlier "not authorized for this scope" answer),
 *      FORBIDDEN naming that scope, before any upstream call;
 *   4. idempotency (key = caller subject + location + Idempotency-Key, bound to the request's
 *      document + variables; each root field remembered under its response key): a repeat answers
 *      the first result (no upstream write), a reused key with another request is BAD_USER_INPUT,
 *      a concurrent repeat waits for the first attempt;
 *   5. the precondition, read fresh from the upstream (CONFLICT with the current value; no write);
 *   6. the upstream write; its errors mapped for callers (duplicate → CONFLICT + existingContactId,
 *      422 → BAD_USER_INPUT + upstream messages, not found → NOT_FOUND, unknown outcome → an error
 *      saying the write may have happened, never retried);
 *   7. cache coherence: the cache takes what the upstream returned, affected lists are dropped;
 *   8. one audit line, whatever the outcome.
 * The caller's own `contacts.write` scope is checked earlier, once per operation, by the pipeline's
 * authorize stage from the mutation's `@Scopes` (server/pipeline/operation.pipeline.ts).
 */
import { print, type GraphQLError, type GraphQLResolveInfo } from "graphql";
import type { AuditLogger, AuditOutcome, TraceCapture } from "../../audit/index.js";
import type { Viewer } from "../../auth/index.js";
import { cacheKeys, type CacheChange } from "../../cache/index.js";
import type { ResourceCache } from "../../cache/resource-cache.js";
import {
  IDEMPOTENCY_HEADER,
  idempotencyFingerprint,
  parseIdempotencyKey,
  type IdempotencyPendingClaim,
  type IdempotencyStore,
} from "../../idempotency/index.js";
import type { ContactsClient } from "../../upstream/contacts.client.js";
import type { OperationDeadline } from "../../upstream/deadline.js";
import type { UpstreamContact } from "../../upstream/contacts.types.js";
import type { ContactEvent } from "../../events/contact-event.types.js";
import type { PerContactResource } from "../../upstream/resources.js";
import type { CredentialProvider } from "../../upstream/credentials.types.js";
import { scopeForMethod } from "../../upstream/upstream-error.mapping.js";
import { isUpstreamError, type UpstreamError } from "../../upstream/upstream.error.js";
import { gatewayError, upstreamErrorCode, upstreamToGraphQLError } from "../common/errors.js";
import type { InputProblem } from "./input-write.rules.js";
import type { UpstreamScopeMemory } from "./scope-write.memory.js";

/** The upstream scope every write route needs (FACTS.md "The 16 routes"). */
export const UPSTREAM_WRITE_SCOPE = "contacts.write";

/** Gateway-wide services of the write path (created once in the composition root). */
export interface WriteServices {
  idempotency: IdempotencyStore;
  audit: AuditLogger;
  scopeMemory: UpstreamScopeMemory;
  /** Picks the upstream traceId of a successful write for the audit line (its middleware must be in the client's chain). */
  traceCapture?: TraceCapture;
  close(): Promise<void>;
}

/**
 * What the write path is built from, once per gateway in the composition root. Resolvers never
 * hold these: they describe a mutation as a `MutationPlan`, and the runner hands the upstream
 * client to the plan's precondition and write steps only, after the checks above have passed.
 */
export interface WriteDeps {
  client: ContactsClient;
  cache: Pick<ResourceCache, "applyChanges" | "load" | "peek">;
  /** Only what a write asks of the credentials: the scopes the location's upstream token grants. */
  credentials: Pick<CredentialProvider, "grantedScopes">;
  write: WriteServices;
  /**
   * Publishes the gateway's own event for a successful write (source GATEWAY) to subscribers, paired
   * with HighLevel's webhook for the same change (src/events/event-echo.store.ts). Absent: no live events.
   */
  announce?: (event: ContactEvent) => Promise<void>;
}

/** The request a mutation runs in: who calls, and its headers (the Idempotency-Key). */
export interface WriteRequest {
  requireViewer(): Viewer;
  /** Request headers, lower-cased names (HTTP only; absent over WebSocket). */
  headers?: Readonly<Record<string, string | string[] | undefined>> | undefined;
  /** The operation's deadline: the precondition read and the write carry it (upstream/deadline.ts). */
  deadline?: OperationDeadline;
}

/** The GraphQL context's write port: runs one mutation field along the write path. */
export interface WritePort {
  run<T>(plan: MutationPlan<T>): Promise<T>;
}

/** Gateway-wide: binds the write path to one request (the context's `writes`). */
export interface WriteEngine {
  forRequest(request: WriteRequest): WritePort;
}

export function createWriteEngine(deps: WriteDeps): WriteEngine {
  return Object.freeze({
    forRequest: (request: WriteRequest): WritePort => ({ run: (plan) => runMutation(deps, request, plan) }),
  });
}

/**
 * Fresh reads for a precondition: straight from the upstream (never the cache), and the cache
 * takes what was read. Bound to the caller's location.
 */
export interface FreshReads {
  contact(contactId: string): Promise<UpstreamContact>;
  item<T extends { id: string }>(resource: PerContactResource<T>, contactId: string, itemId: string): Promise<T>;
}

function freshReads(deps: WriteDeps, location: string): FreshReads {
  return {
    contact: (contactId) =>
      deps.cache.load(cacheKeys.contact(location, contactId), () => deps.client.getContact(location, contactId), { bypass: true }),
    item: (resource, contactId, itemId) =>
      deps.cache.load(cacheKeys.itemOf(resource, location, contactId, itemId), () => deps.client.itemOf(resource, location, contactId, itemId), {
        bypass: true,
      }),
  };
}

/**
 * The HTTP request a mutation field belongs to, for idempotency: an Idempotency-Key names the whole
 * request (document + variables), and each root field of it is remembered under its response key,
 * so a document with several mutations can be repeated safely with one key.
 */
export interface MutationRequest {
  document: string;
  variables: unknown;
  /** The root field's response key (alias or name). */
  responseKey: string;
}

export function requestOf(info: Pick<GraphQLResolveInfo, "operation" | "fragments" | "variableValues" | "path">): MutationRequest {
  // Printed only when read: only a write with an Idempotency-Key needs the document.
  let document: string | undefined;
  return {
    get document() {
      document ??= [print(info.operation), ...Object.values(info.fragments).map((f) => print(f)).sort()].join("\n");
      return document;
    },
    variables: info.variableValues,
    responseKey: String(info.path.key),
  };
}

export interface MutationPlan<T> {
  /** The mutation field, e.g. `createContact` (fingerprint and audit). */
  operation: string;
  /** The coerced GraphQL arguments (fingerprint only; never logged). */
  args: Record<string, unknown>;
  /** The request this field is part of (`requestOf(info)`); without it the key covers this field alone. */
  request?: MutationRequest;
  /** Problems found by the rules; any → BAD_USER_INPUT before anything else. */
  problems: InputProblem[];
  /**
   * Problems only the location can tell (e.g. a mapped custom field it does not define), checked
   * after the rules and the credential's scope, before any write or idempotency claim; any →
   * BAD_USER_INPUT like `problems`.
   */
  checkInput?: () => Promise<InputProblem[]>;
  /** Ids known before the write, e.g. `{ contactId }`. */
  targetIds: Record<string, string | undefined>;
  /** Names of the input fields the write carries (audit). */
  fields?: string[];
  /** Fresh read + comparison; throws CONFLICT (a GraphQLError) when it fails. */
  precondition?: (fresh: FreshReads, location: string) => Promise<void>;
  /** The upstream call. */
  write: (upstream: ContactsClient, location: string) => Promise<T>;
  /** What the result changes in the shared cache (src/cache/write-changes.ts); the runner applies it. */
  changes: (location: string, result: T) => readonly CacheChange[];
  /** Ids learned from the result (a created contact's id) for the audit line. */
  resultIds?: (result: T) => Record<string, string | undefined>;
  /** What a NOT_FOUND from the upstream means for the cache (the stale entries to evict). */
  notFoundChanges?: (location: string) => readonly CacheChange[];
  /**
   * Request-local bookkeeping after the cache took the result (or after a NOT_FOUND, with
   * `undefined`): e.g. clearing this operation's loaders so a later field reads the new state.
   */
  afterCache?: (result: T | undefined) => void;
  /**
   * The events this write announces to subscribers at once (src/events/gateway-event.build.ts):
   * what HighLevel's webhook for it will say, or TASK_UPDATE, which HighLevel never sends.
   * `before` holds the cached copy of `comparesContact` as it was just before the write.
   */
  events?: (location: string, result: T, before: WriteBefore) => readonly ContactEvent[];
  /**
   * A contact whose cached copy `events` compares the result with (e.g. `dnd`, whose change
   * HighLevel announces as ContactDndUpdate). Peeked in the shared cache just before the write,
   * never read from the upstream: undefined when not cached.
   */
  comparesContact?: string;
}

/** What the cache held just before a write (see `MutationPlan.comparesContact`). */
export interface WriteBefore {
  contact: UpstreamContact | undefined;
}

export function inputError(problems: InputProblem[]): GraphQLError {
  const [first] = problems;
  if (!first) return gatewayError("BAD_USER_INPUT", "Invalid input");
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""}: ${problems.slice(1).map((p) => p.field).join(", ")})` : "";
  return gatewayError("BAD_USER_INPUT", `Argument "${first.field}" must be ${first.expected}; received ${first.received}${more}`, {
    field: first.field,
    expected: first.expected,
    problems: problems.map((p) => ({ field: p.field, expected: p.expected })),
  });
}

function missingScopeError(location: string, scope: string = UPSTREAM_WRITE_SCOPE): GraphQLError {
  const what = scope === UPSTREAM_WRITE_SCOPE ? "no write is possible" : "the write's fresh read is not possible";
  return gatewayError(
    "FORBIDDEN",
    `The gateway's upstream credential for location ${location} lacks the ${scope} scope, so ${what}; re-install or re-issue the token with ${scope}`,
    { reason: "upstream_missing_scope", missingScope: scope },
  );
}

/** Caller-facing error for an upstream failure of a write. */
export function writeUpstreamError(error: UpstreamError, location: string): GraphQLError {
  switch (error.reason) {
    case "missing_scope":
      // A precondition's fresh read (GET) needs contacts.readonly, the write itself contacts.write.
      return missingScopeError(location, scopeForMethod(error.method));
    case "duplicate_contact":
      return gatewayError(
        "CONFLICT",
        `This location does not allow duplicated contacts: a contact with this email or phone already exists${error.existingContactId ? ` (id ${error.existingContactId})` : ""}`,
        { reason: "duplicate_contact", existingContactId: error.existingContactId, traceId: error.traceId },
      );
    case "validation":
      return gatewayError(
        "BAD_USER_INPUT",
        `The Contacts API rejected the input: ${error.upstreamMessages.join("; ") || error.message}`,
        { reason: "upstream_validation", upstreamMessages: error.upstreamMessages, traceId: error.traceId },
      );
    case "location_forbidden":
      // Our credential is the caller's location's: the resource belongs to another location.
      return gatewayError("FORBIDDEN", `This resource belongs to another location than the caller's (${error.method} ${error.route})`, {
        reason: "foreign_location",
        traceId: error.traceId,
      });
    case "not_found":
      return gatewayError("NOT_FOUND", `Not found upstream (${error.method} ${error.route})`, {
        reason: "not_found",
        traceId: error.traceId,
      });
    default:
      if (error.outcomeUnknown) {
        return gatewayError(
          upstreamErrorCode(error),
          `The Contacts API ${error.status === undefined ? "did not answer" : `answered ${error.status}`} after the write was sent (${error.method} ${error.route}): the write MAY HAVE HAPPENED. It was not retried; check the current state before trying again (with a new Idempotency-Key).`,
          { reason: error.reason, outcomeUnknown: true, upstreamStatus: error.status, traceId: error.traceId },
        );
      }
      return upstreamToGraphQLError(error);
  }
}

const codeOf = (error: unknown): string =>
  typeof (error as GraphQLError | undefined)?.extensions?.["code"] === "string"
    ? String((error as GraphQLError).extensions["code"])
    : isUpstreamError(error)
      ? error.code
      : "INTERNAL_SERVER_ERROR";

/** Runs one mutation along the path described at the top of this file. */
export async function runMutation<T>(shared: WriteDeps, context: WriteRequest, plan: MutationPlan<T>): Promise<T> {
  const deps = context.deadline ? { ...shared, client: shared.client.withDeadline(context.deadline) } : shared;
  const started = performance.now();
  const viewer = context.requireViewer();
  const location = viewer.locationId;
  const { credentials, write } = deps;
  const applyChanges = (changes: readonly CacheChange[], result: T | undefined) => {
    // A failure here must not turn a done write into an error: the cache is an optimisation, and
    // TTL and webhooks repair it.
    try {
      deps.cache.applyChanges(changes, { origin: "mutation" });
      plan.afterCache?.(result);
    } catch {
      // see above
    }
  };

  let targetIds = { ...plan.targetIds };
  let idempotent = false;
  const audit = (outcome: AuditOutcome, extra: { errorCode?: string; traceId?: string } = {}) =>
    write.audit.record({
      subject: viewer.subject,
      locationId: location,
      operation: plan.operation,
      targetIds,
      outcome,
      fields: plan.fields,
      idempotent,
      durationMs: performance.now() - started,
      ...extra,
    });
  const reject = (error: GraphQLError, outcome: AuditOutcome = "rejected"): never => {
    audit(outcome, { errorCode: codeOf(error), traceId: error.extensions?.["traceId"] as string | undefined });
    throw error;
  };

  // 1. arguments
  if (plan.problems.length > 0) reject(inputError(plan.problems));

  // 2. Idempotency-Key header
  const parsedKey = parseIdempotencyKey(context.headers?.[IDEMPOTENCY_HEADER]);
  if (!parsedKey.ok) {
    reject(
      gatewayError("BAD_USER_INPUT", `Header "Idempotency-Key" must be ${parsedKey.expected}; received ${parsedKey.received}`, {
        field: "Idempotency-Key",
        expected: parsedKey.expected,
      }),
    );
  }
  const key = parsedKey.ok ? parsedKey.key : undefined;
  idempotent = key !== undefined;

  // 3. the upstream credential's scope
  const granted = credentials.grantedScopes(location);
  if ((granted !== undefined && !granted.includes(UPSTREAM_WRITE_SCOPE)) || write.scopeMemory.isMissing(location, UPSTREAM_WRITE_SCOPE)) {
    reject(missingScopeError(location));
  }

  // 3b. what only the location can tell about the input
  if (plan.checkInput) {
    const locationProblems = await plan.checkInput();
    if (locationProblems.length > 0) reject(inputError(locationProblems));
  }

  // 4. idempotency
  let claim: IdempotencyPendingClaim | undefined;
  if (key !== undefined) {
    const scope = { subject: viewer.subject ?? "", locationId: location, key };
    let begun: Awaited<ReturnType<IdempotencyStore["begin"]>> | undefined;
    try {
      if (plan.request) {
        // Level 1: the key belongs to one request (document + variables), whichever field comes first.
        const bound = await write.idempotency.begin(
          scope,
          idempotencyFingerprint("request", { document: plan.request.document, variables: plan.request.variables }),
        );
        if (bound.kind === "proceed") await bound.claim.complete(true);
        else if (bound.kind !== "replay") begun = bound;
      }
      // Level 2: this field's own claim (its result, its pending state).
      begun ??= await write.idempotency.begin(
        plan.request ? { ...scope, key: `${key}\u0000${plan.request.responseKey}` } : scope,
        idempotencyFingerprint(plan.operation, plan.args),
      );
    } catch {
      return reject(
        gatewayError("UPSTREAM_UNAVAILABLE", "The idempotency store is unavailable, so the write was not attempted; retry later", {
          reason: "idempotency_store_unavailable",
        }),
        "failed",
      );
    }
    switch (begun.kind) {
      case "replay":
        if (plan.resultIds) targetIds = { ...targetIds, ...plan.resultIds(begun.result as T) };
        audit("replayed");
        return begun.result as T;
      case "mismatch":
        reject(
          gatewayError(
            "BAD_USER_INPUT",
            'Header "Idempotency-Key" was already used with a different operation or different arguments; use a new key for a different request',
            { field: "Idempotency-Key", reason: "idempotency_key_reused" },
          ),
        );
        break;
      case "unknown":
        reject(gatewayError("UPSTREAM_UNAVAILABLE", begun.message, { outcomeUnknown: true, reason: "idempotency_outcome_unknown" }), "unknown");
        break;
      case "in_progress":
        reject(
          gatewayError("CONFLICT", 'A request with this "Idempotency-Key" is still in progress; retry later', {
            field: "Idempotency-Key",
            reason: "idempotency_in_progress",
          }),
        );
        break;
      case "proceed":
        claim = begun.claim;
        break;
    }
  }

  try {
    // 5. precondition (fresh read)
    if (plan.precondition) await plan.precondition(freshReads(deps, location), location);
    // 6. the write (after noting what the events compare with)
    const before: WriteBefore = {
      contact: plan.comparesContact === undefined ? undefined : deps.cache.peek<UpstreamContact>(cacheKeys.contact(location, plan.comparesContact)),
    };
    const { result, traceId } = write.traceCapture
      ? await write.traceCapture.capture(() => plan.write(deps.client, location))
      : { result: await plan.write(deps.client, location), traceId: undefined };
    if (plan.resultIds) targetIds = { ...targetIds, ...plan.resultIds(result) };
    // 7. cache coherence, then the write's events (subscribers read the new state through the cache)
    applyChanges(plan.changes(location, result), result);
    if (plan.events && deps.announce) {
      try {
        // Awaited, so a subscriber has the event before the caller has the answer; never fails the write.
        for (const event of plan.events(location, result, before)) await deps.announce(event).catch(() => undefined);
      } catch {
        // see above
      }
    }
    // The write is done: a store failure now must not turn it into an error (repeats then write again).
    await claim?.complete(result).catch(() => undefined);
    // 8. audit
    audit("success", traceId === undefined ? {} : { traceId });
    return result;
  } catch (error) {
    if (isUpstreamError(error)) {
      if (error.reason === "missing_scope" && scopeForMethod(error.method) === UPSTREAM_WRITE_SCOPE) {
        write.scopeMemory.markMissing(location, UPSTREAM_WRITE_SCOPE);
      }
      if (error.reason === "not_found" && plan.notFoundChanges) applyChanges(plan.notFoundChanges(location), undefined);
      const mapped = writeUpstreamError(error, location);
      if (error.outcomeUnknown) {
        await claim?.markUnknown(mapped.message).catch(() => undefined);
        audit("unknown", { errorCode: codeOf(mapped), traceId: error.traceId });
      } else {
        await claim?.release().catch(() => undefined);
        audit(error.reason === "missing_scope" ? "rejected" : "failed", { errorCode: codeOf(mapped), traceId: error.traceId });
      }
      throw mapped;
    }
    await claim?.release().catch(() => undefined);
    audit(codeOf(error) === "CONFLICT" ? "rejected" : "failed", { errorCode: codeOf(error) });
    throw error;
  }
}
