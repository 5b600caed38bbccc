/**
 * The search inputs named in schema/schema.graphql: `ContactFilter` (tags, business, owner, type, DND, date
 * ranges, presence of email or phone, custom-field conditions, nested `and` / `or`) and
 * `ContactSort`. Plain shapes: contact-filter.translate.ts checks them and turns them into the
 * body of `POST /contacts/search`, naming the input path of anything the route cannot express.
 * Explicit type functions on every decorator.
 */
import { Field, ID, InputType } from "type-graphql";
import { DateTimeScalar, JSONScalar } from "../common/scalars.js";
import { ContactSortField, FieldOperator, SortDirection } from "./contact-filter.type.js";

@InputType("TagFilter", { description: "Tags are compared case-insensitively; each list holds 1 to 20 tags." })
export class TagFilter {
  @Field(() => [String], { nullable: true, description: "At least one of these tags." })
  any?: string[] | null;

  @Field(() => [String], { nullable: true, description: "Every one of these tags." })
  all?: string[] | null;

  @Field(() => [String], { nullable: true, description: "None of these tags." })
  none?: string[] | null;
}

@InputType("DateTimeRange", { description: "Both ends inclusive; at least one given." })
export class DateTimeRange {
  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date | null;
}

@InputType("CustomFieldCondition")
export class CustomFieldCondition {
  @Field(() => String, {
    description: "The field: its key (`contact.loan_amount` or `loan_amount`), its id, or a mapped field name of FIELD_MAPPING.",
  })
  key!: string;

  @Field(() => FieldOperator)
  operator!: FieldOperator;

  @Field(() => JSONScalar, { nullable: true, description: "RANGE: {gte, lte, gt, lt}; EXISTS and NOT_EXISTS: none." })
  value?: unknown;
}

@InputType("ContactFilter", { description: "Every given part must hold (AND); `or` holds when one of its filters does." })
export class ContactFilter {
  @Field(() => TagFilter, { nullable: true })
  tags?: TagFilter | null;

  @Field(() => ID, { nullable: true })
  businessId?: string | null;

  @Field(() => [ID], { nullable: true, description: "Assigned to one of these users." })
  assignedTo?: string[] | null;

  @Field(() => String, { nullable: true, description: "The contact type, e.g. lead or customer." })
  type?: string | null;

  @Field(() => Boolean, { nullable: true })
  dnd?: boolean | null;

  @Field(() => DateTimeRange, { nullable: true })
  dateAdded?: DateTimeRange | null;

  @Field(() => DateTimeRange, { nullable: true })
  dateUpdated?: DateTimeRange | null;

  @Field(() => Boolean, { nullable: true, description: "true: has an email address; false: has none." })
  hasEmail?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "true: has a phone number; false: has none." })
  hasPhone?: boolean | null;

  @Field(() => [CustomFieldCondition], { nullable: true })
  customFields?: CustomFieldCondition[] | null;

  @Field(() => [ContactFilter], { nullable: true, description: "Every one of these filters holds." })
  and?: ContactFilter[] | null;

  @Field(() => [ContactFilter], { nullable: true, description: "At least one of these filters holds." })
  or?: ContactFilter[] | null;
}

@InputType("ContactSort")
export class ContactSort {
  @Field(() => ContactSortField)
  field!: ContactSortField;

  @Field(() => SortDirection, { defaultValue: SortDirection.DESC })
  direction!: SortDirection;
}
