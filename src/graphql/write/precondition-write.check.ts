/**
 * Preconditions for two-way sync, as pure comparisons against the upstream's current
 * record (which the caller must have read fresh, bypassing the cache):
 * - contacts: `ifUnmodifiedSince` fails when the contact's `dateUpdated` is later;
 * - tasks: an expected-values precondition (`ifMatch`) fails when any given field differs.
 * HighLevel has no conditional writes, so a write racing between our read and our PUT is not
 * caught; the window is one round trip instead of "since the caller last looked".
 */
import type { UpstreamContact, UpstreamTask } from "../../upstream/contacts.types.js";
import { parseIsoDateTime, type TaskWriteValues } from "./input-write.rules.js";

export interface ContactPreconditionFailure {
  /** The contact's current `dateUpdated` (ISO), or null when the upstream has none. */
  currentDateUpdated: string | null;
  ifUnmodifiedSince: string;
}

/** `undefined` = the precondition holds. A contact without `dateUpdated` is treated as unmodified. */
export function checkUnmodifiedSince(
  current: Pick<UpstreamContact, "dateUpdated">,
  ifUnmodifiedSince: Date | string,
): ContactPreconditionFailure | undefined {
  const since = parseIsoDateTime(ifUnmodifiedSince);
  if (!since) throw new TypeError("checkUnmodifiedSince: expected a validated date-time");
  const updated = current.dateUpdated ? new Date(current.dateUpdated) : undefined;
  if (!updated || Number.isNaN(updated.getTime())) return undefined;
  return updated.getTime() > since.getTime()
    ? { currentDateUpdated: updated.toISOString(), ifUnmodifiedSince: since.toISOString() }
    : undefined;
}

export interface TaskFieldMismatch {
  field: keyof TaskWriteValues;
  expected: string | boolean | null;
  actual: string | boolean | null;
}

function comparable(field: keyof TaskWriteValues, value: unknown): string | boolean | null {
  if (value === undefined || value === null) return null;
  if (field === "dueDate") {
    const date = parseIsoDateTime(value as Date | string) ?? new Date(String(value));
    return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
  }
  return typeof value === "boolean" ? value : String(value);
}

/** Every field given in `expected` that differs from the current task; empty = the precondition holds. */
export function checkTaskExpected(current: UpstreamTask, expected: TaskWriteValues): TaskFieldMismatch[] {
  const mismatches: TaskFieldMismatch[] = [];
  for (const field of ["title", "body", "dueDate", "completed", "assignedTo"] as const) {
    const want = expected[field];
    if (want === undefined || want === null) continue;
    const a = comparable(field, current[field]);
    const e = comparable(field, want);
    if (a !== e) mismatches.push({ field, expected: e, actual: a });
  }
  return mismatches;
}
