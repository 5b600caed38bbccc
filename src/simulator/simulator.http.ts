/**
 * Small HTTP vocabulary shared by the simulator's routes: the error type that carries HighLevel's
 * observed error bodies, the route context, and a body validator that answers like HighLevel's
 * NestJS validation pipe (422 with a `message` array).
 */
import type { SimulatorToken } from "./simulator.types.js";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === "string" ? body.message : `HTTP ${status}`);
    this.name = "HttpError";
  }
}

const ERROR_NAMES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
};

export function httpError(status: number, message: string | string[], extra: Record<string, unknown> = {}): HttpError {
  const body: Record<string, unknown> = { statusCode: status, message };
  const name = ERROR_NAMES[status];
  if (name) body.error = name;
  return new HttpError(status, { ...body, ...extra });
}

export const errors = {
  invalidToken: () => httpError(401, "Invalid token: access token is invalid"),
  versionMissing: () => new HttpError(401, { statusCode: 401, message: "version header was not found." }),
  versionInvalid: () => new HttpError(401, { statusCode: 401, message: "version header is invalid" }),
  scope: () => httpError(401, "The token is not authorized for this scope."),
  location: () => httpError(403, "The token does not have access to this location."),
  notFound: (resource: string, id: string) => httpError(400, `${resource} with id ${id} not found`),
  unprocessable: (messages: string[]) => httpError(422, messages),
  tooManyRequests: () => httpError(429, "Too Many Requests"),
};

export interface RouteContext {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  token: SimulatorToken;
  /** Base URL of the simulator (for nextPageUrl). */
  baseUrl: string;
}

export interface RouteResult {
  status: number;
  body: Record<string, unknown>;
}

export type FieldType = "string" | "boolean" | "array" | "object" | "any" | "isoDate";

export interface FieldSpec {
  type: FieldType;
  required?: boolean;
}

/** Validate a JSON body: unknown properties, missing required ones, wrong types → 422 messages. */
export function validateBody(body: unknown, fields: Record<string, FieldSpec>): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    const required = Object.entries(fields).filter(([, spec]) => spec.required);
    throw errors.unprocessable(
      required.length ? required.map(([name]) => `${name} should not be empty`) : ["body must be a JSON object"],
    );
  }
  const record = body as Record<string, unknown>;
  const messages: string[] = [];
  for (const key of Object.keys(record)) {
    if (!(key in fields)) messages.push(`property ${key} should not exist`);
  }
  for (const [name, spec] of Object.entries(fields)) {
    const value = record[name];
    if (value === undefined || value === null || (spec.type === "string" && value === "" && spec.required)) {
      if (spec.required) messages.push(spec.type === "boolean" ? `${name} must be a boolean value` : `${name} should not be empty`);
      continue;
    }
    switch (spec.type) {
      case "string":
        if (typeof value !== "string") messages.push(`${name} must be a string`);
        break;
      case "boolean":
        if (typeof value !== "boolean") messages.push(`${name} must be a boolean value`);
        break;
      case "array":
        if (!Array.isArray(value)) messages.push(`${name} must be an array`);
        break;
      case "object":
        if (typeof value !== "object" || Array.isArray(value)) messages.push(`${name} must be an object`);
        break;
      case "isoDate":
        if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
          messages.push(`${name} must be a valid ISO 8601 date string`);
        }
        break;
      case "any":
        break;
    }
  }
  if (messages.length) throw errors.unprocessable(messages);
  return record;
}
