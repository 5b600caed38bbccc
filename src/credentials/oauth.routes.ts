/**
 * The Marketplace app install flow (HighLevel OAuth 2.0 authorization code grant):
 * - `GET /oauth/install`  → 302 to the choose-location page (`config.oauth.authorizeUrl`) with
 *   response_type=code, client_id, redirect_uri, scope (space-separated) and a CSRF `state`
 *   (also set as an HttpOnly cookie, see oauth.state.ts).
 * - `GET /oauth/callback?code=…&state=…` → checks the state, exchanges the code at the token
 *   endpoint and stores the location's tokens (encrypted) through the OAuth provider.
 * Errors are JSON `{error, message}` naming what was wrong; no code, token or secret is ever
 * echoed or logged.
 */
import { Router, type Request, type Response } from "express";
import type { Logger } from "../observability/logger.js";
import type { OAuthCredentialProvider } from "./oauth.provider.js";
import type { OAuthTokenClient } from "./oauth-token.client.js";
import { OAuthTokenError } from "./oauth-token.client.js";
import { OAUTH_STATE_COOKIE, type OAuthStateSigner } from "./oauth.state.js";

export interface OAuthRouterOptions {
  /** config.oauth */
  oauth: { clientId: string | undefined; redirectUri: string | undefined; scopes: readonly string[]; authorizeUrl: string };
  /** Absent when OAuth is not configured: both routes then answer 404 saying what to set. */
  provider?: OAuthCredentialProvider;
  tokenClient?: OAuthTokenClient;
  state?: OAuthStateSigner;
  logger?: Logger;
  /** Extra query parameters for the authorize URL (e.g. `loginWindowOpenMode=self`). */
  extraAuthorizeParams?: Record<string, string>;
  /** A location was installed (its credentials are stored): e.g. warm its cache. Never awaited. */
  onInstalled?: (locationId: string) => void;
}

export function createOAuthRouter(options: OAuthRouterOptions): Router {
  const router = Router();
  const { oauth, provider, tokenClient, state, logger } = options;
  const configured =
    oauth.clientId !== undefined && oauth.redirectUri !== undefined && provider && tokenClient && state ? true : false;
  const secureCookie = oauth.redirectUri?.startsWith("https:") ?? false;

  const notConfigured = (res: Response) =>
    fail(res, 404, "oauth_not_configured", "OAuth install is not configured: set OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_REDIRECT_URI and CREDENTIALS_KEY");

  router.get("/oauth/install", (_req: Request, res: Response) => {
    if (!configured) return notConfigured(res);
    const { state: value, nonce } = state!.issue();
    const url = new URL(oauth.authorizeUrl);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", oauth.clientId!);
    url.searchParams.set("redirect_uri", oauth.redirectUri!);
    url.searchParams.set("scope", oauth.scopes.join(" "));
    url.searchParams.set("state", value);
    for (const [k, v] of Object.entries(options.extraAuthorizeParams ?? {})) url.searchParams.set(k, v);
    res.setHeader(
      "set-cookie",
      `${OAUTH_STATE_COOKIE}=${nonce}; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(state!.ttlMs / 1000)}${secureCookie ? "; Secure" : ""}`,
    );
    res.setHeader("cache-control", "no-store");
    res.redirect(302, url.toString());
  });

  router.get("/oauth/callback", async (req: Request, res: Response) => {
    if (!configured) return notConfigured(res);
    res.setHeader("cache-control", "no-store");
    const denied = single(req.query.error);
    if (denied !== undefined) {
      const safe = /^[A-Za-z0-9_.-]{1,64}$/.test(denied) ? denied : "unknown";
      return fail(res, 400, "oauth_denied", `the authorization server answered error=${safe} instead of a code; start again at /oauth/install`);
    }
    const code = single(req.query.code);
    if (code === undefined || code === "") {
      return fail(res, 400, "oauth_code_missing", "the callback needs a `code` query parameter (the authorization code from the choose-location page)");
    }
    if (code.length > 2048) return fail(res, 400, "oauth_code_invalid", "the `code` query parameter is longer than 2048 characters");
    const check = state!.verify(single(req.query.state), readCookie(req.headers.cookie, OAUTH_STATE_COOKIE));
    if (!check.ok) return fail(res, 400, "oauth_state_invalid", check.problem);
    res.setHeader("set-cookie", `${OAUTH_STATE_COOKIE}=; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=0`);

    try {
      const grant = await tokenClient!.exchangeCode(code);
      const record = await provider!.install(grant);
      const missing = ["contacts.readonly"].filter((s) => !record.scopes.includes(s));
      if (missing.length > 0) logger?.warn({ locationId: record.locationId, missing }, "installed location lacks scopes");
      res.status(200).json({ installed: true, locationId: record.locationId, scopes: record.scopes, userType: record.userType });
      options.onInstalled?.(record.locationId);
    } catch (error) {
      logger?.warn({ err: error }, "oauth code exchange failed");
      if (error instanceof OAuthTokenError) {
        const status = error.reason === "unreachable" ? 503 : 502;
        return fail(res, status, "oauth_exchange_failed", `could not exchange the authorization code: ${error.message}`);
      }
      return fail(res, 500, "oauth_store_failed", "the code was exchanged but the credential could not be stored; see the gateway log");
    }
  });

  return router;
}

function fail(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}

function single(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
