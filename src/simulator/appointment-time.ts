/**
 * Appointment times in the forms HighLevel sends them (FACTS.md: `"2021-07-16 11:00:00"` or ISO
 * with an offset) and their parsing back to epoch ms (zone-less is read as UTC here).
 */

/** The same instant as ISO Z, as zone-less `YYYY-MM-DD HH:mm:ss` (UTC wall time) or with a -05:00 offset. */
export function appointmentTime(ms: number, variant: number): string {
  const isoZ = new Date(ms).toISOString();
  switch (variant % 3) {
    case 1:
      return isoZ.replace("T", " ").slice(0, 19);
    case 2:
      return `${new Date(ms - 5 * 3_600_000).toISOString().slice(0, 19)}-05:00`;
    default:
      return isoZ;
  }
}

/** Epoch ms of an appointment time in any of the upstream's forms (zone-less = UTC). */
export function appointmentTimeMs(value: string | null | undefined): number {
  if (!value) return Number.NaN;
  return Date.parse(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(" ", "T")}Z` : value);
}

