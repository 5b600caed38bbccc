/**
 * The HTTP adapter: Apollo Server 5 on `POST /graphql` runs the operation pipeline
 * (operation.pipeline.ts). Apollo parses and validates itself, with the pipeline's token limit and
 * rules (`apolloPipelineOptions`); this plugin maps the remaining stages onto Apollo's hooks:
 *   didResolveOperation   authenticate → cost → authorize → cache (`pipeline.admit`)
 *   responseForOperation  a refusal as a result, or a cache hit: answered without executing
 *   willSendResponse      a cacheable success is stored; `Retry-After` when a rate budget refused
 *   didEncounterErrors    the token-limit label (stage 2) and the audit stage
 * and `formatError` is the pipeline's. Stage 1 (request shape) runs in `checkHttpRequest`, an
 * express middleware in front of Apollo.
 */
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from "@apollo/server";
import { GraphQLError, type ValidationRule } from "graphql";
import type { RequestHandler } from "express";
import type { CallerAuth } from "../../auth/index.js";
import type { GatewayContext } from "../../graphql/index.js";
import type { Admission, OperationPipeline } from "./operation.pipeline.js";
import { withExtensions } from "./response-extensions.build.js";

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

/** The ApolloServer options of stages 2, 3 and 9. */
export function apolloPipelineOptions(pipeline: OperationPipeline): {
  parseOptions: { maxTokens: number };
  validationRules: ValidationRule[];
  formatError: OperationPipeline["apolloFormatError"];
} {
  return { parseOptions: pipeline.parseOptions, validationRules: [...pipeline.validationRules], formatError: pipeline.apolloFormatError };
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
    const key = pipeline.operationKey({ query: body["query"], variables: body["variables"], operationName: body["operationName"] });
    if (!pipeline.mayHaveStoredAnswer(key)) return next();
    authenticate(req.headers.authorization).then(
      (auth) => {
        const answer = pipeline.storedAnswer(key, auth);
        if (answer === undefined) return next();
        res.status(200).set({ "content-type": "application/json; charset=utf-8", "x-response-cache": "hit" }).send(answer);
      },
      () => next(),
    );
  };
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

export function apolloPipelinePlugin(pipeline: OperationPipeline): ApolloServerPlugin<GatewayContext> {
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
          if (values) result.extensions = { ...(result.extensions ?? {}), ...values };
          admission?.remember(
            { ...(result.data !== undefined ? { data: result.data } : {}), ...(result.errors ? { errors: [...result.errors] as never } : {}) },
            contextValue.reads,
            kept,
          );
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
