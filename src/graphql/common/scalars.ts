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
 * `toISOString` prints that other day; such strings are not this form). No allocation.
 */
export function isPrintedUtc(s: string): boolean {
  if (s.length !== 24) return false;
  const at = (i: number) => s.charCodeAt(i);
  // - - T : : . Z
  if (at(4) !== 45 || at(7) !== 45 || at(10) !== 84 || at(13) !== 58 || at(16) !== 58 || at(19) !== 46 || at(23) !== 90) return false;
  const num = (from: number, length: number): number => {
    let n = 0;
    for (let i = from; i < from + length; i++) {
      const digit = at(i) - 48;
      if (digit < 0 || digit > 9) return -1;
      n = n * 10 + digit;
    }
    return n;
  };
  const year = num(0, 4);
  const month = num(5, 2);
  const day = num(8, 2);
  const hour = num(11, 2);
  const minute = num(14, 2);
  const second = num(17, 2);
  if (year < 0 || num(20, 3) < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}
