import { describe, expect, it } from "vitest";
import {
  changedFieldNames,
  toCreateContactBody,
  toCreateTaskBody,
  toUpdateContactBody,
  toUpdateTaskBody,
} from "../../../../src/graphql/write/input-write.translate.js";

describe("write input translation", () => {
  it("writes custom fields as {id|key, field_value} and normalises phone and tags", () => {
    expect(
      toCreateContactBody({
        firstName: " Ada ",
        phone: "+1 (415) 555-0123",
        companyName: "Analytical",
        tags: [" vip", "vip", "new"],
        customFields: [{ id: "cf1", value: "a" }, { key: "contact.colour", value: null }],
        email: null,
      }),
    ).toEqual({
      firstName: "Ada",
      phone: "+14155550123",
      companyName: "Analytical",
      tags: ["vip", "new"],
      customFields: [{ id: "cf1", field_value: "a" }, { key: "contact.colour", field_value: null }],
    });
  });

  it("never puts locationId or companyName into a PUT body", () => {
    const body = toUpdateContactBody({ firstName: "A", companyName: "X" } as never);
    expect(body).toEqual({ firstName: "A" });
    expect("locationId" in body).toBe(false);
  });

  it("fills the task fields the upstream requires", () => {
    expect(toCreateTaskBody({ title: "Call", dueDate: new Date("2026-02-01T10:00:00Z") })).toEqual({
      title: "Call",
      dueDate: "2026-02-01T10:00:00.000Z",
      completed: false,
    });
    expect(toUpdateTaskBody({ dueDate: "2026-02-01T12:00:00+02:00", completed: true, body: null })).toEqual({
      dueDate: "2026-02-01T10:00:00.000Z",
      completed: true,
    });
  });

  it("lists changed field names, never values", () => {
    expect(changedFieldNames({ email: "a@b.co", phone: null, tags: [] })).toEqual(["email", "tags"]);
  });
});
