/**
 * The enums of contact search (schema/schema.graphql): custom-field operators and sort fields and
 * directions. Their upstream names (FACTS.md "Search") are in contact-filter.translate.ts.
 */
import { registerEnumType } from "type-graphql";

export enum FieldOperator {
  EQ = "EQ",
  NOT_EQ = "NOT_EQ",
  CONTAINS = "CONTAINS",
  NOT_CONTAINS = "NOT_CONTAINS",
  EXISTS = "EXISTS",
  NOT_EXISTS = "NOT_EXISTS",
  RANGE = "RANGE",
}

registerEnumType(FieldOperator, {
  name: "FieldOperator",
  description:
    "How a custom-field condition compares (POST /contacts/search operators): EQ/NOT_EQ a number, string or boolean; " +
    "CONTAINS/NOT_CONTAINS letters, digits and spaces; EXISTS/NOT_EXISTS no value; RANGE an object of gte, lte, gt, lt. Values at most 75 characters.",
});

export enum ContactSortField {
  DATE_ADDED = "DATE_ADDED",
  DATE_UPDATED = "DATE_UPDATED",
  NAME = "NAME",
}

registerEnumType(ContactSortField, { name: "ContactSortField", description: "NAME sorts by first name, then last name (case-insensitive)." });

export enum SortDirection {
  ASC = "ASC",
  DESC = "DESC",
}

registerEnumType(SortDirection, { name: "SortDirection" });
