/**
 * Caller JWTs (README, "Quick start": caller tokens): HS256 with `AUTH_JWT_SECRET`, claims `scope` (space-separated),
 * `locationId`, `exp` (required) and `sub`. `verifyCallerToken` turns a bearer header into a
 * `Viewer` or throws a `CallerAuthError`; `mintCallerToken` issues tokens for `npm start`'s demo
 * output and for tests. A verified token's Viewer is remembered (process-wide, per secret) until
 * min(10 s, exp), so a client's repeated requests skip the HMAC; failures are never remembered.
 * No token or secret ever appears in an error message.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { CallerAuthError } from "./auth.errors.js";
import type { Viewer } from "./viewer.js";

const ALGORITHM = "HS256";
/** Clock skew tolerated on `exp`/`nbf`. */
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
const LOCATION_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface CallerTokenKey {
  /** The HS256 secret (AUTH_JWT_SECRET). */
  secret: string;
}

function keyBytes(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * `Authorization` header value (or graphql-ws `authorization` payload) → the bare token.
 * Returns `undefined` when no header was sent; throws when one was sent but is not `Bearer <token>`.
 */
export function bearerToken(header: unknown): string | undefined {
  if (header === undefined || header === null || header === "") return undefined;
  if (typeof header !== "string") {
    throw new CallerAuthError("UNAUTHENTICATED", "malformed_header", 'authorization must be a string "Bearer <JWT>"');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  if (!match?.[1]) {
    throw new CallerAuthError("UNAUTHENTICATED", "malformed_header", 'authorization must be "Bearer <JWT>"');
  }
  return match[1];
}

/** How long a verified token is trusted without verifying it again (never past its `exp`). */
const VERIFIED_TTL_MS = 10_000;
const VERIFIED_MAX_ENTRIES = 1_000;
/**
 * token → its Viewer, for the secret that verified it. Every request of a client carries the same
 * token; verifying it (key import + HMAC through WebCrypto, claims) each time cost ~2 ms of CPU
 * per request. Only successes are kept, each until min(10 s, exp): an expired, foreign or
 * malformed token always goes through the full check.
 */
const verified = new Map<string, { secret: string; viewer: Viewer; untilMs: number }>();

/** Verifies signature, algorithm and expiry, then maps the claims to a Viewer. */
export async function verifyCallerToken(
  token: string,
  key: CallerTokenKey,
  options: { clockToleranceSeconds?: number } = {},
): Promise<Viewer> {
  const cacheable = options.clockToleranceSeconds === undefined;
  if (cacheable) {
    const known = verified.get(token);
    if (known !== undefined) {
      if (known.secret === key.secret && Date.now() < known.untilMs) return known.viewer;
      verified.delete(token);
    }
  }
  const viewer = await verifyCallerTokenNow(token, key, options);
  if (cacheable && viewer.expiresAtMs !== undefined) {
    const untilMs = Math.min(Date.now() + VERIFIED_TTL_MS, viewer.expiresAtMs);
    if (untilMs > Date.now()) {
      if (verified.size >= VERIFIED_MAX_ENTRIES) verified.delete(verified.keys().next().value as string);
      verified.set(token, { secret: key.secret, viewer, untilMs });
    }
  }
  return viewer;
}

async function verifyCallerTokenNow(
  token: string,
  key: CallerTokenKey,
  options: { clockToleranceSeconds?: number },
): Promise<Viewer> {
  let payload: Record<string, unknown>;
  try {
    const result = await jwtVerify(token, keyBytes(key.secret), {
      algorithms: [ALGORITHM],
      requiredClaims: ["exp"],
      clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    });
    payload = result.payload as Record<string, unknown>;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new CallerAuthError("UNAUTHENTICATED", "expired_token", "The caller token has expired");
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === "exp") {
      throw new CallerAuthError("UNAUTHENTICATED", "invalid_claims", "The caller token must carry an exp claim");
    }
    throw new CallerAuthError(
      "UNAUTHENTICATED",
      "invalid_token",
      "The caller token is not a valid HS256 JWT signed with the gateway's AUTH_JWT_SECRET",
    );
  }
  const { scope, locationId, sub, exp } = payload;
  if (typeof locationId !== "string" || !LOCATION_ID.test(locationId)) {
    throw new CallerAuthError(
      "UNAUTHENTICATED",
      "invalid_claims",
      "The caller token must carry a locationId claim (a HighLevel location id)",
    );
  }
  if (scope !== undefined && typeof scope !== "string") {
    throw new CallerAuthError("UNAUTHENTICATED", "invalid_claims", "The caller token's scope claim must be a space-separated string");
  }
  return Object.freeze({
    subject: typeof sub === "string" ? sub : undefined,
    locationId,
    scopes: Object.freeze((scope ?? "").split(/\s+/).filter(Boolean)),
    ...(typeof exp === "number" ? { expiresAtMs: exp * 1000 } : {}),
  });
}

export interface MintCallerTokenOptions extends CallerTokenKey {
  scopes: readonly string[];
  locationId: string;
  subject?: string;
  /** Lifetime in seconds (default 24 h). Negative values mint an already expired token (tests). */
  expiresInSeconds?: number;
  /** Injectable clock (epoch ms), for tests. */
  nowMs?: number;
}

/** Signs a caller token. Used by `npm start` (demo tokens) and by tests. */
export async function mintCallerToken(options: MintCallerTokenOptions): Promise<string> {
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const jwt = new SignJWT({ scope: options.scopes.join(" "), locationId: options.locationId })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + (options.expiresInSeconds ?? 24 * 60 * 60));
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  return jwt.sign(keyBytes(options.secret));
}
