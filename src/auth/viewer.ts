/**
 * Who is calling: the verified claims of a caller JWT (README, "Quick start": caller tokens). A `Viewer` only ever exists
 * after its token was verified; nothing here does I/O.
 */

/** The two caller scopes (README, "Quick start") (OAuth convention, space-separated in the `scope` claim). */
export const SCOPES = {
  read: "contacts.readonly",
  write: "contacts.write",
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export const KNOWN_SCOPES: readonly string[] = [SCOPES.read, SCOPES.write];

export interface Viewer {
  /** The `sub` claim, when the token carries one. */
  subject: string | undefined;
  /** The HighLevel location whose data this caller may see. */
  locationId: string;
  /** Scopes from the `scope` claim (unknown scopes are kept; they grant nothing). */
  scopes: readonly string[];
  /** When the token expires (`exp`, ms since the epoch): a graphql-ws connection is closed then. */
  expiresAtMs?: number;
}

export function hasScope(viewer: Viewer, scope: string): boolean {
  return viewer.scopes.includes(scope);
}
