/**
 * The simulator's OAuth 2.0 endpoints (apps/oauth.json): `POST /oauth/token` (form-encoded, no
 * Version header; authorization_code and refresh_token grants) and a browserless
 * `GET /oauth/chooselocation` that "picks" the demo location and redirects straight to the
 * redirect URI with a code. Issued access tokens become API tokens with the granted scopes;
 * every refresh rotates the refresh token and the old one is rejected (`invalid_grant`).
 *
 * Error shape (documented choice): HighLevel's NestJS body plus the RFC 6749 fields, e.g.
 * 400 `{statusCode:400, message, error:"invalid_grant", error_description}`;
 * a bad client is 401 `{..., error:"invalid_client"}`.
 */
import { randomBytes } from "node:crypto";
import { HttpError } from "./simulator.http.js";
import type { OAuthIssueCodeInput, OAuthOptions, SimulatorOAuth, SimulatorToken } from "./simulator.types.js";

export const DEFAULT_ACCESS_TOKEN_TTL_SEC = 86_399;
export const DEFAULT_CODE_TTL_SEC = 600;
export const DEFAULT_OAUTH_SCOPES = ["contacts.readonly", "contacts.write"];
export const SIMULATOR_COMPANY_ID = "SimCompanyBrokerage1";
export const SIMULATOR_INSTALLER_USER_ID = "SimUserLoanOfficer01";

interface Grant {
  locationId: string;
  scopes: string[];
  clientId: string;
}

interface CodeGrant extends Grant {
  redirectUri?: string;
  expiresAtMs: number;
}

export interface OAuthServerDeps {
  options: OAuthOptions | undefined;
  defaultLocationId: string;
  now: () => number;
  /** Registers an issued access token as a valid API token. */
  addToken(token: SimulatorToken): void;
  /** Removes an access token (e.g. when its refresh token is rotated it stays valid until expiry). */
  expireTokens(predicate: (token: SimulatorToken) => boolean): void;
}

export interface OAuthResult {
  status: number;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

const oauthError = (status: number, error: string, description: string): HttpError =>
  new HttpError(status, { statusCode: status, message: description, error, error_description: description });

export class OAuthServer implements SimulatorOAuth {
  readonly counts = { authorizationCode: 0, refreshToken: 0, rejected: 0 };
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, Grant & { used: boolean }>();
  private readonly issuedAccessTokens = new Set<string>();
  private accessTokenTtlSec: number;

  constructor(private readonly deps: OAuthServerDeps) {
    this.accessTokenTtlSec = deps.options?.accessTokenTtlSec ?? DEFAULT_ACCESS_TOKEN_TTL_SEC;
  }

  get enabled(): boolean {
    return (this.deps.options?.clients.length ?? 0) > 0;
  }

  issueCode(input: OAuthIssueCodeInput = {}): string {
    const code = randomBytes(20).toString("hex");
    const clientId = input.clientId ?? this.deps.options?.clients[0]?.clientId ?? "";
    const grant: CodeGrant = {
      locationId: input.locationId ?? this.deps.options?.defaultLocationId ?? this.deps.defaultLocationId,
      scopes: input.scopes ?? DEFAULT_OAUTH_SCOPES,
      clientId,
      expiresAtMs: this.deps.now() + (this.deps.options?.codeTtlSec ?? DEFAULT_CODE_TTL_SEC) * 1000,
    };
    if (input.redirectUri !== undefined) grant.redirectUri = input.redirectUri;
    this.codes.set(code, grant);
    return code;
  }

  expireAccessTokens(): void {
    const issued = this.issuedAccessTokens;
    this.deps.expireTokens((t) => issued.has(t.token));
  }

  setAccessTokenTtlSec(ttlSec: number): void {
    if (!Number.isFinite(ttlSec) || ttlSec <= 0) {
      throw new Error(`oauth.accessTokenTtlSec: expected a positive number of seconds, received ${String(ttlSec)}`);
    }
    this.accessTokenTtlSec = ttlSec;
  }

  /** `GET /oauth/chooselocation?client_id&redirect_uri&scope&response_type=code[&state]`. */
  chooseLocation(query: Record<string, string>): OAuthResult {
    const client = this.deps.options?.clients.find((c) => c.clientId === query.client_id);
    if (!client) throw oauthError(400, "invalid_client", `client_id: expected a registered client id, received ${query.client_id ? "an unknown one" : "none"}`);
    if (query.response_type !== undefined && query.response_type !== "code") {
      throw oauthError(400, "unsupported_response_type", `response_type: expected "code", received "${query.response_type}"`);
    }
    const redirectUri = query.redirect_uri ?? client.redirectUri;
    if (!redirectUri) throw oauthError(400, "invalid_request", "redirect_uri: expected a URL, received none");
    if (client.redirectUri && redirectUri !== client.redirectUri) {
      throw oauthError(400, "invalid_request", "redirect_uri: expected the client's registered redirect URI");
    }
    const scopes = (query.scope ?? DEFAULT_OAUTH_SCOPES.join(" ")).split(/[\s+]+/).filter(Boolean);
    const code = this.issueCode({ clientId: client.clientId, redirectUri, scopes });
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    if (query.state) target.searchParams.set("state", query.state);
    return { status: 302, headers: { location: target.toString() } };
  }

  /** `POST /oauth/token` with form fields. */
  token(form: Record<string, string>): OAuthResult {
    try {
      return this.tokenUnchecked(form);
    } catch (error) {
      this.counts.rejected++;
      throw error;
    }
  }

  private tokenUnchecked(form: Record<string, string>): OAuthResult {
    const client = this.deps.options?.clients.find((c) => c.clientId === form.client_id);
    if (!client || client.clientSecret !== form.client_secret) {
      throw oauthError(401, "invalid_client", "Invalid client credentials: expected a registered client_id and its client_secret");
    }
    let grant: Grant;
    if (form.grant_type === "authorization_code") {
      this.counts.authorizationCode++;
      const code = form.code ? this.codes.get(form.code) : undefined;
      if (form.code) this.codes.delete(form.code); // single use
      if (!code || code.expiresAtMs <= this.deps.now() || code.clientId !== client.clientId) {
        throw oauthError(400, "invalid_grant", "Invalid grant: authorization code is invalid");
      }
      if (code.redirectUri && form.redirect_uri && form.redirect_uri !== code.redirectUri) {
        throw oauthError(400, "invalid_grant", "Invalid grant: redirect_uri does not match the authorization request");
      }
      grant = code;
    } else if (form.grant_type === "refresh_token") {
      this.counts.refreshToken++;
      const stored = form.refresh_token ? this.refreshTokens.get(form.refresh_token) : undefined;
      if (!stored || stored.used || stored.clientId !== client.clientId) {
        throw oauthError(400, "invalid_grant", "Invalid grant: refresh token is invalid");
      }
      stored.used = true; // rotation: the old refresh token never works again
      grant = stored;
    } else {
      throw oauthError(
        422,
        "unsupported_grant_type",
        `grant_type: expected "authorization_code" or "refresh_token", received ${form.grant_type ? `"${form.grant_type}"` : "none"}`,
      );
    }
    if (form.user_type !== undefined && form.user_type !== "Location") {
      throw oauthError(400, "invalid_request", `user_type: expected "Location", received "${form.user_type}"`);
    }
    const accessToken = `sim-oauth-${randomBytes(24).toString("hex")}`;
    const refreshToken = `sim-refresh-${randomBytes(24).toString("hex")}`;
    const ttlSec = this.accessTokenTtlSec;
    this.issuedAccessTokens.add(accessToken);
    this.deps.addToken({
      token: accessToken,
      locationId: grant.locationId,
      scopes: [...grant.scopes],
      expiresAtMs: this.deps.now() + ttlSec * 1000,
    });
    this.refreshTokens.set(refreshToken, { locationId: grant.locationId, scopes: [...grant.scopes], clientId: client.clientId, used: false });
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: "Bearer",
        expires_in: ttlSec,
        refresh_token: refreshToken,
        scope: grant.scopes.join(" "),
        userType: "Location",
        locationId: grant.locationId,
        companyId: this.deps.options?.companyId ?? SIMULATOR_COMPANY_ID,
        userId: this.deps.options?.userId ?? SIMULATOR_INSTALLER_USER_ID,
      },
    };
  }
}
