/**
 * What a `Contact` field resolves from. A contact by id is authoritative (`origin: "full"`). An
 * item of `GET /contacts/` or `/contacts/business/:id` is leaner (FACTS.md): it is mapped
 * (`contactName` → `name`, `firstNameRaw`/`lastNameRaw` → `firstName`/`lastName`, the lower-cased
 * ones dropped) and kept as `origin: "list"`. A field a list item does not carry is read from
 * the full contact through the loader — never answered with a false null — and a list item is
 * never stored as a full contact.
 */
import type { UpstreamContact, UpstreamContactListItem } from "../../upstream/contacts.types.js";
import type { Loaders } from "../../loaders/index.js";

export type ContactField = Exclude<keyof UpstreamContact, number>;

/**
 * Fields a list item carries (FACTS.md "List items differ"). Upstreams omit null values, so an
 * absent one of these means null, not unknown. Any other field (e.g. `timezone`) needs the full contact.
 */
export const LIST_ITEM_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "locationId",
  "name",
  "firstName",
  "lastName",
  "email",
  "phone",
  "companyName",
  "tags",
  "dateAdded",
  "dateUpdated",
  "assignedTo",
  "dnd",
  "type",
  "source",
  "businessId",
  "customFields",
  "followers",
]);

export class ContactRecord {
  private constructor(
    readonly id: string,
    readonly locationId: string,
    readonly origin: "full" | "list",
    private readonly data: Readonly<Record<string, unknown>>,
    /** List fields whose list form cannot be trusted (only a lower-cased name came back). */
    private readonly unknown: ReadonlySet<string> = new Set(),
  ) {}

  static fromContact(contact: UpstreamContact): ContactRecord {
    return new ContactRecord(contact.id, contact.locationId, "full", contact);
  }

  /** `locationId` is the location the list was read for (items may omit it). */
  static fromListItem(item: UpstreamContactListItem, locationId: string): ContactRecord {
    const { contactName, firstName: lowerFirst, lastName: lowerLast, firstNameRaw, lastNameRaw, ...rest } = item;
    const data: Record<string, unknown> = { ...rest, locationId: item.locationId ?? locationId };
    const unknown = new Set<string>();
    if (typeof contactName === "string") data["name"] = contactName === "" ? null : contactName;
    else if (!("name" in item)) unknown.add("name");
    // The plain firstName/lastName of a list item are lower-cased: never answer with them.
    if (firstNameRaw !== undefined) data["firstName"] = firstNameRaw;
    else if (lowerFirst !== undefined && lowerFirst !== null) unknown.add("firstName");
    if (lastNameRaw !== undefined) data["lastName"] = lastNameRaw;
    else if (lowerLast !== undefined && lowerLast !== null) unknown.add("lastName");
    return new ContactRecord(item.id, data["locationId"] as string, "list", data, unknown);
  }

  /** True when this record can answer `field` without loading the full contact. */
  has(field: ContactField): boolean {
    if (this.origin === "full" || Object.hasOwn(this.data, field)) return true;
    return LIST_ITEM_FIELDS.has(field) && !this.unknown.has(field);
  }

  /**
   * The field's value: at once when the record has it (no promise per field: most fields of a
   * page are answered this way), else a promise of it from the full contact.
   */
  read(field: ContactField, loaders: Loaders): unknown {
    if (this.has(field)) return this.data[field] ?? null;
    return loaders.contact.load(this.id).then((full) => full?.[field] ?? null);
  }

  /** `read`, then `map` (synchronously when the value was at hand). */
  readAs<T>(field: ContactField, loaders: Loaders, map: (value: unknown) => T): T | Promise<T> {
    const value = this.read(field, loaders);
    return value instanceof Promise ? value.then(map) : map(value);
  }
}
