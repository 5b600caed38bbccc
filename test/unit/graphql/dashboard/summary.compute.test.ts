// The dashboard arithmetic: overdue/open tasks, next appointment, latest note, attention order.
import { describe, expect, it } from "vitest";
import { printType, type GraphQLObjectType } from "graphql";
import type { UpstreamAppointment, UpstreamNote, UpstreamTask } from "../../../../src/upstream/contacts.types.js";
import {
  attentionKey,
  compareAttention,
  latestNote,
  latestTime,
  nextAppointment,
  openTasks,
  overdueTasks,
} from "../../../../src/graphql/dashboard/summary.compute.js";
import { upstreamTimeMs as timeOf } from "../../../../src/upstream/upstream-time.js";
import { DASHBOARD_RESOLVERS } from "../../../../src/graphql/dashboard/index.js";
import { buildGatewaySchema } from "../../../../src/graphql/schema.js";

const NOW = Date.parse("2026-03-10T12:00:00.000Z");
const task = (id: string, dueDate: string | null, completed = false): UpstreamTask => ({ id, contactId: "c", title: id, dueDate, completed });
const appt = (id: string, startTime: string, status = "confirmed"): UpstreamAppointment => ({ id, startTime, appointmentStatus: status });
const note = (id: string, dateAdded: string): UpstreamNote => ({ id, body: id, dateAdded });

describe("dashboard summary arithmetic", () => {
  it("reads the upstream's zone-less appointment times as UTC and rejects garbage", () => {
    expect(timeOf("2026-03-10 13:00:00")).toBe(Date.parse("2026-03-10T13:00:00Z"));
    expect(timeOf("2026-03-10T13:00:00+02:00")).toBe(Date.parse("2026-03-10T11:00:00Z"));
    expect(timeOf("2026-03-10 13:00:00+02:00")).toBe(Date.parse("2026-03-10T11:00:00Z"));
    expect(timeOf("2026-03-10 13:00")).toBe(Date.parse("2026-03-10T13:00:00Z"));
    expect(timeOf("not a date")).toBeUndefined();
    expect(timeOf(null)).toBeUndefined();
  });

  it("counts open tasks, and as overdue only open tasks due before now", () => {
    const tasks = [
      task("late", "2026-03-01T00:00:00.000Z"),
      task("done-late", "2026-03-01T00:00:00.000Z", true),
      task("later", "2026-04-01T00:00:00.000Z"),
      task("undated", null),
    ];
    expect(openTasks(tasks).map((t) => t.id)).toEqual(["late", "later", "undated"]);
    expect(overdueTasks(tasks, NOW).map((t) => t.id)).toEqual(["late"]);
  });

  it("picks the soonest future appointment that is not cancelled", () => {
    const next = nextAppointment(
      [appt("past", "2026-03-09 10:00:00"), appt("cancelled", "2026-03-10 13:00:00", "cancelled"), appt("far", "2026-05-01 09:00:00"), appt("soon", "2026-03-11 09:00:00")],
      NOW,
    );
    expect(next?.id).toBe("soon");
    expect(nextAppointment([appt("past", "2026-03-09 10:00:00")], NOW)).toBeNull();
  });

  it("finds the latest note and the latest activity time", () => {
    expect(latestNote([note("a", "2026-03-01T00:00:00Z"), note("b", "2026-03-05T00:00:00Z"), note("c", "2026-02-01T00:00:00Z")])?.id).toBe("b");
    expect(latestNote([])).toBeNull();
    expect(latestTime(["2026-03-01T00:00:00Z", undefined, "2026-03-02 10:00:00"])?.toISOString()).toBe("2026-03-02T10:00:00.000Z");
    expect(latestTime([null, "x"])).toBeNull();
  });

  it("orders by overdue count, then the oldest overdue, then the soonest appointment, then open count", () => {
    const keys = [
      attentionKey("calm", [task("t", "2026-04-01T00:00:00Z")], [], NOW),
      attentionKey("meeting-later", [], [appt("a", "2026-03-20 09:00:00")], NOW),
      attentionKey("meeting-soon", [], [appt("a", "2026-03-11 09:00:00")], NOW),
      attentionKey("two-overdue", [task("a", "2026-03-05T00:00:00Z"), task("b", "2026-03-06T00:00:00Z")], [], NOW),
      attentionKey("one-overdue-old", [task("a", "2026-01-01T00:00:00Z")], [], NOW),
      attentionKey("one-overdue-new", [task("a", "2026-03-09T00:00:00Z")], [appt("x", "2026-03-10 13:00:00")], NOW),
      attentionKey("nothing", [], [], NOW),
    ];
    expect(keys.sort(compareAttention).map((k) => k.contactId)).toEqual([
      "two-overdue",
      "one-overdue-old",
      "one-overdue-new",
      "meeting-soon",
      "meeting-later",
      "calm",
      "nothing",
    ]);
  });

  it("adds Contact.summary, ContactSummary and Query.dashboard to the schema", async () => {
    const schema = await buildGatewaySchema({ resolvers: DASHBOARD_RESOLVERS });
    const summary = schema.getType("ContactSummary") as GraphQLObjectType;
    expect(Object.keys(summary.getFields()).sort()).toEqual(
      ["lastActivityAt", "latestNote", "nextAppointment", "openTaskCount", "openTasks", "overdueTaskCount"].sort(),
    );
    expect(printType(schema.getType("Contact")!)).toContain("summary: ContactSummary!");
    const dashboard = schema.getQueryType()!.getFields()["dashboard"]!;
    expect(dashboard.args.map((a) => a.name).sort()).toEqual(["filter", "first", "query", "tags"]);
    expect(String(dashboard.type)).toBe("[Contact!]!");
  });
});
