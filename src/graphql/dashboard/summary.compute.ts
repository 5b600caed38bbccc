/**
 * The consolidated-view arithmetic behind `Contact.summary` and `Query.dashboard`: open and overdue
 * tasks, the next appointment, the latest note, the last activity time, and the attention order.
 * Pure functions over upstream records and an explicit `nowMs`: no loaders, no I/O, no GraphQL, so
 * the resolvers decide which relations to load and these functions only combine what was loaded.
 */
import type { UpstreamAppointment, UpstreamNote, UpstreamTask } from "../../upstream/contacts.types.js";
import { upstreamTimeMs as timeOf } from "../../upstream/upstream-time.js";

/** Appointment statuses that no longer need anyone's attention. */
const INACTIVE_APPOINTMENT_STATUSES = new Set(["cancelled", "canceled", "invalid", "noshow", "no_show"]);

/** Open tasks, soonest due first (undated last), then by id for a stable order. */
export function openTasks(tasks: readonly UpstreamTask[]): UpstreamTask[] {
  return tasks
    .filter((t) => !t.completed)
    .map((task) => ({ task, due: timeOf(task.dueDate) ?? Infinity })) // parse each date once
    .sort((a, b) => cmp(a.due, b.due) || a.task.id.localeCompare(b.task.id))
    .map((x) => x.task);
}

/** Open tasks whose due date has passed (pass `open` when already computed). */
export function overdueTasks(tasks: readonly UpstreamTask[], nowMs: number, open: readonly UpstreamTask[] = openTasks(tasks)): UpstreamTask[] {
  return open.filter((t) => {
    const due = timeOf(t.dueDate);
    return due !== undefined && due < nowMs;
  });
}

/** The soonest appointment starting now or later that is not cancelled, or null. */
export function nextAppointment(appointments: readonly UpstreamAppointment[], nowMs: number): UpstreamAppointment | null {
  let best: UpstreamAppointment | null = null;
  let bestMs = Infinity;
  for (const a of appointments) {
    const status = String(a.appointmentStatus ?? a.status ?? "").toLowerCase();
    if (INACTIVE_APPOINTMENT_STATUSES.has(status)) continue;
    const start = timeOf(a.startTime);
    if (start === undefined || start < nowMs) continue;
    if (start < bestMs || (start === bestMs && best !== null && a.id < best.id)) {
      best = a;
      bestMs = start;
    }
  }
  return best;
}

/** The most recently added note (ties: the later id), or null. */
export function latestNote(notes: readonly UpstreamNote[]): UpstreamNote | null {
  let best: UpstreamNote | null = null;
  let bestMs = -Infinity;
  for (const n of notes) {
    const added = timeOf(n.dateAdded) ?? -Infinity;
    if (best === null || added > bestMs || (added === bestMs && n.id > best.id)) {
      best = n;
      bestMs = added;
    }
  }
  return best;
}

/**
 * The latest of the given times (contact `dateUpdated`/`lastActivity`, note `dateAdded`,
 * appointment `dateUpdated`/`dateAdded`), or null when none parses.
 */
export function latestTime(values: ReadonlyArray<string | null | undefined>): Date | null {
  let best = -Infinity;
  for (const v of values) {
    const ms = timeOf(v);
    if (ms !== undefined && ms > best) best = ms;
  }
  return Number.isFinite(best) ? new Date(best) : null;
}

/** What the dashboard orders by, for one contact. */
export interface AttentionKey {
  contactId: string;
  overdueCount: number;
  /** Due time of the oldest overdue task (Infinity when none). */
  oldestOverdueMs: number;
  /** Start of the next appointment (Infinity when none). */
  nextAppointmentMs: number;
  openCount: number;
}

export function attentionKey(contactId: string, tasks: readonly UpstreamTask[], appointments: readonly UpstreamAppointment[], nowMs: number): AttentionKey {
  const open = openTasks(tasks);
  const overdue = overdueTasks(tasks, nowMs, open);
  const next = nextAppointment(appointments, nowMs);
  return {
    contactId,
    overdueCount: overdue.length,
    oldestOverdueMs: overdue.length > 0 ? (timeOf(overdue[0]?.dueDate) ?? Infinity) : Infinity,
    nextAppointmentMs: next ? (timeOf(next.startTime) ?? Infinity) : Infinity,
    openCount: open.length,
  };
}

/**
 * Attention order: more overdue tasks first (then the longest overdue), then the soonest next
 * appointment (none last), then more open tasks, then contact id for a stable order.
 */
export function compareAttention(a: AttentionKey, b: AttentionKey): number {
  return (
    b.overdueCount - a.overdueCount ||
    cmp(a.oldestOverdueMs, b.oldestOverdueMs) ||
    cmp(a.nextAppointmentMs, b.nextAppointmentMs) ||
    b.openCount - a.openCount ||
    a.contactId.localeCompare(b.contactId)
  );
}

const cmp = (x: number, y: number): number => (x === y ? 0 : x < y ? -1 : 1);
