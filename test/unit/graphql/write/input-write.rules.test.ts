import { describe, expect, it } from "vitest";
import {
  WRITE_LIMITS,
  normalizePhone,
  validateAddTags,
  validateCreateContact,
  validateCreateTask,
  validateDeleteContact,
  validateTaskRef,
  validateUpdateContact,
  validateUpdateTask,
  validateBulkBusiness,
  validateBulkTags,
  validateCreateNote,
  validateDuplicateLookup,
  validateFollowers,
  validateUpdateNote,
  validateUpsertContact,
} from "../../../../src/graphql/write/input-write.rules.js";

const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe("write input rules", () => {
  it("accepts a plausible contact", () => {
    expect(
      validateCreateContact({
        firstName: "Ada",
        email: "ada@example.com",
        phone: "+44 20 7946 0958",
        tags: ["vip"],
        timezone: "Europe/London",
        customFields: [{ id: "cf1", value: "x" }, { key: "contact.colour", value: "red" }],
      }),
    ).toEqual([]);
  });

  it("rejects a malformed email, naming the field and the form, without echoing the value", () => {
    const problems = validateCreateContact({ email: "ada.example.com" });
    expect(fields(problems)).toEqual(["input.email"]);
    expect(problems[0]!.expected).toMatch(/email address like name@example.com/);
    expect(JSON.stringify(problems)).not.toContain("ada.example.com");
    expect(fields(validateCreateContact({ email: "a@b" }))).toEqual(["input.email"]);
  });

  it("rejects phones that are not E.164-like", () => {
    expect(fields(validateCreateContact({ phone: "555-0100" }))).toEqual(["input.phone"]);
    expect(fields(validateCreateContact({ phone: "+1 555" }))).toEqual(["input.phone"]);
    expect(fields(validateCreateContact({ phone: "+1 (415) 555-0123x" }))).toEqual(["input.phone"]);
    expect(fields(validateCreateContact({ phone: "+1234567890123456" }))).toEqual(["input.phone"]);
    expect(normalizePhone("+1 (415) 555-0123")).toBe("+14155550123");
    expect(JSON.stringify(validateCreateContact({ phone: "555-0100" }))).not.toContain("555-0100");
  });

  it("bounds string lengths", () => {
    const long = "x".repeat(WRITE_LIMITS.nameMaxLength + 1);
    const problems = validateCreateContact({ firstName: long });
    expect(fields(problems)).toEqual(["input.firstName"]);
    expect(problems[0]!.expected).toContain(String(WRITE_LIMITS.nameMaxLength));
  });

  it("checks tags: non-blank, bounded length and count", () => {
    expect(fields(validateCreateContact({ name: "x", tags: ["ok", " "] }))).toEqual(["input.tags[1]"]);
    expect(fields(validateCreateContact({ name: "x", tags: ["t".repeat(WRITE_LIMITS.tagMaxLength + 1)] }))).toEqual(["input.tags[0]"]);
    expect(fields(validateAddTags("c1", []))).toEqual(["tags"]);
    expect(fields(validateAddTags("c1", Array.from({ length: WRITE_LIMITS.tagsMaxCount + 1 }, (_, i) => `t${i}`)))).toEqual(["tags"]);
    expect(validateAddTags("c1", ["a", "b"])).toEqual([]);
  });

  it("refuses control characters: anywhere in text, and line breaks in one-line fields", () => {
    expect(fields(validateCreateContact({ firstName: "A\u0000B" }))).toEqual(["input.firstName"]);
    expect(fields(validateCreateContact({ firstName: "A", lastName: "B\nC" }))).toEqual(["input.lastName"]);
    expect(fields(validateAddTags("c1", ["ok", "bell\u0007"]))).toEqual(["tags[1]"]);
    expect(fields(validateAddTags("c1", ["two\nlines"]))).toEqual(["tags[0]"]);
    expect(fields(validateCreateTask("c1", { title: "T\u001b[31m", dueDate: "2026-01-01T00:00:00Z" }))).toEqual(["input.title"]);
    const problem = validateCreateTask("c1", { title: "T", body: "x\u0000", dueDate: "2026-01-01T00:00:00Z" })[0];
    expect(problem).toMatchObject({ field: "input.body", expected: expect.stringContaining("without control characters") });
    // Free text may span lines.
    expect(validateCreateTask("c1", { title: "T", body: "line 1\n\tline 2\r\n", dueDate: "2026-01-01T00:00:00Z" })).toEqual([]);
  });

  it("checks custom fields: exactly one of id or key", () => {
    expect(fields(validateCreateContact({ name: "x", customFields: [{ value: "v" }] }))).toEqual(["input.customFields[0]"]);
    expect(fields(validateCreateContact({ name: "x", customFields: [{ id: "a", key: "b", value: "v" }] }))).toEqual(["input.customFields[0]"]);
  });

  it("checks time zones against the IANA database", () => {
    expect(fields(validateCreateContact({ name: "x", timezone: "Mars/Olympus" }))).toEqual(["input.timezone"]);
  });

  it("refuses an empty contact and an empty update", () => {
    expect(fields(validateCreateContact({}))).toEqual(["input"]);
    expect(fields(validateUpdateContact("abc", {}))).toEqual(["input"]);
  });

  it("checks ids", () => {
    expect(fields(validateDeleteContact("../etc"))).toEqual(["id"]);
    expect(fields(validateTaskRef("", "t".repeat(65)))).toEqual(["contactId", "taskId"]);
  });

  it("requires a non-blank task title and an ISO dueDate", () => {
    expect(fields(validateCreateTask("c1", { title: "  ", dueDate: "2026-01-01T00:00:00Z" }))).toEqual(["input.title"]);
    expect(fields(validateCreateTask("c1", { title: "Call", dueDate: "tomorrow" }))).toEqual(["input.dueDate"]);
    expect(fields(validateCreateTask("c1", { title: "Call", dueDate: "2026-01-01" }))).toEqual(["input.dueDate"]);
    expect(fields(validateCreateTask("c1", { title: "Call", dueDate: new Date("invalid") }))).toEqual(["input.dueDate"]);
    expect(validateCreateTask("c1", { title: "Call", dueDate: new Date("2026-01-01T00:00:00Z") })).toEqual([]);
    expect(validateCreateTask("c1", { title: "Call", dueDate: "2026-01-01T09:30:00.000+02:00" })).toEqual([]);
  });

  it("checks task updates and their precondition", () => {
    expect(fields(validateUpdateTask("c1", "t1", {}))).toEqual(["input"]);
    expect(fields(validateUpdateTask("c1", "t1", { title: "" }))).toEqual(["input.title"]);
    expect(fields(validateUpdateTask("c1", "t1", { completed: true }, {}))).toEqual(["ifMatch"]);
    expect(validateUpdateTask("c1", "t1", { completed: true }, { title: "Call" })).toEqual([]);
  });

  it("checks ifUnmodifiedSince", () => {
    expect(fields(validateUpdateContact("c1", { name: "x" }, "yesterday"))).toEqual(["ifUnmodifiedSince"]);
  });
});

describe("input rules of the contact actions (schema/schema.graphql)", () => {
  it("duplicate lookup: one of email or phone, each in its form", () => {
    expect(fields(validateDuplicateLookup(undefined, undefined))).toEqual(["email"]);
    expect(validateDuplicateLookup("a@example.com", undefined)).toEqual([]);
    expect(validateDuplicateLookup(undefined, "+14155550123")).toEqual([]);
    expect(fields(validateDuplicateLookup("nope", "123"))).toEqual(["email", "phone"]);
  });

  it("upsert needs an email or a phone (what it matches on)", () => {
    expect(fields(validateUpsertContact({ firstName: "A" }))).toEqual(["input"]);
    expect(validateUpsertContact({ email: "a@example.com" })).toEqual([]);
  });

  it("notes: body required on create, something to change on update", () => {
    expect(fields(validateCreateNote("c1", { body: " " }))).toEqual(["input.body"]);
    expect(fields(validateCreateNote("c1", { body: "x", userId: "bad id" }))).toEqual(["input.userId"]);
    expect(fields(validateUpdateNote("c1", "n1", {}))).toEqual(["input"]);
    expect(validateUpdateNote("c1", "n1", { title: "t" })).toEqual([]);
  });

  it("notes: color is a hex colour; pinned alone (even false) is something to change", () => {
    expect(validateCreateNote("c1", { body: "x", color: "#FFAA00", pinned: true })).toEqual([]);
    expect(validateCreateNote("c1", { body: "x", color: "#fa0" })).toEqual([]);
    for (const color of ["red", "#FFAA0", "FFAA00", "#GGGGGG", ""]) {
      expect(fields(validateCreateNote("c1", { body: "x", color })), color).toEqual(["input.color"]);
    }
    expect(fields(validateUpdateNote("c1", "n1", { color: "yellow" }))).toEqual(["input.color"]);
    expect(validateUpdateNote("c1", "n1", { pinned: false })).toEqual([]);
  });

  it("followers and bulk ids: 1 to 100 ids; bulk tags need tags unless removing all", () => {
    expect(fields(validateFollowers("c1", []))).toEqual(["followers"]);
    expect(fields(validateFollowers("c1", Array.from({ length: 101 }, (_, i) => `u${i}`)))).toEqual(["followers"]);
    expect(fields(validateBulkTags(["c1"], [], false, false))).toEqual(["tags"]);
    expect(validateBulkTags(["c1"], [], true, true)).toEqual([]);
    expect(fields(validateBulkTags(["c1"], ["x"], false, true))).toEqual(["removeAllTags"]);
    expect(validateBulkBusiness(["c1"], null)).toEqual([]);
    expect(fields(validateBulkBusiness([], "b1"))).toEqual(["contactIds"]);
  });

  it("contact detail fields: country code, website, date of birth, DND channels once", () => {
    expect(
      fields(
        validateCreateContact({
          firstName: "A",
          country: "usa",
          website: "example.com",
          dateOfBirth: "1990-02-30",
          dndSettings: [
            { channel: "Email", status: "active" },
            { channel: "Email", status: "inactive" },
          ],
        }),
      ),
    ).toEqual(["input.country", "input.website", "input.dndSettings[1].channel", "input.dateOfBirth"]);
    expect(validateCreateContact({ firstName: "A", country: "US", website: "https://a.example", dateOfBirth: "1990-02-28" })).toEqual([]);
  });
});
