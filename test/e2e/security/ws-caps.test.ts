/**
 * Attack: one socket sending thousands of distinct `subscribe` messages, or one caller opening
 * socket after socket. The graphql-ws adapter caps open operations per socket
 * (WS_MAX_SUBSCRIPTIONS_PER_SOCKET), per caller over all its sockets
 * (WS_MAX_SUBSCRIPTIONS_PER_CALLER) and sockets per caller (WS_MAX_SOCKETS_PER_CALLER): a subscribe
 * over a cap gets an `error` message (GRAPHQL_VALIDATION_FAILED, `extensions.limit`), a socket over
 * the cap is closed with 4429; caps, counts and refusals show in /metrics. Small caps here so the
 * test stays lean; the defaults (100, 500, 20) are in src/config/config.ts.
 */
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { useStack } from "../../support/harness.js";
import { waitFor } from "../../support/events-wait.js";

const SUBSCRIPTION = "subscription { contactEvents { type } }";

/** A protocol-level graphql-ws socket that keeps its subscriptions open. */
class Socket {
  readonly ws: WebSocket;
  readonly errors = new Map<string, Array<{ message: string; extensions?: Record<string, unknown> }>>();
  acked = false;
  closed: { code: number; reason: string } | undefined;
  constructor(url: string, token: string) {
    this.ws = new WebSocket(url, "graphql-transport-ws");
    this.ws.on("open", () => this.ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    this.ws.on("message", (data: Buffer) => {
      const m = JSON.parse(data.toString("utf8")) as { type: string; id?: string; payload?: unknown };
      if (m.type === "connection_ack") this.acked = true;
      if (m.type === "error") this.errors.set(m.id!, m.payload as never);
    });
    this.ws.on("close", (code, reason) => (this.closed = { code, reason: reason.toString("utf8") }));
  }
  subscribe(id: string) {
    this.ws.send(JSON.stringify({ id, type: "subscribe", payload: { query: SUBSCRIPTION } }));
  }
  complete(id: string) {
    this.ws.send(JSON.stringify({ id, type: "complete" }));
  }
}

describe("graphql-ws caps", () => {
  const stack = useStack({ env: { WS_MAX_SUBSCRIPTIONS_PER_SOCKET: "3", WS_MAX_SUBSCRIPTIONS_PER_CALLER: "5", WS_MAX_SOCKETS_PER_CALLER: "2" } });
  const open: Socket[] = [];
  const connect = async (subject: string) => {
    const socket = new Socket(stack().gateway.wsUrl, await stack().tokenFor({ subject }));
    open.push(socket);
    await waitFor(() => socket.acked || socket.closed !== undefined, { what: "connection_ack or close" });
    return socket;
  };
  const metrics = async () => (await fetch(`${stack().gateway.url}/metrics`)).text();
  const activeOf = async () => Number(/^cgw_subscriptions_active (\d+)/m.exec(await metrics())?.[1]);

  afterEach(async () => {
    for (const s of open.splice(0)) s.ws.close();
    await waitFor(async () => (await activeOf()) === 0, { what: "every subscription to end" });
  });

  it("refuses the subscribe over the per-socket cap with a protocol error, and accepts again after a complete", async () => {
    const s = await connect("caps-socket");
    for (const id of ["a", "b", "c", "d"]) s.subscribe(id);
    await waitFor(() => s.errors.has("d"), { what: "the fourth subscribe to be refused" });
    expect(s.errors.get("d")?.[0]).toMatchObject({
      message: expect.stringMatching(/at most 3 on one graphql-ws socket/),
      extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit: { kind: "subscriptionsPerSocket", max: 3 } },
    });
    expect([...s.errors.keys()]).toEqual(["d"]);
    await waitFor(async () => (await activeOf()) === 3, { what: "three live subscriptions" });
    s.complete("a");
    await waitFor(async () => (await activeOf()) === 2, { what: "the completed one to end" });
    s.subscribe("e");
    await waitFor(async () => (await activeOf()) === 3, { what: "the new one to be accepted" });
    expect(s.errors.has("e")).toBe(false);
    expect(s.closed).toBeUndefined();
  });

  it("refuses the subscribe over the per-caller cap across sockets, and a socket over the per-caller socket cap with 4429", async () => {
    const one = await connect("caps-caller");
    const two = await connect("caps-caller");
    for (const id of ["a", "b", "c"]) one.subscribe(id);
    await waitFor(async () => (await activeOf()) === 3, { what: "three subscriptions on the first socket" });
    for (const id of ["a", "b", "c"]) two.subscribe(id);
    await waitFor(() => two.errors.has("c"), { what: "the sixth subscription of the caller to be refused" });
    expect(two.errors.get("c")?.[0]?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", limit: { kind: "subscriptionsPerCaller", max: 5 } });

    const third = await connect("caps-caller");
    await waitFor(() => third.closed !== undefined, { what: "the third socket to be closed" });
    expect(third.closed).toEqual({ code: 4429, reason: "Too many connections: at most 2 graphql-ws sockets per caller" });
    // another caller is not affected
    const other = await connect("caps-other");
    expect(other.acked).toBe(true);

    const text = await metrics();
    expect(text).toMatch(/^cgw_websocket_limit\{kind="subscriptionsPerSocket"\} 3$/m);
    expect(text).toMatch(/^cgw_websocket_limit\{kind="subscriptionsPerCaller"\} 5$/m);
    expect(text).toMatch(/^cgw_websocket_limit\{kind="socketsPerCaller"\} 2$/m);
    expect(text).toMatch(/^cgw_websocket_sockets_open 3$/m);
    expect(text).toMatch(/^cgw_subscriptions_active 5$/m);
    expect(text).toMatch(/^cgw_websocket_refusals_total\{kind="subscriptionsPerCaller"\} [1-9]/m);
    expect(text).toMatch(/^cgw_websocket_refusals_total\{kind="socketsPerCaller"\} [1-9]/m);
  });
});
