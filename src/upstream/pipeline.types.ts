/**
 * The seam of the upstream client: every call is an `UpstreamRequest` passed through a chain of
 * middlewares ending in the HTTP transport. Rate governance, retries, the circuit breaker, token
 * refresh and metrics are middlewares (see `compose` in pipeline.ts); the route methods of
 * `ContactsClient` never change when one is added. Knows no GraphQL.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What the call does: a write always ranks with mutations in the rate governor's queue. */
export type RequestPriority = "write" | "read";

/**
 * The scheduler's priority classes (rate-governor.ts), most urgent first: interactive mutations,
 * interactive queries, resolving a subscription's event, background work (warm-up, revalidation).
 */
export type RequestLane = "mutation" | "query" | "subscription" | "background";

export interface UpstreamRequest {
  method: HttpMethod;
  /** Route template as in FACTS.md, e.g. `/contacts/:contactId/tasks/:taskId`. Used for metrics and errors. */
  route: string;
  /** Concrete path, ids URL-encoded, e.g. `/contacts/abc/tasks/def`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body (serialised by the transport). */
  body?: unknown;
  /** The location whose credential and rate budget this call uses. */
  locationId: string;
  priority: RequestPriority;
  /**
   * Safe to repeat: GET, PUT and DELETE. POST is not, so it is never retried once it may have
   * reached the upstream.
   */
  idempotent: boolean;
  /**
   * The scope the route needs, when it is not the Contacts rule (GET `contacts.readonly`, others
   * `contacts.write`): e.g. a POST that only reads (`locations/tasks.readonly`).
   */
  scope?: string;
  /**
   * The `Version` header, when the route is not one of the Contacts API's (the transport's
   * default): e.g. `2021-04-15` for HighLevel's calendars routes.
   */
  version?: string;
  /** The operation's priority class; absent: `mutation` for a write, `query` for a read. */
  lane?: RequestLane;
  /** Who runs the operation (the caller token's `sub`): callers of one class share the budget fairly. */
  caller?: string;
  /** Called each time the rate governor grants this call (every attempt): the operation's actual calls. */
  onGrant?: () => void;
  /** 1 for the first try; incremented by the retry middleware. */
  attempt: number;
  signal?: AbortSignal;
  /**
   * Absolute epoch ms: the operation's deadline. The rate governor lets the call wait for budget
   * until shortly before it (time left for the answer), instead of its own `maxWaitMs`.
   */
  deadlineAt?: number;
  /**
   * Bearer token for this call. Filled by the credentials middleware just before the transport;
   * never log this object without redaction.
   */
  accessToken?: string;
}

export interface UpstreamResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (or undefined for an empty body). */
  body: unknown;
  /** Milliseconds from sending to the end of the body. */
  durationMs: number;
}

/** The terminal handler or the rest of the chain. Resolves for every HTTP status; rejects only on transport failure. */
export type UpstreamHandler = (request: UpstreamRequest) => Promise<UpstreamResponse>;

/** A middleware wraps the rest of the chain. */
export type UpstreamMiddleware = (next: UpstreamHandler) => UpstreamHandler;
