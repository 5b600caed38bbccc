/**
 * The sandbox at `GET /graphql` (contract §4): GraphiQL rendered by `@graphql-yoga/render-graphiql`,
 * a single self-contained page (scripts, styles and icon inline: no CDN), prefilled with a sample
 * dashboard query and wired for subscriptions over graphql-ws on the same path. The page (≈9 MB)
 * is rendered once per gateway and then served from memory.
 */
import { createRequire } from "node:module";

type RenderGraphiQL = typeof import("@graphql-yoga/render-graphiql").renderGraphiQL;
let loadedRenderGraphiQL: RenderGraphiQL | undefined;
/**
 * Loaded on the first sandbox request, not at import: the GraphiQL bundle costs ~45 MB of RSS that
 * a gateway nobody browses should not pay (issue 8's memory target).
 */
function renderGraphiQL(...args: Parameters<RenderGraphiQL>): ReturnType<RenderGraphiQL> {
  loadedRenderGraphiQL ??= (createRequire(import.meta.url)("@graphql-yoga/render-graphiql") as { renderGraphiQL: RenderGraphiQL }).renderGraphiQL;
  return loadedRenderGraphiQL(...args);
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
 * Browsers cannot put headers on a WebSocket, and GraphiQL sends an empty connection_init payload.
 * This runs before GraphiQL: it remembers the `Authorization` header GraphiQL last sent over HTTP
 * (the schema introspection on load already carries the Headers tab) and adds it to the
 * connection_init payload as `{authorization}` (contract §3), so subscriptions authenticate with
 * the token the Headers tab holds now — also a pasted one, not only the demo token prefilled below.
 */
const WS_AUTH_BRIDGE = `<script>
(() => {
  let authorization;
  const originalFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    try {
      const headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      const value = headers.get("authorization");
      if (value) authorization = value;
    } catch (_) {}
    return originalFetch(input, init);
  };
  const originalSend = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === "string" && authorization && data.indexOf("connection_init") !== -1) {
      try {
        const message = JSON.parse(data);
        if (message.type === "connection_init") {
          message.payload = Object.assign({}, message.payload || {}, { authorization: authorization });
          data = JSON.stringify(message);
        }
      } catch (_) {}
    }
    return originalSend.call(this, data);
  };
})();
</script>`;

export function renderSandboxPage(options: SandboxOptions = {}): string {
  const headers = options.defaultHeaders ?? { Authorization: "Bearer <paste a caller token>" };
  // A browser cannot put headers on a WebSocket: graphql-ws authenticates from connection_init
  // (contract §3), so the prefilled token also goes there (the page passes `connectionParams` to
  // its graphql-ws client). A token pasted later reaches connection_init through WS_AUTH_BRIDGE.
  const authorization = options.defaultHeaders?.["Authorization"] ?? options.defaultHeaders?.["authorization"];
  const wsParams = authorization ? { connectionParams: { authorization } } : {};
  const page = renderGraphiQL({
    ...(wsParams as object),
    title: options.title ?? "Contacts Gateway sandbox",
    endpoint: options.endpoint ?? "/graphql",
    defaultQuery: options.defaultQuery ?? SAMPLE_DASHBOARD_QUERY,
    headers: JSON.stringify(headers, null, 2),
    shouldPersistHeaders: false,
    subscriptionsProtocol: "WS",
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
  });
  const at = page.indexOf("<head>");
  if (at < 0) throw new Error("renderSandboxPage: expected GraphiQL's page to have a <head>, received none");
  const end = at + "<head>".length;
  return `${page.slice(0, end)}\n${WS_AUTH_BRIDGE}${page.slice(end)}`;
}

/** True when the request comes from a browser asking for a page (not a GraphQL GET from a client). */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return /\btext\/html\b/i.test(accept);
}
