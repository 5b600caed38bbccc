/**
 * A `CredentialProvider` over a fixed map location → {token, scopes}: the environment's single
 * location (`CONTACTS_API_TOKEN` + `CONTACTS_LOCATION_ID`), the embedded simulator's demo
 * locations, and tests. Static tokens (Private Integration Tokens) cannot be refreshed.
 */
import type { CredentialProvider } from "./credentials.types.js";
import { UpstreamError } from "./upstream.error.js";

export interface StaticCredential {
  token: string;
  /** Scopes granted to the token, when known. */
  scopes?: readonly string[];
}

export class StaticCredentialProvider implements CredentialProvider {
  readonly #byLocation: ReadonlyMap<string, StaticCredential>;
  /** Locations whose app was uninstalled: a configured token is not used again (until a restart). */
  readonly #revoked = new Set<string>();

  constructor(credentials: Readonly<Record<string, StaticCredential>> | ReadonlyMap<string, StaticCredential>) {
    const entries = credentials instanceof Map ? [...credentials.entries()] : Object.entries(credentials);
    for (const [locationId, credential] of entries) {
      if (!locationId || typeof credential?.token !== "string" || credential.token === "") {
        throw new TypeError(`StaticCredentialProvider: expected a non-empty token for location "${locationId}"`);
      }
    }
    this.#byLocation = new Map(entries.map(([l, c]) => [l, Object.freeze({ ...c })]));
  }

  hasLocation(locationId: string): boolean {
    return this.#byLocation.has(locationId) && !this.#revoked.has(locationId);
  }

  locations(): string[] {
    return [...this.#byLocation.keys()].filter((l) => !this.#revoked.has(l));
  }

  async revoke(locationId: string): Promise<void> {
    if (this.#byLocation.has(locationId)) this.#revoked.add(locationId);
  }

  async getAccessToken(locationId: string): Promise<string> {
    const credential = this.#revoked.has(locationId) ? undefined : this.#byLocation.get(locationId);
    if (!credential) {
      throw new UpstreamError({
        code: "UPSTREAM_ERROR",
        reason: "no_credentials",
        message: `No upstream credential is configured for location ${locationId}`,
        method: "-",
        route: "-",
      });
    }
    return credential.token;
  }

  grantedScopes(locationId: string): readonly string[] | undefined {
    return this.#byLocation.get(locationId)?.scopes;
  }

  /** Logged/serialised forms never include tokens. */
  toJSON(): Record<string, unknown> {
    return { type: "static", locations: this.locations() };
  }
}

/** The environment's single location, or `undefined` when CONTACTS_API_TOKEN/CONTACTS_LOCATION_ID are unset. */
export function credentialsFromConfig(upstream: {
  token: string | undefined;
  locationId: string | undefined;
  tokenScopes: readonly string[] | undefined;
}): StaticCredentialProvider | undefined {
  if (upstream.token === undefined || upstream.locationId === undefined) return undefined;
  return new StaticCredentialProvider({
    [upstream.locationId]: upstream.tokenScopes === undefined ? { token: upstream.token } : { token: upstream.token, scopes: upstream.tokenScopes },
  });
}
