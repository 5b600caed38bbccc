/**
 * The graphql-ws adapter: graphql-ws's protocol server (`makeServer`) bound to `ws` here rather
 * than through `graphql-ws/use/ws`, because the binding is where a socket's limits live:
 *   - frames: at most GRAPHQL_BODY_LIMIT_BYTES (`ws` closes with 1009), and at most
 *     MAX_FRAME_BYTES_BEFORE_INIT until the connection is acknowledged (closed with 1009 too):
 *     an unauthenticated peer cannot make the process buffer more than that;
 *   - connection_init: the `authorization` at most MAX_AUTHORIZATION_CHARS (else 4403), verified
 *     once; refused callers are closed with 4403 and a reason naming the code
 *     (`Forbidden: UNAUTHENTICATED (missing_token)`), callers over their socket cap with 4429;
 *   - subscribe: the caps per socket and per caller (`sub`), then the operation pipeline
 *     (operation.pipeline.ts) stage by stage — the same stages, codes and audit lines as HTTP.
 * Keep-alive pings as in graphql-ws's own binding (every 12 s; no pong within 12 s ends the socket).
 */
import {
  getOperationAST,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from "graphql";
import { CloseCode, handleProtocols, makeServer, type Context as WsContext } from "graphql-ws";
import type http from "node:http";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { CallerAuth } from "../../auth/index.js";
import type { Config } from "../../config/config.js";
import type { GatewayContext } from "../../graphql/index.js";
import { VALIDATION_FAILED } from "../../graphql/limits/index.js";
import { GRAPHQL_BODY_LIMIT_BYTES, type Admission, type OperationPipeline } from "./operation.pipeline.js";
import { withExtensions } from "./response-extensions.build.js";

/** Largest frame accepted before the connection is acknowledged: a connection_init and its token. */
export const MAX_FRAME_BYTES_BEFORE_INIT = 16 * 1024;
/** Longest `authorization` in connection_init (a caller JWT is a few hundred characters). */
export const MAX_AUTHORIZATION_CHARS = 4096;
/** Close code for a caller over its socket cap (4429, by analogy with HTTP 429; graphql-ws does not use it). */
export const CLOSE_TOO_MANY_SOCKETS = 4429;
/** `ws`'s own close code for an oversized frame (RFC 6455 section 7.4.1, 1009 "message too big"). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;
const KEEP_ALIVE_MS = 12_000;

export interface WebSocketAdapterOptions {
  pipeline: OperationPipeline;
  httpServer: http.Server;
  path: string;
  limits: Config["websocket"];
  logger: Logger;
  authenticate(authorization: unknown): Promise<CallerAuth>;
  createContext(auth: CallerAuth): GatewayContext;
  /** graphql's `subscribe`, or a replacement (graphql/event createPerEventSubscribe). */
  subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
}

export interface WebSocketStats {
  sockets: number;
  operations: number;
  callers: number;
  limits: Config["websocket"];
  refusals: Readonly<Record<"subscriptionsPerSocket" | "subscriptionsPerCaller" | "socketsPerCaller" | "frameTooBig", number>>;
}

export interface WebSocketAdapter {
  stats(): WebSocketStats;
  /** Closes every socket of a location's callers with 4403 (the app was uninstalled there); returns how many. */
  closeLocation(locationId: string, reason: string): number;
  dispose(): Promise<void>;
}

interface SocketState {
  auth?: Extract<CallerAuth, { status: "authenticated" }>;
  caller?: string;
  ctx?: WsContext<Record<string, unknown> | undefined, Extra>;
}

interface Extra {
  socket: WebSocket;
  request: http.IncomingMessage;
}

/** Reads the bearer from a graphql-ws connection_init payload (`{authorization}`; `headers` tolerated for GraphiQL). */
function authorizationFromPayload(payload: unknown): unknown {
  if (!payload || typeof payload !== "object") return undefined;
  const p = payload as Record<string, unknown>;
  const headers = p["headers"] && typeof p["headers"] === "object" ? (p["headers"] as Record<string, unknown>) : {};
  return p["authorization"] ?? p["Authorization"] ?? headers["authorization"] ?? headers["Authorization"];
}

/** Longest delay `setTimeout` takes (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A connection lives no longer than the caller token it authenticated with (an expired token is
 * refused): at `exp` it is closed with 4403; the caller reconnects with a fresh token.
 */
function closeWhenTokenExpires(socket: WebSocket, expiresAtMs: number | undefined): void {
  if (expiresAtMs === undefined) return;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const leftMs = expiresAtMs - Date.now();
    timer = setTimeout(leftMs > MAX_TIMER_MS ? arm : () => socket.close(CloseCode.Forbidden, "Forbidden: the caller token expired"), Math.min(Math.max(0, leftMs), MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  socket.once("close", () => clearTimeout(timer));
}

function limitError(kind: "subscriptionsPerSocket" | "subscriptionsPerCaller", max: number): GraphQLError {
  const where = kind === "subscriptionsPerSocket" ? "on one graphql-ws socket" : "per caller over all its sockets";
  return new GraphQLError(`Too many open operations: at most ${max} ${where}; complete one before subscribing again`, {
    extensions: { code: VALIDATION_FAILED, limit: { kind, max } },
  });
}

export function createWebSocketAdapter(options: WebSocketAdapterOptions): WebSocketAdapter {
  const { pipeline, limits, logger } = options;
  const wsServer = new WebSocketServer({ noServer: true, path: options.path, maxPayload: GRAPHQL_BODY_LIMIT_BYTES, handleProtocols });
  const states = new WeakMap<WebSocket, SocketState>();
  /** Acknowledged sockets per caller. */
  const byCaller = new Map<string, Set<SocketState>>();
  const refusals = { subscriptionsPerSocket: 0, subscriptionsPerCaller: 0, socketsPerCaller: 0, frameTooBig: 0 };
  /** What the pipeline decided for one operation, found again by its context in `execute`/`subscribe`. */
  const admissions = new WeakMap<object, Admission>();

  const openOperations = (state: SocketState) => (state.ctx ? Object.keys(state.ctx.subscriptions).length : 0);
  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] => errors.map((e) => pipeline.formatError(e));

  /** Runs an admitted operation: a refusal or a hit is its own result; otherwise execute and remember. */
  const run = async (args: ExecutionArgs, kind: "execute" | "subscribe") => {
    const admission = admissions.get(args.contextValue as object);
    if (admission?.kind === "refused") return { data: null, errors: [...admission.errors] };
    if (admission?.kind === "cached") return withExtensions(admission.result, admission.extensions);
    if (kind === "subscribe") return options.subscribe(args);
    const context = args.contextValue as GatewayContext;
    try {
      const result = await pipeline.execute(args);
      // The answer's per-answer extensions (freshness, cost); a stored answer keeps what they need for its hits.
      const { values, kept } = pipeline.executedExtensions({
        viewer: context.viewer,
        reads: context.reads,
        context,
        estimated: admission?.kind === "execute" ? admission.estimated : undefined,
      });
      admission?.remember(result, context.reads, kept);
      return withExtensions(result, values);
    } finally {
      // Executed and stored: what the context still holds need not outlive it (GatewayContext.release).
      context.release();
    }
  };

  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    schema: pipeline.schema,
    execute: (args) => run(args, "execute") as Promise<ExecutionResult>,
    subscribe: (args) => run(args, "subscribe"),
    onConnect: async (ctx) => {
      const socket = ctx.extra.socket;
      const authorization = authorizationFromPayload(ctx.connectionParams);
      if (typeof authorization === "string" && authorization.length > MAX_AUTHORIZATION_CHARS) {
        socket.close(CloseCode.Forbidden, `Forbidden: the authorization is longer than ${MAX_AUTHORIZATION_CHARS} characters`);
        return false;
      }
      const auth = await options.authenticate(authorization);
      if (auth.status !== "authenticated") {
        const error = auth.status === "rejected" ? auth.error : undefined;
        const code = error?.code ?? "UNAUTHENTICATED";
        const reason = error?.reason ?? "missing_token";
        logger.info({ reason }, "graphql-ws connection refused");
        socket.close(CloseCode.Forbidden, `Forbidden: ${code} (${reason})`);
        return false;
      }
      const caller = auth.viewer.subject !== undefined ? `sub:${auth.viewer.subject}` : `location:${auth.viewer.locationId}`;
      const sockets = byCaller.get(caller) ?? new Set<SocketState>();
      if (sockets.size >= limits.maxSocketsPerCaller) {
        refusals.socketsPerCaller++;
        socket.close(CLOSE_TOO_MANY_SOCKETS, `Too many connections: at most ${limits.maxSocketsPerCaller} graphql-ws sockets per caller`);
        return false;
      }
      const state = states.get(socket)!;
      Object.assign(state, { auth, caller, ctx });
      sockets.add(state);
      byCaller.set(caller, sockets);
      closeWhenTokenExpires(socket, auth.viewer.expiresAtMs);
      return true;
    },
    onClose: (ctx) => {
      const state = states.get(ctx.extra.socket);
      if (!state?.caller) return;
      const sockets = byCaller.get(state.caller);
      sockets?.delete(state);
      if (sockets?.size === 0) byCaller.delete(state.caller);
    },
    onSubscribe: (ctx, _id, payload) => {
      const state = states.get(ctx.extra.socket);
      if (!state?.auth) return [new GraphQLError("Subscribe before connection_ack", { extensions: { code: "UNAUTHENTICATED" } })];
      // Caps (this operation is already counted in ctx.subscriptions).
      if (openOperations(state) > limits.maxSubscriptionsPerSocket) {
        refusals.subscriptionsPerSocket++;
        return [limitError("subscriptionsPerSocket", limits.maxSubscriptionsPerSocket)];
      }
      let callerOperations = 0;
      for (const s of byCaller.get(state.caller!) ?? []) callerOperations += openOperations(s);
      if (callerOperations > limits.maxSubscriptionsPerCaller) {
        refusals.subscriptionsPerCaller++;
        return [limitError("subscriptionsPerCaller", limits.maxSubscriptionsPerCaller)];
      }
      // 1. size
      const invalid = pipeline.checkRequest(payload);
      if (invalid) return [invalid];
      // 2, 3. parse, validate
      const parsed = pipeline.parseAndValidate(payload.query);
      const viewer = state.auth.viewer;
      if (parsed.errors.length > 0 || !parsed.document) {
        pipeline.audit({ document: parsed.document, source: payload.query, operationName: payload.operationName, errors: parsed.errors, viewer });
        return [...parsed.errors];
      }
      const operation = getOperationAST(parsed.document, payload.operationName);
      if (!operation) {
        const errors = [new GraphQLError("Unable to identify the operation: name one with operationName", { extensions: { code: "BAD_USER_INPUT" } })];
        return errors;
      }
      // 4-7. authenticate, cost, authorize, cache
      const admission = pipeline.admit({
        document: parsed.document,
        operation,
        variables: payload.variables,
        operationKey: pipeline.operationKey(payload),
        auth: state.auth,
      });
      if (admission.kind === "refused" && !admission.asResult) {
        pipeline.audit({ document: parsed.document, operationName: payload.operationName, errors: admission.errors, viewer });
        return [...admission.errors];
      }
      const contextValue = options.createContext(state.auth);
      contextValue.setOperationType(operation.operation);
      admissions.set(contextValue, admission);
      return {
        schema: pipeline.schema,
        document: parsed.document,
        operationName: payload.operationName ?? null,
        variableValues: payload.variables ?? null,
        contextValue,
      };
    },
    // 10, 11. format and audit (results of queries and mutations, refusals answered as results, events)
    onNext: (ctx, _id, payload, args, result) => {
      if (!result.errors) return undefined;
      const state = states.get(ctx.extra.socket);
      pipeline.audit({ document: args.document, operationName: payload.operationName, errors: result.errors, viewer: state?.auth?.viewer });
      return { ...result, errors: format(result.errors) };
    },
    onError: (_ctx, _id, _payload, errors) => format(errors),
  });

  wsServer.on("connection", (socket: WebSocket, request: http.IncomingMessage) => {
    const state: SocketState = {};
    states.set(socket, state);
    socket.once("error", (error) => {
      logger.warn({ err: error }, "graphql-ws socket error");
      socket.close(CloseCode.InternalServerError, "Internal server error");
    });
    let pongWait: NodeJS.Timeout | undefined;
    const ping = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once("pong", () => clearTimeout(pongWait));
      socket.ping();
    }, KEEP_ALIVE_MS);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on("message", async (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
            const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
            if (!state.auth && size > MAX_FRAME_BYTES_BEFORE_INIT) {
              refusals.frameTooBig++;
              socket.close(CLOSE_MESSAGE_TOO_BIG, `Message too big: at most ${MAX_FRAME_BYTES_BEFORE_INIT} bytes before connection_ack`);
              return;
            }
            try {
              await handle(Array.isArray(data) ? Buffer.concat(data).toString("utf8") : isBinary || data instanceof ArrayBuffer ? Buffer.from(data as ArrayBuffer).toString("utf8") : data.toString("utf8"));
            } catch (error) {
              // Unexpected: graphql-ws reports protocol errors itself. Never a stack trace to the peer.
              logger.error({ err: error }, "graphql-ws message handling failed");
              socket.close(CloseCode.InternalServerError, "Internal server error");
            }
          }),
      },
      { socket, request },
    );
    socket.once("close", (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(ping);
      void closed(code, reason.toString("utf8"));
    });
  });

  const onUpgrade = (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) =>
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit("connection", ws, req));
  options.httpServer.on("upgrade", onUpgrade);

  return {
    stats() {
      let operations = 0;
      let sockets = 0;
      for (const set of byCaller.values()) {
        sockets += set.size;
        for (const s of set) operations += openOperations(s);
      }
      return { sockets, operations, callers: byCaller.size, limits, refusals: { ...refusals } };
    },
    closeLocation(locationId, reason) {
      let closed = 0;
      for (const client of wsServer.clients) {
        if (states.get(client)?.auth?.viewer.locationId !== locationId) continue;
        client.close(CloseCode.Forbidden, `Forbidden: ${reason}`);
        closed++;
      }
      return closed;
    },
    async dispose() {
      options.httpServer.off("upgrade", onUpgrade);
      for (const client of wsServer.clients) client.close(1001, "Going away");
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
