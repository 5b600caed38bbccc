import { describe, expect, it } from "vitest";
import { ContactsClient } from "../../../src/upstream/contacts.client.js";
import type { UpstreamRequest, UpstreamResponse } from "../../../src/upstream/pipeline.types.js";
import { APPOINTMENTS } from "../../../src/upstream/resources.js";
import { StaticCredentialProvider } from "../../../src/upstream/static-credentials.js";

const L = "Loc1";

/** A client over a scripted transport: `answer` per request; every request is recorded. */
function clientAnswering(answer: (request: UpstreamRequest) => unknown) {
  const sent: UpstreamRequest[] = [];
  let inFlight = 0;
  const overlaps: number[] = [];
  const client = new ContactsClient({
    baseUrl: "http://upstream.invalid",
    credentials: new StaticCredentialProvider({ [L]: { token: "t" } }),
    transport: async (request): Promise<UpstreamResponse> => {
      sent.push(request);
      overlaps.push(++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return { status: 200, headers: {}, body: answer(request), durationMs: 1 };
    },
  });
  return { client, sent, overlaps };
}

describe("ContactsClient: appointments through the calendars", () => {
  it("reads each calendar's events (the first alone) and hands each contact asked for its own, in time order", async () => {
    const events: Record<string, unknown[]> = {
      k1: [
        { id: "a2", contactId: "c1", calendarId: "k1", startTime: "2026-12-05T10:00:00Z" },
        { id: "x", contactId: "someone-else", calendarId: "k1", startTime: "2026-12-05T10:00:00Z" },
        { id: "no-contact", calendarId: "k1", startTime: "2026-12-05T10:00:00Z" },
      ],
      k2: [{ id: "a1", contactId: "c1", calendarId: "k2", startTime: "2026-12-04 09:00:00" }],
      k3: [
        // An instance of a recurring event: the contact's own route lists the event itself.
        { id: "r1_1733389200000_30", contactId: "c2", calendarId: "k3", startTime: "2026-12-05T09:00:00Z", masterEventId: "r1" },
        { id: "a3", contactId: "c2", calendarId: "k3", startTime: "2026-12-06T09:00:00Z" },
        { id: "r4", contactId: "c4", calendarId: "k3", startTime: "2026-12-06T09:00:00Z", isRecurring: "true" }, // as the spec's example sends it
        { id: "a5", contactId: "c5", calendarId: "k3", startTime: "2026-12-06T09:00:00Z", masterEventId: "a5", isRecurring: false },
      ],
    };
    const { client, sent, overlaps } = clientAnswering((request) => ({ events: events[String(request.query?.calendarId)] ?? [] }));
    const lists = await client.bulkListsOf(APPOINTMENTS, L, ["c1", "c2", "c3", "c4", "c5"], { calendarIds: ["k1", "k2", "k3"] });
    expect(lists.get("c1")?.map((a) => a.id)).toEqual(["a1", "a2"]);
    expect([lists.has("c2"), lists.has("c4")]).toEqual([false, false]); // read through their own route instead
    expect(lists.get("c5")?.map((a) => a.id)).toEqual(["a5"]); // its own master: not an instance
    expect(lists.get("c3")).toEqual([]);
    expect(sent.map((r) => [r.route, r.query?.calendarId, r.version, r.scope])).toEqual([
      ["/calendars/events", "k1", "2021-04-15", "calendars/events.readonly"],
      ["/calendars/events", "k2", "2021-04-15", "calendars/events.readonly"],
      ["/calendars/events", "k3", "2021-04-15", "calendars/events.readonly"],
    ]);
    expect(sent[0]!.query).toMatchObject({ locationId: L, startTime: 0, endTime: Date.UTC(2100, 0, 1) });
    expect(overlaps).toEqual([1, 1, 2]); // the first alone, then the others at once
  });

  it("an event without a string id fails the read; the calendar list needs string ids", async () => {
    const { client } = clientAnswering((request) => (request.route === "/calendars/" ? { calendars: [{ id: "k1" }, { name: "no id" }] } : { events: [{ contactId: "c1" }] }));
    await expect(client.bulkListsOf(APPOINTMENTS, L, ["c1"], { calendarIds: ["k1"] })).rejects.toMatchObject({ code: "UPSTREAM_ERROR", reason: "unexpected" });
    await expect(client.calendarsOf(APPOINTMENTS, L)).rejects.toMatchObject({ code: "UPSTREAM_ERROR", reason: "unexpected" });
  });
});
