/**
 * Attack (a flaky or hostile upstream): a write answered 2xx with a body that is not JSON. The
 * write may have happened, so a client that retries could duplicate a contact. The answer is
 * `outcomeUnknown` like a dropped connection (src/upstream/contacts.client.ts), the Idempotency-Key
 * record says so (a repeat is refused, never sent again), over HTTP and graphql-ws alike. The
 * simulator's `rawBody` fault handles the request (the contact IS created) and garbles the answer.
 */
import { describe, expect, it } from "vitest";
import { LOCATION_A, READ, WRITE, useStack } from "../../support/harness.js";
import { wsOperation } from "../../support/ws-operation.js";
import { M, codes, firstError, idem, uniqueEmail, upstreamWrites } from "../write-support.js";

const TRUNCATED = '{"contact":{"id":"';

describe("a write answered 2xx with an unreadable body", () => {
  const stack = useStack();

  it("is outcomeUnknown over HTTP, and the Idempotency-Key stays blocked: one upstream POST, one contact", async () => {
    const s = stack();
    const rw = await s.tokenFor({ scopes: [READ, WRITE] });
    s.sim.clearRequests();
    s.sim.addFault({ method: "POST", route: "/contacts/", rawBody: TRUNCATED, times: 1 });
    const email = uniqueEmail("garbled");
    const variables = { input: { firstName: "Garbled", email } };
    const res = await s.gql(M.createContact, variables, rw, idem("garbled-1"));
    expect(codes(res)).toEqual(["UPSTREAM_ERROR"]);
    expect(firstError(res).message).toContain("MAY HAVE HAPPENED");
    expect(firstError(res).extensions).toMatchObject({ outcomeUnknown: true, upstreamStatus: 201 });

    const again = await s.gql(M.createContact, variables, rw, idem("garbled-1"));
    expect(firstError(again).extensions).toMatchObject({ outcomeUnknown: true, reason: "idempotency_outcome_unknown" });
    expect(upstreamWrites(s)).toHaveLength(1);
    expect(s.sim.data.listContacts(LOCATION_A).filter((c) => c.email === email)).toHaveLength(1);
  });

  it("is outcomeUnknown over graphql-ws too", async () => {
    const s = stack();
    const rw = await s.tokenFor({ scopes: [READ, WRITE] });
    s.sim.clearRequests();
    s.sim.addFault({ method: "POST", route: "/contacts/", rawBody: "<html>502</html>", times: 1 });
    const outcome = await wsOperation(s.gateway.wsUrl, `Bearer ${rw}`, { query: M.createContact, variables: { input: { firstName: "Garbled", email: uniqueEmail("garbled-ws") } } });
    expect(outcome.kind).toBe("result");
    const error = outcome.kind === "result" ? outcome.result.errors?.[0] : undefined;
    expect(error?.message).toContain("MAY HAVE HAPPENED");
    expect(error?.extensions).toMatchObject({ code: "UPSTREAM_ERROR", outcomeUnknown: true });
    expect(upstreamWrites(s)).toHaveLength(1);
  });
});
