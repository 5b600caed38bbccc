/**
 * The per-operation GraphQL context: who is calling (`auth`), the gateway's shared services, and
 * this operation's loaders. Loaders are created lazily for the viewer's location, so a request
 * without a valid viewer can never reach the upstream; `newLoaders()` gives a fresh set (one per
 * subscription event, stack.md pitfall 5).
 */
import type { Logger } from "pino";
import type { CallerAuth, Viewer } from "../auth/index.js";
import { CallerAuthError, requireViewer } from "../auth/index.js";
import type { ResourceCache } from "../cache/resource-cache.js";
import type { LoaderFactory, Loaders } from "../loaders/index.js";
import type { ContactsClient } from "../upstream/contacts.client.js";
import type { CredentialProvider } from "../upstream/credentials.types.js";
import type { ContactEventBus } from "../events/event-bus.js";
import type { WriteServices } from "./write/index-write.js";

/**
 * Shared by every operation of one gateway; built once by the composition root and never changed
 * (no configuration here: what a resolver needs of it arrives as a port).
 */
export interface GatewayServices {
  readonly logger: Logger;
  /** Narrowed to what resolvers ask: the scopes a location's upstream token grants (the write path). */
  readonly credentials: Pick<CredentialProvider, "grantedScopes">;
  readonly client: ContactsClient;
  readonly cache: ResourceCache;
  readonly createLoaders: LoaderFactory;
  /** Live events (webhooks → `contactEvents` subscriptions), contributed by the events feature. */
  readonly events?: ContactEventBus;
  /** The write path's idempotency store, audit logger, scope memory (graphql/write). */
  readonly write?: WriteServices;
}

export interface GatewayContext {
  auth: CallerAuth;
  /** The verified caller, when authenticated. Resolvers behind `@Authorized` may use `requireViewer()`. */
  viewer: Viewer | undefined;
  /** This operation's loaders (the viewer's location). Throws UNAUTHENTICATED/FORBIDDEN without a viewer. */
  readonly loaders: Loaders;
  /** A fresh loader set for the viewer's location (per subscription event). */
  newLoaders(): Loaders;
  /** The viewer, or a GraphQLError with UNAUTHENTICATED/FORBIDDEN. */
  requireViewer(): Viewer;
  services: GatewayServices;
  requestId: string;
  logger: Logger;
  /** HTTP request headers, lower-cased names (`{}` over WebSocket); the write path reads `idempotency-key`. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface CreateContextOptions {
  auth: CallerAuth;
  services: GatewayServices;
  requestId: string;
  headers?: Readonly<Record<string, string | string[] | undefined>>;
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
  /** Created on first use; plain (not #private) so copies of the context keep working. */
  _loaders: Loaders | undefined;
  /** Created on first use too: a pino child (with redaction) per request, or per subscription event, adds up. */
  _logger: Logger | undefined;

  constructor(
    readonly auth: CallerAuth,
    readonly services: GatewayServices,
    readonly requestId: string,
    readonly headers: Readonly<Record<string, string | string[] | undefined>> = {},
  ) {
    this.viewer = auth.status === "authenticated" ? auth.viewer : undefined;
  }

  get logger(): Logger {
    this._logger ??= this.services.logger.child({ requestId: this.requestId, location: this.viewer?.locationId });
    return this._logger;
  }

  get loaders(): Loaders {
    this._loaders ??= this.newLoaders();
    return this._loaders;
  }

  newLoaders(): Loaders {
    return this.services.createLoaders(viewerOrGraphQLError(this.auth).locationId);
  }

  requireViewer(): Viewer {
    return viewerOrGraphQLError(this.auth);
  }
}

export function createGatewayContext(options: CreateContextOptions): GatewayContext {
  return new RequestContext(options.auth, options.services, options.requestId, options.headers ?? {});
}
