/**
 * The simulator's in-memory data: contacts, tasks, notes and appointments per location, plus the
 * write operations both the HTTP routes and tests use. Every write can emit the webhook event
 * HighLevel would send (routes always do; direct test writes only when `{emit: true}`).
 * Knows no HTTP; errors are typed so the routes can map them to HighLevel's observed bodies.
 */
import type {
  AppointmentInput,
  SimulatorAppointment,
  SimulatorCalendar,
  SimulatorContact,
  CustomFieldDetails,
  SimulatorCustomFieldDefinition,
  SimulatorCustomFieldValue,
  SimulatorNote,
  SimulatorTask,
  ContactInput,
  NoteInput,
  SimulatorStore,
  SimulatorWebhookEvent,
  TaskInput,
  WriteOptions,
} from "./simulator.types.js";
import type { Rng } from "./random.js";
import { appointmentTimeMs } from "./appointment-time.js";

/** A resource does not exist (HighLevel answers 400 "X with id Y not found"). */
export class SimulatorNotFoundError extends Error {
  constructor(
    readonly resource: "Contact" | "Task" | "Note" | "Appointment",
    readonly id: string,
  ) {
    super(`${resource} with id ${id} not found`);
    this.name = "SimulatorNotFoundError";
  }
}

/** Same email or phone already in the location (HighLevel answers 400 with meta). */
export class SimulatorDuplicateError extends Error {
  constructor(
    readonly contactId: string,
    readonly matchingField: "email" | "phone",
  ) {
    super("This location does not allow duplicated contacts.");
    this.name = "SimulatorDuplicateError";
  }
}

interface StoredTask extends SimulatorTask {
  dateAdded: string;
}

interface ContactBucket {
  tasks: Map<string, StoredTask>;
  notes: Map<string, SimulatorNote>;
  appointments: Map<string, SimulatorAppointment>;
}

export interface StoreOptions {
  now: () => number;
  /** Source of runtime ids (deterministic per seed). */
  rng: Rng;
  /** Receives every change that should go out as a webhook. */
  onEvent?: (event: SimulatorWebhookEvent) => void;
}

const CONTACT_FIELDS = [
  "firstName", "lastName", "name", "email", "phone", "companyName", "businessId", "source", "type",
  "timezone", "assignedTo", "dnd", "dndSettings", "address1", "city", "state", "country",
  "postalCode", "website", "dateOfBirth", "attributionSource",
] as const;

const clone = <T>(value: T): T => structuredClone(value);

/** Duplicate-check keys (HighLevel refuses a second contact with the same email or phone in a location). */
const emailKey = (email: string | null | undefined): string | undefined => email?.trim().toLowerCase() || undefined;
const phoneKey = (phone: string | null | undefined): string | undefined => phone?.replace(/[^\d+]/g, "") || undefined;

export class MemoryStore implements SimulatorStore {
  private readonly contacts = new Map<string, SimulatorContact>();
  private readonly buckets = new Map<string, ContactBucket>();
  private readonly knownLocations = new Set<string>();
  /** Campaign and workflow enrolments per contact (write-only upstream: no read route). */
  private readonly campaigns = new Map<string, Set<string>>();
  private readonly workflows = new Map<string, Map<string, string | undefined>>();
  /** customField key → id, per location (write form `{key, field_value}`). */
  private readonly customFieldKeys = new Map<string, Map<string, string>>();
  /** calendar id → calendar, per location (`GET /calendars/`). */
  private readonly calendars = new Map<string, Map<string, SimulatorCalendar>>();
  /** customField id → its definition (`GET /locations/:locationId/customFields`), per location. */
  private readonly customFieldDefinitionsById = new Map<string, Map<string, SimulatorCustomFieldDefinition>>();
  /** When a contact created through the store (not seeded) was created: search sees it `searchIndexDelayMs` later. */
  private readonly createdAtMs = new Map<string, number>();
  /**
   * Indexes that keep the store O(1)/O(log n) per request with tens of thousands of contacts (the
   * bench seeds 10,000): `location\0email|phone` → ids, and each location's contacts sorted newest
   * first (rebuilt lazily after an insert or delete; `dateAdded` never changes after creation).
   */
  private readonly duplicateIndex = new Map<string, Set<string>>();
  private readonly sortedByLocation = new Map<string, SimulatorContact[]>();
  /** Lower-cased searchable fields per live record (dropped whenever the record changes). */
  private readonly searchCache = new WeakMap<SimulatorContact, { text: string; phoneDigits: string }>();
  private readonly now: () => number;
  private readonly rng: Rng;
  onEvent: ((event: SimulatorWebhookEvent) => void) | undefined;

  constructor(options: StoreOptions) {
    this.now = options.now;
    this.rng = options.rng;
    this.onEvent = options.onEvent;
  }

  // ---- locations and custom field definitions -------------------------------------------------

  addLocation(locationId: string): void {
    this.knownLocations.add(locationId);
  }

  locations(): string[] {
    return [...this.knownLocations];
  }

  /**
   * Defines (or redefines) a custom field of a location. `key` is the part after `contact.`;
   * without `details` the field is a TEXT field named after its key (what a write by an unknown
   * key creates).
   */
  defineCustomField(locationId: string, key: string, id: string, details: CustomFieldDetails = {}): void {
    let keys = this.customFieldKeys.get(locationId);
    if (!keys) this.customFieldKeys.set(locationId, (keys = new Map()));
    keys.set(key, id);
    let definitions = this.customFieldDefinitionsById.get(locationId);
    if (!definitions) this.customFieldDefinitionsById.set(locationId, (definitions = new Map()));
    const definition: SimulatorCustomFieldDefinition = {
      id,
      name: details.name ?? key,
      fieldKey: `contact.${key}`,
      placeholder: details.name ?? key,
      dataType: details.dataType ?? "TEXT",
      position: details.position ?? definitions.size * 50,
      picklistOptions: [...(details.picklistOptions ?? [])],
      locationId,
      model: "contact",
    };
    definitions.set(id, definition);
  }

  /** Removes a custom field definition (the field's values stay on contacts, as in HighLevel). */
  removeCustomField(locationId: string, key: string): void {
    const id = this.customFieldKeys.get(locationId)?.get(key);
    if (id === undefined) return;
    this.customFieldKeys.get(locationId)?.delete(key);
    this.customFieldDefinitionsById.get(locationId)?.delete(id);
  }

  customFieldDefinitions(locationId: string): SimulatorCustomFieldDefinition[] {
    return [...(this.customFieldDefinitionsById.get(locationId)?.values() ?? [])].map(clone);
  }

  /**
   * The location's tags (`GET /locations/:locationId/tags`): every tag in use on its contacts,
   * sorted, each with an id derived from the location and the name (stable across calls).
   */
  locationTags(locationId: string): { id: string; name: string; locationId: string }[] {
    const names = new Set<string>();
    for (const contact of this.sortedContacts(locationId)) for (const tag of contact.tags ?? []) names.add(tag);
    return [...names].sort().map((name) => ({ id: tagId(locationId, name), name, locationId }));
  }

  /** Epoch ms from which search sees the contact (created through the store: creation + delay; seeded: always). */
  searchableFrom(contactId: string, delayMs: number): number {
    const created = this.createdAtMs.get(contactId);
    return created === undefined ? Number.NEGATIVE_INFINITY : created + delayMs;
  }

  // ---- contacts ---------------------------------------------------------------------------

  /** Internal: the live record (no copy). */
  contactRecord(contactId: string): SimulatorContact | undefined {
    return this.contacts.get(contactId);
  }

  requireContact(contactId: string): SimulatorContact {
    const contact = this.contacts.get(contactId);
    if (!contact) throw new SimulatorNotFoundError("Contact", contactId);
    return contact;
  }

  listContacts(locationId: string): SimulatorContact[] {
    return this.sortedContacts(locationId).map(clone);
  }

  /** Internal: live records of a location, newest first (dateAdded desc, then id desc). Shared: do not mutate. */
  sortedContacts(locationId: string): readonly SimulatorContact[] {
    let sorted = this.sortedByLocation.get(locationId);
    if (!sorted) {
      const decorated: { ms: number; contact: SimulatorContact }[] = [];
      for (const contact of this.contacts.values()) {
        if (contact.locationId === locationId) decorated.push({ ms: Date.parse(contact.dateAdded ?? ""), contact });
      }
      decorated.sort((a, b) => compareKeys(b.ms, a.ms) || compareIds(a.contact.id, b.contact.id));
      sorted = decorated.map((d) => d.contact);
      this.sortedByLocation.set(locationId, sorted);
    }
    return sorted;
  }

  /**
   * Internal: what `GET /contacts/?query=` searches, lower-cased once per change of the record:
   * name, first/last name, email, company and phone joined by NUL (which no query matches across).
   */
  searchFields(contact: SimulatorContact): { text: string; phoneDigits: string } {
    let cached = this.searchCache.get(contact);
    if (!cached) {
      const text = [contact.name, contact.firstName, contact.lastName, contact.email, contact.companyName, contact.phone]
        .filter((v): v is string => typeof v === "string")
        .join("\u0000")
        .toLowerCase();
      cached = { text, phoneDigits: (contact.phone ?? "").replace(/\D/g, "") };
      this.searchCache.set(contact, cached);
    }
    return cached;
  }

  getContact(contactId: string): SimulatorContact | undefined {
    const contact = this.contacts.get(contactId);
    return contact ? clone(contact) : undefined;
  }

  businessIds(locationId: string): string[] {
    const ids = new Set<string>();
    for (const c of this.contacts.values()) if (c.locationId === locationId && c.businessId) ids.add(c.businessId);
    return [...ids].sort();
  }

  createContact(locationId: string, input: ContactInput, options: WriteOptions = {}): SimulatorContact {
    this.knownLocations.add(locationId);
    this.assertNoDuplicate(locationId, input, undefined);
    const nowIso = this.isoNow();
    const contact: SimulatorContact = {
      id: this.freshId(),
      locationId,
      tags: [],
      dnd: false,
      type: "lead",
      customFields: [],
      followers: [],
      dateAdded: input.dateAdded ?? nowIso,
      dateUpdated: input.dateAdded ?? nowIso,
    };
    this.applyContactInput(contact, input);
    if (!contact.source) contact.source = "api";
    this.addContactRecord(contact);
    this.createdAtMs.set(contact.id, this.now());
    if (options.emit) this.emit("ContactCreate", locationId, contactPayload(contact));
    return clone(contact);
  }

  updateContact(contactId: string, patch: ContactInput, options: WriteOptions = {}): SimulatorContact {
    const contact = this.requireContact(contactId);
    this.assertNoDuplicate(contact.locationId, patch, contactId);
    const dndBefore = contact.dnd;
    this.unindexDuplicates(contact);
    this.applyContactInput(contact, patch);
    this.indexDuplicates(contact);
    contact.dateUpdated = this.isoNow();
    if (options.emit) {
      this.emit("ContactUpdate", contact.locationId, contactPayload(contact));
      if (patch.dnd !== undefined && patch.dnd !== dndBefore) {
        this.emit("ContactDndUpdate", contact.locationId, contactPayload(contact));
      }
    }
    return clone(contact);
  }

  deleteContact(contactId: string, options: WriteOptions = {}): void {
    const contact = this.requireContact(contactId);
    this.contacts.delete(contactId);
    this.createdAtMs.delete(contactId);
    this.buckets.delete(contactId);
    this.campaigns.delete(contactId);
    this.workflows.delete(contactId);
    this.unindexDuplicates(contact);
    this.sortedByLocation.delete(contact.locationId);
    if (options.emit) this.emit("ContactDelete", contact.locationId, contactPayload(contact));
  }

  addTags(contactId: string, tags: string[], options: WriteOptions = {}): string[] {
    const contact = this.requireContact(contactId);
    const current = contact.tags ?? [];
    for (const raw of tags) {
      const tag = raw.trim().toLowerCase();
      if (tag && !current.includes(tag)) current.push(tag);
    }
    contact.tags = current;
    contact.dateUpdated = this.isoNow();
    if (options.emit) this.emit("ContactTagUpdate", contact.locationId, contactPayload(contact));
    return [...current];
  }

  /** `DELETE /contacts/:contactId/tags`: removes the given tags (trimmed, case-insensitive); returns what is left. */
  removeTags(contactId: string, tags: string[], options: WriteOptions = {}): string[] {
    const contact = this.requireContact(contactId);
    const drop = new Set(tags.map((t) => t.trim().toLowerCase()));
    contact.tags = (contact.tags ?? []).filter((t) => !drop.has(t));
    contact.dateUpdated = this.isoNow();
    if (options.emit) this.emit("ContactTagUpdate", contact.locationId, contactPayload(contact));
    return [...contact.tags];
  }

  /** `GET /contacts/search/duplicate`: the location's contact with this email, else with this phone. */
  findDuplicate(locationId: string, lookup: { email?: string; phone?: string }): SimulatorContact | undefined {
    const keys = [
      lookup.email ? this.duplicateKeys(locationId, lookup.email, undefined)[0] : undefined,
      lookup.phone ? this.duplicateKeys(locationId, undefined, lookup.phone)[0] : undefined,
    ];
    for (const key of keys) {
      const id = key ? [...(this.duplicateIndex.get(key) ?? [])][0] : undefined;
      const contact = id ? this.contacts.get(id) : undefined;
      if (contact) return clone(contact);
    }
    return undefined;
  }

  /**
   * `POST /contacts/upsert`: updates the contact matching the email (then the phone), else creates
   * one; `created` says which (the API's `new`).
   */
  upsertContact(locationId: string, input: ContactInput, options: WriteOptions = {}): { created: boolean; contact: SimulatorContact } {
    const existing = this.findDuplicate(locationId, { email: input.email, phone: input.phone });
    if (existing) return { created: false, contact: this.updateContact(existing.id, input, options) };
    return { created: true, contact: this.createContact(locationId, input, options) };
  }

  /** Adds followers (user ids); returns the full list and the ones newly added. */
  addFollowers(contactId: string, followers: string[]): { followers: string[]; followersAdded: string[] } {
    const contact = this.requireContact(contactId);
    const current = [...(contact.followers ?? [])];
    const added = [...new Set(followers)].filter((id) => !current.includes(id));
    contact.followers = [...current, ...added];
    contact.dateUpdated = this.isoNow();
    return { followers: [...contact.followers], followersAdded: added };
  }

  /** Removes followers; returns the remaining list and the ones actually removed. */
  removeFollowers(contactId: string, followers: string[]): { followers: string[]; followersRemoved: string[] } {
    const contact = this.requireContact(contactId);
    const current = contact.followers ?? [];
    const drop = new Set(followers);
    const removed = current.filter((id) => drop.has(id));
    contact.followers = current.filter((id) => !drop.has(id));
    contact.dateUpdated = this.isoNow();
    return { followers: [...contact.followers], followersRemoved: removed };
  }

  /** Campaign ids a contact is enrolled in (simulator bookkeeping; the API has no read route for it). */
  listCampaigns(contactId: string): string[] {
    return [...(this.campaigns.get(contactId) ?? [])];
  }

  addToCampaign(contactId: string, campaignId: string): void {
    this.requireContact(contactId);
    let set = this.campaigns.get(contactId);
    if (!set) this.campaigns.set(contactId, (set = new Set()));
    set.add(campaignId);
  }

  /** Removes one campaign, or every campaign when `campaignId` is undefined. */
  removeFromCampaign(contactId: string, campaignId: string | undefined): void {
    this.requireContact(contactId);
    if (campaignId === undefined) this.campaigns.delete(contactId);
    else this.campaigns.get(contactId)?.delete(campaignId);
  }

  /** Workflow enrolments of a contact: workflow id → `eventStartTime` (when one was given). */
  listWorkflows(contactId: string): { workflowId: string; eventStartTime?: string }[] {
    return [...(this.workflows.get(contactId) ?? new Map<string, string | undefined>())].map(([workflowId, eventStartTime]) =>
      eventStartTime === undefined ? { workflowId } : { workflowId, eventStartTime },
    );
  }

  addToWorkflow(contactId: string, workflowId: string, eventStartTime: string | undefined): void {
    this.requireContact(contactId);
    let map = this.workflows.get(contactId);
    if (!map) this.workflows.set(contactId, (map = new Map()));
    map.set(workflowId, eventStartTime);
  }

  removeFromWorkflow(contactId: string, workflowId: string): void {
    this.requireContact(contactId);
    this.workflows.get(contactId)?.delete(workflowId);
  }

  /**
   * `POST /contacts/bulk/tags/update/:type`: one outcome per requested id, in order (the
   * UpdateTagsResponseDTO example): unknown ids, deleted or foreign contacts are errors.
   */
  bulkUpdateTags(
    locationId: string,
    type: "add" | "remove",
    contactIds: string[],
    tags: string[],
    removeAllTags: boolean,
    options: WriteOptions = {},
  ): { contactId: string; type: "success" | "error"; message: string; oldTags?: string[]; tagsAdded?: string[]; tagsRemoved?: string[] }[] {
    return contactIds.map((contactId) => {
      const contact = this.contacts.get(contactId);
      if (!contact) return { contactId, type: "error" as const, message: "contact not found" };
      if (contact.locationId !== locationId) return { contactId, type: "error" as const, message: "contact does not belong to location" };
      const oldTags = [...(contact.tags ?? [])];
      const after =
        type === "add"
          ? this.addTags(contactId, tags, options)
          : removeAllTags
            ? this.removeTags(contactId, oldTags, options)
            : this.removeTags(contactId, tags, options);
      return {
        contactId,
        type: "success" as const,
        message: "Tags updated",
        oldTags,
        tagsAdded: after.filter((t) => !oldTags.includes(t)),
        tagsRemoved: oldTags.filter((t) => !after.includes(t)),
      };
    });
  }

  /**
   * `POST /contacts/bulk/business`: sets (or, with `null`, clears) `businessId` of every contact of
   * the location among `ids`; returns the ids it updated (others are skipped).
   */
  bulkSetBusiness(locationId: string, ids: string[], businessId: string | null, options: WriteOptions = {}): string[] {
    const updated: string[] = [];
    for (const id of ids) {
      const contact = this.contacts.get(id);
      if (!contact || contact.locationId !== locationId || updated.includes(id)) continue;
      contact.businessId = businessId;
      contact.dateUpdated = this.isoNow();
      updated.push(id);
      if (options.emit) this.emit("ContactUpdate", contact.locationId, contactPayload(contact));
    }
    return updated;
  }

  // ---- tasks ------------------------------------------------------------------------------

  listTasks(contactId: string): SimulatorTask[] {
    const bucket = this.bucket(contactId);
    return [...bucket.tasks.values()].map(publicTask);
  }

  getTask(contactId: string, taskId: string): SimulatorTask | undefined {
    const task = this.bucketOrUndefined(contactId)?.tasks.get(taskId);
    return task ? publicTask(task) : undefined;
  }

  createTask(contactId: string, input: TaskInput, options: WriteOptions = {}): SimulatorTask {
    const contact = this.requireContact(contactId);
    const task: StoredTask = {
      id: this.freshId(),
      title: input.title ?? "",
      completed: input.completed ?? false,
      contactId,
      dateAdded: this.isoNow(),
    };
    if (input.body !== undefined) task.body = input.body;
    if (input.dueDate !== undefined) task.dueDate = normaliseIso(input.dueDate);
    if (input.assignedTo !== undefined) task.assignedTo = input.assignedTo;
    this.bucket(contactId).tasks.set(task.id, task);
    if (options.emit) {
      this.emit("TaskCreate", contact.locationId, taskPayload(task));
      if (task.completed) this.emit("TaskComplete", contact.locationId, taskPayload(task));
    }
    return publicTask(task);
  }

  updateTask(contactId: string, taskId: string, patch: TaskInput, options: WriteOptions = {}): SimulatorTask {
    const contact = this.requireContact(contactId);
    const task = this.requireTask(contactId, taskId);
    const wasCompleted = task.completed;
    if (patch.title !== undefined) task.title = patch.title;
    if (patch.body !== undefined) task.body = patch.body;
    if (patch.dueDate !== undefined) task.dueDate = normaliseIso(patch.dueDate);
    if (patch.assignedTo !== undefined) task.assignedTo = patch.assignedTo;
    if (patch.completed !== undefined) task.completed = patch.completed;
    // HighLevel has no TaskUpdate event: only a flip to completed is announced.
    if (options.emit && !wasCompleted && task.completed) {
      this.emit("TaskComplete", contact.locationId, taskPayload(task));
    }
    return publicTask(task);
  }

  completeTask(contactId: string, taskId: string, completed: boolean, options: WriteOptions = {}): SimulatorTask {
    return this.updateTask(contactId, taskId, { completed }, options);
  }

  deleteTask(contactId: string, taskId: string, options: WriteOptions = {}): void {
    const contact = this.requireContact(contactId);
    const task = this.requireTask(contactId, taskId);
    this.bucket(contactId).tasks.delete(taskId);
    if (options.emit) this.emit("TaskDelete", contact.locationId, taskPayload(task));
  }

  requireTask(contactId: string, taskId: string): StoredTask {
    const task = this.bucket(contactId).tasks.get(taskId);
    if (!task) throw new SimulatorNotFoundError("Task", taskId);
    return task;
  }

  // ---- notes ------------------------------------------------------------------------------

  listNotes(contactId: string): SimulatorNote[] {
    // Newest first, as HighLevel lists them.
    return [...this.bucket(contactId).notes.values()]
      .sort((a, b) => (b.dateAdded ?? "").localeCompare(a.dateAdded ?? "") || b.id.localeCompare(a.id))
      .map(clone);
  }

  getNote(contactId: string, noteId: string): SimulatorNote | undefined {
    const note = this.bucketOrUndefined(contactId)?.notes.get(noteId);
    return note ? clone(note) : undefined;
  }

  createNote(contactId: string, input: NoteInput, options: WriteOptions = {}): SimulatorNote {
    const contact = this.requireContact(contactId);
    const note: SimulatorNote = {
      id: this.freshId(),
      body: input.body ?? "",
      dateAdded: this.isoNow(),
      contactId,
    };
    if (input.userId !== undefined) note.userId = input.userId;
    if (input.title !== undefined) note.title = input.title;
    if (input.color !== undefined) note.color = input.color;
    if (input.pinned !== undefined) note.pinned = input.pinned;
    this.bucket(contactId).notes.set(note.id, note);
    if (options.emit) this.emit("NoteCreate", contact.locationId, notePayload(note));
    return clone(note);
  }

  updateNote(contactId: string, noteId: string, patch: NoteInput, options: WriteOptions = {}): SimulatorNote {
    const contact = this.requireContact(contactId);
    const note = this.requireNote(contactId, noteId);
    if (patch.body !== undefined) note.body = patch.body;
    if (patch.userId !== undefined) note.userId = patch.userId;
    if (patch.title !== undefined) note.title = patch.title;
    if (patch.color !== undefined) note.color = patch.color;
    if (patch.pinned !== undefined) note.pinned = patch.pinned;
    if (options.emit) this.emit("NoteUpdate", contact.locationId, notePayload(note));
    return clone(note);
  }

  deleteNote(contactId: string, noteId: string, options: WriteOptions = {}): void {
    const contact = this.requireContact(contactId);
    const note = this.requireNote(contactId, noteId);
    this.bucket(contactId).notes.delete(noteId);
    if (options.emit) this.emit("NoteDelete", contact.locationId, notePayload(note));
  }

  requireNote(contactId: string, noteId: string): SimulatorNote {
    const note = this.bucket(contactId).notes.get(noteId);
    if (!note) throw new SimulatorNotFoundError("Note", noteId);
    return note;
  }

  // ---- calendars and appointments ---------------------------------------------------------

  listCalendars(locationId: string): SimulatorCalendar[] {
    return [...(this.calendars.get(locationId)?.values() ?? [])].map(clone);
  }

  defineCalendar(locationId: string, calendar: { id: string; name?: string; groupId?: string }): void {
    let byId = this.calendars.get(locationId);
    if (!byId) this.calendars.set(locationId, (byId = new Map()));
    const defined: SimulatorCalendar = { id: calendar.id, locationId, name: calendar.name ?? `Calendar ${calendar.id}`, isActive: true };
    if (calendar.groupId !== undefined) defined.groupId = calendar.groupId;
    byId.set(calendar.id, defined);
  }

  /** An appointment's calendar exists in its location (HighLevel books appointments into calendars). */
  private ensureCalendar(locationId: string, calendarId: string | null | undefined): void {
    if (calendarId && !this.calendars.get(locationId)?.has(calendarId)) this.defineCalendar(locationId, { id: calendarId });
  }

  /**
   * Visits every appointment of a location (`GET /calendars/events` filters them), each naming its
   * contact: the live records, read-only, for a route that serialises what it keeps at once (a
   * location can hold thousands: no deep copy of each).
   */
  forEachLocationAppointment(locationId: string, visit: (appointment: Readonly<SimulatorAppointment>) => void): void {
    for (const contact of this.sortedContacts(locationId)) {
      const bucket = this.buckets.get(contact.id);
      if (bucket) for (const appointment of bucket.appointments.values()) visit(appointment);
    }
  }

  listAppointments(contactId: string): SimulatorAppointment[] {
    return [...this.bucket(contactId).appointments.values()]
      .sort((a, b) => appointmentTimeMs(a.startTime) - appointmentTimeMs(b.startTime) || a.id.localeCompare(b.id))
      .map(clone);
  }

  createAppointment(contactId: string, input: AppointmentInput, options: WriteOptions = {}): SimulatorAppointment {
    const contact = this.requireContact(contactId);
    const nowIso = this.isoNow();
    const startMs = input.startTime ? appointmentTimeMs(input.startTime) : this.now() + 86_400_000;
    const appointment: SimulatorAppointment = {
      id: this.freshId(),
      calendarId: input.calendarId ?? "SimCalendarMortgage1",
      status: input.status ?? "booked",
      title: input.title ?? `Consultation with ${contact.name ?? "contact"}`,
      appointmentStatus: input.appointmentStatus ?? "confirmed",
      startTime: input.startTime ?? new Date(startMs).toISOString(),
      endTime: input.endTime ?? new Date(startMs + 30 * 60_000).toISOString(),
      locationId: contact.locationId,
      contactId,
      users: input.users ?? [],
      dateAdded: nowIso,
      dateUpdated: nowIso,
    };
    if (input.assignedUserId !== undefined) appointment.assignedUserId = input.assignedUserId;
    if (input.notes !== undefined) appointment.notes = input.notes;
    if (input.address !== undefined) appointment.address = input.address;
    if (input.groupId !== undefined) appointment.groupId = input.groupId;
    this.ensureCalendar(contact.locationId, appointment.calendarId);
    this.bucket(contactId).appointments.set(appointment.id, appointment);
    if (options.emit) this.emit("AppointmentCreate", contact.locationId, { appointment: clone(appointment) });
    return clone(appointment);
  }

  updateAppointment(contactId: string, appointmentId: string, patch: AppointmentInput, options: WriteOptions = {}): SimulatorAppointment {
    const contact = this.requireContact(contactId);
    const appointment = this.requireAppointment(contactId, appointmentId);
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (appointment as Record<string, unknown>)[key] = clone(value);
    }
    appointment.dateUpdated = this.isoNow();
    this.ensureCalendar(contact.locationId, appointment.calendarId);
    if (options.emit) this.emit("AppointmentUpdate", contact.locationId, { appointment: clone(appointment) });
    return clone(appointment);
  }

  deleteAppointment(contactId: string, appointmentId: string, options: WriteOptions = {}): void {
    const contact = this.requireContact(contactId);
    const appointment = this.requireAppointment(contactId, appointmentId);
    this.bucket(contactId).appointments.delete(appointmentId);
    if (options.emit) this.emit("AppointmentDelete", contact.locationId, { appointment: clone(appointment) });
  }

  requireAppointment(contactId: string, appointmentId: string): SimulatorAppointment {
    const appointment = this.bucket(contactId).appointments.get(appointmentId);
    if (!appointment) throw new SimulatorNotFoundError("Appointment", appointmentId);
    return appointment;
  }

  // ---- seeding hooks (ids and timestamps chosen by the seed) --------------------------------

  /** Insert a fully formed record as-is (seed data). */
  insertContact(contact: SimulatorContact): void {
    this.knownLocations.add(contact.locationId);
    this.addContactRecord(contact);
  }

  insertTask(task: SimulatorTask & { dateAdded: string }): void {
    this.bucket(task.contactId).tasks.set(task.id, task);
  }

  insertNote(note: SimulatorNote & { contactId: string }): void {
    this.bucket(note.contactId).notes.set(note.id, note);
  }

  insertAppointment(appointment: SimulatorAppointment & { contactId: string }): void {
    const locationId = this.contacts.get(appointment.contactId)?.locationId;
    if (locationId) this.ensureCalendar(locationId, appointment.calendarId);
    this.bucket(appointment.contactId).appointments.set(appointment.id, appointment);
  }

  // ---- helpers ----------------------------------------------------------------------------

  private addContactRecord(contact: SimulatorContact): void {
    const previous = this.contacts.get(contact.id);
    if (previous) {
      this.unindexDuplicates(previous);
      this.sortedByLocation.delete(previous.locationId);
    }
    this.contacts.set(contact.id, contact);
    this.buckets.set(contact.id, { tasks: new Map(), notes: new Map(), appointments: new Map() });
    this.indexDuplicates(contact);
    this.sortedByLocation.delete(contact.locationId);
  }

  private duplicateKeys(locationId: string, email: string | null | undefined, phone: string | null | undefined): string[] {
    const out: string[] = [];
    const e = emailKey(email);
    const p = phoneKey(phone);
    if (e) out.push(`${locationId}\u0000email\u0000${e}`);
    if (p) out.push(`${locationId}\u0000phone\u0000${p}`);
    return out;
  }

  private indexDuplicates(contact: SimulatorContact): void {
    for (const key of this.duplicateKeys(contact.locationId, contact.email, contact.phone)) {
      let ids = this.duplicateIndex.get(key);
      if (!ids) this.duplicateIndex.set(key, (ids = new Set()));
      ids.add(contact.id);
    }
  }

  private unindexDuplicates(contact: SimulatorContact): void {
    for (const key of this.duplicateKeys(contact.locationId, contact.email, contact.phone)) {
      const ids = this.duplicateIndex.get(key);
      ids?.delete(contact.id);
      if (ids?.size === 0) this.duplicateIndex.delete(key);
    }
  }

  private bucket(contactId: string): ContactBucket {
    const bucket = this.buckets.get(contactId);
    if (!bucket) throw new SimulatorNotFoundError("Contact", contactId);
    return bucket;
  }

  private bucketOrUndefined(contactId: string): ContactBucket | undefined {
    return this.buckets.get(contactId);
  }

  private freshId(): string {
    let id = this.rng.id20();
    while (this.contacts.has(id)) id = this.rng.id20();
    return id;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private emit(type: string, locationId: string, resource: Record<string, unknown>): void {
    const payload: Record<string, unknown> = { type, locationId, ...resource };
    // The event's `type` wins over any resource field of that name (keys keep their first position).
    payload.type = type;
    payload.locationId = locationId;
    this.onEvent?.({ type, locationId, payload });
  }

  private assertNoDuplicate(locationId: string, input: ContactInput, selfId: string | undefined): void {
    const checks = [
      ["email", input.email === undefined ? undefined : this.duplicateKeys(locationId, input.email, undefined)[0]],
      ["phone", input.phone === undefined ? undefined : this.duplicateKeys(locationId, undefined, input.phone)[0]],
    ] as const;
    for (const [field, key] of checks) {
      if (!key) continue;
      for (const id of this.duplicateIndex.get(key) ?? []) {
        if (id !== selfId) throw new SimulatorDuplicateError(id, field);
      }
    }
  }

  private applyContactInput(contact: SimulatorContact, input: ContactInput): void {
    this.searchCache.delete(contact);
    for (const field of CONTACT_FIELDS) {
      const value = input[field];
      if (value !== undefined) (contact as Record<string, unknown>)[field] = clone(value);
    }
    if (input.email !== undefined) contact.emailLowerCase = input.email.toLowerCase();
    if (input.tags !== undefined) {
      contact.tags = [...new Set(input.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
    }
    if (input.customFields !== undefined) {
      contact.customFields = this.mergeCustomFields(contact.locationId, contact.customFields ?? [], input.customFields);
    }
    if (input.name === undefined && (input.firstName !== undefined || input.lastName !== undefined)) {
      const full = [contact.firstName, contact.lastName].filter(Boolean).join(" ");
      if (full) contact.name = full;
    } else if (input.name !== undefined && contact.firstName === undefined && contact.lastName === undefined) {
      const [first, ...rest] = input.name.split(" ");
      contact.firstName = first ?? "";
      if (rest.length) contact.lastName = rest.join(" ");
    }
    if (contact.firstName !== undefined && contact.firstName !== null) {
      contact.firstNameLowerCase = contact.firstName.toLowerCase();
    }
    if (contact.lastName !== undefined && contact.lastName !== null) {
      contact.lastNameLowerCase = contact.lastName.toLowerCase();
    }
    if (contact.name) contact.fullNameLowerCase = contact.name.toLowerCase();
  }

  private mergeCustomFields(
    locationId: string,
    current: SimulatorCustomFieldValue[],
    writes: NonNullable<ContactInput["customFields"]>,
  ): SimulatorCustomFieldValue[] {
    const byId = new Map(current.map((f) => [f.id, f.value] as const));
    for (const write of writes) {
      let id = write.id;
      if (!id && write.key) {
        const key = write.key.replace(/^contact\./, "");
        id = this.customFieldKeys.get(locationId)?.get(key);
        if (!id) {
          id = this.rng.id20();
          this.defineCustomField(locationId, key, id);
        }
      }
      if (!id) continue;
      const value = "field_value" in write ? write.field_value : write.value;
      // Lists (multi-option, checkbox, text-box list) are kept as lists of strings, scalars as text.
      if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) byId.delete(id);
      else byId.set(id, Array.isArray(value) ? value.map(String) : String(value));
    }
    return [...byId].map(([id, value]) => ({ id, value }));
  }
}

/** A stable 20-character tag id from the location and the tag name (FNV-1a, hex). */
function tagId(locationId: string, name: string): string {
  let hash = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 20; round++) {
    for (const ch of `${round}\u0000${locationId}\u0000${name}`) hash = Math.imul(hash ^ (ch.codePointAt(0) ?? 0), 0x01000193) >>> 0;
    out += hash.toString(16).padStart(8, "0");
  }
  return `Tag${out.slice(0, 17)}`;
}

/** Ascending number order with NaN (no date) last. */
function compareKeys(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  return a - b;
}

/** Id descending (the newest-first tie-break). */
function compareIds(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function publicTask(task: StoredTask): SimulatorTask {
  const { dateAdded: _dateAdded, ...rest } = task;
  return clone(rest);
}

function normaliseIso(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** Flat contact webhook body fields (HighLevel: the whole contact, plus `attachments: []`). */
function contactPayload(contact: SimulatorContact): Record<string, unknown> {
  const {
    locationId: _locationId,
    emailLowerCase: _e,
    firstNameLowerCase: _f,
    lastNameLowerCase: _l,
    fullNameLowerCase: _n,
    followers: _followers,
    // A contact's own `type` (lead/customer) would collide with the event `type`: HighLevel's
    // contact events carry only the event type, so the contact's is left out.
    type: _contactType,
    ...rest
  } = contact;
  return { ...clone(rest), attachments: [] };
}

function taskPayload(task: StoredTask): Record<string, unknown> {
  const out: Record<string, unknown> = { id: task.id };
  if (task.assignedTo) out.assignedTo = task.assignedTo;
  if (task.body !== undefined && task.body !== null) out.body = task.body;
  out.contactId = task.contactId;
  out.title = task.title;
  out.dateAdded = task.dateAdded;
  if (task.dueDate) out.dueDate = task.dueDate;
  out.completed = task.completed;
  return out;
}

function notePayload(note: SimulatorNote): Record<string, unknown> {
  return { id: note.id, body: note.body, contactId: note.contactId, dateAdded: note.dateAdded };
}
