/* GENERATED FILE — do not edit. `npm run codegen` (codegen.yml) from schema/schema.graphql + schema/operations/*.graphql. */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
};

export type Appointment = {
  __typename?: 'Appointment';
  address?: Maybe<Scalars['String']['output']>;
  appointmentStatus?: Maybe<Scalars['String']['output']>;
  assignedUserId?: Maybe<Scalars['String']['output']>;
  calendarId?: Maybe<Scalars['ID']['output']>;
  contact?: Maybe<Contact>;
  contactId: Scalars['ID']['output'];
  dateAdded?: Maybe<Scalars['DateTime']['output']>;
  dateUpdated?: Maybe<Scalars['DateTime']['output']>;
  endTime?: Maybe<Scalars['String']['output']>;
  /** The calendar group. */
  groupId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  notes?: Maybe<Scalars['String']['output']>;
  startTime?: Maybe<Scalars['String']['output']>;
  status?: Maybe<Scalars['String']['output']>;
  title?: Maybe<Scalars['String']['output']>;
  /** Ids of the users taking part. */
  users?: Maybe<Array<Scalars['String']['output']>>;
};

/** What a bulk mutation did to one of the requested contacts. */
export type BulkContactOutcome = {
  __typename?: 'BulkContactOutcome';
  contactId: Scalars['ID']['output'];
  /** The upstream's message for this contact (why it failed, when it did). */
  message?: Maybe<Scalars['String']['output']>;
  /** true when the upstream changed this contact. */
  ok: Scalars['Boolean']['output'];
  /** Bulk tags: the contact's tags added by this call. */
  tagsAdded?: Maybe<Array<Scalars['String']['output']>>;
  /** Bulk tags: the contact's tags removed by this call. */
  tagsRemoved?: Maybe<Array<Scalars['String']['output']>>;
};

export type BulkContactsPayload = {
  __typename?: 'BulkContactsPayload';
  /** Contacts not changed (see their outcome's message). */
  failed: Scalars['Int']['output'];
  /** One outcome per requested contact id, in request order (duplicates once). */
  outcomes: Array<BulkContactOutcome>;
  /** Contacts changed. */
  succeeded: Scalars['Int']['output'];
};

/** What `updateContactsTags` does with the tags: POST /contacts/bulk/tags/update/add or …/remove. */
export type BulkTagAction =
  | 'ADD'
  | 'REMOVE';

export type Contact = {
  __typename?: 'Contact';
  /** Street address (HighLevel's address1). */
  address1?: Maybe<Scalars['String']['output']>;
  /** GET /contacts/:contactId/appointments */
  appointments?: Maybe<Array<Appointment>>;
  assignedTo?: Maybe<Scalars['String']['output']>;
  /** Where the contact first came from (HighLevel's attributionSource). */
  attribution?: Maybe<ContactAttribution>;
  businessId?: Maybe<Scalars['ID']['output']>;
  city?: Maybe<Scalars['String']['output']>;
  companyName?: Maybe<Scalars['String']['output']>;
  /** ISO 3166 country code, e.g. US. */
  country?: Maybe<Scalars['String']['output']>;
  customFields: Array<CustomFieldValue>;
  dateAdded?: Maybe<Scalars['DateTime']['output']>;
  /** As HighLevel stores it (an ISO date or date-time). */
  dateOfBirth?: Maybe<Scalars['String']['output']>;
  dateUpdated?: Maybe<Scalars['DateTime']['output']>;
  dnd?: Maybe<Scalars['Boolean']['output']>;
  /** Per-channel do-not-disturb settings (empty when none are set). */
  dndSettings: Array<DndChannelSetting>;
  email?: Maybe<Scalars['String']['output']>;
  firstName?: Maybe<Scalars['String']['output']>;
  /** User ids following the contact. */
  followers: Array<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  /** The contact's last activity in HighLevel. */
  lastActivity?: Maybe<Scalars['DateTime']['output']>;
  lastName?: Maybe<Scalars['String']['output']>;
  locationId: Scalars['ID']['output'];
  name?: Maybe<Scalars['String']['output']>;
  /** GET /contacts/:contactId/notes/:id (served from the note list when loaded) */
  note?: Maybe<Note>;
  /** GET /contacts/:contactId/notes */
  notes?: Maybe<Array<Note>>;
  phone?: Maybe<Scalars['String']['output']>;
  postalCode?: Maybe<Scalars['String']['output']>;
  source?: Maybe<Scalars['String']['output']>;
  state?: Maybe<Scalars['String']['output']>;
  /** Open and overdue tasks, next appointment, latest note and last activity, from the same loaders as the relations. */
  summary: ContactSummary;
  tags: Array<Scalars['String']['output']>;
  /** GET /contacts/:contactId/tasks/:taskId (served from the task list when loaded) */
  task?: Maybe<Task>;
  /** GET /contacts/:contactId/tasks */
  tasks?: Maybe<Array<Task>>;
  timezone?: Maybe<Scalars['String']['output']>;
  type?: Maybe<Scalars['String']['output']>;
  website?: Maybe<Scalars['String']['output']>;
};


export type ContactNoteArgs = {
  id: Scalars['ID']['input'];
};


export type ContactTaskArgs = {
  id: Scalars['ID']['input'];
};

/** Where the contact first came from (HighLevel's attributionSource). */
export type ContactAttribution = {
  __typename?: 'ContactAttribution';
  campaign?: Maybe<Scalars['String']['output']>;
  campaignId?: Maybe<Scalars['String']['output']>;
  medium?: Maybe<Scalars['String']['output']>;
  mediumId?: Maybe<Scalars['String']['output']>;
  referrer?: Maybe<Scalars['String']['output']>;
  url?: Maybe<Scalars['String']['output']>;
  utmContent?: Maybe<Scalars['String']['output']>;
  utmMedium?: Maybe<Scalars['String']['output']>;
  utmSource?: Maybe<Scalars['String']['output']>;
};

export type ContactConnection = {
  __typename?: 'ContactConnection';
  edges: Array<ContactEdge>;
  nodes: Array<Contact>;
  pageInfo: PageInfo;
  /** Total matching contacts as reported by the upstream. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

export type ContactEdge = {
  __typename?: 'ContactEdge';
  cursor: Scalars['String']['output'];
  node: Contact;
};

/** One change: a HighLevel webhook (verified, de-duplicated, applied to the cache) or the gateway's own announcement of it (see `source`). */
export type ContactEvent = {
  __typename?: 'ContactEvent';
  appointment?: Maybe<Appointment>;
  contact?: Maybe<Contact>;
  /** null only when HighLevel left it out (a known TaskCreate quirk). */
  contactId?: Maybe<Scalars['ID']['output']>;
  locationId: Scalars['ID']['output'];
  note?: Maybe<Note>;
  /** The webhook's `timestamp` (time of receipt when it had none). */
  occurredAt: Scalars['DateTime']['output'];
  /** GATEWAY (the gateway's own announcement) or WEBHOOK (HighLevel's); see EventSource. */
  source: EventSource;
  task?: Maybe<Task>;
  type: ContactEventType;
  /** HighLevel's delivery id (or a hash of the body when HighLevel sent none); `gateway:<uuid>` for GATEWAY events. */
  webhookId: Scalars['ID']['output'];
};

/** The HighLevel webhook events the gateway republishes (ContactCreate → CONTACT_CREATE, …), plus TASK_UPDATE, which HighLevel does not send: the gateway publishes it for its own task edits and when a refetched task list shows an edit made in HighLevel. */
export type ContactEventType =
  | 'APPOINTMENT_CREATE'
  | 'APPOINTMENT_DELETE'
  | 'APPOINTMENT_UPDATE'
  | 'CONTACT_CREATE'
  | 'CONTACT_DELETE'
  | 'CONTACT_DND_UPDATE'
  | 'CONTACT_TAG_UPDATE'
  | 'CONTACT_UPDATE'
  | 'NOTE_CREATE'
  | 'NOTE_DELETE'
  | 'NOTE_UPDATE'
  | 'TASK_COMPLETE'
  | 'TASK_CREATE'
  | 'TASK_DELETE'
  | 'TASK_UPDATE';

/** The consolidated view of a contact, computed from the same loaders and cache as its relations: each field loads only the relation it needs. */
export type ContactSummary = {
  __typename?: 'ContactSummary';
  /** The latest of the contact's own update time, its latest note and its latest appointment change (needs the notes and appointments lists). */
  lastActivityAt?: Maybe<Scalars['DateTime']['output']>;
  /** The most recently added note (needs the notes list). */
  latestNote?: Maybe<Note>;
  /** The soonest appointment that has not started and is not cancelled (needs the appointments list). */
  nextAppointment?: Maybe<Appointment>;
  /** Tasks not completed (needs the tasks list). */
  openTaskCount: Scalars['Int']['output'];
  /** Open tasks, soonest due first (needs the tasks list). */
  openTasks: Array<Task>;
  /** Open tasks whose due date has passed (needs the tasks list). */
  overdueTaskCount: Scalars['Int']['output'];
};

export type CreateContactInput = {
  /** Street address (HighLevel's address1). */
  address1?: InputMaybe<Scalars['String']['input']>;
  /** The id of the user the contact is assigned to. */
  assignedTo?: InputMaybe<Scalars['String']['input']>;
  city?: InputMaybe<Scalars['String']['input']>;
  companyName?: InputMaybe<Scalars['String']['input']>;
  /** ISO 3166 two-letter country code, e.g. US. */
  country?: InputMaybe<Scalars['String']['input']>;
  customFields?: InputMaybe<Array<CustomFieldInput>>;
  /** A date like 1990-09-25. */
  dateOfBirth?: InputMaybe<Scalars['String']['input']>;
  /** Do not disturb on every channel. */
  dnd?: InputMaybe<Scalars['Boolean']['input']>;
  /** Per-channel do-not-disturb (each channel at most once). */
  dndSettings?: InputMaybe<Array<DndChannelSettingInput>>;
  /** An email address like name@example.com. */
  email?: InputMaybe<Scalars['String']['input']>;
  firstName?: InputMaybe<Scalars['String']['input']>;
  lastName?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  /** E.164 form: + and country code, e.g. +14155550123. */
  phone?: InputMaybe<Scalars['String']['input']>;
  postalCode?: InputMaybe<Scalars['String']['input']>;
  source?: InputMaybe<Scalars['String']['input']>;
  state?: InputMaybe<Scalars['String']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  /** An IANA time zone, e.g. America/New_York. */
  timezone?: InputMaybe<Scalars['String']['input']>;
  /** A URL like https://example.com. */
  website?: InputMaybe<Scalars['String']['input']>;
};

export type CreateNoteInput = {
  /** The note's text (1 to 10,000 characters). */
  body: Scalars['String']['input'];
  title?: InputMaybe<Scalars['String']['input']>;
  /** The id of the user who wrote the note. */
  userId?: InputMaybe<Scalars['String']['input']>;
};

export type CreateTaskInput = {
  assignedTo?: InputMaybe<Scalars['String']['input']>;
  body?: InputMaybe<Scalars['String']['input']>;
  completed?: InputMaybe<Scalars['Boolean']['input']>;
  /** ISO-8601 date-time, e.g. 2026-01-31T17:00:00Z. */
  dueDate: Scalars['DateTime']['input'];
  /** Non-blank. */
  title: Scalars['String']['input'];
};

/** A custom field value to write: exactly one of `id` or `key`. */
export type CustomFieldInput = {
  /** The custom field's id. */
  id?: InputMaybe<Scalars['ID']['input']>;
  /** The custom field's key, e.g. `contact.favourite_colour`. */
  key?: InputMaybe<Scalars['String']['input']>;
  value?: InputMaybe<Scalars['String']['input']>;
};

export type CustomFieldValue = {
  __typename?: 'CustomFieldValue';
  id: Scalars['ID']['output'];
  value?: Maybe<Scalars['String']['output']>;
};

/** A channel of HighLevel's per-channel do-not-disturb. */
export type DndChannel =
  | 'Call'
  | 'Email'
  | 'FB'
  | 'GMB'
  | 'SMS'
  | 'WhatsApp';

/** Do-not-disturb for one channel (Call, Email, SMS, WhatsApp, GMB, FB). */
export type DndChannelSetting = {
  __typename?: 'DndChannelSetting';
  /** The channel as HighLevel names it: Call, Email, SMS, WhatsApp, GMB or FB. */
  channel: Scalars['String']['output'];
  code?: Maybe<Scalars['String']['output']>;
  message?: Maybe<Scalars['String']['output']>;
  /** active, inactive or permanent. */
  status: Scalars['String']['output'];
};

/** Do-not-disturb for one channel; channels not listed are left as they are. */
export type DndChannelSettingInput = {
  channel: DndChannel;
  code?: InputMaybe<Scalars['String']['input']>;
  message?: InputMaybe<Scalars['String']['input']>;
  status: DndStatus;
};

export type DndStatus =
  | 'ACTIVE'
  | 'INACTIVE'
  | 'PERMANENT';

/** Who published an event. GATEWAY: this gateway, right after its own successful write (before HighLevel's webhook), or for a change it found on revalidation (TASK_UPDATE). WEBHOOK: HighLevel's webhook. A change is delivered once: when the gateway announced a write, HighLevel's webhook for it is recognised (same type and resource) and not delivered again; when the webhook came first, the gateway's announcement is the one dropped. */
export type EventSource =
  | 'GATEWAY'
  | 'WEBHOOK';

export type Mutation = {
  __typename?: 'Mutation';
  /** POST /contacts/:contactId/followers: adds followers (user ids); returns the contact's followers. */
  addContactFollowers: Array<Scalars['ID']['output']>;
  /** POST /contacts/:contactId/tags: adds tags; returns the contact's tag set. */
  addContactTags: Array<Scalars['String']['output']>;
  /** POST /contacts/:contactId/campaigns/:campaignId: enrols the contact in the campaign. */
  addContactToCampaign: Scalars['Boolean']['output'];
  /** POST /contacts/:contactId/workflow/:workflowId: enrols the contact in the workflow, starting at eventStartTime when given. */
  addContactToWorkflow: Scalars['Boolean']['output'];
  /** PUT /contacts/:contactId/tasks/:taskId/completed. */
  completeTask: Task;
  /** POST /contacts/. A duplicate (email/phone) is CONFLICT with extensions.existingContactId. */
  createContact: Contact;
  /** POST /contacts/:contactId/notes. */
  createNote: Note;
  /** POST /contacts/:contactId/tasks. */
  createTask: Task;
  /** DELETE /contacts/:contactId. */
  deleteContact: Scalars['Boolean']['output'];
  /** DELETE /contacts/:contactId/notes/:id. */
  deleteNote: Scalars['Boolean']['output'];
  /** DELETE /contacts/:contactId/tasks/:taskId. */
  deleteTask: Scalars['Boolean']['output'];
  /** DELETE /contacts/:contactId/followers: removes followers; returns the contact's followers left. */
  removeContactFollowers: Array<Scalars['ID']['output']>;
  /** DELETE /contacts/:contactId/campaigns/removeAll: removes the contact from every campaign. */
  removeContactFromAllCampaigns: Scalars['Boolean']['output'];
  /** DELETE /contacts/:contactId/campaigns/:campaignId: removes the contact from the campaign. */
  removeContactFromCampaign: Scalars['Boolean']['output'];
  /** DELETE /contacts/:contactId/workflow/:workflowId: removes the contact from the workflow. */
  removeContactFromWorkflow: Scalars['Boolean']['output'];
  /** DELETE /contacts/:contactId/tags: removes tags; returns the tags the contact has left. */
  removeContactTags: Array<Scalars['String']['output']>;
  /** POST /contacts/bulk/business: links up to 100 contacts to a business (null removes their business); one outcome per contact (the upstream skips unknown ids and other locations' contacts). */
  setContactsBusiness: BulkContactsPayload;
  /** PUT /contacts/:contactId. With ifUnmodifiedSince, the contact's dateUpdated is read fresh from the upstream first; if it is later, CONFLICT (extensions.current) and nothing is written. */
  updateContact: Contact;
  /** POST /contacts/bulk/tags/update/:type: adds or removes tags on up to 100 contacts at once; one outcome per contact (a contact of another location, or an unknown id, fails alone). */
  updateContactsTags: BulkContactsPayload;
  /** PUT /contacts/:contactId/notes/:id. */
  updateNote: Note;
  /** PUT /contacts/:contactId/tasks/:taskId. With ifMatch, the task is read fresh first; if any expected value differs, CONFLICT (extensions.current) and nothing is written. */
  updateTask: Task;
  /** POST /contacts/upsert: updates the location's contact with the same email (else phone) or creates one; `created` says which. Needs an email or a phone. */
  upsertContact: UpsertContactPayload;
};


export type MutationAddContactFollowersArgs = {
  contactId: Scalars['ID']['input'];
  followers: Array<Scalars['ID']['input']>;
};


export type MutationAddContactTagsArgs = {
  contactId: Scalars['ID']['input'];
  tags: Array<Scalars['String']['input']>;
};


export type MutationAddContactToCampaignArgs = {
  campaignId: Scalars['ID']['input'];
  contactId: Scalars['ID']['input'];
};


export type MutationAddContactToWorkflowArgs = {
  contactId: Scalars['ID']['input'];
  eventStartTime?: InputMaybe<Scalars['DateTime']['input']>;
  workflowId: Scalars['ID']['input'];
};


export type MutationCompleteTaskArgs = {
  completed?: Scalars['Boolean']['input'];
  contactId: Scalars['ID']['input'];
  taskId: Scalars['ID']['input'];
};


export type MutationCreateContactArgs = {
  input: CreateContactInput;
};


export type MutationCreateNoteArgs = {
  contactId: Scalars['ID']['input'];
  input: CreateNoteInput;
};


export type MutationCreateTaskArgs = {
  contactId: Scalars['ID']['input'];
  input: CreateTaskInput;
};


export type MutationDeleteContactArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteNoteArgs = {
  contactId: Scalars['ID']['input'];
  noteId: Scalars['ID']['input'];
};


export type MutationDeleteTaskArgs = {
  contactId: Scalars['ID']['input'];
  taskId: Scalars['ID']['input'];
};


export type MutationRemoveContactFollowersArgs = {
  contactId: Scalars['ID']['input'];
  followers: Array<Scalars['ID']['input']>;
};


export type MutationRemoveContactFromAllCampaignsArgs = {
  contactId: Scalars['ID']['input'];
};


export type MutationRemoveContactFromCampaignArgs = {
  campaignId: Scalars['ID']['input'];
  contactId: Scalars['ID']['input'];
};


export type MutationRemoveContactFromWorkflowArgs = {
  contactId: Scalars['ID']['input'];
  workflowId: Scalars['ID']['input'];
};


export type MutationRemoveContactTagsArgs = {
  contactId: Scalars['ID']['input'];
  tags: Array<Scalars['String']['input']>;
};


export type MutationSetContactsBusinessArgs = {
  businessId?: InputMaybe<Scalars['ID']['input']>;
  contactIds: Array<Scalars['ID']['input']>;
};


export type MutationUpdateContactArgs = {
  id: Scalars['ID']['input'];
  ifUnmodifiedSince?: InputMaybe<Scalars['DateTime']['input']>;
  input: UpdateContactInput;
};


export type MutationUpdateContactsTagsArgs = {
  action: BulkTagAction;
  contactIds: Array<Scalars['ID']['input']>;
  removeAllTags?: Scalars['Boolean']['input'];
  tags: Array<Scalars['String']['input']>;
};


export type MutationUpdateNoteArgs = {
  contactId: Scalars['ID']['input'];
  input: UpdateNoteInput;
  noteId: Scalars['ID']['input'];
};


export type MutationUpdateTaskArgs = {
  contactId: Scalars['ID']['input'];
  ifMatch?: InputMaybe<TaskPreconditionInput>;
  input: UpdateTaskInput;
  taskId: Scalars['ID']['input'];
};


export type MutationUpsertContactArgs = {
  input: CreateContactInput;
};

export type Note = {
  __typename?: 'Note';
  body: Scalars['String']['output'];
  /** The note's colour in HighLevel's UI. */
  color?: Maybe<Scalars['String']['output']>;
  contact?: Maybe<Contact>;
  contactId: Scalars['ID']['output'];
  dateAdded?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** Pinned to the top of the contact's notes. */
  pinned?: Maybe<Scalars['Boolean']['output']>;
  title?: Maybe<Scalars['String']['output']>;
  userId?: Maybe<Scalars['String']['output']>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** GET /contacts/:contactId; null when the upstream has no such contact. */
  contact?: Maybe<Contact>;
  /** GET /contacts/ (newest first), paged with both upstream cursor parts. */
  contacts: ContactConnection;
  /** GET /contacts/business/:businessId, paged by skip/limit. */
  contactsByBusiness: ContactConnection;
  /** Contacts ordered by what needs attention: most overdue tasks first, then the soonest next appointment. `query` searches like `contacts`; `tags` keeps contacts carrying at least one of them (case-insensitive). Costs the contacts page plus, per contact, its tasks and appointments (and notes when selected). */
  dashboard: Array<Contact>;
  /** GET /contacts/search/duplicate: the contact this location would treat as a duplicate of the email (checked first) or phone; null when there is none. Read fresh, never from the cache. */
  duplicateContact?: Maybe<Contact>;
  /** The verified caller: subject, location and scopes of its token. */
  viewer: Viewer;
};


export type QueryContactArgs = {
  id: Scalars['ID']['input'];
};


export type QueryContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};


export type QueryContactsByBusinessArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  businessId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};


export type QueryDashboardArgs = {
  first?: Scalars['Int']['input'];
  query?: InputMaybe<Scalars['String']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
};


export type QueryDuplicateContactArgs = {
  email?: InputMaybe<Scalars['String']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Every event of the caller's location; narrowed to the given contacts and/or types when set. Fields resolve through the same loaders and cache as queries. */
  contactEvents: ContactEvent;
};


export type SubscriptionContactEventsArgs = {
  contactIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  types?: InputMaybe<Array<ContactEventType>>;
};

export type Task = {
  __typename?: 'Task';
  assignedTo?: Maybe<Scalars['String']['output']>;
  body?: Maybe<Scalars['String']['output']>;
  completed: Scalars['Boolean']['output'];
  contact?: Maybe<Contact>;
  contactId: Scalars['ID']['output'];
  dueDate?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  title: Scalars['String']['output'];
};

/** Expected current values of the task: the update is applied only if every given field still has this value (read fresh from the upstream); otherwise CONFLICT with the current task in extensions. */
export type TaskPreconditionInput = {
  assignedTo?: InputMaybe<Scalars['String']['input']>;
  body?: InputMaybe<Scalars['String']['input']>;
  completed?: InputMaybe<Scalars['Boolean']['input']>;
  dueDate?: InputMaybe<Scalars['DateTime']['input']>;
  title?: InputMaybe<Scalars['String']['input']>;
};

/** Fields to change; absent or null fields are left as they are. `tags` replaces all tags (use addContactTags to add). */
export type UpdateContactInput = {
  /** Street address (HighLevel's address1). */
  address1?: InputMaybe<Scalars['String']['input']>;
  assignedTo?: InputMaybe<Scalars['String']['input']>;
  city?: InputMaybe<Scalars['String']['input']>;
  /** ISO 3166 two-letter country code, e.g. US. */
  country?: InputMaybe<Scalars['String']['input']>;
  customFields?: InputMaybe<Array<CustomFieldInput>>;
  /** A date like 1990-09-25. */
  dateOfBirth?: InputMaybe<Scalars['String']['input']>;
  /** Do not disturb on every channel. */
  dnd?: InputMaybe<Scalars['Boolean']['input']>;
  /** Per-channel do-not-disturb (each channel at most once). */
  dndSettings?: InputMaybe<Array<DndChannelSettingInput>>;
  /** An email address like name@example.com. */
  email?: InputMaybe<Scalars['String']['input']>;
  firstName?: InputMaybe<Scalars['String']['input']>;
  lastName?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  /** E.164 form: + and country code, e.g. +14155550123. */
  phone?: InputMaybe<Scalars['String']['input']>;
  postalCode?: InputMaybe<Scalars['String']['input']>;
  source?: InputMaybe<Scalars['String']['input']>;
  state?: InputMaybe<Scalars['String']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  /** An IANA time zone, e.g. America/New_York. */
  timezone?: InputMaybe<Scalars['String']['input']>;
  /** A URL like https://example.com. */
  website?: InputMaybe<Scalars['String']['input']>;
};

/** Fields to change; absent or null fields are left as they are. */
export type UpdateNoteInput = {
  body?: InputMaybe<Scalars['String']['input']>;
  title?: InputMaybe<Scalars['String']['input']>;
};

/** Fields to change; absent or null fields are left as they are. */
export type UpdateTaskInput = {
  assignedTo?: InputMaybe<Scalars['String']['input']>;
  body?: InputMaybe<Scalars['String']['input']>;
  completed?: InputMaybe<Scalars['Boolean']['input']>;
  dueDate?: InputMaybe<Scalars['DateTime']['input']>;
  title?: InputMaybe<Scalars['String']['input']>;
};

export type UpsertContactPayload = {
  __typename?: 'UpsertContactPayload';
  contact: Contact;
  /** true when a new contact was created, false when an existing one (same email or phone) was updated. */
  created: Scalars['Boolean']['output'];
};

export type Viewer = {
  __typename?: 'Viewer';
  locationId: Scalars['ID']['output'];
  scopes: Array<Scalars['String']['output']>;
  subject?: Maybe<Scalars['String']['output']>;
};

export type BusinessContactsQueryVariables = Exact<{
  businessId: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type BusinessContactsQuery = { contactsByBusiness: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string | null, companyName: string | null, tasks: Array<{ id: string, title: string, dueDate: string | null, completed: boolean }> | null }> } };

export type ContactDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type ContactDetailQuery = { contact: { id: string, locationId: string, name: string | null, firstName: string | null, lastName: string | null, email: string | null, phone: string | null, companyName: string | null, businessId: string | null, tags: Array<string>, source: string | null, type: string | null, dnd: boolean | null, assignedTo: string | null, timezone: string | null, dateAdded: string | null, dateUpdated: string | null, customFields: Array<{ id: string, value: string | null }>, tasks: Array<{ id: string, title: string, body: string | null, dueDate: string | null, completed: boolean, assignedTo: string | null }> | null, notes: Array<{ id: string, body: string, userId: string | null, dateAdded: string | null }> | null, appointments: Array<{ id: string, calendarId: string | null, title: string | null, status: string | null, appointmentStatus: string | null, startTime: string | null, endTime: string | null, address: string | null, assignedUserId: string | null }> | null } | null };

export type ContactsDashboardQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type ContactsDashboardQuery = { viewer: { locationId: string, scopes: Array<string> }, contacts: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string | null, email: string | null, tags: Array<string>, tasks: Array<{ id: string, title: string, dueDate: string | null, completed: boolean }> | null, notes: Array<{ id: string, body: string, dateAdded: string | null }> | null, appointments: Array<{ id: string, title: string | null, startTime: string | null, appointmentStatus: string | null }> | null }> } };

export type ContactsPageQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  query?: string | null | undefined;
}>;


export type ContactsPageQuery = { contacts: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string | null, email: string | null, phone: string | null, companyName: string | null, tags: Array<string>, dateAdded: string | null } }> } };

export type DuplicateContactQueryVariables = Exact<{
  email?: string | null | undefined;
  phone?: string | null | undefined;
}>;


export type DuplicateContactQuery = { duplicateContact: { id: string, name: string | null, email: string | null, phone: string | null } | null };

export type TaskWithContactQueryVariables = Exact<{
  contactId: string | number;
  taskId: string | number;
}>;


export type TaskWithContactQuery = { contact: { id: string, name: string | null, task: { id: string, title: string, dueDate: string | null, completed: boolean, contact: { id: string, name: string | null, email: string | null } | null } | null } | null };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { subject: string | null, locationId: string, scopes: Array<string> } };


export const BusinessContactsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BusinessContacts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"businessId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"25"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contactsByBusiness"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"businessId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"businessId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"companyName"}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"dueDate"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}}]}}]}}]}}]}}]} as unknown as DocumentNode<BusinessContactsQuery, BusinessContactsQueryVariables>;
export const ContactDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ContactDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contact"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"locationId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"firstName"}},{"kind":"Field","name":{"kind":"Name","value":"lastName"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"companyName"}},{"kind":"Field","name":{"kind":"Name","value":"businessId"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"dnd"}},{"kind":"Field","name":{"kind":"Name","value":"assignedTo"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"dateAdded"}},{"kind":"Field","name":{"kind":"Name","value":"dateUpdated"}},{"kind":"Field","name":{"kind":"Name","value":"customFields"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"dueDate"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"assignedTo"}}]}},{"kind":"Field","name":{"kind":"Name","value":"notes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"dateAdded"}}]}},{"kind":"Field","name":{"kind":"Name","value":"appointments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"calendarId"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"appointmentStatus"}},{"kind":"Field","name":{"kind":"Name","value":"startTime"}},{"kind":"Field","name":{"kind":"Name","value":"endTime"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"assignedUserId"}}]}}]}}]}}]} as unknown as DocumentNode<ContactDetailQuery, ContactDetailQueryVariables>;
export const ContactsDashboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ContactsDashboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"locationId"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"contacts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"tasks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"dueDate"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"notes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"dateAdded"}}]}},{"kind":"Field","name":{"kind":"Name","value":"appointments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"startTime"}},{"kind":"Field","name":{"kind":"Name","value":"appointmentStatus"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ContactsDashboardQuery, ContactsDashboardQueryVariables>;
export const ContactsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ContactsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"20"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contacts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"companyName"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"dateAdded"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ContactsPageQuery, ContactsPageQueryVariables>;
export const DuplicateContactDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DuplicateContact"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"phone"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"duplicateContact"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"Argument","name":{"kind":"Name","value":"phone"},"value":{"kind":"Variable","name":{"kind":"Name","value":"phone"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}}]}}]}}]} as unknown as DocumentNode<DuplicateContactQuery, DuplicateContactQueryVariables>;
export const TaskWithContactDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TaskWithContact"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"contactId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"taskId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contact"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"contactId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"task"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"taskId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"dueDate"}},{"kind":"Field","name":{"kind":"Name","value":"completed"}},{"kind":"Field","name":{"kind":"Name","value":"contact"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}}]}}]}}]}}]} as unknown as DocumentNode<TaskWithContactQuery, TaskWithContactQueryVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"locationId"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;