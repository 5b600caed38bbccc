/**
 * Caller auth (README, "Quick start": caller tokens) end to end: refused callers get UNAUTHENTICATED / FORBIDDEN and cause
 * no upstream request; a cached contact of location A never answers a caller of location B.
 */
import { describe, expect, it } from "vitest";
import { LOCATION_A, LOCATION_B, READ, WRITE, useStack } from "../support/harness.js";

const QUERY = `query($id: ID!) { contact(id: $id) { id name } contacts(first: 5) { nodes { id } } }`;

describe("caller auth (read path)", () => {
  const stack = useStack();
  const someContact = () => stack().sim.data.listContacts(LOCATION_A)[0]!;

  const cases: Array<[string, () => Promise<Record<string, string>>, string, string]> = [
    ["no token", async () => ({}), "UNAUTHENTICATED", "missing_token"],
    ["a malformed header", async () => ({ authorization: "Token abc" }), "UNAUTHENTICATED", "malformed_header"],
    ["a garbage token", async () => ({ authorization: "Bearer not.a.jwt" }), "UNAUTHENTICATED", "invalid_token"],
    [
      "a token signed with another secret",
      async () => ({ authorization: `Bearer ${await stack().tokenFor({ secret: "another-secret-another-secret-another-secret" })}` }),
      "UNAUTHENTICATED",
      "invalid_token",
    ],
    [
      "an expired token",
      async () => ({ authorization: `Bearer ${await stack().tokenFor({ expiresIn: -60 })}` }),
      "UNAUTHENTICATED",
      "expired_token",
    ],
    [
      "a token without contacts.readonly",
      async () => ({ authorization: `Bearer ${await stack().tokenFor({ scopes: [WRITE] })}` }),
      "FORBIDDEN",
      "missing_scope",
    ],
    [
      "a token of a location the gateway holds no credentials for",
      async () => ({ authorization: `Bearer ${await stack().tokenFor({ locationId: "UnknownLocation00001" })}` }),
      "FORBIDDEN",
      "unknown_location",
    ],
  ];

  it.each(cases)("refuses %s with the contract's code and no upstream request", async (_name, headers, code, reason) => {
    const s = stack();
    s.sim.clearRequests();
    const res = await s.gql(QUERY, { id: someContact().id }, undefined, await headers());
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.length).toBeGreaterThan(0);
    for (const error of res.body.errors!) {
      expect(error.extensions).toMatchObject({ code, reason });
      expect(JSON.stringify(error)).not.toMatch(/eyJ|not\.a\.jwt|Token abc/); // the token is never echoed
    }
    expect(s.sim.requests).toEqual([]);
  });

  it("refuses a token without an exp claim", async () => {
    const { SignJWT } = await import("jose");
    const token = await new SignJWT({ scope: READ, locationId: LOCATION_A })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("test-secret-for-caller-jwts-0123456789abcdef"));
    const res = await stack().gql(`{ viewer { locationId } }`, {}, token);
    expect(res.body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
  });

  it("never answers a caller of location B from location A's cache", async () => {
    const s = stack();
    const contact = someContact();
    const tokenA = await s.tokenFor({ locationId: LOCATION_A });
    const tokenB = await s.tokenFor({ locationId: LOCATION_B });
    const a = await s.gql(`query($id: ID!) { contact(id: $id) { id name email } }`, { id: contact.id }, tokenA);
    expect(a.body.data).toMatchObject({ contact: { id: contact.id } });

    s.sim.clearRequests();
    const b = await s.gql(`query($id: ID!) { contact(id: $id) { id name email } }`, { id: contact.id }, tokenB);
    // For B, an id of location A is an id that does not exist: null, like any unknown id.
    expect(b.body.data).toEqual({ contact: null });
    expect(JSON.stringify(b.body)).not.toContain(contact.email ?? "@@no-email@@");
    // B's lookup went to the upstream with B's credential instead of hitting A's cache entry.
    const calls = s.upstream("/contacts/:contactId");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.token).toBe(s.sim.tokens.find((t) => t.locationId === LOCATION_B && t.scopes.includes(WRITE))!.token);

    // And B's contact list is B's own.
    const listB = await s.gql<{ contacts: { nodes: Array<{ id: string; locationId: string }> } }>(
      `{ contacts(first: 100) { nodes { id locationId } } }`,
      {},
      tokenB,
    );
    const idsA = new Set(s.sim.data.listContacts(LOCATION_A).map((c) => c.id));
    expect(listB.body.data!.contacts.nodes.length).toBeGreaterThan(0);
    expect(listB.body.data!.contacts.nodes.every((n) => n.locationId === LOCATION_B && !idsA.has(n.id))).toBe(true);
  });

  it("viewer needs contacts.readonly too", async () => {
    const res = await stack().gql(`{ viewer { locationId } }`, {}, await stack().tokenFor({ scopes: [] }));
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "missing_scope" });
  });

  it("never writes a caller token or an upstream token to the log", async () => {
    const s = stack();
    await s.gql(`{ viewer { locationId } }`, {}, await s.tokenFor({ expiresIn: -5 }));
    await s.gql(`{ contacts(first: 3) { nodes { id timezone } } }`, {}, await s.tokenFor());
    expect(s.logs.length).toBeGreaterThan(0);
    const upstreamTokens = s.sim.tokens.map((t) => t.token);
    const leaks = s.logs.filter((line) => /eyJ[A-Za-z0-9_-]{10,}/.test(line) || upstreamTokens.some((t) => line.includes(t)));
    expect(leaks).toEqual([]);
  });
});
