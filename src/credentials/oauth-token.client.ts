/**
 * The OAuth token endpoint client (HighLevel `POST /oauth/token`, form-encoded, no Version header):
 * exchanges an authorization code and refreshes tokens (FACTS.md "OAuth 2.0 and tokens"). Errors
 * carry the status and the endpoint's own error code/description, never a token, code or secret.
 */
import type { Dispatcher } from "undici";
import { request } from "../upstream/index.js";

export interface TokenGrant {
  accessToken: string;
  refreshToken: string | undefined;
  /** Seconds, as sent (`expires_in`). */
  expiresInSec: number | undefined;
  scopes: string[];
  userType: "Location" | "Company";
  locationId: string | undefined;
  companyId: string | undefined;
  userId: string | undefined;
}

export type OAuthTokenErrorReason = "rejected" | "unreachable" | "malformed_response";

export class OAuthTokenError extends Error {
  override readonly name = "OAuthTokenError";
  constructor(
    message: string,
    readonly reason: OAuthTokenErrorReason,
    readonly status?: number,
    /** The endpoint's `error` / `message`, when it sent one (never echoes our request). */
    readonly upstreamError?: string,
  ) {
    super(message);
  }
}

export interface OAuthTokenClientOptions {
  /** Full URL of the token endpoint. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri?: string;
  /** Default "Location" (this gateway serves locations). */
  userType?: "Location" | "Company";
  /** Whole-request timeout. Default 10 s. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export interface OAuthTokenClient {
  readonly tokenUrl: string;
  exchangeCode(code: string): Promise<TokenGrant>;
  refresh(refreshToken: string): Promise<TokenGrant>;
}

/** `config.oauth.tokenUrl`, or `<upstream base>/oauth/token`. */
export function resolveTokenUrl(oauth: { tokenUrl: string | undefined }, upstreamBaseUrl: string): string {
  return oauth.tokenUrl ?? `${upstreamBaseUrl.replace(/\/+$/, "")}/oauth/token`;
}

export function createOAuthTokenClient(options: OAuthTokenClientOptions): OAuthTokenClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const userType = options.userType ?? "Location";

  async function post(fields: Record<string, string>): Promise<TokenGrant> {
    const form = new URLSearchParams({
      client_id: options.clientId,
      client_secret: options.clientSecret,
      user_type: userType,
      ...(options.redirectUri ? { redirect_uri: options.redirectUri } : {}),
      ...fields,
    });
    let status: number;
    let text: string;
    try {
      const response = await request(options.tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new OAuthTokenError(
        `token endpoint ${options.tokenUrl} unreachable (${typeof code === "string" ? code : (error as Error).name})`,
        "unreachable",
      );
    }
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    if (status < 200 || status >= 300) {
      const upstreamError = describeError(body);
      throw new OAuthTokenError(
        `token endpoint answered ${status}${upstreamError ? ` (${upstreamError})` : ""}`,
        "rejected",
        status,
        upstreamError,
      );
    }
    if (!body || typeof body.access_token !== "string" || body.access_token === "") {
      throw new OAuthTokenError(
        `token endpoint answered ${status} without an access_token (expected JSON {access_token, refresh_token, expires_in, …})`,
        "malformed_response",
        status,
      );
    }
    const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
    return {
      accessToken: body.access_token,
      refreshToken: str(body.refresh_token),
      expiresInSec: typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in) || undefined,
      scopes: (str(body.scope) ?? "").split(/[\s,]+/).filter(Boolean),
      userType: body.userType === "Company" ? "Company" : "Location",
      locationId: str(body.locationId),
      companyId: str(body.companyId),
      userId: str(body.userId),
    };
  }

  return {
    tokenUrl: options.tokenUrl,
    exchangeCode: (code) => post({ grant_type: "authorization_code", code }),
    refresh: (refreshToken) => post({ grant_type: "refresh_token", refresh_token: refreshToken }),
  };
}

/** The endpoint's error in a few words: `error`, `error_description` or `message` (strings only, capped). */
function describeError(body: Record<string, unknown> | undefined): string | undefined {
  if (!body) return undefined;
  const parts = [body.error, body.error_description, body.message]
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((v): v is string => typeof v === "string" && v !== "");
  if (parts.length === 0) return undefined;
  return [...new Set(parts)].join(": ").slice(0, 200);
}
