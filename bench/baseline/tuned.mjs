// The tuned hand-rolled baseline for `npm run bench`: the floor a careful engineer reaches without
// a framework. graphql-js (no Apollo, no type-graphql) on node:http, an undici Pool to the upstream,
// a per-request DataLoader per relation (de-duplication within an operation), one process-wide
// lru-cache of upstream answers (the contacts list page and each contact's tasks, notes and
// appointments; TTL 5 min like the gateway's resource cache; in-flight reads shared), and an
// lru-cache of parsed + validated documents keyed by their text. No response cache: every request
// executes. The same answers as the gateway for `contacts(first, query) { nodes { ... } }` and for
// `dashboard(first, query)` with `summary` (ordered by attention: most overdue tasks first, then
// the soonest upcoming appointment).
//
//   node bench/baseline/tuned.mjs --upstream http://127.0.0.1:PORT --port 4201 --location LOC
//   (upstream token from BASELINE_UPSTREAM_TOKEN)
//
// As a module: `createTunedServer({ upstreamUrl, token, locationId })` -> node:http Server.
import http from "node:http";
import { fileURLToPath } from "node:url";
import DataLoader from "dataloader";
import { buildSchema, execute, parse, specifiedRules, validate } from "graphql";
import { LRUCache } from "lru-cache";
import { Pool } from "undici";

const sdl = /* GraphQL */ `
  type Query {
    contacts(first: Int = 20, query: String): ContactConnection!
    dashboard(first: Int! = 20, query: String): [Contact!]!
  }
  type ContactConnection { nodes: [Contact!]! totalCount: Int }
  type Contact {
    id: ID!
    name: String
    email: String
    tags: [String!]!
    dateUpdated: String
    tasks: [Task!]!
    notes: [Note!]!
    appointments: [Appointment!]!
    summary: Summary!
  }
  type Task { id: ID! contactId: ID title: String! dueDate: String completed: Boolean! }
  type Note { id: ID! body: String! dateAdded: String }
  type Appointment { id: ID! title: String startTime: String status: String }
  type Summary {
    openTaskCount: Int!
    overdueTaskCount: Int!
    nextAppointment: Appointment
    latestNote: Note
    lastActivityAt: String
  }
`;

const RELATIONS = { tasks: ["tasks", "tasks"], notes: ["notes", "notes"], appointments: ["appointments", "events"] };

/** Creates (does not start) the tuned baseline server. */
export function createTunedServer({ upstreamUrl, token, locationId, apiVersion = "2021-07-28", connections = 64, ttlMs = 300_000 }) {
  if (!/^https?:\/\//.test(upstreamUrl ?? "")) {
    throw new Error(`upstreamUrl: expected an http(s) URL, received ${JSON.stringify(upstreamUrl)}`);
  }
  const schema = buildSchema(sdl);
  const pool = new Pool(new URL(upstreamUrl).origin, { connections, keepAliveTimeout: 60_000 });
  const headers = { authorization: `Bearer ${token}`, version: apiVersion, accept: "application/json" };
  const get = async (path) => {
    const res = await pool.request({ path, method: "GET", headers });
    const body = await res.body.json();
    if (res.statusCode !== 200) throw new Error(`upstream answered ${res.statusCode} for GET ${path.split("?")[0]}`);
    return body;
  };

  // Upstream answers by path, shared by every request; a read in flight is shared too.
  const resources = new LRUCache({ max: 50_000, ttl: ttlMs });
  const inFlight = new Map();
  const cached = (path) => {
    const hit = resources.get(path);
    if (hit !== undefined) return hit;
    let p = inFlight.get(path);
    if (!p) {
      p = get(path).then(
        (body) => {
          inFlight.delete(path);
          resources.set(path, body);
          return body;
        },
        (error) => {
          inFlight.delete(path);
          throw error;
        },
      );
      inFlight.set(path, p);
    }
    return p;
  };

  const loadersFor = () =>
    Object.fromEntries(
      Object.entries(RELATIONS).map(([field, [route, key]]) => [
        field,
        new DataLoader(async (ids) => Promise.all(ids.map(async (id) => (await cached(`/contacts/${id}/${route}`))[key] ?? [])), { cache: true }),
      ]),
    );

  const now = () => Date.now();
  const apptMs = (a) => Date.parse(String(a?.startTime ?? "").replace(" ", "T"));
  const summaryOf = async (c, loaders) => {
    const [tasks, notes, appointments] = await Promise.all([loaders.tasks.load(c.id), loaders.notes.load(c.id), loaders.appointments.load(c.id)]);
    const t = now();
    const open = tasks.filter((x) => !x.completed);
    let next = null;
    for (const a of appointments) {
      const s = apptMs(a);
      if (Number.isFinite(s) && s >= t && (next === null || s < apptMs(next))) next = a;
    }
    let latestNote = null;
    for (const n of notes) if (latestNote === null || String(n.dateAdded) > String(latestNote.dateAdded)) latestNote = n;
    return {
      openTaskCount: open.length,
      overdueTaskCount: open.filter((x) => x.dueDate && Date.parse(x.dueDate) < t).length,
      nextAppointment: next,
      latestNote,
      lastActivityAt: c.dateUpdated ?? null,
    };
  };
  const contactOf = (c) => ({
    id: c.id,
    name: c.name ?? c.contactName ?? null,
    email: c.email ?? null,
    tags: c.tags ?? [],
    dateUpdated: c.dateUpdated ?? null,
    tasks: (_a, ctx) => ctx.loaders.tasks.load(c.id),
    notes: (_a, ctx) => ctx.loaders.notes.load(c.id),
    appointments: (_a, ctx) => ctx.loaders.appointments.load(c.id),
    summary: (_a, ctx) => (ctx.summaries.get(c.id) ?? summaryOf(c, ctx.loaders)),
  });
  const list = async ({ first, query }) => {
    const params = new URLSearchParams({ locationId, limit: String(first) });
    if (query) params.set("query", query);
    return cached(`/contacts/?${params}`);
  };
  const rootValue = {
    contacts: async (args) => {
      const body = await list(args);
      return { nodes: (body.contacts ?? []).map(contactOf), totalCount: body.meta?.total ?? null };
    },
    dashboard: async (args, ctx) => {
      const body = await list(args);
      const rows = await Promise.all(
        (body.contacts ?? []).map(async (raw) => {
          const summary = await summaryOf(raw, ctx.loaders);
          ctx.summaries.set(raw.id, summary);
          return { raw, summary };
        }),
      );
      const next = (r) => (r.summary.nextAppointment ? apptMs(r.summary.nextAppointment) : Infinity);
      rows.sort((x, y) => y.summary.overdueTaskCount - x.summary.overdueTaskCount || next(x) - next(y));
      return rows.map((r) => contactOf(r.raw));
    },
  };

  const documents = new LRUCache({ max: 1_000 });
  const documentOf = (source) => {
    let entry = documents.get(source);
    if (!entry) {
      try {
        const document = parse(source);
        const errors = validate(schema, document, specifiedRules);
        entry = errors.length ? { errors } : { document };
      } catch (error) {
        entry = { errors: [{ message: String(error?.message ?? error) }] };
      }
      documents.set(source, entry);
    }
    return entry;
  };

  const send = (res, status, payload) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.startsWith("/graphql")) {
      res.writeHead(req.url === "/healthz" ? 200 : 404, { "content-type": "text/plain" });
      return res.end(req.url === "/healthz" ? "ok" : "not found");
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    let payload;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, { errors: [{ message: "body: expected JSON {query, variables}" }] });
    }
    const { document, errors } = documentOf(String(payload?.query ?? ""));
    if (errors) return send(res, 400, { errors: errors.map((e) => ({ message: e.message })) });
    const result = await execute({
      schema,
      document,
      rootValue,
      contextValue: { loaders: loadersFor(), summaries: new Map() },
      variableValues: payload.variables,
      operationName: payload.operationName,
    });
    send(res, 200, result);
  });
  server.on("close", () => void pool.close());
  return server;
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const server = createTunedServer({
    upstreamUrl: opt("--upstream"),
    token: process.env.BASELINE_UPSTREAM_TOKEN ?? "",
    locationId: opt("--location") ?? "",
  });
  const port = Number(opt("--port") ?? 4201);
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1", () => console.log(`tuned baseline on http://127.0.0.1:${port}/graphql`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
