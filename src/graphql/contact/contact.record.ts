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

/** List-item fields never answered as they are (mapped to `name`/`firstName`/`lastName`, or lower-cased). */
const LIST_ITEM_RAW: ReadonlySet<string> = new Set(["contactName", "firstName", "lastName", "firstNameRaw", "lastNameRaw"]);
const NONE: ReadonlySet<string> = new Set();

export class ContactRecord {
  private constructor(
    readonly id: string,
    readonly locationId: string,
    readonly origin: "full" | "list",
    /** The upstream object as it arrived (shared with the cache: never copied or changed here). */
    private readonly data: Readonly<Record<string, unknown>>,
    /** A list item's mapped fields (`name`, `firstName`, `lastName`, `locationId`); they win over `data`. */
    private readonly mapped: Readonly<Record<string, unknown>> | undefined = undefined,
    /** List fields whose list form cannot be trusted (only a lower-cased name came back). */
    private readonly unknown: ReadonlySet<string> = NONE,
  ) {}

  static fromContact(contact: UpstreamContact): ContactRecord {
    return new ContactRecord(contact.id, contact.locationId, "full", contact);
  }

  /** `locationId` is the location the list was read for (items may omit it). */
  static fromListItem(item: UpstreamContactListItem, locationId: string): ContactRecord {
    // Built per list item per operation: only the few mapped fields are copied, not the item.
    const { contactName, firstName: lowerFirst, lastName: lowerLast, firstNameRaw, lastNameRaw } = item;
    const mapped: Record<string, unknown> = { locationId: item.locationId ?? locationId };
    let unknown: Set<string> | undefined;
    if (typeof contactName === "string") mapped["name"] = contactName === "" ? null : contactName;
    else if (!("name" in item)) (unknown ??= new Set()).add("name");
    // The plain firstName/lastName of a list item are lower-cased: never answer with them.
    if (firstNameRaw !== undefined) mapped["firstName"] = firstNameRaw;
    else if (lowerFirst !== undefined && lowerFirst !== null) (unknown ??= new Set()).add("firstName");
    if (lastNameRaw !== undefined) mapped["lastName"] = lastNameRaw;
    else if (lowerLast !== undefined && lowerLast !== null) (unknown ??= new Set()).add("lastName");
    return new ContactRecord(item.id, mapped["locationId"] as string, "list", item as unknown as Record<string, unknown>, mapped, unknown ?? NONE);
  }

  /** The record's own value of `field` (undefined: it has none). */
  private own(field: string): unknown {
    if (this.mapped && Object.hasOwn(this.mapped, field)) return this.mapped[field];
    return this.mapped && LIST_ITEM_RAW.has(field) ? undefined : this.data[field];
  }

  /** True when this record can answer `field` without loading the full contact. */
  has(field: ContactField): boolean {
    if (this.origin === "full" || (this.mapped && Object.hasOwn(this.mapped, field))) return true;
    if (!LIST_ITEM_RAW.has(field) && Object.hasOwn(this.data, field)) return true;
    return LIST_ITEM_FIELDS.has(field) && !this.unknown.has(field);
  }

  /**
   * The field's value: at once when the record has it (no promise per field: most fields of a
   * page are answered this way), else a promise of it from the full contact.
   */
  read(field: ContactField, loaders: Loaders): unknown {
    if (this.has(field)) return this.own(field) ?? null;
    return loaders.contact.load(this.id).then((full) => full?.[field] ?? null);
  }

  /** `read`, then `map` (synchronously when the value was at hand). */
  readAs<T>(field: ContactField, loaders: Loaders, map: (value: unknown) => T): T | Promise<T> {
    const value = this.read(field, loaders);
    return value instanceof Promise ? value.then(map) : map(value);
  }
}
