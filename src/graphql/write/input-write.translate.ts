/**
 * Translation of validated GraphQL mutation inputs into the upstream's request bodies (FACTS.md
 * "Objects", contacts.json `CreateContactDto` / `UpdateContactDto` / `CreateTaskParams`):
 * - `locationId` is never part of a translated body: the client adds it to `POST /contacts/` and
 *   HighLevel rejects it in a PUT (422 "property locationId should not exist");
 * - custom fields are written as `{id|key, field_value}` (they are read as `{id, value}`);
 * - phone numbers go out in compact E.164 form, tags trimmed and de-duplicated, dates as ISO strings;
 * - `null`/absent fields are left out (HighLevel rejects unknown or null-typed properties).
 * Pure: run the rules in input-write.rules.ts first.
 */
import type {
  CreateContactBody,
  CreateTaskBody,
  UpdateContactBody,
  UpdateTaskBody,
  UpstreamCustomFieldWrite,
} from "../../upstream/contacts.types.js";
import {
  normalizePhone,
  parseIsoDateTime,
  type ContactWriteValues,
  type CustomFieldWriteValue,
  type TaskWriteValues,
} from "./input-write.rules.js";

const present = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/** Trimmed, de-duplicated (first occurrence wins), order kept. */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    if (tag !== "" && !seen.has(tag)) {
      seen.add(tag);
      out.push(tag);
    }
  }
  return out;
}

export function toCustomFieldWrites(values: readonly CustomFieldWriteValue[]): UpstreamCustomFieldWrite[] {
  return values.map((cf) =>
    present(cf.id) && cf.id !== ""
      ? { id: cf.id, field_value: cf.value ?? null }
      : { key: cf.key ?? "", field_value: cf.value ?? null },
  );
}

function toIso(value: Date | string): string {
  const date = parseIsoDateTime(value);
  if (!date) throw new TypeError("toIso: expected a validated ISO-8601 date-time, received an invalid one");
  return date.toISOString();
}

/** The fields both contact bodies share. `companyName` is create-only (not in UpdateContactDto). */
function contactFields(input: ContactWriteValues): UpdateContactBody {
  const body: UpdateContactBody = {};
  if (present(input.firstName)) body.firstName = input.firstName.trim();
  if (present(input.lastName)) body.lastName = input.lastName.trim();
  if (present(input.name)) body.name = input.name.trim();
  if (present(input.email)) body.email = input.email.trim();
  if (present(input.phone)) body.phone = normalizePhone(input.phone) ?? input.phone.trim();
  if (present(input.tags)) body.tags = normalizeTags(input.tags);
  if (present(input.source)) body.source = input.source;
  if (present(input.timezone)) body.timezone = input.timezone;
  if (present(input.assignedTo)) body.assignedTo = input.assignedTo;
  if (present(input.customFields)) body.customFields = toCustomFieldWrites(input.customFields);
  for (const field of ["address1", "city", "state", "postalCode", "website"] as const) {
    const value = input[field];
    if (present(value)) body[field] = value.trim();
  }
  if (present(input.country)) body.country = input.country;
  if (present(input.dateOfBirth)) body.dateOfBirth = input.dateOfBirth;
  if (present(input.dnd)) body.dnd = input.dnd;
  if (present(input.dndSettings)) {
    body.dndSettings = Object.fromEntries(
      input.dndSettings.map((s) => [s.channel, { status: s.status, ...(present(s.message) ? { message: s.message } : {}), ...(present(s.code) ? { code: s.code } : {}) }]),
    );
  }
  return body;
}

/** POST body without `locationId`: `ContactsClient.createContact` adds the caller's location itself. */
export function toCreateContactBody(input: ContactWriteValues): Omit<CreateContactBody, "locationId"> {
  const body: Omit<CreateContactBody, "locationId"> = contactFields(input);
  if (present(input.companyName)) body.companyName = input.companyName.trim();
  return body;
}

/** PUT body: never `locationId`, never `companyName` (neither is a property of UpdateContactDto). */
export function toUpdateContactBody(input: ContactWriteValues): UpdateContactBody {
  return contactFields(input);
}

export function toCreateTaskBody(input: TaskWriteValues & { title: string; dueDate: Date | string }): CreateTaskBody {
  const body: CreateTaskBody = {
    title: input.title.trim(),
    dueDate: toIso(input.dueDate),
    // Required by CreateTaskParams; the contract's default is false.
    completed: input.completed ?? false,
  };
  if (present(input.body)) body.body = input.body;
  if (present(input.assignedTo)) body.assignedTo = input.assignedTo;
  return body;
}

export function toUpdateTaskBody(input: TaskWriteValues): UpdateTaskBody {
  const body: UpdateTaskBody = {};
  if (present(input.title)) body.title = input.title.trim();
  if (present(input.body)) body.body = input.body;
  if (present(input.dueDate)) body.dueDate = toIso(input.dueDate);
  if (present(input.completed)) body.completed = input.completed;
  if (present(input.assignedTo)) body.assignedTo = input.assignedTo;
  return body;
}

/** Names (never values) of the fields a write touches: for the audit line. */
export function changedFieldNames(input: object): string[] {
  return Object.entries(input)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k]) => k)
    .sort();
}
