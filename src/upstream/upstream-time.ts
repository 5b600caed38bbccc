/**
 * Epoch ms of an upstream time, or undefined. Appointment times come as `"2021-07-16 11:00:00"`
 * (no zone: read as UTC), as ISO with `Z`, or with an offset (FACTS.md "Timestamps").
 * The resource registry (`changesAt`: when a cached answer changes with the clock) and the
 * dashboard's arithmetic (graphql/dashboard/summary.compute.ts) read times through this one function.
 */
export function upstreamTimeMs(value: string | null | undefined): number | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  let text = value.trim();
  // "YYYY-MM-DD HH:MM…" (a space at index 10): V8 would read it as LOCAL time; the upstream means
  // UTC unless an offset follows. Checked by position, not regex: this runs per date per request.
  if (text.length >= 16 && text.charCodeAt(10) === 32) {
    text = `${text.slice(0, 10)}T${text.slice(11)}`;
    if (!/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(text)) text += "Z";
  }
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
