/**
 * Attack: 100 MiB WebSocket frames before authentication (the `ws` default maxPayload). The
 * graphql-ws adapter bounds frames at MAX_FRAME_BYTES_BEFORE_INIT until connection_ack and at the
 * HTTP body limit (GRAPHQL_BODY_LIMIT_BYTES) after, closing with 1009 (message too big), and the
 * `authorization` in connection_init at MAX_AUTHORIZATION_CHARS (closed with 4403).
 */
import WebSocket from "ws";
import { describe, expect, it } from "vitest";
import { GRAPHQL_BODY_LIMIT_BYTES, MAX_AUTHORIZATION_CHARS, MAX_FRAME_BYTES_BEFORE_INIT } from "../../../src/server/pipeline/index.js";
import { useStack } from "../../support/harness.js";

/** Opens a socket, runs `script` once open, resolves with the close code and reason. */
function closeOf(url: string, script: (ws: WebSocket) => void): Promise<{ code: number; reason: string; acked: boolean }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "graphql-transport-ws");
    let acked = false;
    ws.on("open", () => script(ws));
    ws.on("message", (data: Buffer) => {
      if ((JSON.parse(data.toString("utf8")) as { type: string }).type === "connection_ack") {
        acked = true;
        ws.emit("acked");
      }
    });
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString("utf8"), acked }));
    ws.on("error", (error) => (error.message.includes("1009") ? undefined : reject(error)));
  });
}

describe("WebSocket frame and token bounds", () => {
  const stack = useStack();

  it("closes with 1009 on a frame over the pre-init bound", async () => {
    const big = JSON.stringify({ type: "connection_init", payload: { pad: "x".repeat(MAX_FRAME_BYTES_BEFORE_INIT) } });
    const closed = await closeOf(stack().gateway.wsUrl, (ws) => ws.send(big));
    expect(closed).toMatchObject({ code: 1009, acked: false });
  });

  it("closes with 1009 on a frame over the body limit after connection_ack, and accepts one under it", async () => {
    const token = await stack().tokenFor();
    const closed = await closeOf(stack().gateway.wsUrl, (ws) => {
      ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
      ws.once("acked", () => {
        // Over the pre-init bound but under the body limit: accepted (a pong comes back).
        ws.send(JSON.stringify({ type: "ping", payload: { pad: "x".repeat(MAX_FRAME_BYTES_BEFORE_INIT * 2) } }));
        ws.once("message", () => ws.send(Buffer.alloc(GRAPHQL_BODY_LIMIT_BYTES + 1, 0x20)));
      });
    });
    expect(closed).toMatchObject({ code: 1009, acked: true });
  });

  it("closes with 4403 when the authorization in connection_init is too long", async () => {
    const closed = await closeOf(stack().gateway.wsUrl, (ws) =>
      ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${"a".repeat(MAX_AUTHORIZATION_CHARS)}` } })),
    );
    expect(closed).toEqual({ code: 4403, reason: `Forbidden: the authorization is longer than ${MAX_AUTHORIZATION_CHARS} characters`, acked: false });
  });
});
