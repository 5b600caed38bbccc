/**
 * The read routes the loaders need, as a structural slice of `ContactsClient` (src/upstream): the
 * loaders depend on this shape only, so tests and embedders can hand in any implementation.
 */
import type {
  BusinessContactsPage,
  ContactListPage,
  ListBusinessContactsParams,
  ListContactsParams,
  UpstreamAppointment,
  UpstreamContact,
  UpstreamNote,
  UpstreamTask,
} from "../upstream/contacts.types.js";

export interface ContactsReadClient {
  getContact(locationId: string, contactId: string): Promise<UpstreamContact>;
  listTasks(locationId: string, contactId: string): Promise<UpstreamTask[]>;
  getTask(locationId: string, contactId: string, taskId: string): Promise<UpstreamTask>;
  listNotes(locationId: string, contactId: string): Promise<UpstreamNote[]>;
  getNote(locationId: string, contactId: string, noteId: string): Promise<UpstreamNote>;
  listAppointments(locationId: string, contactId: string): Promise<UpstreamAppointment[]>;
  listContacts(locationId: string, params: ListContactsParams): Promise<ContactListPage>;
  listBusinessContacts(
    locationId: string,
    businessId: string,
    params: ListBusinessContactsParams,
  ): Promise<BusinessContactsPage>;
}
