/**
 * The response cache as a stage of the operation pipeline: its hits are counted in /metrics, it
 * serves both transports (a dashboard stored from HTTP answers a graphql-ws caller of the same
 * location and scopes without executing), and it sits after authorization: a caller whose token
 * lacks the scope is refused even when an answer for the operation is stored.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { WRITE, useStack } from "../support/harness.js";
import { wsOperation } from "../support/ws-operation.js";

const QUERY = `query Dash { dashboard(first: 5) { id name tasks { id completed } } }`;

describe("response cache stage", () => {
  const stack = useStack();
  const counter = async (name: string) => {
    const text = await (await fetch(`${stack().gateway.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
  };

  it("counts hits in /metrics, over HTTP and graphql-ws", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const first = await s.gql(QUERY, {}, token);
    expect(first.body.errors).toBeUndefined();
    expect(first.headers.get("x-response-cache")).toBeNull();
    expect(await counter("cgw_response_cache_stores_total")).toBeGreaterThanOrEqual(1);

    const hits = await counter("cgw_response_cache_hits_total");
    s.sim.clearRequests();
    const again = await s.gql(QUERY, {}, token);
    expect(again.headers.get("x-response-cache")).toBe("hit");
    expect(again.body.data).toEqual(first.body.data);
    expect(await counter("cgw_response_cache_hits_total")).toBe(hits + 1);

    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: QUERY });
    expect(ws).toMatchObject({ kind: "result", result: { data: first.body.data } });
    expect(await counter("cgw_response_cache_hits_total")).toBe(hits + 2);
    expect(s.sim.requests).toEqual([]);
    expect(await counter("cgw_response_cache_entries")).toBeGreaterThanOrEqual(1);
  });

  it("refuses a caller lacking the scope although an answer is stored", async () => {
    const s = stack();
    const reader = await s.tokenFor();
    await s.gql(QUERY, {}, reader); // stored (or already stored)
    expect((await s.gql(QUERY, {}, reader)).headers.get("x-response-cache")).toBe("hit");

    const hits = await counter("cgw_response_cache_hits_total");
    s.sim.clearRequests();
    const writerOnly = await s.tokenFor({ scopes: [WRITE] });
    const http = await s.gql(QUERY, {}, writerOnly);
    expect(http.headers.get("x-response-cache")).toBeNull();
    expect(http.body.data).toBeNull();
    expect(http.body.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "missing_scope" });
    const ws = await wsOperation(s.gateway.wsUrl, `Bearer ${writerOnly}`, { query: QUERY });
    expect(ws.kind === "result" && ws.result.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "missing_scope" });
    expect(await counter("cgw_response_cache_hits_total")).toBe(hits);
    expect(s.sim.requests).toEqual([]);
  });

  it("serves a stored answer however the JSON body arrives, and refuses a body that is not JSON as before", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const first = await s.gql(QUERY, {}, token);
    expect(first.body.errors).toBeUndefined();
    const post = (body: BodyInit, headers: Record<string, string> = {}) =>
      fetch(`${s.gateway.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
        body,
        ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
      } as RequestInit);
    const text = JSON.stringify({ query: QUERY });
    s.sim.clearRequests();
    const ways: Array<[string, () => Promise<Response>]> = [
      ["declared length", () => post(text)],
      ["a UTF-8 BOM and charset", () => post(`\uFEFF${text}`, { "content-type": "application/json; charset=UTF-8" })],
      ["chunked, no declared length", () => post(new Blob([text]).stream())],
      ["gzip", () => post(gzipSync(text), { "content-encoding": "gzip" })],
    ];
    for (const [way, send] of ways) {
      const res = await send();
      expect({ way, status: res.status, cache: res.headers.get("x-response-cache") }).toEqual({ way, status: 200, cache: "hit" });
      expect(((await res.json()) as { data: unknown }).data).toEqual(first.body.data);
    }
    expect(s.sim.requests).toEqual([]);

    for (const body of ["{bad", `"${QUERY}"`]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ errors: [{ message: "The request body is not valid JSON", extensions: { code: "BAD_USER_INPUT" } }] });
    }
    const wrongCharset = await post(text, { "content-type": "application/json; charset=latin1" });
    expect(wrongCharset.status).toBe(415);
  });

  it("answers a miss taken in front of express as express's path does: executed, refused or invalid", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const post = (query: string, chunked: boolean) =>
      fetch(`${s.gateway.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        // A declared length is taken before express; a chunked body (no length) goes through it.
        body: chunked ? new Blob([JSON.stringify({ query })]).stream() : JSON.stringify({ query }),
        ...(chunked ? { duplex: "half" } : {}),
      } as RequestInit);
    const answer = async (res: Response) => {
      const bytes = Buffer.from(await res.arrayBuffer());
      const body = JSON.parse(bytes.toString("utf8")) as { data?: unknown; errors?: unknown; extensions?: Record<string, unknown> };
      expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
      return { status: res.status, type: res.headers.get("content-type"), cache: res.headers.get("x-response-cache"), data: body.data, errors: body.errors, extensions: Object.keys(body.extensions ?? {}) };
    };
    const pairs: Array<[string, (name: string) => string]> = [
      ["executed", (name) => `query ${name} { dashboard(first: 3) { id name } }`],
      ["invalid", (name) => `query ${name} { dashboard(first: 3) { noSuchField } }`],
      ["not parsed", (name) => `query ${name} {`],
    ];
    for (const [kind, query] of pairs) {
      const fast = await answer(await post(query(`Fast${kind.length}`), false));
      const viaExpress = await answer(await post(query(`Slow${kind.length}`), true));
      expect({ kind, ...fast }).toEqual({ kind, ...viaExpress });
      expect(fast.cache).toBeNull();
      if (kind === "executed") expect({ status: fast.status, extensions: fast.extensions }).toEqual({ status: 200, extensions: ["freshness", "cost"] });
      else expect(fast.status).toBe(400);
    }
  });
});

/**
 * RESPONSE_CACHE_MAX_MB bounds the answers stored from both transports together: answers stored
 * over HTTP push out one stored over graphql-ws, least recently used first.
 */
describe("response cache stage: its bound in bytes", () => {
  const stack = useStack({ env: { RESPONSE_CACHE_MAX_MB: "1" } });
  const metric = async (name: string) => {
    const text = await (await fetch(`${stack().gateway.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
  };
  const page = (name: string) => `query ${name} { contacts(first: 20) { nodes { id firstName lastName email phone tags tasks { id title } notes { id body } } } }`;

  it("drops the least recently used answer, whichever transport stored it, to stay within RESPONSE_CACHE_MAX_MB", async () => {
    const s = stack();
    const token = await s.tokenFor();
    const first = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: page("FromWs") });
    expect(first).toMatchObject({ kind: "result", result: { data: { contacts: {} } } });
    expect((await s.gql(page("FromWs"), {}, token)).headers.get("x-response-cache")).toBe("hit"); // stored by graphql-ws

    let filled = 0;
    while ((await metric("cgw_response_cache_capacity_evictions_total")) === 0 && filled < 400) {
      for (let i = 0; i < 10; i++) expect((await s.gql(page(`Fill${filled++}`), {}, token)).body.errors).toBeUndefined();
    }
    expect(await metric("cgw_response_cache_capacity_evictions_total")).toBeGreaterThan(0);
    expect(await metric("cgw_response_cache_bytes")).toBeLessThanOrEqual(1024 * 1024);

    const hits = await metric("cgw_response_cache_hits_total");
    const again = await wsOperation(s.gateway.wsUrl, `Bearer ${token}`, { query: page("FromWs") });
    expect(again).toMatchObject({ kind: "result", result: { data: (first as { result: { data: unknown } }).result.data } });
    expect(await metric("cgw_response_cache_hits_total")).toBe(hits); // dropped: executed again
    expect((await s.gql(page(`Fill${filled - 1}`), {}, token)).headers.get("x-response-cache")).toBe("hit"); // the newest stayed
  });
});
