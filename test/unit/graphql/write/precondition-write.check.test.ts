import { describe, expect, it } from "vitest";
import { checkTaskExpected, checkUnmodifiedSince } from "../../../../src/graphql/write/precondition-write.check.js";

describe("write preconditions", () => {
  it("fails ifUnmodifiedSince when dateUpdated is later", () => {
    const current = { dateUpdated: "2026-01-02T00:00:00.000Z" };
    expect(checkUnmodifiedSince(current, new Date("2026-01-01T00:00:00Z"))).toEqual({
      currentDateUpdated: "2026-01-02T00:00:00.000Z",
      ifUnmodifiedSince: "2026-01-01T00:00:00.000Z",
    });
    expect(checkUnmodifiedSince(current, new Date("2026-01-02T00:00:00Z"))).toBeUndefined();
    expect(checkUnmodifiedSince({ dateUpdated: null }, "2026-01-01T00:00:00Z")).toBeUndefined();
  });

  it("compares expected task values field by field (dates by instant)", () => {
    const task = { id: "t", contactId: "c", title: "Call", completed: false, dueDate: "2026-01-01T10:00:00.000Z" };
    expect(checkTaskExpected(task, { title: "Call", dueDate: "2026-01-01T12:00:00+02:00" })).toEqual([]);
    expect(checkTaskExpected(task, { completed: true, title: "Call" })).toEqual([{ field: "completed", expected: true, actual: false }]);
  });
});
