/**
 * Scalars of schema/schema.graphql: `DateTime` is graphql-scalars' RFC 3339 date-time, `JSON` its JSON. Upstream
 * timestamps arrive as strings; `toDate` turns them into Dates and an unparseable value into
 * `null` (the upstream's appointment times are the known offenders, which is why the contract
 * types those as String).
 */
import { DateTimeResolver, JSONResolver } from "graphql-scalars";

export const DateTimeScalar = DateTimeResolver;

/** `scalar JSON` of schema/schema.graphql: custom-field values and filter values of any JSON type. */
export const JSONScalar = JSONResolver;

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(typeof value === "number" ? value : String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}
