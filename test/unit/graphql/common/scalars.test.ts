/**
 * `DateTime` answers an upstream timestamp already in its printed form as the string itself: the
 * answer must be the same characters graphql-scalars' DateTime printed through a Date (JSON, as
 * both transports send it), and what that refused is still refused with the same message.
 */
import { DateTimeResolver } from "graphql-scalars";
import { describe, expect, it } from "vitest";
import { DateTimeScalar, isPrintedUtc, toDate, toDateTime } from "../../../../src/graphql/common/scalars.js";

/** The JSON of a field resolving to `resolved` (null is not serialised, as in graphql-js), or the refusal. */
const printed = (serialize: (value: unknown) => unknown, resolved: unknown): string => {
  if (resolved === null) return "null";
  try {
    return JSON.stringify(serialize(resolved));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
};
/** How a field printed before: the Date (or null) of `toDate`, serialised by graphql-scalars. */
const printedBefore = (value: unknown) => printed((v) => DateTimeResolver.serialize(v), toDate(value));
const printedNow = (value: unknown) => printed((v) => DateTimeScalar.serialize(v), toDateTime(value));

describe("DateTime scalar", () => {
  const samples = [
    "2026-12-03T13:28:30.123Z",
    "2024-02-29T00:00:00.000Z", // a leap day
    "2000-02-29T23:59:59.999Z", // 2000 is a leap year
    "0000-01-01T00:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "2026-02-29T00:00:00.000Z", // no such day: V8 rolls it over to March 1
    "1900-02-29T00:00:00.000Z", // 1900 is not a leap year
    "2026-04-31T10:00:00.000Z",
    "2026-01-01T24:00:00.000Z", // hour 24: the next day
    "2026-01-01T23:59:60.000Z",
    "2026-13-01T00:00:00.000Z",
    "2026-01-01T00:00:00Z", // no milliseconds
    "2026-01-01T00:00:00.000+02:00",
    "2026-01-01t00:00:00.000z",
    "2026-01-01 00:00:00.000Z",
    "2026-1a-01T00:00:00.000Z",
    "2026-01-01",
    "not a date",
    "",
    null,
    undefined,
    1767225600000,
  ];

  it("answers every upstream value with the same JSON as graphql-scalars' DateTime through a Date", () => {
    for (const value of samples) expect([value, printedNow(value)]).toEqual([value, printedBefore(value)]);
  });

  it("keeps the upstream string itself only when it is the printed form of a real instant", () => {
    expect(toDateTime("2026-12-03T13:28:30.123Z")).toBe("2026-12-03T13:28:30.123Z");
    expect(toDateTime("2026-02-29T00:00:00.000Z")).toBeInstanceOf(Date);
    expect(toDateTime("2026-01-01T00:00:00Z")).toBeInstanceOf(Date);
    expect(samples.filter((s): s is string => typeof s === "string" && isPrintedUtc(s))).toEqual([
      "2026-12-03T13:28:30.123Z",
      "2024-02-29T00:00:00.000Z",
      "2000-02-29T23:59:59.999Z",
      "0000-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
    ]);
  });

  it("serialises a string the way graphql-scalars does, refusals included", () => {
    for (const value of ["2026-12-03T13:28:30.123Z", "2026-02-30T00:00:00.000Z", "2026-01-01T00:00:00+01:00", "garbage"]) {
      const ours = printed((v) => DateTimeScalar.serialize(v), value);
      const theirs = printed((v) => DateTimeResolver.serialize(v), value);
      expect([value, ours]).toEqual([value, theirs]);
    }
  });

  it("keeps graphql-scalars' name, description and parsing (the printed schema is unchanged)", () => {
    expect(DateTimeScalar.toConfig()).toMatchObject({ name: DateTimeResolver.name, description: DateTimeResolver.description, specifiedByURL: DateTimeResolver.specifiedByURL });
    expect(DateTimeScalar.parseValue("2026-01-01T00:00:00Z")).toEqual(DateTimeResolver.parseValue("2026-01-01T00:00:00Z"));
  });
});
