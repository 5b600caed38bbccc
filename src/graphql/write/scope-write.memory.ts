/**
 * Remembers that a location's upstream credential lacks a scope, after the upstream answered
 * 401 "The token is not authorized for this scope." (FACTS.md "Errors"). Further writes for that
 * location are refused with FORBIDDEN without calling the upstream again. Entries expire
 * (`ttlMs`, default 10 minutes) so a re-issued token is picked up without a restart.
 * The credential provider's `markScopeMissing` is told too (the client does that); this memory
 * covers providers that do not implement it (a static PIT).
 */

export interface UpstreamScopeMemory {
  markMissing(locationId: string, scope: string): void;
  isMissing(locationId: string, scope: string): boolean;
}

export interface UpstreamScopeMemoryOptions {
  /** How long a "missing" verdict holds. Default 600_000 (10 minutes). */
  ttlMs?: number;
  now?: () => number;
}

export function createUpstreamScopeMemory(options: UpstreamScopeMemoryOptions = {}): UpstreamScopeMemory {
  const ttlMs = options.ttlMs ?? 600_000;
  const now = options.now ?? Date.now;
  const missingUntil = new Map<string, number>();
  const key = (locationId: string, scope: string) => `${locationId}\u0000${scope}`;
  return {
    markMissing(locationId, scope) {
      missingUntil.set(key(locationId, scope), now() + ttlMs);
    },
    isMissing(locationId, scope) {
      const until = missingUntil.get(key(locationId, scope));
      if (until === undefined) return false;
      if (until <= now()) {
        missingUntil.delete(key(locationId, scope));
        return false;
      }
      return true;
    },
  };
}
