/**
 * One GraphQL operation over graphql-ws, spoken at the protocol level (subprotocol
 * graphql-transport-ws) with a real `ws` socket, so a test sees exactly what the gateway sent:
 * the socket's close code and reason, an `error` message, or the `next` result before `complete`.
 */
import WebSocket from "ws";

export type WsOutcome =
  | { kind: "closed"; code: number; reason: string }
  | { kind: "error"; errors: Array<{ message: string; extensions?: Record<string, unknown> }> }
  | { kind: "result"; result: { data?: unknown; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> } };

export interface WsOperation {
  query: string;
  variables?: Record<string, unknown>;
  /** `variables` as JSON text, sent as they are (for input too deep for this process to stringify). */
  variablesJson?: string;
  operationName?: string;
}

/** Opens a socket, sends connection_init with `authorization` (when given), then one subscribe. */
export function wsOperation(url: string, authorization: string | undefined, operation: WsOperation, timeoutMs = 30_000): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    let result: Extract<WsOutcome, { kind: "result" }>["result"] | undefined;
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`wsOperation: no outcome within ${timeoutMs} ms`)), timeoutMs);
    function finish(outcome: WsOutcome | Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: authorization === undefined ? {} : { authorization } })));
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString("utf8")) as { type: string; id?: string; payload?: unknown };
      if (message.type === "connection_ack") {
        const { variablesJson, ...payload } = operation;
        const text = JSON.stringify({ id: "1", type: "subscribe", payload });
        socket.send(variablesJson === undefined ? text : `${text.slice(0, -2)},"variables":${variablesJson}}}`);
      }
      else if (message.type === "error") finish({ kind: "error", errors: message.payload as never });
      else if (message.type === "next") result = message.payload as never;
      else if (message.type === "complete") finish(result ? { kind: "result", result } : new Error("wsOperation: complete without a result"));
    });
    socket.on("close", (code, reason) => finish({ kind: "closed", code, reason: reason.toString("utf8") }));
    socket.on("error", (error) => finish(error));
  });
}
