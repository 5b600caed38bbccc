/**
 * The per-operation GraphQL context: who is calling (`auth`), the gateway's shared services, and
 * this operation's loaders. Loaders are created lazily for the viewer's location, so a request
 * without a valid viewer can never reach the upstream; `newLoaders()` gives a fresh set (one per
 * subscription event, stack.md pitfall 5).
 */
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { CallerAuth, Viewer } from "../auth/index.js";
import { CallerAuthError, requireViewer } from "../auth/index.js";
import type { ResourceCache } from "../cache/resource-cache.js";
import type { LoaderFactory, Loaders } from "../loaders/index.js";
import type { ContactsClient } from "../upstream/contacts.client.js";
import type { CredentialProvider } from "../upstream/credentials.types.js";

/** Shared by every operation of one gateway. */
export interface GatewayServices {
  config: Config;
  logger: Logger;
  credentials: CredentialProvider;
  client: ContactsClient;
  cache: ResourceCache;
  createLoaders: LoaderFactory;
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
}

export interface CreateContextOptions {
  auth: CallerAuth;
  services: GatewayServices;
  requestId: string;
}

function viewerOrGraphQLError(auth: CallerAuth): Viewer {
  try {
    return requireViewer(auth);
  } catch (error) {
    if (error instanceof CallerAuthError) throw error.toGraphQLError();
    throw error;
  }
}

export function createGatewayContext(options: CreateContextOptions): GatewayContext {
  const { auth, services, requestId } = options;
  let loaders: Loaders | undefined;
  const viewer = auth.status === "authenticated" ? auth.viewer : undefined;
  return {
    auth,
    viewer,
    get loaders(): Loaders {
      if (!loaders) loaders = services.createLoaders(viewerOrGraphQLError(auth).locationId);
      return loaders;
    },
    newLoaders: () => services.createLoaders(viewerOrGraphQLError(auth).locationId),
    requireViewer: () => viewerOrGraphQLError(auth),
    services,
    requestId,
    logger: services.logger.child({ requestId, location: viewer?.locationId }),
  };
}
