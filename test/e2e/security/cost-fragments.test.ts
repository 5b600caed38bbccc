/**
 * Attack: a 1.2 KB document of 23 named fragments, each spreading the next twice, sent without a
 * token. An estimator that walks a fragment again at every spread visits 2^23 selections and
 * blocks the event loop for seconds. The pipeline refuses an unauthenticated caller before the
 * cost stage (no fragment is visited at all), and for an authenticated caller the estimate visits
 * each fragment once and refuses the document for cost. Fragment visits are counted by the
 * gateway itself (`cgw_query_cost_fragment_visits_total` on /metrics).
 */
import { describe, expect, it } from "vitest";
import { useStack, type Stack } from "../../support/harness.js";
import { wsOperation } from "../../support/ws-operation.js";

const FRAGMENTS = 23;

/** F0 spreads F1 twice, F1 spreads F2 twice, …; the last selects a contact page (one call). */
function doublingDocument(n: number): string {
  const parts = ["query Doubling { ...F0 }"];
  for (let i = 0; i < n - 1; i++) parts.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  parts.push(`fragment F${n - 1} on Query { contacts(first: 1) { nodes { id } } }`);
  return parts.join("\n");
}

async function fragmentVisits(s: Stack): Promise<number> {
  const text = await (await fetch(`${s.gateway.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("cgw_query_cost_fragment_visits_total "));
  return line ? Number(line.split(" ")[1]) : 0;
}

describe("cost estimation is linear and after authentication", () => {
  const stack = useStack();
  const document = doublingDocument(FRAGMENTS);

  it("is a small document", () => {
    expect(document.length).toBeLessThan(1_500);
  });

  it("refuses it unauthenticated before estimating its cost (HTTP)", async () => {
    const s = stack();
    s.sim.clearRequests();
    const before = await fragmentVisits(s);
    const res = await s.gql(document);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "missing_token" });
    expect(await fragmentVisits(s)).toBe(before);
    expect(s.sim.requests).toEqual([]);
  });

  it("refuses it for cost, visiting each fragment once, over HTTP and graphql-ws", async () => {
    const s = stack();
    s.sim.clearRequests();
    const token = await s.tokenFor();

    const beforeHttp = await fragmentVisits(s);
    const res = await s.gql(document, {}, token);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", cost: { budget: 180 } });
    expect(await fragmentVisits(s)).toBe(beforeHttp + FRAGMENTS);

    const beforeWs = await fragmentVisits(s);
    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: document });
    expect(ws.kind).toBe("error");
    expect(ws.kind === "error" && ws.errors[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", cost: { budget: 180 } });
    expect(await fragmentVisits(s)).toBe(beforeWs + FRAGMENTS);

    expect(s.sim.requests).toEqual([]);
  });
});
