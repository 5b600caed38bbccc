/**
 * Validation rules of the write path: pure functions over plain mutation inputs that
 * return every problem found, each naming the field (as a GraphQL argument path, e.g.
 * `input.email`) and the expected form. They run before any upstream call, so a bad input costs
 * no rate budget and never reaches HighLevel.
 *
 * Problems never echo the rejected value (an email or phone number must not end up in a log line
 * through an error message); they describe what was received instead.
 * No GraphQL, no I/O: the resolvers turn problems into `BAD_USER_INPUT` errors.
 */

/** Limits, in characters unless named otherwise. Data, so tests and docs can quote them. */
export const WRITE_LIMITS = {
  /** RFC 5321 path limit. */
  emailMaxLength: 254,
  /** E.164: at most 15 digits; we also demand at least 7 (shortest real subscriber numbers + country code). */
  phoneMinDigits: 7,
  phoneMaxDigits: 15,
  nameMaxLength: 100,
  textMaxLength: 255,
  taskTitleMaxLength: 255,
  taskBodyMaxLength: 10_000,
  tagMaxLength: 100,
  tagsMaxCount: 100,
  customFieldsMaxCount: 200,
  customFieldValueMaxLength: 10_000,
  idMaxLength: 64,
  /** Earliest and latest dueDate accepted (upstream stores ISO strings; years outside 4 digits break it). */
  dateMinYear: 1970,
  dateMaxYear: 9999,
} as const;

export interface InputProblem {
  /** Argument path, e.g. `input.email`, `tags[2]`, `contactId`. */
  field: string;
  /** The expected form, phrased to complete "must be …". */
  expected: string;
  /** What arrived, described without echoing personal data. */
  received: string;
}

/** A custom field as the GraphQL input carries it: exactly one of `id` / `key`. */
export interface CustomFieldWriteValue {
  id?: string | null;
  key?: string | null;
  value?: string | null;
}

/** Fields shared by CreateContactInput and UpdateContactInput (schema/schema.graphql). */
export interface ContactWriteValues {
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  companyName?: string | null;
  tags?: readonly string[] | null;
  source?: string | null;
  timezone?: string | null;
  assignedTo?: string | null;
  customFields?: readonly CustomFieldWriteValue[] | null;
  address1?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  country?: string | null;
  website?: string | null;
  dateOfBirth?: string | null;
  dnd?: boolean | null;
  dndSettings?: readonly { channel: string; status: string; message?: string | null; code?: string | null }[] | null;
}

/** Fields of CreateTaskInput / UpdateTaskInput / TaskPreconditionInput. */
export interface TaskWriteValues {
  title?: string | null;
  body?: string | null;
  dueDate?: Date | string | null;
  completed?: boolean | null;
  assignedTo?: string | null;
}

// A pragmatic address check (the WHATWG `input type=email` rule): local@domain with a dotted domain.
const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** Separators people type inside phone numbers; removed before the E.164 check. */
const PHONE_SEPARATORS = /[\s().-]/g;
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Control characters (NUL, BEL, ESC…); tab, line feed and carriage return are allowed in free text only. */
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LINE_BREAKS = /[\t\n\r]/;
/** Fields that are one line of text (names, titles, keys); everything else may span lines. */
const SINGLE_LINE = /(?:Name|name|title|key|source|tags\[\d+\])$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Collects problems; `check*` helpers add at most one problem per field. */
class Problems {
  readonly list: InputProblem[] = [];
  add(field: string, expected: string, received: string): void {
    this.list.push({ field, expected, received });
  }
}

const describeLength = (s: string) => `${s.length} characters`;

function checkText(p: Problems, field: string, value: string | null | undefined, maxLength: number, required = false): void {
  if (value === undefined || value === null) {
    if (required) p.add(field, `a non-empty string of at most ${maxLength} characters`, "nothing");
    return;
  }
  if (required && value.trim() === "") {
    p.add(field, `a non-empty string of at most ${maxLength} characters`, "an empty or blank string");
    return;
  }
  if (value.length > maxLength) {
    p.add(field, `a string of at most ${maxLength} characters`, describeLength(value));
    return;
  }
  checkCharacters(p, field, value);
}

/** No control characters (they break CSV exports, terminals and HighLevel's UI); no line breaks in one-line fields. */
function checkCharacters(p: Problems, field: string, value: string): void {
  const singleLine = SINGLE_LINE.test(field);
  if (CONTROL_CHARS.test(value) || (singleLine && LINE_BREAKS.test(value))) {
    p.add(
      field,
      singleLine ? "one line of text without control characters (no line breaks, tabs or NUL)" : "text without control characters (line breaks and tabs are fine)",
      "control characters",
    );
  }
}

/** Normalised E.164 form (`+` and digits) of a phone number, or `undefined` when it is not one. */
export function normalizePhone(value: string): string | undefined {
  const compact = value.replace(PHONE_SEPARATORS, "");
  const match = /^\+([1-9]\d*)$/.exec(compact);
  if (!match?.[1]) return undefined;
  const digits = match[1].length;
  if (digits < WRITE_LIMITS.phoneMinDigits || digits > WRITE_LIMITS.phoneMaxDigits) return undefined;
  return compact;
}

export function isEmail(value: string): boolean {
  return value.length <= WRITE_LIMITS.emailMaxLength && EMAIL_PATTERN.test(value.trim());
}

function checkEmail(p: Problems, field: string, value: string | null | undefined): void {
  if (value === undefined || value === null) return;
  if (!isEmail(value)) {
    const received =
      value.length > WRITE_LIMITS.emailMaxLength
        ? describeLength(value)
        : value.includes("@")
          ? "a value that is not a valid address"
          : "a value without @";
    p.add(field, `an email address like name@example.com (at most ${WRITE_LIMITS.emailMaxLength} characters)`, received);
  }
}

function checkPhone(p: Problems, field: string, value: string | null | undefined): void {
  if (value === undefined || value === null) return;
  if (normalizePhone(value) === undefined) {
    const digits = value.replace(/\D/g, "").length;
    p.add(
      field,
      `a phone number in E.164 form: + then ${WRITE_LIMITS.phoneMinDigits} to ${WRITE_LIMITS.phoneMaxDigits} digits, e.g. +14155550123 (spaces, dots, dashes and parentheses are ignored)`,
      value.trim().startsWith("+") ? `a value with ${digits} digits or other characters` : "a value without a leading + and country code",
    );
  }
}

function checkTimezone(p: Problems, field: string, value: string | null | undefined): void {
  if (value === undefined || value === null) return;
  let valid = value.length > 0 && value.length <= WRITE_LIMITS.nameMaxLength;
  if (valid) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: value });
    } catch {
      valid = false;
    }
  }
  if (!valid) p.add(field, "an IANA time zone name, e.g. America/New_York", `"${value.slice(0, 40)}"`);
}

/** Parses an ISO-8601 date-time (a `Date` from the DateTime scalar or a string) within the accepted years. */
export function parseIsoDateTime(value: Date | string): Date | undefined {
  const date = typeof value === "string" ? (ISO_DATE_TIME.test(value) ? new Date(value) : undefined) : value;
  if (!date || Number.isNaN(date.getTime())) return undefined;
  const year = date.getUTCFullYear();
  if (year < WRITE_LIMITS.dateMinYear || year > WRITE_LIMITS.dateMaxYear) return undefined;
  return date;
}

function checkDate(p: Problems, field: string, value: Date | string | null | undefined, required: boolean): void {
  if (value === undefined || value === null) {
    if (required) p.add(field, "an ISO-8601 date-time like 2026-01-31T17:00:00Z", "nothing");
    return;
  }
  if (parseIsoDateTime(value) === undefined) {
    p.add(
      field,
      `an ISO-8601 date-time like 2026-01-31T17:00:00Z (years ${WRITE_LIMITS.dateMinYear}-${WRITE_LIMITS.dateMaxYear})`,
      typeof value === "string" ? `"${value.slice(0, 40)}"` : "an invalid date",
    );
  }
}

/** Tags: each non-blank and bounded, a bounded count; `requireOne` for addContactTags. */
function checkTags(p: Problems, field: string, tags: readonly string[] | null | undefined, requireOne: boolean): void {
  if (tags === undefined || tags === null) {
    if (requireOne) p.add(field, `a list of 1 to ${WRITE_LIMITS.tagsMaxCount} tags`, "nothing");
    return;
  }
  if (requireOne && tags.length === 0) {
    p.add(field, `a list of 1 to ${WRITE_LIMITS.tagsMaxCount} tags`, "an empty list");
    return;
  }
  if (tags.length > WRITE_LIMITS.tagsMaxCount) {
    p.add(field, `at most ${WRITE_LIMITS.tagsMaxCount} tags`, `${tags.length} tags`);
    return;
  }
  tags.forEach((tag, i) => {
    if (tag.trim() === "") p.add(`${field}[${i}]`, `a non-blank tag of at most ${WRITE_LIMITS.tagMaxLength} characters`, "an empty or blank string");
    else if (tag.length > WRITE_LIMITS.tagMaxLength)
      p.add(`${field}[${i}]`, `a tag of at most ${WRITE_LIMITS.tagMaxLength} characters`, describeLength(tag));
    else checkCharacters(p, `${field}[${i}]`, tag);
  });
}

function checkCustomFields(p: Problems, field: string, values: readonly CustomFieldWriteValue[] | null | undefined): void {
  if (values === undefined || values === null) return;
  if (values.length > WRITE_LIMITS.customFieldsMaxCount) {
    p.add(field, `at most ${WRITE_LIMITS.customFieldsMaxCount} custom fields`, `${values.length}`);
    return;
  }
  values.forEach((cf, i) => {
    const at = `${field}[${i}]`;
    const hasId = cf.id !== undefined && cf.id !== null && cf.id !== "";
    const hasKey = cf.key !== undefined && cf.key !== null && cf.key !== "";
    if (hasId === hasKey) {
      p.add(at, "exactly one of `id` or `key` (the custom field's id, or its key like contact.favourite_colour)", hasId ? "both" : "neither");
      return;
    }
    if (hasId) checkId(p, `${at}.id`, cf.id);
    if (hasKey) checkText(p, `${at}.key`, cf.key, WRITE_LIMITS.textMaxLength, true);
    checkText(p, `${at}.value`, cf.value, WRITE_LIMITS.customFieldValueMaxLength);
  });
}

function checkId(p: Problems, field: string, value: string | null | undefined): void {
  if (value === undefined || value === null || !ID_PATTERN.test(value) || value.length > WRITE_LIMITS.idMaxLength) {
    p.add(
      field,
      `an id of 1 to ${WRITE_LIMITS.idMaxLength} letters, digits, - or _ (e.g. ocQHyuzHvysMo5N5VsXc)`,
      value === undefined || value === null || value === "" ? "nothing" : `${value.length} characters with other symbols or too long`,
    );
  }
}

function definedKeys(values: object): string[] {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k]) => k);
}

function checkContactValues(p: Problems, prefix: string, input: ContactWriteValues): void {
  checkText(p, `${prefix}.firstName`, input.firstName, WRITE_LIMITS.nameMaxLength);
  checkText(p, `${prefix}.lastName`, input.lastName, WRITE_LIMITS.nameMaxLength);
  checkText(p, `${prefix}.name`, input.name, WRITE_LIMITS.textMaxLength);
  checkEmail(p, `${prefix}.email`, input.email);
  checkPhone(p, `${prefix}.phone`, input.phone);
  checkText(p, `${prefix}.companyName`, input.companyName, WRITE_LIMITS.textMaxLength);
  checkTags(p, `${prefix}.tags`, input.tags, false);
  checkText(p, `${prefix}.source`, input.source, WRITE_LIMITS.textMaxLength);
  checkTimezone(p, `${prefix}.timezone`, input.timezone);
  if (input.assignedTo !== undefined && input.assignedTo !== null) checkId(p, `${prefix}.assignedTo`, input.assignedTo);
  checkCustomFields(p, `${prefix}.customFields`, input.customFields);
  for (const field of ["address1", "city", "state", "postalCode"] as const) {
    checkText(p, `${prefix}.${field}`, input[field], WRITE_LIMITS.textMaxLength);
  }
  if (input.country !== undefined && input.country !== null && !/^[A-Z]{2}$/.test(input.country)) {
    p.add(`${prefix}.country`, "an ISO 3166 two-letter country code in capitals, e.g. US", `${input.country.length} characters`);
  }
  if (input.website !== undefined && input.website !== null && !/^https?:\/\/[^\s]{1,250}$/.test(input.website)) {
    p.add(`${prefix}.website`, "an http(s) URL of at most 255 characters, e.g. https://example.com", "another form");
  }
  if (input.dndSettings !== undefined && input.dndSettings !== null) {
    const seen = new Set<string>();
    input.dndSettings.forEach((setting, i) => {
      if (seen.has(setting.channel)) p.add(`${prefix}.dndSettings[${i}].channel`, "each channel at most once", `${setting.channel} again`);
      seen.add(setting.channel);
      checkText(p, `${prefix}.dndSettings[${i}].message`, setting.message, WRITE_LIMITS.textMaxLength);
      checkText(p, `${prefix}.dndSettings[${i}].code`, setting.code, WRITE_LIMITS.textMaxLength);
    });
  }
  if (input.dateOfBirth !== undefined && input.dateOfBirth !== null) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.dateOfBirth);
    const date = match ? new Date(`${input.dateOfBirth}T00:00:00Z`) : undefined;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== input.dateOfBirth || Number(match?.[1]) < 1900) {
      p.add(`${prefix}.dateOfBirth`, "a date like 1990-09-25 (year 1900 or later)", "another form");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One validator per mutation. Each returns every problem; an empty list means "valid".
// ---------------------------------------------------------------------------------------------

export function validateCreateContact(input: ContactWriteValues): InputProblem[] {
  const p = new Problems();
  checkContactValues(p, "input", input);
  // HighLevel creates a contact from nothing but a location; an empty contact is almost always a bug.
  const identifying = ["firstName", "lastName", "name", "email", "phone", "companyName"] as const;
  if (p.list.length === 0 && !identifying.some((k) => typeof input[k] === "string" && input[k].trim() !== "")) {
    p.add("input", "at least one of firstName, lastName, name, email, phone or companyName", "none of them");
  }
  return p.list;
}

/** `otherWrites`: fields the update also writes from outside `input`'s own keys (mapped fields, FIELD_MAPPING). */
export function validateUpdateContact(id: string, input: ContactWriteValues, ifUnmodifiedSince?: Date | string | null, otherWrites = 0): InputProblem[] {
  const p = new Problems();
  checkId(p, "id", id);
  checkContactValues(p, "input", input);
  checkDate(p, "ifUnmodifiedSince", ifUnmodifiedSince, false);
  if (definedKeys(input).length === 0 && otherWrites === 0) p.add("input", "at least one field to change", "an empty input");
  return p.list;
}

export function validateDeleteContact(id: string): InputProblem[] {
  const p = new Problems();
  checkId(p, "id", id);
  return p.list;
}

export function validateCreateTask(contactId: string, input: TaskWriteValues): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkText(p, "input.title", input.title, WRITE_LIMITS.taskTitleMaxLength, true);
  checkText(p, "input.body", input.body, WRITE_LIMITS.taskBodyMaxLength);
  checkDate(p, "input.dueDate", input.dueDate, true);
  if (input.assignedTo !== undefined && input.assignedTo !== null) checkId(p, "input.assignedTo", input.assignedTo);
  return p.list;
}

export function validateUpdateTask(
  contactId: string,
  taskId: string,
  input: TaskWriteValues,
  ifMatch?: TaskWriteValues | null,
): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkId(p, "taskId", taskId);
  if (input.title !== undefined && input.title !== null) checkText(p, "input.title", input.title, WRITE_LIMITS.taskTitleMaxLength, true);
  checkText(p, "input.body", input.body, WRITE_LIMITS.taskBodyMaxLength);
  checkDate(p, "input.dueDate", input.dueDate, false);
  if (input.assignedTo !== undefined && input.assignedTo !== null) checkId(p, "input.assignedTo", input.assignedTo);
  if (definedKeys(input).length === 0) p.add("input", "at least one field to change", "an empty input");
  if (ifMatch !== undefined && ifMatch !== null) {
    checkText(p, "ifMatch.title", ifMatch.title, WRITE_LIMITS.taskTitleMaxLength);
    checkText(p, "ifMatch.body", ifMatch.body, WRITE_LIMITS.taskBodyMaxLength);
    checkDate(p, "ifMatch.dueDate", ifMatch.dueDate, false);
    if (definedKeys(ifMatch).length === 0) p.add("ifMatch", "at least one expected value (title, body, dueDate, completed or assignedTo)", "an empty precondition");
  }
  return p.list;
}

export function validateTaskRef(contactId: string, taskId: string): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkId(p, "taskId", taskId);
  return p.list;
}

export function validateAddTags(contactId: string, tags: readonly string[]): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkTags(p, "tags", tags, true);
  return p.list;
}

// ---- the remaining contact actions (apps/contacts.json) --------------------------------------

/** Bounds of the list arguments of the contact actions. */
export const ACTION_LIMITS = {
  /** Followers per call (user ids). */
  followersMaxCount: 100,
  /** Contacts per bulk call: the gateway reports one outcome per id, so a request stays bounded. */
  bulkMaxContacts: 100,
  noteBodyMaxLength: 10_000,
  noteTitleMaxLength: 255,
} as const;

/** Fields of CreateNoteInput / UpdateNoteInput (schema/schema.graphql, plus NotesDTO's color and pinned). */
export interface NoteWriteValues {
  body?: string | null;
  title?: string | null;
  userId?: string | null;
  color?: string | null;
  pinned?: boolean | null;
}

/** A CSS hex colour, as HighLevel's NotesDTO example shows (`#FFAA00`); short form `#FA0` too. */
const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function checkNoteColor(p: Problems, color: string | null | undefined): void {
  if (color === undefined || color === null) return;
  if (!HEX_COLOR.test(color)) p.add("input.color", "a hex colour like #FFAA00", JSON.stringify(color.slice(0, 20)));
}

function checkIdList(p: Problems, field: string, ids: readonly string[] | null | undefined, max: number, what: string): void {
  if (ids === undefined || ids === null || ids.length === 0) {
    p.add(field, `a list of 1 to ${max} ${what}`, ids ? "an empty list" : "nothing");
    return;
  }
  if (ids.length > max) {
    p.add(field, `at most ${max} ${what}`, `${ids.length}`);
    return;
  }
  ids.forEach((id, i) => checkId(p, `${field}[${i}]`, id));
}

export function validateRemoveTags(contactId: string, tags: readonly string[]): InputProblem[] {
  return validateAddTags(contactId, tags);
}

/** `duplicateContact(email, phone)`: at least one, each in its form. */
export function validateDuplicateLookup(email: string | null | undefined, phone: string | null | undefined): InputProblem[] {
  const p = new Problems();
  if ((email === undefined || email === null) && (phone === undefined || phone === null)) {
    p.add("email", "an email address or (in `phone`) a phone number to look up", "neither");
    return p.list;
  }
  checkEmail(p, "email", email);
  checkPhone(p, "phone", phone);
  return p.list;
}

/** `upsertContact`: a valid contact with an email or a phone (what HighLevel matches an existing contact on). */
export function validateUpsertContact(input: ContactWriteValues): InputProblem[] {
  const problems = validateCreateContact(input);
  const has = (v: string | null | undefined) => typeof v === "string" && v.trim() !== "";
  if (problems.length === 0 && !has(input.email) && !has(input.phone)) {
    problems.push({ field: "input", expected: "an email or a phone (the upsert matches an existing contact on them)", received: "neither" });
  }
  return problems;
}

export function validateCreateNote(contactId: string, input: NoteWriteValues): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkText(p, "input.body", input.body, ACTION_LIMITS.noteBodyMaxLength, true);
  checkText(p, "input.title", input.title, ACTION_LIMITS.noteTitleMaxLength);
  if (input.userId !== undefined && input.userId !== null) checkId(p, "input.userId", input.userId);
  checkNoteColor(p, input.color);
  return p.list;
}

export function validateUpdateNote(contactId: string, noteId: string, input: NoteWriteValues): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkId(p, "noteId", noteId);
  if (input.body !== undefined && input.body !== null) checkText(p, "input.body", input.body, ACTION_LIMITS.noteBodyMaxLength, true);
  checkText(p, "input.title", input.title, ACTION_LIMITS.noteTitleMaxLength);
  checkNoteColor(p, input.color);
  if (definedKeys(input).length === 0) p.add("input", "at least one field to change (body, title, color or pinned)", "an empty input");
  return p.list;
}

export function validateNoteRef(contactId: string, noteId: string): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkId(p, "noteId", noteId);
  return p.list;
}

export function validateFollowers(contactId: string, followers: readonly string[]): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkIdList(p, "followers", followers, ACTION_LIMITS.followersMaxCount, "user ids");
  return p.list;
}

/** A contact and another id of the route (`campaignId`, `workflowId`). */
export function validateContactAnd(contactId: string, name: string, id: string | undefined): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  if (id !== undefined) checkId(p, name, id);
  return p.list;
}

export function validateAddToWorkflow(contactId: string, workflowId: string, eventStartTime: Date | string | null | undefined): InputProblem[] {
  const p = new Problems();
  checkId(p, "contactId", contactId);
  checkId(p, "workflowId", workflowId);
  checkDate(p, "eventStartTime", eventStartTime, false);
  return p.list;
}

export function validateBulkTags(contactIds: readonly string[], tags: readonly string[], remove: boolean, removeAllTags: boolean): InputProblem[] {
  const p = new Problems();
  checkIdList(p, "contactIds", contactIds, ACTION_LIMITS.bulkMaxContacts, "contact ids");
  if (removeAllTags && !remove) p.add("removeAllTags", "false unless action is REMOVE (it removes every tag)", "true with ADD");
  checkTags(p, "tags", tags, !removeAllTags);
  return p.list;
}

export function validateBulkBusiness(contactIds: readonly string[], businessId: string | null | undefined): InputProblem[] {
  const p = new Problems();
  checkIdList(p, "contactIds", contactIds, ACTION_LIMITS.bulkMaxContacts, "contact ids");
  if (businessId !== undefined && businessId !== null) checkId(p, "businessId", businessId);
  return p.list;
}
