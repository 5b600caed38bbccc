/**
 * A custom field's stored value, typed by its definition's `dataType` (FACTS.md "Bulk and
 * location routes": TEXT, LARGE_TEXT, NUMERICAL, PHONE, MONETORY (sic), CHECKBOX, SINGLE_OPTIONS,
 * MULTIPLE_OPTIONS, DATE, TEXTBOX_LIST, FILE_UPLOAD, RADIO). HighLevel reads values back in several
 * forms (a number as text, a list as a JSON string or as a list), so each is normalised here:
 * numbers as numbers, lists as lists of strings, dates as ISO 8601 (`YYYY-MM-DD` for a date
 * alone), files as the JSON they carry, everything else as text. A value that does not fit its
 * type is answered as it came (never dropped, never invented). Pure.
 */

const LIST_TYPES = new Set(["CHECKBOX", "MULTIPLE_OPTIONS", "TEXTBOX_LIST"]);
const NUMBER_TYPES = new Set(["NUMERICAL", "MONETORY", "MONETARY"]);

function parseJsonText(value: string): unknown {
  const trimmed = value.trim();
  if (!(trimmed.startsWith("[") || trimmed.startsWith("{"))) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

export function typedCustomFieldValue(value: unknown, dataType: string | undefined): unknown {
  if (value === null || value === undefined) return null;
  const type = dataType?.toUpperCase();
  if (type && NUMBER_TYPES.has(type)) {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value.replace(/,/g, "")))) return Number(value.replace(/,/g, ""));
    return value;
  }
  if (type && LIST_TYPES.has(type)) {
    if (Array.isArray(value)) return value.map(String);
    if (typeof value === "string") {
      const parsed = parseJsonText(value);
      if (Array.isArray(parsed)) return parsed.map(String);
      return value === "" ? [] : [value];
    }
    return [String(value)];
  }
  if (type === "DATE") {
    const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) return value;
    const iso = new Date(ms).toISOString();
    return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? iso.slice(0, 10) : iso;
  }
  if (type === "FILE_UPLOAD") return typeof value === "string" ? (parseJsonText(value) ?? value) : value;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return type ? String(value) : value;
  // An object or list where text was expected (or no definition): answered as it came.
  return value;
}
