/**
 * Several credential providers as one: the environment's single location (`CONTACTS_API_TOKEN` +
 * `CONTACTS_LOCATION_ID`, a static provider) next to every OAuth-installed location. The first
 * provider holding a location owns it; every call for that location goes to its owner.
 */
import { UpstreamError, type CredentialProvider } from "../upstream/index.js";

export interface CompositeCredentialProviderOptions {
  /** In priority order: the first one holding a location serves it. */
  providers: readonly CredentialProvider[];
}

export function createCompositeCredentialProvider(options: CompositeCredentialProviderOptions): CredentialProvider {
  const { providers } = options;
  const owners = new Map<string, CredentialProvider>();

  async function ownerOf(locationId: string): Promise<CredentialProvider | undefined> {
    const known = owners.get(locationId);
    if (known && (await known.hasLocation(locationId))) return known;
    owners.delete(locationId);
    for (const provider of providers) {
      if (await provider.hasLocation(locationId)) {
        owners.set(locationId, provider);
        return provider;
      }
    }
    return undefined;
  }

  return {
    async hasLocation(locationId) {
      return (await ownerOf(locationId)) !== undefined;
    },
    async locations() {
      const all = new Set<string>();
      for (const provider of providers) for (const id of await provider.locations()) all.add(id);
      return [...all];
    },
    async getAccessToken(locationId) {
      const owner = await ownerOf(locationId);
      if (!owner) {
        throw new UpstreamError({
          code: "FORBIDDEN",
          reason: "no_credentials",
          message: `the gateway holds no upstream credential for location ${locationId}`,
          method: "GET",
          route: "(credentials)",
        });
      }
      return owner.getAccessToken(locationId);
    },
    grantedScopes(locationId) {
      const owner = owners.get(locationId);
      if (owner) return owner.grantedScopes(locationId);
      for (const provider of providers) {
        const scopes = provider.grantedScopes(locationId);
        if (scopes !== undefined) return scopes;
      }
      return undefined;
    },
    async refreshAfterRejection(locationId, rejectedToken) {
      const owner = await ownerOf(locationId);
      return owner?.refreshAfterRejection?.(locationId, rejectedToken);
    },
    markScopeMissing(locationId, scope) {
      owners.get(locationId)?.markScopeMissing?.(locationId, scope);
    },
    async revoke(locationId) {
      owners.delete(locationId);
      for (const provider of providers) await provider.revoke?.(locationId);
    },
  };
}
