/**
 * The composition root end to end: one port serves /healthz, the sandbox page, POST /graphql and
 * graphql-ws; a contact by id goes through loaders and cache to the simulator.
 */
import http from "node:http";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { LOCATION_A, READ, WRITE, startStack, useStack } from "../support/harness.js";

/** Opens a graphql-transport-ws socket, sends connection_init, resolves with the first message or the close code. */
function connectionInit(wsUrl: string, payload: unknown): Promise<{ message?: unknown; closeCode?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, "graphql-transport-ws");
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload })));
    socket.on("message", (data) => {
      resolve({ message: JSON.parse(data.toString()) });
      socket.close();
    });
    socket.on("close", (code) => resolve({ closeCode: code }));
    socket.on("error", reject);
  });
}

describe("gateway (read path)", () => {
  const stack = useStack();

  it("answers /healthz", async () => {
    const res = await fetch(`${stack().gateway.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("resolves viewer from the caller token", async () => {
    const token = await stack().tokenFor({ scopes: [READ, WRITE], subject: "user-1" });
    const res = await stack().gql(`{ viewer { subject locationId scopes } }`, {}, token);
    // Every answer carries what it cost upstream (nothing, here): extensions.cost.
    expect(res.body).toEqual({
      data: { viewer: { subject: "user-1", locationId: LOCATION_A, scopes: [READ, WRITE] } },
      extensions: { cost: expect.objectContaining({ estimated: 0, actual: 0 }) },
    });
  });

  it("loads a contact by id through the upstream once, then from the cache", async () => {
    const s = stack();
    const [seeded] = s.sim.data.listContacts(LOCATION_A);
    const token = await s.tokenFor();
    s.sim.clearRequests();
    const query = `query($id: ID!) { contact(id: $id) { id locationId name firstName email timezone tags } }`;
    const first = await s.gql(query, { id: seeded!.id }, token);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data).toMatchObject({ contact: { id: seeded!.id, locationId: LOCATION_A, firstName: seeded!.firstName } });
    const second = await s.gql(query, { id: seeded!.id }, token);
    expect(second.body.data).toEqual(first.body.data);
    expect(s.upstream("/contacts/:contactId")).toHaveLength(1);
  });

  it("answers null for a contact the upstream does not have", async () => {
    const s = stack();
    const res = await s.gql(`{ contact(id: "doesNotExist00000000") { id } }`, {}, await s.tokenFor());
    expect(res.body.data).toEqual({ contact: null });
  });

  it("serves the sandbox page to a browser and leaves JSON clients to GraphQL", async () => {
    const s = stack();
    const page = await fetch(`${s.gateway.url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain("ContactsDashboard");
    // Nothing is loaded from elsewhere: no external script, stylesheet or icon reference.
    expect(html.match(/<(?:script|link|img)\b[^>]*\b(?:src|href)=["']?https?:/gi) ?? []).toEqual([]);
    // Sent as stored, gzipped, to a client that accepts it; the same page inflated to one that does not.
    expect(page.headers.get("content-encoding")).toBe("gzip");
    const plain = await new Promise<{ encoding: string | undefined; body: string }>((resolve, reject) => {
      const req = http.get(`${s.gateway.url}/graphql`, { headers: { accept: "text/html" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("error", reject);
    });
    expect(plain).toEqual({ encoding: undefined, body: html });
  });

  it("closes a graphql-ws connection with 4403 unless connection_init carries a valid caller token", async () => {
    const s = stack();
    expect(await connectionInit(s.gateway.wsUrl, {})).toEqual({ closeCode: 4403 });
    expect(await connectionInit(s.gateway.wsUrl, { authorization: "Bearer nope" })).toEqual({ closeCode: 4403 });
    const expired = await s.tokenFor({ expiresIn: -60 });
    expect(await connectionInit(s.gateway.wsUrl, { authorization: `Bearer ${expired}` })).toEqual({ closeCode: 4403 });
    const foreign = await s.tokenFor({ locationId: "UnknownLocation00001" });
    expect(await connectionInit(s.gateway.wsUrl, { authorization: `Bearer ${foreign}` })).toEqual({ closeCode: 4403 });
    const valid = await s.tokenFor();
    expect(await connectionInit(s.gateway.wsUrl, { authorization: `Bearer ${valid}` })).toEqual({ message: { type: "connection_ack" } });
  });

  it("answers a graphql-ws subscribe that does not parse with an error for it, and keeps the connection", async () => {
    const s = stack();
    const socket = new WebSocket(s.gateway.wsUrl, "graphql-transport-ws");
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    let closeCode: number | undefined;
    socket.on("message", (data) => messages.push(JSON.parse(data.toString())));
    socket.on("close", (code) => (closeCode = code));
    const waitFor = async (type: string, id?: string) => {
      for (let i = 0; i < 500 && !messages.some((m) => m.type === type && m.id === id); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return messages.find((m) => m.type === type && m.id === id);
    };
    await new Promise<void>((resolve) => socket.on("open", () => resolve()));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${await s.tokenFor()}` } }));
    expect(await waitFor("connection_ack")).toBeDefined();
    socket.send(JSON.stringify({ id: "bad", type: "subscribe", payload: { query: "{ contacts(first: 1 { id } }" } }));
    const error = await waitFor("error", "bad");
    expect(error?.payload).toEqual([
      { message: 'Syntax Error: Expected Name, found "{".', locations: [{ line: 1, column: 21 }], extensions: { code: "GRAPHQL_VALIDATION_FAILED" } },
    ]);
    socket.send(JSON.stringify({ id: "good", type: "subscribe", payload: { query: "{ viewer { locationId } }" } }));
    expect((await waitFor("next", "good"))?.payload).toEqual({
      data: { viewer: { locationId: LOCATION_A } },
      extensions: { cost: expect.objectContaining({ estimated: 0, actual: 0 }) },
    });
    expect(closeCode).toBeUndefined();
    socket.close();
  });

  it("answers malformed bodies and unknown routes with JSON errors, never a stack or a path", async () => {
    const s = stack();
    const bad = await fetch(`${s.gateway.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{bad" });
    expect(bad.status).toBe(400);
    const badText = await bad.text();
    expect(JSON.parse(badText)).toEqual({ errors: [{ message: "The request body is not valid JSON", extensions: { code: "BAD_USER_INPUT" } }] });
    const big = await fetch(`${s.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ viewer { locationId } }${" ".repeat(2 * 1024 * 1024)}` }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      errors: [{ message: "The request body is too large: expected a JSON body of at most 1 MiB", extensions: { code: "BAD_USER_INPUT" } }],
    });
    const subscription = await fetch(`${s.gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await s.tokenFor()}` },
      body: JSON.stringify({ query: "subscription { contactEvents { type } }" }),
    });
    expect(subscription.status).toBe(400);
    const subscriptionBody = (await subscription.json()) as { errors: { message: string; extensions: unknown }[] };
    expect(subscriptionBody.errors[0]?.extensions).toEqual({ code: "BAD_USER_INPUT" });
    expect(subscriptionBody.errors[0]?.message).toMatch(/graphql-ws.*not over HTTP POST/);
    const missing = await fetch(`${s.gateway.url}/no/such/route`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not_found", message: "No such route" });
    for (const text of [badText]) expect(text).not.toMatch(/\/work\/|node_modules|\bat \S+:\d+/);
  });
});

describe("gateway lifecycle", () => {
  it("close() drains HTTP and graphql-ws, and frees the port", async () => {
    const s = await startStack();
    const token = await s.tokenFor();
    const socket = new WebSocket(s.gateway.wsUrl, "graphql-transport-ws");
    const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
    await new Promise<void>((resolve) => socket.on("open", () => resolve()));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
    await s.close();
    expect(await closed).toBeGreaterThanOrEqual(1000);
    await expect(fetch(`${s.gateway.url}/healthz`)).rejects.toThrow();
  });
});
