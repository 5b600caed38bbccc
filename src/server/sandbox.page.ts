/**
 * The sandbox at `GET /graphql` (README, "HTTP surface"): GraphiQL rendered by `@graphql-yoga/render-graphiql`,
 * a single self-contained page (scripts, styles and icon inline: no CDN), prefilled with a sample
 * dashboard query and wired for subscriptions over graphql-ws on the same path. The page (≈9 MB)
 * is rendered once per gateway and then served from memory.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";

type RenderGraphiQL = typeof import("@graphql-yoga/render-graphiql").renderGraphiQL;
/**
 * Loaded on the first sandbox request, not at import: the GraphiQL bundle costs ~45 MB of RSS that
 * a gateway nobody browses should not pay (the per-process memory target of the README's benchmark section). The page is rendered once per
 * gateway (the caller keeps it), so the module is dropped from require's cache right after: its
 * ~9 MB of bundle strings and their compiled source can then be collected instead of staying next
 * to the rendered page for the life of the process. (The `require` is created per call, so no
 * parent module keeps the dropped ones as children.)
 */
function renderGraphiQL(...args: Parameters<RenderGraphiQL>): ReturnType<RenderGraphiQL> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("@graphql-yoga/render-graphiql");
  try {
    return (require(entry) as { renderGraphiQL: RenderGraphiQL }).renderGraphiQL(...args);
  } finally {
    const packageDir = dirname(entry);
    for (const id of Object.keys(require.cache)) if (id.startsWith(packageDir)) delete require.cache[id];
  }
}

/** The sample dashboard query (also schema/operations/ContactsDashboard.graphql; a test keeps them equal). */
export const SAMPLE_DASHBOARD_QUERY = `# Contacts Gateway sandbox. Send a caller token in the Headers tab:
#   { "Authorization": "Bearer <token printed by npm start>" }
query ContactsDashboard($first: Int = 10) {
  viewer { locationId scopes }
  contacts(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      name
      email
      tags
      tasks { id title dueDate completed }
      notes { id body dateAdded }
      appointments { id title startTime appointmentStatus }
    }
  }
}
`;

export interface SandboxOptions {
  /** Page title. */
  title?: string;
  /** Headers prefilled in the Headers tab (demo mode puts a read-only token here). */
  defaultHeaders?: Record<string, string>;
  /** The query shown in a fresh tab. */
  defaultQuery?: string;
  /** The GraphQL endpoint path. Default `/graphql`. */
  endpoint?: string;
}

/**
 * GraphiQL's fetcher, built from the Headers tab on every run. GraphiQL hands a fetcher the parsed
 * Headers tab with each operation (`fetcher(params, { headers, documentAST })`), but the stock Yoga
 * fetcher opens its graphql-ws client with fixed `connectionParams`: a token pasted into the Headers
 * tab would reach HTTP only. This one sends queries and mutations as `POST` with those headers and
 * opens one graphql-ws connection per subscription run whose connection_init payload carries the
 * tab's `Authorization` as `{authorization}` (README, "Quick start": caller tokens); a refused token (4403) is shown in the
 * result pane. The socket goes to the page's own origin: nothing leaves the gateway.
 * Plain ES2020 in a string (it runs in the browser as is).
 */
const SANDBOX_FETCHER = (endpoint: string) => `<script>
(() => {
  "use strict";
  const endpoint = new URL(${JSON.stringify(endpoint)}, location.href);
  const wsUrl = new URL(endpoint.href);
  wsUrl.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

  const headerValue = (headers, name) => {
    for (const key of Object.keys(headers || {})) if (key.toLowerCase() === name) return String(headers[key]);
    return undefined;
  };
  const isSubscription = (params, documentAST) => {
    const operations = ((documentAST && documentAST.definitions) || []).filter((d) => d.kind === "OperationDefinition");
    if (operations.length > 0) {
      const operation = params.operationName ? operations.find((o) => o.name && o.name.value === params.operationName) : operations[0];
      return Boolean(operation) && operation.operation === "subscription";
    }
    return /^\\s*subscription\\b/m.test(String(params.query || "").replace(/#[^\\n]*/g, ""));
  };
  const failure = (message) => ({ errors: [{ message }] });

  async function overHttp(params, headers) {
    const sent = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
    for (const key of Object.keys(headers || {})) sent[key] = String(headers[key]);
    try {
      const response = await fetch(endpoint.href, {
        method: "POST",
        credentials: "same-origin",
        headers: sent,
        body: JSON.stringify({ query: params.query, variables: params.variables, operationName: params.operationName }),
      });
      const text = await response.text();
      try {
        return JSON.parse(text);
      } catch (_) {
        return failure("HTTP " + response.status + ": " + text.slice(0, 500));
      }
    } catch (error) {
      return failure("Request failed: " + (error && error.message ? error.message : String(error)));
    }
  }

  // graphql-transport-ws (graphql-ws), one subscription per connection, as a GraphiQL observable.
  function overWebSocket(params, authorization) {
    return {
      subscribe(observer) {
        let done = false;
        let subscribed = false;
        const socket = new WebSocket(wsUrl.href, "graphql-transport-ws");
        const send = (message) => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(message));
        const finish = (result) => {
          if (done) return;
          done = true;
          if (result) observer.next(result);
          observer.complete();
        };
        socket.onopen = () => send({ type: "connection_init", payload: authorization ? { authorization } : {} });
        socket.onmessage = (event) => {
          let message;
          try {
            message = JSON.parse(event.data);
          } catch (_) {
            return;
          }
          if (message.type === "connection_ack") {
            subscribed = true;
            send({ id: "1", type: "subscribe", payload: { query: params.query, variables: params.variables, operationName: params.operationName } });
          } else if (message.type === "ping") {
            send({ type: "pong" });
          } else if (message.type === "next" && message.id === "1") {
            if (!done) observer.next(message.payload);
          } else if ((message.type === "error" || message.type === "complete") && message.id === "1") {
            finish(message.type === "error" ? { errors: message.payload } : undefined);
            socket.close(1000, "Normal Closure");
          }
        };
        socket.onclose = (event) => {
          if (event.code === 4403) {
            finish(failure("Forbidden (4403): the subscription needs a valid caller token with contacts.readonly; put it in the Headers tab as { \\"Authorization\\": \\"Bearer <token>\\" }"));
          } else if (event.code !== 1000) {
            finish(failure("The subscription's WebSocket closed: " + event.code + (event.reason ? " " + event.reason : "")));
          } else {
            finish();
          }
        };
        return {
          unsubscribe() {
            if (done) return;
            done = true;
            if (subscribed) send({ id: "1", type: "complete" });
            socket.close(1000, "Normal Closure");
          },
        };
      },
    };
  }

  const fetcher = (params, options) => {
    const headers = (options && options.headers) || {};
    return isSubscription(params, options && options.documentAST)
      ? overWebSocket(params, headerValue(headers, "authorization"))
      : overHttp(params, headers);
  };
  window.__contactsGatewaySandbox = {
    render(root, options) {
      return YogaGraphiQL.renderYogaGraphiQL(root, Object.assign({}, options, { fetcher }));
    },
  };
})();
</script>`;

/** The page's call that mounts GraphiQL (render-graphiql 5.x); rerouted through SANDBOX_FETCHER's `render`. */
const RENDER_CALL = "YogaGraphiQL.renderYogaGraphiQL(";

export function renderSandboxPage(options: SandboxOptions = {}): string {
  const headers = options.defaultHeaders ?? { Authorization: "Bearer <paste a caller token>" };
  // No `endpoint` for Yoga's page: the fetcher above talks to it (Yoga warns about an endpoint
  // next to a custom fetcher).
  const page = renderGraphiQL({
    title: options.title ?? "Contacts Gateway sandbox",
    defaultQuery: options.defaultQuery ?? SAMPLE_DASHBOARD_QUERY,
    headers: JSON.stringify(headers, null, 2),
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
  });
  const call = page.lastIndexOf(RENDER_CALL);
  const head = page.indexOf("<head>");
  if (call < 0 || head < 0 || call < head) {
    throw new Error(`renderSandboxPage: expected GraphiQL's page to have a <head> and a ${RENDER_CALL}…) call, received neither`);
  }
  const afterHead = head + "<head>".length;
  return (
    page.slice(0, afterHead) +
    "\n" +
    SANDBOX_FETCHER(options.endpoint ?? "/graphql") +
    page.slice(afterHead, call) +
    "window.__contactsGatewaySandbox.render(" +
    page.slice(call + RENDER_CALL.length)
  );
}

/** True when the request comes from a browser asking for a page (not a GraphQL GET from a client). */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return /\btext\/html\b/i.test(accept);
}
