/** Read-path mapping without sockets: cursors, list items vs full contacts, the error policy. */
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { decodeBusinessCursor, decodeContactsCursor, encodeCursor } from "../../../src/graphql/common/cursor.js";
import { createFormatError, toGatewayError } from "../../../src/graphql/common/errors.js";
import { ContactRecord } from "../../../src/graphql/contact/contact.record.js";
import type { Loaders } from "../../../src/loaders/index.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";

const upstreamError = (over: Partial<ConstructorParameters<typeof UpstreamError>[0]>) =>
  new UpstreamError({ code: "UPSTREAM_ERROR", reason: "server_error", message: "m", method: "GET", route: "/contacts/:contactId", ...over });

describe("cursors", () => {
  it("round-trip both upstream cursor parts and refuse foreign or forged ones", () => {
    const raw = encodeCursor({ kind: "contacts", startAfter: 1_700_000_000_000, startAfterId: "abc", offset: 30, query: null });
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeContactsCursor(raw, null)).toEqual({ kind: "contacts", startAfter: 1_700_000_000_000, startAfterId: "abc", offset: 30, query: null });
    expect(() => decodeContactsCursor(raw, "smith")).toThrow(/same query/);
    expect(() => decodeContactsCursor("garbage!", null)).toThrow(/Argument "after" must be/);
    const forged = Buffer.from(JSON.stringify({ v: 1, k: "c", sa: 1, n: 0 })).toString("base64url");
    expect(() => decodeContactsCursor(forged, null)).toThrow(GraphQLError);
    const business = encodeCursor({ kind: "business", businessId: "b1", skip: 25, query: null });
    expect(decodeBusinessCursor(business, "b1", null).skip).toBe(25);
    expect(() => decodeBusinessCursor(business, "b2", null)).toThrow(/same businessId/);
    expect(() => decodeContactsCursor(business, null)).toThrow(/of contacts/);
  });
});

describe("ContactRecord", () => {
  const loaders = (full: Record<string, unknown> | null) => {
    const calls: string[] = [];
    return { calls, loaders: { contact: { load: async (id: string) => (calls.push(id), full) } } as unknown as Loaders };
  };

  it("maps a list item: contactName → name, raw names, absent known fields are null without a load", async () => {
    const record = ContactRecord.fromListItem(
      { id: "c1", contactName: "Ada Lovelace", firstName: "ada", firstNameRaw: "Ada", lastName: "lovelace", lastNameRaw: "Lovelace", tags: ["lead"] },
      "LocA",
    );
    const { calls, loaders: l } = loaders(null);
    expect(await record.read("name", l)).toBe("Ada Lovelace");
    expect(await record.read("firstName", l)).toBe("Ada");
    expect(await record.read("lastName", l)).toBe("Lovelace");
    expect(await record.read("locationId", l)).toBe("LocA");
    expect(await record.read("email", l)).toBeNull();
    expect(calls).toEqual([]);
  });

  it("loads the full contact for a field the list item lacks, and never answers with a lower-cased name", async () => {
    const record = ContactRecord.fromListItem({ id: "c1", contactName: "Ada Lovelace", firstName: "ada" }, "LocA");
    const { calls, loaders: l } = loaders({ id: "c1", locationId: "LocA", firstName: "Ada", timezone: "Europe/London" });
    expect(await record.read("timezone", l)).toBe("Europe/London");
    expect(await record.read("firstName", l)).toBe("Ada");
    expect(calls).toEqual(["c1", "c1"]); // the per-operation DataLoader de-duplicates these
  });

  it("a full contact answers every field itself", async () => {
    const record = ContactRecord.fromContact({ id: "c1", locationId: "LocA" });
    const { calls, loaders: l } = loaders(null);
    expect(await record.read("timezone", l)).toBeNull();
    expect(calls).toEqual([]);
  });
});

describe("error policy", () => {
  it("maps upstream failures to the contract's codes; credential problems are UPSTREAM_ERROR", () => {
    expect(toGatewayError(upstreamError({ code: "UPSTREAM_RATE_LIMITED", reason: "rate_limited", retryAfterMs: 900 }))?.extensions).toMatchObject({
      code: "UPSTREAM_RATE_LIMITED",
      retryAfterMs: 900,
    });
    expect(toGatewayError(upstreamError({ code: "UPSTREAM_UNAVAILABLE", reason: "timeout" }))?.extensions?.["code"]).toBe("UPSTREAM_UNAVAILABLE");
    expect(toGatewayError(upstreamError({ code: "FORBIDDEN", reason: "missing_scope", status: 401 }))?.extensions?.["code"]).toBe("UPSTREAM_ERROR");
    expect(toGatewayError(upstreamError({ code: "FORBIDDEN", reason: "location_forbidden", status: 403 }))?.extensions?.["code"]).toBe("UPSTREAM_ERROR");
    expect(toGatewayError(upstreamError({ code: "CONFLICT", reason: "duplicate_contact", existingContactId: "x" }))?.extensions).toMatchObject({
      code: "CONFLICT",
      existingContactId: "x",
    });
  });

  it("masks anything unexpected, keeping only the path", () => {
    const masked: unknown[] = [];
    const format = createFormatError({ onMasked: (e) => masked.push(e) });
    const secret = new Error("password=hunter2 at /srv/db.ts:1");
    const located = new GraphQLError(secret.message, { path: ["contact"], originalError: secret });
    expect(format(located.toJSON(), located)).toEqual({ message: "Internal server error", path: ["contact"], extensions: { code: "INTERNAL_SERVER_ERROR" } });
    expect(masked).toEqual([secret]);
    const codeless = new GraphQLError("Expected value of type DateTime", { path: ["contact", "dateAdded"] });
    expect(format(codeless.toJSON(), codeless).extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
  });
});
