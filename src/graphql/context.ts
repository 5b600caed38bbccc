/**
 * The per-operation GraphQL context: who is calling (`auth`, `viewer`) and narrow ports to what a
 * resolver may do: read through this operation's `loaders`, subscribe to `events`, run a mutation
 * through `writes`. It carries no configuration, no credentials, no upstream client and no cache:
 * reads go through the loaders, writes through the write path (write/mutation-write.runner.ts),
 * which alone holds the client. Loaders are created lazily for the viewer's location, so a request
 * without a valid viewer can never reach the upstream; `newLoaders()` gives a fresh set (one per
 * subscription event: graphql-ws builds a context once per subscribe).
 */
import { GraphQLError } from "graphql";
import type { FieldMapping } from "../config/field-mapping.parse.js";
import type { Logger } from "pino";
import type { CallerAuth, Viewer } from "../auth/index.js";
import { CallerAuthError, requireViewer } from "../auth/index.js";
import { createReadLog, type ReadLog } from "../cache/read-log.js";
import type { LoaderFactory, Loaders } from "../loaders/index.js";
import type { ContactEventBus } from "../events/event-bus.js";
import type { WriteEngine, WritePort } from "./write/mutation-write.runner.js";
import type { OperationDeadline } from "../upstream/deadline.js";

/** What a subscription may do with the gateway's live events: subscribe to one location's stream. */
export type EventsPort = Pick<ContactEventBus, "subscribe">;

/**
 * Shared by every operation of one gateway; built once by the composition root and never changed
 * (no configuration here: what a resolver needs of it arrives as a port).
 */
export interface GatewayServices {
  readonly logger: Logger;
  /** The gateway's clock (epoch ms): what "overdue" and "next" are measured against. */
  readonly now: () => number;
  readonly createLoaders: LoaderFactory;
  /** Live events (webhooks → `contactEvents` subscriptions), contributed by the events feature. */
  readonly events?: EventsPort;
  /** The write path (write/mutation-write.runner.ts), bound to each request as the context's `writes`. */
  readonly writes?: WriteEngine;
  /** FIELD_MAPPING (src/config/field-mapping.parse.ts), when configured. */
  readonly fieldMapping?: FieldMapping;
}

export interface GatewayContext {
  auth: CallerAuth;
  /** The verified caller, when authenticated. Root resolvers (authorised by the pipeline from their `@Scopes`) may use `requireViewer()`. */
  viewer: Viewer | undefined;
  /** This operation's loaders (the viewer's location). Throws UNAUTHENTICATED/FORBIDDEN without a viewer. */
  readonly loaders: Loaders;
  /** A fresh loader set for the viewer's location (per subscription event). */
  newLoaders(): Loaders;
  /** The viewer, or a GraphQLError with UNAUTHENTICATED/FORBIDDEN. */
  requireViewer(): Viewer;
  /** Live events, when this gateway has the events feature. */
  readonly events: EventsPort | undefined;
  /** Runs a mutation along the write path (scopes, idempotency, precondition, write, cache, audit). */
  readonly writes: WritePort;
  /** What this operation's loaders read from the shared cache (the response cache tags answers with it). */
  readonly reads: ReadLog;
  /**
   * The operation is answered (its answer sent, and stored if it was): drops its loaders and read
   * log. A context outlives its operation in V8's young-generation collections, until the next
   * full one (held through weak tables: a heap snapshot, which collects fully, finds none; graphql-js'
   * per-execution memos are WeakMaps keyed by an execution that names its context), so what it
   * still referenced — a page's loaders, their batches, the reads — was copied to the old
   * generation after every operation (bench/results/2026-12-03-read-path-cpu.md, "What kept each
   * miss alive"). Asking for `loaders` afterwards is an error (INTERNAL_SERVER_ERROR): nothing
   * should read for an answer that is out. Copies of the context (Apollo's, graphql-ws's) share it.
   */
  release(): void;
  /** The gateway's clock, epoch ms (injectable: answers that depend on it are cached until they change). */
  now(): number;
  /** FIELD_MAPPING, when configured: mapped names in filters and writes. */
  readonly fieldMapping: FieldMapping | undefined;
  requestId: string;
  logger: Logger;
  /** HTTP request headers, lower-cased names (`{}` over WebSocket); the write path reads `idempotency-key`. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The operation's type, once the transport knows it: its upstream calls queue in that priority
   * class (mutations, then queries, then subscription events; upstream/rate-governor.ts).
   */
  setOperationType(type: "query" | "mutation" | "subscription"): void;
  /** Upstream calls granted to this operation so far (every attempt), for `extensions.cost`. */
  upstreamCalls(): number;
}

export interface CreateContextOptions {
  auth: CallerAuth;
  services: GatewayServices;
  requestId: string;
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** This operation's deadline (OPERATION_DEADLINE_MS): every upstream call of its loaders and writes carries it. */
  deadline?: OperationDeadline;
}

function viewerOrGraphQLError(auth: CallerAuth): Viewer {
  try {
    return requireViewer(auth);
  } catch (error) {
    if (error instanceof CallerAuthError) throw error.toGraphQLError();
    throw error;
  }
}

/**
 * A class so that `loaders` is a getter on the prototype: Apollo and graphql-ws copy context
 * objects with `Object.assign`, which would invoke an own getter (and fail for anonymous callers).
 */
class RequestContext implements GatewayContext {
  readonly viewer: Viewer | undefined;
  /**
   * The operation's loaders (created on first use) and whether it was answered, in one object that
   * copies of the context share: Apollo runs every operation on a copy (`Object.assign` onto the
   * prototype), so state set on the copy must be the original's too, or `release` on the original
   * would miss the copy's loaders. Plain (not #private) so copies keep working.
   */
  readonly _operation: { loaders?: Loaders; released?: boolean } = {};
  /** Created on first use too: a pino child (with redaction) per request, or per subscription event, adds up. */
  _logger: Logger | undefined;
  readonly reads: ReadLog = createReadLog();

  constructor(
    readonly auth: CallerAuth,
    /** Internal: the ports are read through the getters below. */
    readonly _services: GatewayServices,
    readonly requestId: string,
    readonly headers: Readonly<Record<string, string | string[] | undefined>> = {},
    /** Internal: read by the loaders and the write path. */
    readonly _deadline: OperationDeadline | undefined = undefined,
  ) {
    this.viewer = auth.status === "authenticated" ? auth.viewer : undefined;
  }

  get logger(): Logger {
    this._logger ??= this._services.logger.child({ requestId: this.requestId, location: this.viewer?.locationId });
    return this._logger;
  }

  get loaders(): Loaders {
    const operation = this._operation;
    // A resolver still running once the answer is out (a sibling of a field whose error nulled
    // the answer) stops here rather than reading, and spending budget, for an answer already sent.
    if (operation.released) throw new GraphQLError("This operation was already answered; its loaders are released", { extensions: { code: "INTERNAL_SERVER_ERROR" } });
    return (operation.loaders ??= this.newLoaders());
  }

  newLoaders(): Loaders {
    return this._services.createLoaders(viewerOrGraphQLError(this.auth).locationId, this.reads, this._deadline);
  }

  now(): number {
    return this._services.now();
  }

  get fieldMapping(): FieldMapping | undefined {
    return this._services.fieldMapping;
  }

  get events(): EventsPort | undefined {
    return this._services.events;
  }

  get writes(): WritePort {
    const engine = this._services.writes;
    if (!engine) throw new TypeError("this gateway was built without the write path (GatewayServices.writes)");
    return engine.forRequest({ requireViewer: () => this.requireViewer(), headers: this.headers, ...(this._deadline ? { deadline: this._deadline } : {}) });
  }

  requireViewer(): Viewer {
    return viewerOrGraphQLError(this.auth);
  }

  setOperationType(type: "query" | "mutation" | "subscription"): void {
    if (this._deadline) this._deadline.lane = type;
  }

  upstreamCalls(): number {
    return this._deadline?.upstreamCalls ?? 0;
  }

  release(): void {
    this._operation.loaders = undefined;
    this._operation.released = true;
    this.reads.clear();
  }
}

export function createGatewayContext(options: CreateContextOptions): GatewayContext {
  return new RequestContext(options.auth, options.services, options.requestId, options.headers ?? {}, options.deadline);
}
