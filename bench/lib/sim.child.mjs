// The benchmarks' upstream: the embedded Contacts API simulator (built, dist/) in its own process,
// driven over IPC by bench/run.mjs. Latency fixed (default 20 ms), rate limit lifted, no demo
// seed: the bench seeds exactly the data it measures.
//
// Messages in: {id, cmd, ...args}; out: {id, ok, result | error}. Commands:
//   seedDashboard {prefix, contacts}        N contacts "<prefix> NN" with tasks, notes, appointments
//   seedMass {count}                        plain contacts (memory phase)
//   count {}                                upstream requests seen since the last `mark`, by route
//                                           and by status (429: refused by the rate limit)
//   setRateLimit {real, limits}             real: HighLevel's limits (100 per 10 s, 200,000 per
//                                           day, counters reset); `limits`: those {burst,
//                                           intervalMs, daily} (time-compressed scenarios);
//                                           otherwise lifted again
//   activity {contactId, kind, seq}         a change made in HighLevel: kind note | complete |
//                                           contact (its signed webhook captured, returned
//                                           {body, headers}) or edit (a task edit: no webhook)
//   mark {}                                 forget the request log
//   change {contactId?}                     complete one open task (emit: true); answers the signed
//                                           webhook exactly as the simulator sends it {body, headers}
//   info {}                                 {url, locationId, token, webhookKeys}
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const root = process.env.BENCH_ROOT ?? process.cwd();
const { startSimulator } = await import(pathToFileURL(join(root, "dist/src/simulator/index.js")).href);

export const BENCH_LOCATION_ID = "BenchLocation0000001";
export const BENCH_UPSTREAM_TOKEN = "bench-upstream-rw-token";
const DAY_MS = 86_400_000;

// Capture the simulator's signed webhook deliveries instead of letting it post to a gateway:
// the driver forwards the exact bytes to every system at one measured instant.
const captured = [];
const captureWaiters = [];
const capture = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const entry = {
      body: Buffer.concat(chunks).toString("utf8"),
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k === "content-type" || k.startsWith("x-ghl") || k.startsWith("x-wh")),
      ),
    };
    res.writeHead(200).end("ok");
    const waiter = captureWaiters.shift();
    if (waiter) waiter(entry);
    else captured.push(entry);
  });
});
await new Promise((r) => capture.listen(0, "127.0.0.1", r));
const nextCapture = () => new Promise((resolve) => (captured.length ? resolve(captured.shift()) : captureWaiters.push(resolve)));

const latencyMs = Number(process.env.BENCH_UPSTREAM_LATENCY_MS ?? 20);
// HighLevel's limits (reference/contacts-api/FACTS.md): 100 requests per 10 s burst, 200,000 per day.
const REAL_RATE_LIMIT = { burst: 100, intervalMs: 10_000, daily: 200_000 };
// Lifted, but as numbers: with `false` the simulator still reports X-RateLimit-Remaining counting
// down from 100, and the gateway's governor (rightly) obeys the upstream's headers.
const LIFTED = { burst: 1_000_000, intervalMs: 10_000, daily: 1_000_000_000 };
const sim = await startSimulator({
  port: 0,
  seed: false,
  rateLimit: LIFTED,
  latency: { fixedMs: latencyMs },
  // The scopes an install with the gateway's default OAUTH_SCOPES holds: the bulk task read
  // (POST /locations/:locationId/tasks/search) needs locations/tasks.readonly, appointments read
  // through the calendars (GET /calendars/, GET /calendars/events) calendars.readonly and
  // calendars/events.readonly. The peer and the baselines serve only the contacts routes and never call them.
  tokens: [
    {
      token: BENCH_UPSTREAM_TOKEN,
      locationId: BENCH_LOCATION_ID,
      scopes: ["contacts.readonly", "contacts.write", "locations/tasks.readonly", "locations/customFields.readonly", "locations/tags.readonly", "calendars.readonly", "calendars/events.readonly"],
    },
  ],
  webhooks: { targetUrl: `http://127.0.0.1:${capture.address().port}/capture` },
});

const iso = (ms) => new Date(ms).toISOString();
const apptTime = (ms) => iso(ms).replace("T", " ").slice(0, 19); // the upstream's zone-less form

function seedDashboard({ prefix, contacts }) {
  const now = Date.now();
  const ids = [];
  for (let i = 0; i < contacts; i++) {
    const n = String(i).padStart(3, "0");
    const c = sim.data.createContact(BENCH_LOCATION_ID, {
      firstName: prefix,
      lastName: `Person ${n}`,
      email: `${prefix.toLowerCase().replace(/\W+/g, ".")}.${n}@bench.example`,
      companyName: `${prefix} Lending`,
      tags: i % 3 === 0 ? ["hot", "bench"] : ["bench"],
      dateAdded: iso(now - (i + 1) * 60_000),
    });
    ids.push(c.id);
    // A spread of attention: some overdue tasks, some upcoming appointments, some neither.
    const overdue = i % 5;
    for (let t = 0; t < 3; t++) {
      sim.data.createTask(c.id, {
        title: `Follow-up ${t + 1}`,
        body: "Call about the rate lock",
        dueDate: iso(t < overdue ? now - (t + 1 + (i % 7)) * DAY_MS : now + (t + 2) * DAY_MS),
        completed: t === 2 && i % 4 === 0,
      });
    }
    for (let k = 0; k < 2; k++) sim.data.createNote(c.id, { body: `Note ${k + 1} about ${prefix} ${n}`, userId: "BenchUser" });
    for (let a = 0; a < 2; a++) {
      const start = now + ((i % 11) + 1 + a * 9) * 3_600_000;
      sim.data.createAppointment(c.id, {
        title: `Consultation ${a + 1}`,
        status: "confirmed",
        appointmentStatus: "confirmed",
        startTime: apptTime(start),
        endTime: apptTime(start + 1_800_000),
      });
    }
  }
  return { ids };
}

function seedMass({ count }) {
  const now = Date.now();
  const ids = [];
  for (let i = 0; i < count; i++) {
    const c = sim.data.createContact(BENCH_LOCATION_ID, {
      firstName: "Mass",
      lastName: `Contact ${i}`,
      email: `mass.${i}@bench.example`,
      companyName: "Mass Mortgage",
      tags: ["mass"],
      dateAdded: iso(now - 365 * DAY_MS - i * 1000),
    });
    ids.push(c.id);
  }
  return { ids };
}

function count() {
  const byRoute = {};
  const byStatus = {};
  for (const r of sim.requests) {
    byRoute[`${r.method} ${r.route}`] = (byRoute[`${r.method} ${r.route}`] ?? 0) + 1;
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  }
  return { total: sim.requests.length, byRoute, byStatus };
}

async function change({ contactId }) {
  const open = sim.data.listTasks(contactId).filter((t) => !t.completed);
  const task = open[0] ?? sim.data.createTask(contactId, { title: "Fresh", dueDate: iso(Date.now() - DAY_MS), completed: false });
  const pending = nextCapture();
  sim.data.completeTask(contactId, task.id, true, { emit: true });
  const webhook = await pending;
  return { taskId: task.id, contactId, webhook };
}

/** One change made in HighLevel (the scripted working hour's trickle): its webhook, or none for a task edit. */
async function activity({ contactId, kind, seq }) {
  if (kind === "edit") {
    const task = sim.data.listTasks(contactId)[0];
    if (task) sim.data.updateTask(contactId, task.id, { title: `Follow-up (edited ${seq})` });
    return { webhook: undefined };
  }
  const pending = nextCapture();
  if (kind === "note") sim.data.createNote(contactId, { body: `Called back (${seq})`, userId: "BenchUser" }, { emit: true });
  else if (kind === "contact") sim.data.updateContact(contactId, { tags: ["bench", `touched-${seq}`] }, { emit: true });
  else {
    const open = sim.data.listTasks(contactId).filter((t) => !t.completed);
    const task = open[0] ?? sim.data.createTask(contactId, { title: `Fresh ${seq}`, dueDate: iso(Date.now() + DAY_MS), completed: false }, { emit: true });
    if (open[0]) sim.data.completeTask(contactId, task.id, true, { emit: true });
  }
  return { webhook: await pending };
}

const commands = {
  info: () => ({ url: sim.url, locationId: BENCH_LOCATION_ID, token: BENCH_UPSTREAM_TOKEN, webhookKeys: sim.webhookKeys }),
  seedDashboard,
  seedMass,
  count,
  mark: () => {
    sim.clearRequests();
    return {};
  },
  change,
  setRateLimit: ({ real, limits }) => {
    sim.setRateLimit(limits ?? (real ? REAL_RATE_LIMIT : LIFTED));
    return {};
  },
  activity,
  listTasks: ({ contactId }) => sim.data.listTasks(contactId),
  close: async () => {
    await sim.close();
    capture.close();
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on("message", async (msg) => {
  try {
    const result = await commands[msg.cmd](msg.args ?? {});
    process.send({ id: msg.id, ok: true, result });
  } catch (error) {
    process.send({ id: msg.id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
