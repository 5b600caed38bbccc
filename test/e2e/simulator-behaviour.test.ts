// Test-facing behaviour of the simulator: fault injection, latency, the request log,
// deterministic seed data and the direct data helpers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appointmentTimeMs,
  DEMO_LOCATION_ID,
  OTHER_LOCATION_ID,
  startSimulator,
  type Simulator,
} from "../../src/simulator/index.js";
import { call } from "./simulator-support.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ rateLimit: false });
});
afterAll(async () => {
  await sim.close();
});

describe("simulator: fault injection", () => {
  it("answers a chosen status and body for a route, `times` times, then behaves again", async () => {
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    sim.addFault({ method: "GET", route: "/contacts/:contactId", status: 503, body: { message: "down" }, times: 2 });
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`)).status).toBe(503);
    const second = await call(sim.url, "GET", `/contacts/${contact.id}`);
    expect(second).toMatchObject({ status: 503, body: { message: "down" } });
    expect(second.headers.get("x-ratelimit-max")).not.toBeNull();
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`)).status).toBe(200);
    // Other routes were never affected.
    expect((await call(sim.url, "GET", `/contacts/${contact.id}/notes`)).status).toBe(200);
  });

  it("matches by path (string or RegExp); the remover and clearFaults lift rules", async () => {
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[1]!;
    const remove = sim.addFault({ path: /\/tasks$/, status: 429, headers: { "x-ratelimit-remaining": "0" } });
    const r = await call(sim.url, "GET", `/contacts/${contact.id}/tasks`);
    expect(r.status).toBe(429);
    expect(r.headers.get("x-ratelimit-remaining")).toBe("0");
    remove();
    expect((await call(sim.url, "GET", `/contacts/${contact.id}/tasks`)).status).toBe(200);
    sim.addFault({ path: `/contacts/${contact.id}`, status: 500 });
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`)).status).toBe(500);
    sim.clearFaults();
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`)).status).toBe(200);
  });

  it("resets the connection", async () => {
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[2]!;
    sim.addFault({ route: "/contacts/:contactId", reset: true, times: 1 });
    await expect(call(sim.url, "GET", `/contacts/${contact.id}`)).rejects.toThrow();
    const logged = sim.requests.filter((r) => r.path === `/contacts/${contact.id}`);
    expect(logged.at(-1)?.status).toBe(0);
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`)).status).toBe(200);
  });

  it("delays a response (delay-only rules still handle the request)", async () => {
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[3]!;
    sim.addFault({ route: "/contacts/:contactId/notes", delayMs: 1_500, times: 1 }); // far past the 50 ms abort, even on a loaded machine
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 50);
    await expect(
      fetch(`${sim.url}/contacts/${contact.id}/notes`, {
        headers: { authorization: "Bearer sim-rw-A-token", version: "2021-07-28" },
        signal: controller.signal,
      }),
    ).rejects.toThrow();
    clearTimeout(timer);
    await sim.waitForRequests((r) => r.route === "/contacts/:contactId/notes" && r.path.includes(contact.id) && r.status === 200);
  });

  it("latency is adjustable at runtime", async () => {
    sim.clearRequests();
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[4]!;
    sim.setLatency({ fixedMs: 1_500 }); // far past the 50 ms abort, even on a loaded machine
    try {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 50);
      await expect(
        fetch(`${sim.url}/contacts/${contact.id}`, {
          headers: { authorization: "Bearer sim-rw-A-token", version: "2021-07-28" },
          signal: controller.signal,
        }),
      ).rejects.toThrow();
      clearTimeout(timer);
      // The aborted request is still handled and logged once the latency has passed.
      await sim.waitForRequests((r) => r.path === `/contacts/${contact.id}` && r.status === 200);
    } finally {
      sim.setLatency({});
    }
    expect((await call(sim.url, "GET", `/contacts/${contact.id}`)).status).toBe(200);
  });
});

describe("simulator: request log", () => {
  it("records method, path, route template, query, token, Version header, location and status of every request", async () => {
    sim.clearRequests();
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    await call(sim.url, "GET", `/contacts/${contact.id}/tasks`);
    await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=5`, { token: "sim-ro-A-token" });
    await call(sim.url, "GET", `/contacts/${contact.id}`, { token: "bogus" });
    await call(sim.url, "GET", "/nowhere", { version: null });
    expect(sim.requests.map((r) => ({ ...r, time: 0 }))).toEqual([
      { method: "GET", path: `/contacts/${contact.id}/tasks`, route: "/contacts/:contactId/tasks", query: {}, time: 0, token: "sim-rw-A-token", version: "2021-07-28", locationId: DEMO_LOCATION_ID, status: 200 },
      { method: "GET", path: "/contacts/", route: "/contacts/", query: { locationId: DEMO_LOCATION_ID, limit: "5" }, time: 0, token: "sim-ro-A-token", version: "2021-07-28", locationId: DEMO_LOCATION_ID, status: 200 },
      { method: "GET", path: `/contacts/${contact.id}`, route: "/contacts/:contactId", query: {}, time: 0, token: "bogus", version: "2021-07-28", status: 401 },
      { method: "GET", path: "/nowhere", route: "unknown", query: {}, time: 0, token: "sim-rw-A-token", locationId: DEMO_LOCATION_ID, status: 404 },
    ]);
  });

  it("waitForRequests resolves when enough matching requests arrived, and times out with a clear error", async () => {
    const contact = sim.data.listContacts(DEMO_LOCATION_ID)[0]!;
    sim.clearRequests();
    const waiting = sim.waitForRequests((r) => r.route === "/contacts/:contactId/notes", 2, 5_000);
    await call(sim.url, "GET", `/contacts/${contact.id}/notes`);
    await call(sim.url, "GET", `/contacts/${contact.id}/notes`);
    expect(await waiting).toHaveLength(2);
    await expect(sim.waitForRequests((r) => r.route === "/never", 1, 50)).rejects.toThrow(/expected 1 matching request/);
  });
});

describe("simulator: log limit", () => {
  it("keeps only the newest logLimit request-log entries (same array instance)", async () => {
    const small = await startSimulator({ seed: false, logLimit: 3 });
    try {
      const log = small.requests;
      for (let i = 0; i < 5; i++) await call(small.url, "GET", `/contacts/C${i}`);
      expect(small.requests).toBe(log);
      expect(log.map((r) => r.path)).toEqual(["/contacts/C2", "/contacts/C3", "/contacts/C4"]);
    } finally {
      await small.close();
    }
  });
});

describe("simulator: seed data", () => {
  it("is deterministic per seed and differs across seeds", async () => {
    const a = await startSimulator({ seed: 7 });
    const b = await startSimulator({ seed: 7 });
    const c = await startSimulator({ seed: 8 });
    try {
      const snapshot = (s: Simulator) =>
        s.data.listContacts(DEMO_LOCATION_ID).map((x) => [x.id, x.name, x.email, x.businessId, s.data.listTasks(x.id).map((t) => t.id)]);
      expect(snapshot(a)).toEqual(snapshot(b));
      expect(snapshot(a)).not.toEqual(snapshot(c));
      // Runtime ids are deterministic too.
      const first = a.data.listContacts(DEMO_LOCATION_ID)[0]!.id;
      expect(a.data.createNote(first, { body: "x" }).id).toBe(b.data.createNote(first, { body: "x" }).id);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it("looks like a mortgage brokerage: 200 contacts in A, ~20 in B, tags, businesses, tasks (some overdue), appointments both sides of now", () => {
    const contacts = sim.data.listContacts(DEMO_LOCATION_ID);
    expect(contacts.length).toBeGreaterThanOrEqual(200);
    expect(sim.data.listContacts(OTHER_LOCATION_ID)).toHaveLength(20);
    const tags = new Set(contacts.flatMap((c) => c.tags ?? []));
    for (const tag of ["lead", "pre-approved", "refinance", "first-home-buyer", "investor", "closed"]) expect(tags).toContain(tag);
    expect(sim.data.businessIds(DEMO_LOCATION_ID).length).toBeGreaterThanOrEqual(3);
    for (const id of sim.data.businessIds(DEMO_LOCATION_ID)) expect(id).toMatch(/^[0-9a-f]{24}$/);
    for (const c of contacts) {
      expect(c.id).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(c.phone).toMatch(/^\+1\d{10}$/);
      expect(c.email).toMatch(/@/);
    }
    expect(new Set(contacts.map((c) => c.dateAdded)).size).toBe(contacts.length);
    const now = Date.now();
    const tasks = contacts.flatMap((c) => sim.data.listTasks(c.id));
    expect(tasks.some((t) => !t.completed && Date.parse(t.dueDate ?? "") < now)).toBe(true);
    expect(tasks.some((t) => t.completed)).toBe(true);
    const appointments = contacts.flatMap((c) => sim.data.listAppointments(c.id));
    expect(appointments.some((a) => appointmentTimeMs(a.startTime) > now)).toBe(true);
    expect(appointments.some((a) => appointmentTimeMs(a.startTime) < now)).toBe(true);
    // All three upstream time forms occur: ISO Z, zone-less, and with an offset.
    expect(appointments.some((a) => /Z$/.test(a.startTime ?? ""))).toBe(true);
    expect(appointments.some((a) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(a.startTime ?? ""))).toBe(true);
    expect(appointments.some((a) => /[+-]\d{2}:\d{2}$/.test(a.startTime ?? ""))).toBe(true);
    expect(contacts.some((c) => sim.data.listNotes(c.id).length > 0)).toBe(true);
    const emails = new Set([...contacts, ...sim.data.listContacts(OTHER_LOCATION_ID)].map((c) => c.email));
    expect(emails.size).toBe(220);
  });

  it("seed: false starts empty; data helpers create records that the API then serves", async () => {
    const empty = await startSimulator({ seed: false });
    try {
      expect(empty.data.listContacts(DEMO_LOCATION_ID)).toEqual([]);
      const contact = empty.data.createContact(DEMO_LOCATION_ID, {
        firstName: "Dana",
        lastName: "Ng",
        customFields: [{ key: "loan_amount", field_value: 350000 }],
      });
      expect(contact.customFields).toEqual([{ id: "CfLoanAmount00000001", value: "350000" }]);
      const r = await call(empty.url, "GET", `/contacts/${contact.id}`);
      expect(r.body.contact).toMatchObject({ id: contact.id, name: "Dana Ng" });
      const list = await call(empty.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}`);
      expect(list.body.meta).toMatchObject({ total: 1 });
      expect(list.body.meta).not.toHaveProperty("startAfterId");
    } finally {
      await empty.close();
    }
  });
});

describe("simulator: many contacts (the bench seeds 10,000)", () => {
  it("pages every contact exactly once, newest first, also across equal dateAdded values", async () => {
    const big = await startSimulator({ seed: false, rateLimit: false });
    try {
      const base = Date.UTC(2025, 0, 1);
      const created: string[] = [];
      for (let i = 0; i < 2_500; i++) {
        // Groups of five share one timestamp: the id breaks the tie, as the cursor must.
        const dateAdded = new Date(base - Math.floor(i / 5) * 1000).toISOString();
        created.push(big.data.createContact(DEMO_LOCATION_ID, { firstName: "Mass", lastName: `N${i}`, email: `mass.${i}@bench.example`, dateAdded }).id);
      }
      const seen: string[] = [];
      let query = `locationId=${DEMO_LOCATION_ID}&limit=100`;
      for (;;) {
        const r = await call(big.url, "GET", `/contacts/?${query}`);
        expect(r.status).toBe(200);
        seen.push(...(r.body.contacts as { id: string }[]).map((c) => c.id));
        const meta = r.body.meta as { startAfter?: number; startAfterId?: string };
        if (!meta.startAfterId) break;
        query = `locationId=${DEMO_LOCATION_ID}&limit=100&startAfter=${meta.startAfter}&startAfterId=${meta.startAfterId}`;
      }
      expect(seen).toHaveLength(2_500);
      expect(new Set(seen)).toEqual(new Set(created));
      expect(seen).toEqual(big.data.listContacts(DEMO_LOCATION_ID).map((c) => c.id));
      expect(big.requests).toHaveLength(25);
      // A contact added later comes first; a deleted one is gone from the next listing.
      const newest = big.data.createContact(DEMO_LOCATION_ID, { firstName: "Newest", dateAdded: new Date(base + 1000).toISOString() });
      big.data.deleteContact(created[0]!);
      const first = await call(big.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=2`);
      // The rest of the newest group of five shares one timestamp: the highest id comes next.
      const nextOfGroup = created.slice(1, 5).sort().at(-1);
      expect((first.body.contacts as { id: string }[]).map((c) => c.id)).toEqual([newest.id, nextOfGroup]);
      expect((first.body.meta as { total: number }).total).toBe(2_500);
    } finally {
      await big.close();
    }
  });

  it("a cursor beyond any date is served (everything is older), a non-numeric one is 422, never a 5xx", async () => {
    const r = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&limit=3&startAfter=1e20&startAfterId=abc`);
    expect(r.status).toBe(200);
    expect((r.body.contacts as { id: string }[]).map((c) => c.id)).toEqual(sim.data.listContacts(DEMO_LOCATION_ID).slice(0, 3).map((c) => c.id));
    const bad = await call(sim.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&startAfter=soon&startAfterId=abc`);
    expect(bad.status).toBe(422);
  });

  it("query search follows updates of the contact (its lower-cased search text is rebuilt)", async () => {
    const s = await startSimulator({ seed: false });
    try {
      const c = s.data.createContact(DEMO_LOCATION_ID, { firstName: "Quincy", lastName: "Oldname", phone: "+14155550777" });
      const ids = async (q: string) =>
        ((await call(s.url, "GET", `/contacts/?locationId=${DEMO_LOCATION_ID}&query=${encodeURIComponent(q)}`)).body.contacts as { id: string }[]).map((x) => x.id);
      expect(await ids("OLDNAME")).toEqual([c.id]);
      expect(await ids("555-0777")).toEqual([c.id]);
      await call(s.url, "PUT", `/contacts/${c.id}`, { body: { lastName: "Newname", phone: "+14155550888" } });
      expect(await ids("oldname")).toEqual([]);
      expect(await ids("newname")).toEqual([c.id]);
      expect(await ids("5550888")).toEqual([c.id]);
      expect(await ids("quincy\u0000newname")).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("duplicate checks follow updates and deletes (email and phone are freed and taken)", async () => {
    const s = await startSimulator({ seed: false });
    try {
      const a = s.data.createContact(DEMO_LOCATION_ID, { firstName: "A", email: "a@dup.example", phone: "+14155550001" });
      expect(() => s.data.createContact(DEMO_LOCATION_ID, { firstName: "B", email: " A@Dup.Example " })).toThrow(/duplicated/);
      expect(() => s.data.createContact(DEMO_LOCATION_ID, { firstName: "B", phone: "+1 (415) 555-0001" })).toThrow(/duplicated/);
      // Another location may hold the same email.
      s.data.createContact(OTHER_LOCATION_ID, { firstName: "Elsewhere", email: "a@dup.example" });
      // Changing A's email frees the old one and takes the new one.
      s.data.updateContact(a.id, { email: "a2@dup.example" });
      const b = s.data.createContact(DEMO_LOCATION_ID, { firstName: "B", email: "a@dup.example" });
      expect(() => s.data.updateContact(b.id, { email: "A2@dup.example" })).toThrow(/duplicated/);
      // A contact may keep its own email; a deleted contact frees its phone.
      s.data.updateContact(a.id, { email: "a2@dup.example", firstName: "A again" });
      s.data.deleteContact(a.id);
      expect(s.data.createContact(DEMO_LOCATION_ID, { firstName: "C", phone: "+14155550001", email: "a2@dup.example" }).id).toBeTruthy();
    } finally {
      await s.close();
    }
  });
});
