/**
 * The HTTP adapter: Apollo Server 5 on `POST /graphql` runs the operation pipeline
 * (operation.pipeline.ts). Apollo parses and validates itself, with the pipeline's token limit and
 * rules (`apolloPipelineOptions`); this plugin maps the remaining stages onto Apollo's hooks:
 *   didResolveOperation   authenticate → cost → authorize → cache (`pipeline.admit`)
 *   responseForOperation  a refusal as a result, or a cache hit: answered without executing; an
 *                         operation that runs compiled: executed here (`compiledResponse`)
 *   willSendResponse      a cacheable success is stored; `Retry-After` when a rate budget refused
 *   didEncounterErrors    the token-limit label (stage 2) and the audit stage
 * and `formatError` is the pipeline's. A POST with a declared-length UTF-8 JSON body is taken in
 * front of express (`storedAnswerListener`): stage 1, then a response-cache hit answered without
 * Apollo, or a miss handed straight to Apollo (`apolloHttpHandler`). Everything else goes through
 * express: stage 1 in `checkHttpRequest`, a hit in `serveStoredAnswers`, then Apollo.
 */
import {
  HeaderMap,
  type ApolloServer,
  type ApolloServerPlugin,
  type DocumentStore,
  type GraphQLRequestContextResponseForOperation,
  type GraphQLResponse,
} from "@apollo/server";
import { GraphQLError, type DocumentNode, type ExecutionResult, type ValidationRule } from "graphql";
import { LRUCache } from "lru-cache";
import type { Request, RequestHandler } from "express";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CallerAuth } from "../../auth/index.js";
import type { GatewayContext } from "../../graphql/index.js";
import { succeeded, type Admission, type OperationPipeline } from "./operation.pipeline.js";
import { appendExtensionsBytes, withExtensions, type ExtensionValues } from "./response-extensions.build.js";

const SUBSCRIPTIONS_OVER_WEBSOCKET =
  "Subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on ws://<host>:<port>/graphql, not over HTTP POST";

/** Apollo reads `extensions.http` for the status (and strips it from the response). */
function withStatus(error: GraphQLError, status: number): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, http: { status } } });
}

function singleResponse(result: Record<string, unknown>, headers?: Record<string, string>): GraphQLResponse {
  return {
    http: { status: undefined, headers: new HeaderMap(Object.entries(headers ?? {})) },
    body: { kind: "single", singleResult: result },
  };
}

/** The ApolloServer options of stages 2, 3 and 10, and the store of documents that passed them. */
export function apolloPipelineOptions(pipeline: OperationPipeline): {
  parseOptions: { maxTokens: number };
  validationRules: ValidationRule[];
  formatError: OperationPipeline["apolloFormatError"];
  documentStore: DocumentStore;
} {
  return {
    parseOptions: pipeline.parseOptions,
    validationRules: [...pipeline.validationRules],
    formatError: pipeline.apolloFormatError,
    documentStore: createDocumentStore(),
  };
}

/** Apollo's default bound of its parsed-document cache: 30 MiB. */
const DOCUMENT_STORE_MAX_BYTES = 30 * 1024 * 1024;
/**
 * Heap bytes of a stored document (its tokens dropped, `withoutTokens`) per character of its
 * source: 66 for the contacts page of bench/run.mjs (14.3 KB of heap for 217 characters, 19.1 KB
 * with its tokens; measured with 2,000 parsed copies).
 */
const AST_BYTES_PER_SOURCE_CHAR = 66;

/**
 * `document` without graphql-js' token list: each node's location keeps its offsets and source
 * (what error locations are computed from) but no longer its first and last token, through which
 * every token of the source stayed reachable (a quarter of a stored document's heap, kept and
 * walked by every major GC for as long as the document is cached). Nothing after parsing and
 * validation reads tokens. Mutates the document Apollo just parsed, before it is stored.
 */
function withoutTokens(document: DocumentNode): DocumentNode {
  const pending: unknown[] = [document];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === "object") pending.push(item);
      continue;
    }
    const node = value as Record<string, unknown>;
    for (const field in node) {
      const child = node[field];
      if (child === null || typeof child !== "object") continue;
      if (field === "loc") {
        const loc = child as { startToken: unknown; endToken: unknown };
        loc.startToken = null;
        loc.endToken = null;
      } else {
        pending.push(child);
      }
    }
  }
  return document;
}

/**
 * Apollo's cache of parsed and validated documents (its `documentStore`), bounded by 30 MiB like
 * Apollo's default, but of heap: Apollo's default sizes a document by `JSON.stringify` of its
 * AST (run for every new document, a measurable part of a response-cache miss), which is ~4x
 * less than the AST takes on the heap, so its "30 MiB" held ~120 MB of documents.
 */
function createDocumentStore(maxBytes = DOCUMENT_STORE_MAX_BYTES): DocumentStore {
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: maxBytes,
    sizeCalculation: (document) => Math.max(1, (document.loc?.end ?? 1_000) * AST_BYTES_PER_SOURCE_CHAR),
  });
  return {
    get: async (key) => documents.get(key),
    set: async (key, document) => void documents.set(key, withoutTokens(document)),
    delete: async (key) => documents.delete(key),
  };
}

/**
 * The response cache stage's HTTP fast path (after stage 1): an operation with a stored answer
 * for this caller's location and scopes is answered with the stored bytes, serialised once,
 * instead of Apollo serialising the same large result for every hit; everything else goes on to
 * Apollo and the full pipeline. Hits are counted like any other (`cgw_response_cache_hits_total`).
 */
export function serveStoredAnswers(pipeline: OperationPipeline, authenticate: (authorization: unknown) => Promise<CallerAuth>): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "POST") return next();
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object" || typeof body["query"] !== "string") return next();
    answerStored(pipeline, authenticate, body, req.headers.authorization, res, () => next());
  };
}

/**
 * Stage 8 of a POST body that passed stage 1: the stored answer sent, or `next(auth)`, with the
 * caller's authentication when it was verified here (something was stored for the operation, not
 * for this caller), so that the miss does not verify the token again.
 */
function answerStored(
  pipeline: OperationPipeline,
  authenticate: (authorization: unknown) => Promise<CallerAuth>,
  body: Record<string, unknown>,
  authorization: unknown,
  res: ServerResponse,
  next: (auth?: CallerAuth) => void,
): void {
  const key = pipeline.operationKey({ query: body["query"] as string, variables: body["variables"], operationName: body["operationName"] });
  if (!pipeline.mayHaveStoredAnswer(key)) return next();
  authenticate(authorization).then(
    (auth) => {
      // The connection closed while the token was verified: nothing to answer, nothing to lend.
      if (res.destroyed) return;
      const stored = pipeline.storedAnswer(key, auth);
      if (stored === undefined) return next(auth);
      const { chunks, done } = stored;
      // The stored bytes stay lent until node has handed them to the socket ('close' comes after
      // 'finish', or alone when the connection closed first). A response queued behind a
      // pipelined one whose connection died may never see 'close': its bytes then stay lent,
      // never reused, and go with their entry to the garbage collector.
      res.once("close", () => done(res.writableFinished));
      let length = 0;
      for (const chunk of chunks) length += chunk.length;
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": length, "x-response-cache": "hit" });
      for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i]);
      res.end(chunks[chunks.length - 1]);
    },
    () => next(),
  );
}

const UTF8_BOM = "\uFEFF";
/** body-parser's `strict` JSON: the first character after whitespace opens an object or an array. */
const STRICT_JSON_START = /^[\x20\x09\x0a\x0d]*[{[]/;

/**
 * The stored-answer fast path in front of express (a node `request` listener): express's router
 * and body parser cost a response-cache hit about as much CPU as everything else it does. Takes
 * only `POST <path>` with a JSON body of a declared length within `limitBytes` (no
 * content-encoding, UTF-8); reads and parses it as `express.json()` would (BOM stripped, strict:
 * an object or an array), runs stage 1 (`checkRequest`) and answers a stored answer exactly as
 * `serveStoredAnswers` does; a miss goes to `missed`. Everything else goes on to `next` (express)
 * with `req.body` set and the body consumed (express.json() then leaves it as it is), so refusals
 * and every other request take the path they always took; a body that is not JSON goes to
 * `onBodyError` with body-parser's error (`type: "entity.parse.failed"`, status 400), as express's
 * error handler would receive it.
 */
export function storedAnswerListener(
  pipeline: OperationPipeline,
  authenticate: (authorization: unknown) => Promise<CallerAuth>,
  options: {
    path: string;
    limitBytes: number;
    next(req: IncomingMessage, res: ServerResponse): void;
    onBodyError(error: Error & { status: number; type: string }, res: ServerResponse): void;
    /**
     * A POST that passed stage 1 and has no stored answer, its body in `req.body`, and `auth` when
     * the caller's token was already verified here (use it: stage 4 once per request): executed here
     * (`apolloHttpHandler`) rather than through express, whose every request sets the prototypes of
     * `req` and `res` (`app.handle`), which cost a miss ~0.3 ms and had V8 keep both objects past
     * their request (bench/results/2026-12-03-read-path-cpu.md, "What kept each miss alive").
     */
    missed(req: IncomingMessage & { body?: unknown }, res: ServerResponse, auth?: CallerAuth): void;
  },
): (req: IncomingMessage, res: ServerResponse) => void {
  const { path, limitBytes, next, onBodyError, missed } = options;
  return (req, res) => {
    const { headers } = req;
    const length = Number(headers["content-length"]);
    if (
      req.method !== "POST" ||
      req.url !== path ||
      !(length > 0 && length <= limitBytes) ||
      (headers["content-encoding"] !== undefined && headers["content-encoding"].toLowerCase() !== "identity") ||
      !isUtf8Json(headers["content-type"])
    ) {
      return next(req, res);
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      let text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8");
      if (text.startsWith(UTF8_BOM)) text = text.slice(1);
      let body: unknown;
      try {
        if (!STRICT_JSON_START.test(text)) throw new SyntaxError("expected a JSON object or array");
        body = JSON.parse(text);
      } catch (error) {
        return onBodyError(Object.assign(new Error((error as Error).message), { status: 400, type: "entity.parse.failed" }), res);
      }
      (req as IncomingMessage & { body?: unknown }).body = body;
      const proceed = () => next(req, res);
      if (!body || typeof body !== "object" || Array.isArray(body)) return proceed();
      const request = body as Record<string, unknown>;
      if (typeof request["query"] !== "string") return proceed();
      if (pipeline.checkRequest({ query: request["query"], variables: request["variables"], operationName: request["operationName"] })) return proceed();
      answerStored(pipeline, authenticate, request, headers.authorization, res, (auth) => missed(req, res, auth));
    });
  };
}

/** `application/json`, without a charset or with UTF-8's (what express.json() decodes without iconv tables). */
function isUtf8Json(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...params] = contentType.split(";");
  if (type!.trim().toLowerCase() !== "application/json") return false;
  return params.every((param) => {
    const [name, value] = param.split("=");
    return name!.trim().toLowerCase() === "charset" && /^"?utf-8"?$/i.test((value ?? "").trim());
  });
}

/** Stage 1 for HTTP (after `express.json()` bounded the body): a 400 with what was expected. */
export function checkHttpRequest(pipeline: OperationPipeline): RequestHandler {
  return (req, res, next) => {
    if (req.method === "GET") {
      // GET carries the operation in the query string; Apollo parses `variables` from JSON text.
      const { query, variables, operationName } = req.query as Record<string, unknown>;
      if (typeof query !== "string") return next();
      let parsed: unknown;
      try {
        parsed = typeof variables === "string" ? JSON.parse(variables) : undefined;
      } catch {
        return next(); // Apollo answers malformed variables itself
      }
      const error = pipeline.checkRequest({ query, variables: parsed, operationName });
      if (!error) return next();
      res.status(400).json({ errors: [pipeline.formatError(error)] });
      return;
    }
    if (req.method !== "POST") return next();
    const body = req.body as Record<string, unknown> | undefined;
    // Not a JSON object: Apollo answers it (wrong content type, batching) with its own 400.
    if (!body || typeof body !== "object" || Array.isArray(body)) return next();
    // Without query text (a persisted-query hash, or a missing query) Apollo judges the query itself.
    const hasQuery = typeof body["query"] === "string";
    const error = pipeline.checkRequest({ query: body["query"], variables: body["variables"], operationName: body["operationName"] }, { queryRequired: hasQuery });
    if (!error) return next();
    res.status(400).json({ errors: [pipeline.formatError(error)] });
  };
}

/**
 * What the plugin leaves, per executed operation, for `apolloHttpHandler` to do with Apollo's
 * body: the per-answer extensions to append, and, when the answer is stored, what storing its
 * body takes (the admission and what the extensions keep) — never the result or the context.
 * Keyed by the operation's read log: Apollo hands its plugins a shallow copy of the context
 * object, which shares the original's `reads`.
 *
 * Never the result: like the context (GatewayContext.release), a record outlives its request in
 * V8's young-generation collections, so what it references is copied to the old generation
 * (bench/results/2026-12-03-read-path-cpu.md, "What kept each miss alive"). The handler deletes it
 * once the answer is out.
 */
export type HttpAnswers = WeakMap<object, { extensions?: ExtensionValues; store?: { storeBody: NonNullable<Extract<Admission, { kind: "execute" }>["storeBody"]>; kept: ExtensionValues } }>;

export function createHttpAnswers(): HttpAnswers {
  return new WeakMap();
}

/**
 * The handler that runs Apollo (as @as-integrations/express5 does) and writes its answer, for
 * express and for `storedAnswerListener`'s misses alike (it uses node's request and response
 * only; a rejection is the caller's to answer): an executed answer's body is Apollo's
 * serialisation as it is; the response cache stores the same text (no second `JSON.stringify`
 * of a large result) in its own memory (answer-bytes.ts), and the per-answer extensions are
 * appended to the bytes sent as they are to a hit's stored bytes (`appendExtensionsBytes`). The
 * bytes sent are a buffer of their own, never the stored one: nothing of a miss's write can read
 * memory the cache reuses. Once the answer is out the
 * operation's record and context are released (`HttpAnswers`, GatewayContext.release).
 */
export function apolloHttpHandler(
  apollo: ApolloServer<GatewayContext>,
  answers: HttpAnswers,
  context: (req: IncomingMessage) => Promise<GatewayContext>,
): (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let operation: GatewayContext | undefined;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const url = req.url ?? "";
    const queryAt = url.indexOf("?");
    try {
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? "GET").toUpperCase(), headers, search: queryAt < 0 ? "" : url.slice(queryAt), body: req.body },
        context: async () => {
          operation = await context(req);
          answers.set(operation.reads, {});
          return operation;
        },
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === "chunked") {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
        return;
      }
      const reads = operation?.reads;
      const answer = reads && answers.get(reads);
      if (reads && answer?.store && res.statusCode === 200) answer.store.storeBody(response.body.string, reads, answer.store.kept);
      const chunks = appendExtensionsBytes(Buffer.from(response.body.string, "utf8"), answer?.extensions);
      let length = 0;
      for (const chunk of chunks) length += chunk.length;
      res.setHeader("content-length", length);
      for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i]);
      res.end(chunks[chunks.length - 1]);
    } finally {
      if (operation) {
        answers.delete(operation.reads);
        operation.release();
      }
    }
  };
}

/**
 * Stage 9 over HTTP for an operation that runs compiled (execution.runner.ts), or null: Apollo
 * then executes it with graphql-js, as it always did. Apollo is left its own executor because its
 * other hook for one, a `gateway` executor, was measured to cost a response-cache miss with a new
 * document ~10-20 % more CPU (each request's `makeGatewayGraphQLRequestContext` doubled the time of
 * young-generation collections; `BENCH_MISS_DOC=new node bench/focus.mjs`). The answer is what
 * Apollo makes of the same result: errors first (graphql-js's key order), each formatted by
 * stage 10 (of what Apollo hands its `formatError`, graphql/common/errors.ts `createFormatError`
 * reads only `locations` and `path`, which are the error's own). No audit (stage 11): only
 * queries compile, and refused-mutation.audit.ts writes lines for mutations only. A result
 * without data (refused variables: nothing ran) goes back to Apollo, whose answer to those is a
 * 400, and so does an execution that throws.
 */
async function compiledResponse(pipeline: OperationPipeline, rc: GraphQLRequestContextResponseForOperation<GatewayContext>): Promise<GraphQLResponse | null> {
  const { request, document } = rc;
  const compiled = pipeline.compiledExecution({ document, operationName: request.operationName ?? null });
  if (!compiled) return null;
  let result: ExecutionResult;
  try {
    result = await pipeline.runCompiled(compiled, { schema: pipeline.schema, document, contextValue: rc.contextValue, variableValues: request.variables ?? null, operationName: request.operationName ?? null });
  } catch {
    // Apollo calls responseForOperation outside its try (@apollo/server requestPipeline.js): a
    // throw would be an internal error. The runner falls back to graphql-js itself; should that
    // fallback throw too, Apollo executes the operation as it always did.
    return null;
  }
  if (result.data === undefined) return null;
  if (!result.errors || result.errors.length === 0) return singleResponse({ data: result.data });
  return singleResponse({ errors: result.errors.map((e) => pipeline.formatError(e)), data: result.data });
}

/**
 * `answers`: the records `apolloHttpHandler` creates; an operation without one (Apollo's
 * `executeOperation`) gets its extensions merged into the result, and a success is stored from it.
 */
export function apolloPipelinePlugin(pipeline: OperationPipeline, answers: HttpAnswers): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let admission: Admission | undefined;
      return {
        async didResolveOperation(rc) {
          const operation = rc.operation;
          if (!operation) return; // Apollo reports it ("could not determine the operation")
          if (operation.operation === "subscription") {
            throw new GraphQLError(SUBSCRIPTIONS_OVER_WEBSOCKET, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });
          }
          rc.contextValue.setOperationType(operation.operation);
          const query = rc.source ?? rc.request.query ?? ""; // source: also a persisted query's text
          admission = pipeline.admit({
            document: rc.document,
            operation,
            variables: rc.request.variables,
            operationKey: pipeline.operationKey({ query, variables: rc.request.variables, operationName: rc.request.operationName }),
            auth: rc.contextValue.auth,
          });
          // A request error: Apollo answers 400 and reports it to didEncounterErrors (audit).
          if (admission.kind === "refused" && !admission.asResult) throw withStatus(admission.errors[0]!, 400);
        },
        async responseForOperation(rc) {
          if (admission?.kind === "refused") {
            pipeline.audit({ document: rc.document, operationName: rc.request.operationName, errors: admission.errors, viewer: rc.contextValue.viewer });
            return singleResponse({ data: null, errors: admission.errors.map((e) => pipeline.formatError(e)) });
          }
          if (admission?.kind === "cached") {
            return singleResponse(withExtensions({ ...admission.result }, admission.extensions), { "x-response-cache": "hit" });
          }
          if (admission?.kind === "execute") return compiledResponse(pipeline, rc);
          return null;
        },
        async willSendResponse({ response, contextValue }) {
          // A rate budget that could not be had within the operation's deadline: say when to retry.
          if (response.body.kind === "single") {
            const waits = (response.body.singleResult.errors ?? []).flatMap((e) =>
              e.extensions?.["code"] === "UPSTREAM_RATE_LIMITED" && typeof e.extensions["retryAfterMs"] === "number" ? [e.extensions["retryAfterMs"]] : [],
            );
            if (waits.length > 0) response.http.headers.set("retry-after", String(Math.max(1, Math.ceil(Math.max(...waits) / 1000))));
          }
          if (admission?.kind === "cached" || admission?.kind === "refused" || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          // The answer's per-answer extensions (freshness, cost); a stored answer keeps what they need for its hits.
          const { values, kept } = pipeline.executedExtensions({
            viewer: contextValue.viewer,
            reads: contextValue.reads,
            context: contextValue,
            estimated: admission?.kind === "execute" ? admission.estimated : undefined,
          });
          const answer = answers.get(contextValue.reads);
          if (answer && result.extensions === undefined) {
            // Apollo's body is then `answerBody(result)` exactly: stored as it is, extensions appended
            // by the handler. The record gets what storing takes, not the result (`HttpAnswers`).
            if (values) answer.extensions = values;
            if (admission?.kind === "execute" && admission.storeBody && succeeded(result)) answer.store = { storeBody: admission.storeBody, kept };
            return;
          }
          if (values) result.extensions = { ...(result.extensions ?? {}), ...values };
          if (succeeded(result)) admission?.remember({ data: result.data }, contextValue.reads, kept);
        },
        async didEncounterErrors(rc) {
          // Stage 2's label: Apollo reports a token-limit overflow as a syntax error.
          for (let i = 0; i < rc.errors.length; i++) {
            const labelled = pipeline.parseError(rc.errors[i]!);
            if (labelled !== rc.errors[i]) {
              // Label the error and the parser's original (error formatters may unwrap to it).
              for (const e of [rc.errors[i]!, rc.errors[i]!.originalError]) {
                if (e instanceof GraphQLError) Object.assign(e.extensions as Record<string, unknown>, labelled.extensions);
              }
            }
          }
          pipeline.audit({ document: rc.document, source: rc.source, operationName: rc.request.operationName, errors: rc.errors, viewer: rc.contextValue.viewer });
        },
      };
    },
  };
}
