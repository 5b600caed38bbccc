/**
 * Authenticates one caller (HTTP request or graphql-ws connection): bearer header → verified JWT →
 * the location check against the gateway's upstream credentials. The result is a value, not an
 * exception, so the context can always be built and the operation pipeline's authenticate stage
 * reports the failure as a GraphQL error with the contract's code, before any resolver (and so
 * any upstream call) runs.
 */
import type { CredentialProvider } from "../upstream/credentials.types.js";
import { CallerAuthError } from "./auth.errors.js";
import { bearerToken, verifyCallerToken } from "./caller-token.js";
import type { Viewer } from "./viewer.js";

export type CallerAuth =
  | { status: "authenticated"; viewer: Viewer }
  | { status: "anonymous" }
  | { status: "rejected"; error: CallerAuthError };

export interface AuthenticateCallerOptions {
  /** AUTH_JWT_SECRET. */
  secret: string;
  /** A token for a location the gateway holds no credential for is refused (FORBIDDEN). */
  credentials: Pick<CredentialProvider, "hasLocation">;
}

export async function authenticateCaller(
  authorization: unknown,
  options: AuthenticateCallerOptions,
): Promise<CallerAuth> {
  try {
    const token = bearerToken(authorization);
    if (token === undefined) return { status: "anonymous" };
    const viewer = await verifyCallerToken(token, { secret: options.secret });
    if (!(await options.credentials.hasLocation(viewer.locationId))) {
      throw new CallerAuthError(
        "FORBIDDEN",
        "unknown_location",
        `This gateway holds no upstream credentials for location ${viewer.locationId} (the app is not installed there, or was uninstalled)`,
      );
    }
    return { status: "authenticated", viewer };
  } catch (error) {
    if (error instanceof CallerAuthError) return { status: "rejected", error };
    throw error;
  }
}

/** The viewer, or the error that explains why there is none (UNAUTHENTICATED/FORBIDDEN). */
export function requireViewer(auth: CallerAuth): Viewer {
  if (auth.status === "authenticated") return auth.viewer;
  if (auth.status === "rejected") throw auth.error;
  throw new CallerAuthError(
    "UNAUTHENTICATED",
    "missing_token",
    'Authentication required: send "Authorization: Bearer <JWT>" (a caller token signed with AUTH_JWT_SECRET)',
  );
}
