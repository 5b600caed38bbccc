/**
 * The read routes the loaders need, as a structural slice of `ContactsClient` (src/upstream): the
 * loaders depend on this shape only, so tests and embedders can hand in any implementation.
 */
import type {
  BulkPlan,
  BusinessContactsPage,
  ContactListPage,
  ListBusinessContactsParams,
  ListContactsParams,
  SearchContactsBody,
  SearchContactsPage,
  UpstreamCalendar,
  UpstreamContact,
  UpstreamCustomFieldDefinition,
  UpstreamLocationTag,
} from "../upstream/contacts.types.js";
import type { PerContactResource } from "../upstream/resources.js";
import type { OperationDeadline } from "../upstream/deadline.js";

export interface ContactsReadClient {
  /** The same client for one operation, its calls bounded by `deadline` (ContactsClient has it; fakes may not). */
  withDeadline?(deadline: OperationDeadline): ContactsReadClient;
  getContact(locationId: string, contactId: string): Promise<UpstreamContact>;
  /** A contact's list of any per-contact resource of the registry, normalised. */
  listOf<T extends { id: string }>(resource: PerContactResource<T>, locationId: string, contactId: string): Promise<T[]>;
  /**
   * Many contacts' lists through the resource's bulk route; a contact the read cannot answer for
   * certain is left out (read it per contact). A read through calendars needs `plan.calendarIds`.
   */
  bulkListsOf?<T extends { id: string }>(resource: PerContactResource<T>, locationId: string, contactIds: readonly string[], plan?: BulkPlan): Promise<Map<string, T[]>>;
  /** The location's calendars, for a resource read through them (`bulk.via === "calendars"`). */
  calendarsOf?(resource: PerContactResource, locationId: string): Promise<UpstreamCalendar[]>;
  /** One item of a per-contact resource by id, normalised. */
  itemOf<T extends { id: string }>(resource: PerContactResource<T>, locationId: string, contactId: string, itemId: string): Promise<T>;
  listContacts(locationId: string, params: ListContactsParams): Promise<ContactListPage>;
  listBusinessContacts(
    locationId: string,
    businessId: string,
    params: ListBusinessContactsParams,
  ): Promise<BusinessContactsPage>;
  findDuplicateContact(locationId: string, lookup: { email?: string | undefined; phone?: string | undefined }): Promise<UpstreamContact | null>;
  searchContacts(locationId: string, body: SearchContactsBody): Promise<SearchContactsPage>;
  listCustomFieldDefinitions(locationId: string): Promise<UpstreamCustomFieldDefinition[]>;
  listLocationTags(locationId: string): Promise<UpstreamLocationTag[]>;
}
