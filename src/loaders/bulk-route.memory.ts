/**
 * Which locations can use a resource's bulk route (resources.ts `bulk`, e.g. tasks'
 * `POST /locations/:locationId/tasks/search`, appointments' `GET /calendars/events`), remembered
 * per location for the whole gateway:
 * - a credential known to lack one of the route's scopes (`grantedScopes`: a configured PIT's scopes, an
 *   OAuth grant's) never tries it;
 * - a refusal (401 "not authorized for this scope") or a failure of the route is remembered for a
 *   while (`missingScopeRetryMs`, `failureRetryMs`), during which the loaders read per contact
 *   without trying the bulk route again; then one read tries it again (the app may have been
 *   re-installed with the scope, the route may be back).
 * Per instance: another instance pays at most one refused call of its own. Knows no GraphQL.
 */
import { bulkScopes, type PerContactResource } from "../upstream/resources.js";
import { isUpstreamError } from "../upstream/upstream.error.js";

export interface BulkRouteMemory {
  /** Should a read of many contacts' lists of `resource` in `locationId` try the bulk route? */
  usable(locationId: string, resource: PerContactResource): boolean;
  /** The bulk route failed with `error`: use the per-contact route for a while. */
  failed(locationId: string, resource: PerContactResource, error: unknown): void;
}

export interface BulkRouteMemoryOptions {
  /** The scopes of a location's credential, when known (CredentialProvider.grantedScopes). */
  grantedScopes?(locationId: string): readonly string[] | undefined;
  /** How long a missing scope is believed, ms. Default 3_600_000 (1 hour): scopes change only with a new install. */
  missingScopeRetryMs?: number;
  /** How long any other failure keeps the bulk route off, ms. Default 300_000 (5 minutes). */
  failureRetryMs?: number;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
}

const DEFAULTS = {
  missingScopeRetryMs: 3_600_000, // 1 hour
  failureRetryMs: 300_000, // 5 minutes
};

export function createBulkRouteMemory(options: BulkRouteMemoryOptions = {}): BulkRouteMemory {
  const now = options.now ?? Date.now;
  const missingScopeRetryMs = options.missingScopeRetryMs ?? DEFAULTS.missingScopeRetryMs;
  const failureRetryMs = options.failureRetryMs ?? DEFAULTS.failureRetryMs;
  /** `location\0kind` → epoch ms until which the bulk route is not tried. */
  const offUntil = new Map<string, number>();
  const keyOf = (locationId: string, resource: PerContactResource) => `${locationId}\u0000${resource.kind}`;

  return {
    usable(locationId, resource) {
      const bulk = resource.bulk;
      if (!bulk) return false;
      const scopes = options.grantedScopes?.(locationId);
      if (scopes !== undefined && !bulkScopes(bulk).every((scope) => scopes.includes(scope))) return false;
      const key = keyOf(locationId, resource);
      const until = offUntil.get(key);
      if (until === undefined) return true;
      if (now() < until) return false;
      offUntil.delete(key);
      return true;
    },
    failed(locationId, resource, error) {
      const missingScope = isUpstreamError(error) && error.reason === "missing_scope";
      offUntil.set(keyOf(locationId, resource), now() + (missingScope ? missingScopeRetryMs : failureRetryMs));
    },
  };
}
