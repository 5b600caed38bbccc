/**
 * CSRF protection of the OAuth install flow: `state` is `<nonce>.<expiresAtMs>.<hmac>` (HMAC-SHA256
 * under a key derived from the credentials key), so any instance can verify it without shared
 * state; the nonce is also set as an HttpOnly cookie by /oauth/install, and /oauth/callback
 * requires the two to match (the browser that started the install is the one finishing it).
 * Each nonce is accepted once per process.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export const OAUTH_STATE_COOKIE = "cgw_oauth_state";

export type StateCheck = { ok: true; nonce: string } | { ok: false; problem: string };

export interface OAuthStateOptions {
  /** Secret material (e.g. the credentials key); a dedicated HMAC key is derived from it. */
  secret: Buffer;
  /** How long an install may take. Default 600_000 (10 min). */
  ttlMs?: number;
  now?: () => number;
}

export interface OAuthStateSigner {
  readonly ttlMs: number;
  issue(): { state: string; nonce: string };
  verify(state: string | undefined, cookieNonce: string | undefined): StateCheck;
}

export function createOAuthStateSigner(options: OAuthStateOptions): OAuthStateSigner {
  const ttlMs = options.ttlMs ?? 600_000;
  const now = options.now ?? Date.now;
  const key = Buffer.from(hkdfSync("sha256", options.secret, Buffer.alloc(0), "contacts-gateway/oauth-state/v1", 32));
  const used = new Map<string, number>();
  const mac = (payload: string) => createHmac("sha256", key).update(payload).digest("base64url");

  return {
    ttlMs,
    issue() {
      const nonce = randomBytes(18).toString("base64url");
      const payload = `${nonce}.${now() + ttlMs}`;
      return { state: `${payload}.${mac(payload)}`, nonce };
    },
    verify(state, cookieNonce) {
      if (!state) return { ok: false, problem: "the state parameter is missing (start the install at /oauth/install)" };
      const parts = state.split(".");
      if (parts.length !== 3) return { ok: false, problem: "the state parameter is malformed (expected <nonce>.<expiry>.<signature>)" };
      const [nonce, expiry, signature] = parts as [string, string, string];
      const expected = Buffer.from(mac(`${nonce}.${expiry}`));
      const received = Buffer.from(signature);
      if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
        return { ok: false, problem: "the state parameter has a bad signature (it was not issued by this gateway)" };
      }
      const expiresAt = Number(expiry);
      if (!Number.isFinite(expiresAt) || now() > expiresAt) {
        return { ok: false, problem: "the state parameter has expired (start the install again at /oauth/install)" };
      }
      if (cookieNonce !== nonce) {
        return { ok: false, problem: "the state does not belong to this browser (the install cookie is missing or different)" };
      }
      for (const [n, exp] of used) if (exp < now()) used.delete(n);
      if (used.has(nonce)) return { ok: false, problem: "the state parameter was already used" };
      used.set(nonce, expiresAt);
      return { ok: true, nonce };
    },
  };
}
