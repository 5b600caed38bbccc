// The naive baseline for `npm run bench`: a minimal graphql-js server on node:http with the same
// Contact / tasks / notes / appointments shape as the gateway, where every relation field fetches
// straight from the upstream. Deliberately no DataLoader, no cache, no de-duplication: it shows
// what the gateway's loaders and cache are worth.
//
//   node bench/baseline/server.mjs --upstream http://127.0.0.1:PORT --port 4200 --location LOC
//   (upstream token from BASELINE_UPSTREAM_TOKEN)
//
// As a module: `createBaselineServer({ upstreamUrl, token, locationId })` -> node:http Server.
import http from "node:http";
import { fileURLToPath } from "node:url";
import { buildSchema, graphql } from "graphql";

const sdl = /* GraphQL */ `
  type Query {
    contact(id: ID!): Contact
    contacts(first: Int = 20, query: String): ContactConnection!
    dashboard(first: Int = 20, query: String): [DashboardRow!]!
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
  }
  type Task { id: ID! contactId: ID title: String! dueDate: String completed: Boolean! }
  type Note { id: ID! body: String! dateAdded: String }
  type Appointment { id: ID! title: String startTime: String status: String }
  type DashboardRow { contact: Contact! summary: Summary! }
  type Summary {
    openTaskCount: Int!
    overdueTaskCount: Int!
    nextAppointment: Appointment
    latestNote: Note
    lastActivityAt: String
  }
`;

/** Creates (does not start) the baseline server. */
export function createBaselineServer({ upstreamUrl, token, locationId, apiVersion = "2021-07-28" }) {
  if (!/^https?:\/\//.test(upstreamUrl ?? "")) {
    throw new Error(`upstreamUrl: expected an http(s) URL, received ${JSON.stringify(upstreamUrl)}`);
  }
  const schema = buildSchema(sdl);
  const get = async (path) => {
    const res = await fetch(new URL(path, upstreamUrl), {
      headers: { authorization: `Bearer ${token}`, version: apiVersion, accept: "application/json" },
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`upstream answered ${res.status} for GET ${path.split("?")[0]}`);
    return body;
  };
  const contactFields = (c) => ({
    id: c.id,
    name: c.name ?? c.contactName ?? null,
    email: c.email ?? null,
    tags: c.tags ?? [],
    dateUpdated: c.dateUpdated ?? null,
    tasks: async () => (await get(`/contacts/${c.id}/tasks`)).tasks ?? [],
    notes: async () => (await get(`/contacts/${c.id}/notes`)).notes ?? [],
    appointments: async () => (await get(`/contacts/${c.id}/appointments`)).events ?? [],
  });
  const list = async ({ first, query }) => {
    const params = new URLSearchParams({ locationId, limit: String(first) });
    if (query) params.set("query", query);
    const body = await get(`/contacts/?${params}`);
    return body;
  };
  const summaryOf = async (c) => {
    const [tasks, notes, appointments] = await Promise.all([c.tasks(), c.notes(), c.appointments()]);
    const now = Date.now();
    const open = tasks.filter((t) => !t.completed);
    const upcoming = appointments
      .map((a) => ({ a, t: Date.parse(String(a.startTime ?? "").replace(" ", "T")) }))
      .filter((x) => Number.isFinite(x.t) && x.t >= now)
      .sort((x, y) => x.t - y.t);
    const latestNote = [...notes].sort((x, y) => String(y.dateAdded).localeCompare(String(x.dateAdded)))[0] ?? null;
    return {
      openTaskCount: open.length,
      overdueTaskCount: open.filter((t) => t.dueDate && Date.parse(t.dueDate) < now).length,
      nextAppointment: upcoming[0]?.a ?? null,
      latestNote,
      lastActivityAt: c.dateUpdated,
    };
  };
  const rootValue = {
    contact: async ({ id }) => contactFields((await get(`/contacts/${id}`)).contact),
    contacts: async (args) => {
      const body = await list(args);
      return { nodes: (body.contacts ?? []).map(contactFields), totalCount: body.meta?.total ?? null };
    },
    dashboard: async (args) => {
      const body = await list(args);
      const rows = await Promise.all(
        (body.contacts ?? []).map(async (raw) => {
          const contact = contactFields(raw);
          return { contact, summary: await summaryOf(contact) };
        }),
      );
      const key = (r) => [
        -r.summary.overdueTaskCount,
        r.summary.nextAppointment ? Date.parse(String(r.summary.nextAppointment.startTime).replace(" ", "T")) : Infinity,
      ];
      return rows.sort((x, y) => {
        const [a1, a2] = key(x);
        const [b1, b2] = key(y);
        return a1 - b1 || a2 - b2;
      });
    },
  };

  return http.createServer(async (req, res) => {
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
      res.writeHead(400, { "content-type": "application/json" });
      return res.end(JSON.stringify({ errors: [{ message: "body: expected JSON {query, variables}" }] }));
    }
    const result = await graphql({ schema, source: String(payload.query ?? ""), rootValue, variableValues: payload.variables });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(result));
  });
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const server = createBaselineServer({
    upstreamUrl: opt("--upstream"),
    token: process.env.BASELINE_UPSTREAM_TOKEN ?? "",
    locationId: opt("--location") ?? "",
  });
  const port = Number(opt("--port") ?? 4200);
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1", () => console.log(`baseline on http://127.0.0.1:${port}/graphql`));
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
