/**
 * The contact mutations of schema/schema.graphql: `createContact` (POST /contacts/), `updateContact`
 * (PUT /contacts/:contactId, with the optional `ifUnmodifiedSince` precondition), `deleteContact`
 * (DELETE /contacts/:contactId) and `addContactTags` (POST /contacts/:contactId/tags).
 * Each declares its validation, precondition, upstream call and cache effect (as changes of
 * src/cache/write-changes.ts, applied through the cache's one change path); the shared path
 * (scopes, idempotency, error mapping, audit) is ../write/mutation-write.runner.ts.
 */
import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Ctx, ID, Info, Mutation, Resolver } from "type-graphql";
import { Scopes } from "../root-scopes.js";
import { SCOPES } from "../../auth/index.js";
import { writeChanges } from "../../cache/index.js";
import { ContactEventType } from "../../events/contact-event.types.js";
import { GATEWAY_EVENTS } from "../../events/gateway-event.build.js";
import type { UpstreamContact } from "../../upstream/contacts.types.js";
import { gatewayError } from "../common/errors.js";
import type { GatewayContext } from "../context.js";
import {
  validateAddTags,
  validateCreateContact,
  validateDeleteContact,
  validateUpdateContact,
} from "../write/input-write.rules.js";
import { mappedFieldWrites, mappedWritesCheck, withMappedWrites } from "./mapped-fields.build.js";
import { changedFieldNames, normalizeTags, toCreateContactBody, toUpdateContactBody } from "../write/input-write.translate.js";
import { requestOf } from "../write/mutation-write.runner.js";
import { checkUnmodifiedSince } from "../write/precondition-write.check.js";
import { AddContactTagsArgs, CreateContactInput, UpdateContactArgs } from "./contact.input.js";
import { ContactRecord } from "./contact.record.js";
import { Contact } from "./contact.type.js";

type WriteCtx = GatewayContext;

/** The contract-named fields of a contact, for `extensions.current` of a failed precondition. */
function currentContact(contact: UpstreamContact): Record<string, unknown> {
  const { id, locationId, name, firstName, lastName, email, phone, companyName, tags, dateUpdated, dateAdded } = contact;
  return { id, locationId, name, firstName, lastName, email, phone, companyName, tags, dateAdded, dateUpdated };
}

/** This operation's loaders forget the contact (and take the written one), so later fields read the new state. */
function forgetInRequest(ctx: WriteCtx, contactId: string, contact?: UpstreamContact): void {
  const loader = ctx.loaders.contact.clear(contactId);
  if (contact) loader.prime(contactId, contact);
}

@Resolver()
export class ContactWriteResolver {
  @Scopes(SCOPES.write)
  @Mutation(() => Contact, { description: "POST /contacts/. A duplicate (email/phone) is CONFLICT with extensions.existingContactId." })
  async createContact(
    @Arg("input", () => CreateContactInput) input: CreateContactInput,
    @Ctx() ctx: WriteCtx,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ContactRecord> {
    const mapped = mappedFieldWrites(ctx.fieldMapping, info, (input.customFields ?? []).map((f) => f.key));
    const contact = await ctx.writes.run<UpstreamContact>({
      operation: "createContact",
      args: { input },
      request: requestOf(info),
      problems: [...validateCreateContact(input), ...mapped.problems],
      checkInput: mappedWritesCheck(mapped, ctx),
      targetIds: {},
      fields: changedFieldNames(input),
      write: (upstream, location) => upstream.createContact(location, withMappedWrites(toCreateContactBody(input), mapped.writes)),
      resultIds: (c) => ({ contactId: c.id }),
      changes: (location, c) => writeChanges.contactWritten(location, c),
      events: (location, c) => [GATEWAY_EVENTS.contact(ContactEventType.CONTACT_CREATE, location, c)],
      afterCache: (c) => c && forgetInRequest(ctx, c.id, c),
    });
    return ContactRecord.fromContact(contact);
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Contact, {
    description:
      "PUT /contacts/:contactId. With ifUnmodifiedSince, the contact's dateUpdated is read fresh from the upstream first; if it is later, CONFLICT (extensions.current) and nothing is written.",
  })
  async updateContact(@Args(() => UpdateContactArgs) args: UpdateContactArgs, @Ctx() ctx: WriteCtx, @Info() info: GraphQLResolveInfo): Promise<ContactRecord> {
    const { id, input, ifUnmodifiedSince } = args;
    const mapped = mappedFieldWrites(ctx.fieldMapping, info, (input.customFields ?? []).map((f) => f.key));
    const contact = await ctx.writes.run<UpstreamContact>({
      operation: "updateContact",
      args: { id, input, ifUnmodifiedSince },
      request: requestOf(info),
      // An update that only writes mapped fields is not empty.
      problems: [...validateUpdateContact(id, input, ifUnmodifiedSince, mapped.writes.length), ...mapped.problems],
      checkInput: mappedWritesCheck(mapped, ctx),
      targetIds: { contactId: id },
      fields: changedFieldNames(input),
      precondition: ifUnmodifiedSince
        ? async (fresh) => {
            const current = await fresh.contact(id);
            const failure = checkUnmodifiedSince(current, ifUnmodifiedSince);
            if (failure) {
              throw gatewayError(
                "CONFLICT",
                `Contact ${id} was modified at ${failure.currentDateUpdated}, after ifUnmodifiedSince ${failure.ifUnmodifiedSince}; nothing was written`,
                { reason: "precondition_failed", ...failure, current: currentContact(current) },
              );
            }
          }
        : undefined,
      write: (upstream, location) => upstream.updateContact(location, id, withMappedWrites(toUpdateContactBody(input), mapped.writes)),
      changes: (location, c) => writeChanges.contactWritten(location, c),
      comparesContact: input.dnd === undefined || input.dnd === null ? undefined : id,
      events: (location, c, before) => [
        GATEWAY_EVENTS.contact(ContactEventType.CONTACT_UPDATE, location, c),
        // HighLevel also sends ContactDndUpdate when `dnd` changes ("whenever a contact's dnd field
        // is updated", docs/webhook events/ContactDndUpdate.md). Announced only when the cached copy
        // shows the change; unknown (not cached) is left to the webhook, never announced on a guess.
        ...(before.contact && typeof before.contact.dnd === "boolean" && typeof c.dnd === "boolean" && before.contact.dnd !== c.dnd
          ? [GATEWAY_EVENTS.contact(ContactEventType.CONTACT_DND_UPDATE, location, c)]
          : []),
      ],
      notFoundChanges: (location) => writeChanges.contactGone(location, id),
      afterCache: (c) => forgetInRequest(ctx, id, c),
    });
    return ContactRecord.fromContact(contact);
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Boolean, { description: "DELETE /contacts/:contactId." })
  async deleteContact(@Arg("id", () => ID) id: string, @Ctx() ctx: WriteCtx, @Info() info: GraphQLResolveInfo): Promise<boolean> {
    return ctx.writes.run<boolean>({
      operation: "deleteContact",
      args: { id },
      request: requestOf(info),
      problems: validateDeleteContact(id),
      targetIds: { contactId: id },
      write: async (upstream, location) => {
        await upstream.deleteContact(location, id);
        return true;
      },
      changes: (location) => writeChanges.contactDeleted(location, id),
      events: (location) => [GATEWAY_EVENTS.contact(ContactEventType.CONTACT_DELETE, location, { id })],
      notFoundChanges: (location) => writeChanges.contactGone(location, id),
      afterCache: () => forgetInRequest(ctx, id),
    });
  }

  @Scopes(SCOPES.write)
  @Mutation(() => [String], { description: "POST /contacts/:contactId/tags: adds tags; returns the contact's tag set." })
  async addContactTags(@Args(() => AddContactTagsArgs) args: AddContactTagsArgs, @Ctx() ctx: WriteCtx, @Info() info: GraphQLResolveInfo): Promise<string[]> {
    const { contactId, tags } = args;
    return ctx.writes.run<string[]>({
      operation: "addContactTags",
      args: { contactId, tags },
      request: requestOf(info),
      problems: validateAddTags(contactId, tags),
      targetIds: { contactId },
      fields: ["tags"],
      write: (upstream, location) => upstream.addTags(location, contactId, normalizeTags(tags)),
      events: (location, now) => [GATEWAY_EVENTS.contact(ContactEventType.CONTACT_TAG_UPDATE, location, { id: contactId, tags: now })],
      // The contact's tags (and dateUpdated) changed: drop the contact, keep its tasks/notes.
      changes: (location) => writeChanges.contactChanged(location, contactId),
      notFoundChanges: (location) => writeChanges.contactGone(location, contactId),
      afterCache: () => forgetInRequest(ctx, contactId),
    });
  }
}
