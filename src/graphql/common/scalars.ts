/**
 * Scalars of schema/schema.graphql: `DateTime` is graphql-scalars' RFC 3339 date-time, `JSON` its JSON. Upstream
 * timestamps arrive as strings; `toDate` turns them into Dates and an unparseable value into
 * `null` (the upstream's appointment times are the known offenders, which is why the contract
 * types those as String).
 */
import { GraphQLScalarType } from "graphql";
import { DateTimeResolver, JSONResolver } from "graphql-scalars";

/**
 * graphql-scalars' `DateTime` (same name, description, parsing and answers), except that a string
 * already in the form it prints (`isPrintedUtc`) is answered as it is: it would otherwise be
 * validated, parsed into a Date and printed back by `toJSON` into the same characters, once per
 * date field of every answer (a contacts page: a due date per task, a date per note).
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize: (value) => (typeof value === "string" && isPrintedUtc(value) ? value : DateTimeResolver.serialize(value)),
});

/** `scalar JSON` of schema/schema.graphql: custom-field values and filter values of any JSON type. */
export const JSONScalar = JSONResolver;

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(typeof value === "number" ? value : String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * What a `DateTime` field resolves to for an upstream timestamp: the upstream's string itself when
 * `DateTimeScalar` answers it unchanged (HighLevel sends `Date#toISOString` form), else `toDate`'s
 * Date (or null), which the scalar prints in that form.
 */
export function toDateTime(value: unknown): Date | string | null {
  return typeof value === "string" && isPrintedUtc(value) ? value : toDate(value);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real instant: exactly the strings `new Date(s).toISOString()`
 * gives back unchanged (V8 would roll an impossible day over, e.g. February 30 to March 2, and
 * `toISOString` prints that other day; such strings are not this form). No allocation: the
 * helpers are module functions, not closures (a closure per call was ~3 % of everything a
 * contacts-page miss allocated, measured with V8's sampling heap profiler).
 */
export function isPrintedUtc(s: string): boolean {
  if (s.length !== 24) return false;
  // - - T : : . Z
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 ||
    s.charCodeAt(23) !== 90
  ) {
    return false;
  }
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  if (year < 0 || digitsAt(s, 20, 3) < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** The decimal number written by `length` digits of `s` from `from`, or -1 when one is not a digit. */
function digitsAt(s: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}
