/**
 * Where the upstream client gets its bearer token for a location. One small interface: the
 * environment gives one location (`CONTACTS_API_TOKEN` + `CONTACTS_LOCATION_ID`), tests and
 * embedders give several (`StaticCredentialProvider`), the OAuth store gives every installed
 * location and refreshes tokens.
 */

export interface CredentialProvider {
  /** True when the gateway holds a credential for this location (callers of other locations are refused). */
  hasLocation(locationId: string): boolean | Promise<boolean>;
  /** Every location served (for readiness checks and `doctor`). */
  locations(): string[] | Promise<string[]>;
  /** The current access token; rejects with an UpstreamError (`no_credentials`) when none is held. */
  getAccessToken(locationId: string): Promise<string>;
  /**
   * The scopes granted to the upstream credential, when known (an OAuth grant's `scope`, a configured
   * PIT scope string). `undefined` = unknown.
   */
  grantedScopes(locationId: string): readonly string[] | undefined;
  /**
   * Called after the upstream answered 401 "Invalid token" for `rejectedToken`. Returns a fresh token
   * to retry once with, or `undefined` when the credential cannot be refreshed (a static PIT).
   */
  refreshAfterRejection?(locationId: string, rejectedToken: string): Promise<string | undefined>;
  /** Record that the upstream said the credential lacks a scope ("The token is not authorized for this scope."). */
  markScopeMissing?(locationId: string, scope: string): void;
  /**
   * Forget the location's credential for good (HighLevel's AppUninstall): stored tokens are
   * deleted, and the location is not served again until it is installed anew. Idempotent.
   */
  revoke?(locationId: string): Promise<void>;
}
