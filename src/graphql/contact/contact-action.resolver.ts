/**
 * The contact actions named in schema/schema.graphql beyond the seed routes, one upstream route each (apps/contacts.json):
 * `removeContactTags`, `upsertContact`, followers, campaigns, workflows and the two bulk routes,
 * plus the `duplicateContact` lookup (a read, through this operation's loaders).
 * Every mutation runs the write path (../write/mutation-write.runner.ts: scopes, validation,
 * idempotency, audit, error mapping) and states its cache effect as changes of
 * src/cache/write-changes.ts. Campaign and workflow enrolments are not part of any cached
 * resource (the API has no read route for them), so they change nothing in the cache.
 */
import { mappedFieldWrites, mappedWritesCheck, withMappedWrites } from "./mapped-fields.build.js";
import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Ctx, ID, Info, Mutation, Query, Resolver } from "type-graphql";
import { Scopes } from "../root-scopes.js";
import { SCOPES } from "../../auth/index.js";
import { writeChanges, type CacheChange } from "../../cache/index.js";
import { ContactEventType } from "../../events/contact-event.types.js";
import { GATEWAY_EVENTS } from "../../events/gateway-event.build.js";
import type { BulkTagsResult, UpsertContactResult } from "../../upstream/contacts.types.js";
import type { GatewayContext } from "../context.js";
import {
  validateAddToWorkflow,
  validateBulkBusiness,
  validateBulkTags,
  validateContactAnd,
  validateDuplicateLookup,
  validateFollowers,
  validateRemoveTags,
  validateUpsertContact,
  normalizePhone,
  parseIsoDateTime,
} from "../write/input-write.rules.js";
import { changedFieldNames, normalizeTags, toCreateContactBody } from "../write/input-write.translate.js";
import { inputError, requestOf } from "../write/mutation-write.runner.js";
import {
  AddContactToWorkflowArgs,
  BulkTagAction,
  ContactCampaignArgs,
  ContactFollowersArgs,
  DuplicateContactArgs,
  RemoveContactFromWorkflowArgs,
  RemoveContactTagsArgs,
  SetContactsBusinessArgs,
  UpdateContactsTagsArgs,
} from "./contact-action.input.js";
import { BulkContactsPayload, UpsertContactPayload, type BulkContactOutcome } from "./contact-action.type.js";
import { CreateContactInput } from "./contact.input.js";
import { ContactRecord } from "./contact.record.js";
import { Contact } from "./contact.type.js";

/** This operation's loaders forget the contacts, so later fields of the same operation read the new state. */
function forgetInRequest(ctx: GatewayContext, contactIds: readonly string[]): void {
  for (const id of contactIds) ctx.loaders.contact.clear(id);
}

/** Requested ids once each, in request order. */
const distinct = (ids: readonly string[]): string[] => [...new Set(ids)];

function payload(outcomes: BulkContactOutcome[]): BulkContactsPayload {
  const succeeded = outcomes.filter((o) => o.ok).length;
  return { succeeded, failed: outcomes.length - succeeded, outcomes };
}

/** One outcome per requested id from the upstream's `responses` (an id it did not mention failed). */
export function bulkTagOutcomes(requested: readonly string[], result: BulkTagsResult): BulkContactOutcome[] {
  const byId = new Map(result.responses.map((r) => [r.contactId, r] as const));
  return distinct(requested).map((contactId) => {
    const r = byId.get(contactId);
    if (!r) return { contactId, ok: false, message: "the Contacts API reported no outcome for this contact", tagsAdded: null, tagsRemoved: null };
    const ok = r.type === "success";
    return { contactId, ok, message: r.message ?? null, tagsAdded: ok ? (r.tagsAdded ?? []) : null, tagsRemoved: ok ? (r.tagsRemoved ?? []) : null };
  });
}

@Resolver()
export class ContactActionResolver {
  @Scopes(SCOPES.read)
  @Query(() => Contact, {
    nullable: true,
    description:
      "GET /contacts/search/duplicate: the contact this location would treat as a duplicate of the email (checked first) or phone; null when there is none. Read fresh, never from the cache.",
  })
  async duplicateContact(@Args(() => DuplicateContactArgs) args: DuplicateContactArgs, @Ctx() ctx: GatewayContext): Promise<ContactRecord | null> {
    const problems = validateDuplicateLookup(args.email, args.phone);
    if (problems.length > 0) throw inputError(problems);
    const contact = await ctx.loaders.duplicate({
      email: args.email?.trim() || undefined,
      phone: args.phone ? (normalizePhone(args.phone) ?? args.phone.trim()) : undefined,
    });
    return contact ? ContactRecord.fromContact(contact) : null;
  }

  @Scopes(SCOPES.write)
  @Mutation(() => [String], { description: "DELETE /contacts/:contactId/tags: removes tags; returns the tags the contact has left." })
  async removeContactTags(@Args(() => RemoveContactTagsArgs) args: RemoveContactTagsArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<string[]> {
    const { contactId, tags } = args;
    return ctx.writes.run<string[]>({
      operation: "removeContactTags",
      args: { contactId, tags },
      request: requestOf(info),
      problems: validateRemoveTags(contactId, tags),
      targetIds: { contactId },
      fields: ["tags"],
      write: (upstream, location) => upstream.removeTags(location, contactId, normalizeTags(tags)),
      events: (location, left) => [GATEWAY_EVENTS.contact(ContactEventType.CONTACT_TAG_UPDATE, location, { id: contactId, tags: left })],
      changes: (location) => writeChanges.contactChanged(location, contactId),
      notFoundChanges: (location) => writeChanges.contactGone(location, contactId),
      afterCache: () => forgetInRequest(ctx, [contactId]),
    });
  }

  @Scopes(SCOPES.write)
  @Mutation(() => UpsertContactPayload, {
    description:
      "POST /contacts/upsert: updates the location's contact with the same email (else phone) or creates one; `created` says which. Needs an email or a phone.",
  })
  async upsertContact(
    @Arg("input", () => CreateContactInput) input: CreateContactInput,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<UpsertContactPayload> {
    const mapped = mappedFieldWrites(ctx.fieldMapping, info, (input.customFields ?? []).map((f) => f.key));
    const result = await ctx.writes.run<UpsertContactResult>({
      operation: "upsertContact",
      args: { input },
      request: requestOf(info),
      problems: [...validateUpsertContact(input), ...mapped.problems],
      checkInput: mappedWritesCheck(mapped, ctx),
      targetIds: {},
      fields: changedFieldNames(input),
      // Mapped fields (FIELD_MAPPING) are written like createContact's.
      write: (upstream, location) => upstream.upsertContact(location, withMappedWrites(toCreateContactBody(input), mapped.writes)),
      resultIds: (r) => ({ contactId: r.contact.id }),
      events: (location, r) => [GATEWAY_EVENTS.contact(r.created ? ContactEventType.CONTACT_CREATE : ContactEventType.CONTACT_UPDATE, location, r.contact)],
      changes: (location, r) => writeChanges.contactWritten(location, r.contact),
      afterCache: (r) => {
        if (r) ctx.loaders.contact.clear(r.contact.id).prime(r.contact.id, r.contact);
      },
    });
    return { created: result.created, contact: ContactRecord.fromContact(result.contact) };
  }

  @Scopes(SCOPES.write)
  @Mutation(() => [ID], { description: "POST /contacts/:contactId/followers: adds followers (user ids); returns the contact's followers." })
  async addContactFollowers(@Args(() => ContactFollowersArgs) args: ContactFollowersArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<string[]> {
    return this.followers("addContactFollowers", args, ctx, info);
  }

  @Scopes(SCOPES.write)
  @Mutation(() => [ID], { description: "DELETE /contacts/:contactId/followers: removes followers; returns the contact's followers left." })
  async removeContactFollowers(@Args(() => ContactFollowersArgs) args: ContactFollowersArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<string[]> {
    return this.followers("removeContactFollowers", args, ctx, info);
  }

  private async followers(
    operation: "addContactFollowers" | "removeContactFollowers",
    args: ContactFollowersArgs,
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
  ): Promise<string[]> {
    const { contactId, followers } = args;
    const ids = distinct(followers);
    const result = await ctx.writes.run({
      operation,
      args: { contactId, followers },
      request: requestOf(info),
      problems: validateFollowers(contactId, followers),
      targetIds: { contactId },
      fields: ["followers"],
      write: (upstream, location) =>
        operation === "addContactFollowers" ? upstream.addFollowers(location, contactId, ids) : upstream.removeFollowers(location, contactId, ids),
      changes: (location) => writeChanges.contactChanged(location, contactId),
      notFoundChanges: (location) => writeChanges.contactGone(location, contactId),
      afterCache: () => forgetInRequest(ctx, [contactId]),
    });
    return result.followers;
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Boolean, { description: "POST /contacts/:contactId/campaigns/:campaignId: enrols the contact in the campaign." })
  async addContactToCampaign(@Args(() => ContactCampaignArgs) args: ContactCampaignArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<boolean> {
    const { contactId, campaignId } = args;
    return this.enrolment(ctx, info, "addContactToCampaign", { contactId, campaignId }, validateContactAnd(contactId, "campaignId", campaignId), (upstream, location) =>
      upstream.addToCampaign(location, contactId, campaignId),
    );
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Boolean, { description: "DELETE /contacts/:contactId/campaigns/:campaignId: removes the contact from the campaign." })
  async removeContactFromCampaign(@Args(() => ContactCampaignArgs) args: ContactCampaignArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<boolean> {
    const { contactId, campaignId } = args;
    return this.enrolment(ctx, info, "removeContactFromCampaign", { contactId, campaignId }, validateContactAnd(contactId, "campaignId", campaignId), (upstream, location) =>
      upstream.removeFromCampaign(location, contactId, campaignId),
    );
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Boolean, { description: "DELETE /contacts/:contactId/campaigns/removeAll: removes the contact from every campaign." })
  async removeContactFromAllCampaigns(@Arg("contactId", () => ID) contactId: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<boolean> {
    return this.enrolment(ctx, info, "removeContactFromAllCampaigns", { contactId }, validateContactAnd(contactId, "campaignId", undefined), (upstream, location) =>
      upstream.removeFromAllCampaigns(location, contactId),
    );
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Boolean, {
    description: "POST /contacts/:contactId/workflow/:workflowId: enrols the contact in the workflow, starting at eventStartTime when given.",
  })
  async addContactToWorkflow(@Args(() => AddContactToWorkflowArgs) args: AddContactToWorkflowArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<boolean> {
    const { contactId, workflowId, eventStartTime } = args;
    const problems = validateAddToWorkflow(contactId, workflowId, eventStartTime);
    const start = problems.length === 0 && eventStartTime ? parseIsoDateTime(eventStartTime)?.toISOString() : undefined;
    return this.enrolment(ctx, info, "addContactToWorkflow", { contactId, workflowId, eventStartTime }, problems, (upstream, location) =>
      upstream.addToWorkflow(location, contactId, workflowId, start),
    );
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Boolean, { description: "DELETE /contacts/:contactId/workflow/:workflowId: removes the contact from the workflow." })
  async removeContactFromWorkflow(
    @Args(() => RemoveContactFromWorkflowArgs) args: RemoveContactFromWorkflowArgs,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<boolean> {
    const { contactId, workflowId } = args;
    return this.enrolment(ctx, info, "removeContactFromWorkflow", { contactId, workflowId }, validateContactAnd(contactId, "workflowId", workflowId), (upstream, location) =>
      upstream.removeFromWorkflow(location, contactId, workflowId),
    );
  }

  /** A campaign or workflow enrolment: no cached resource holds it; a NOT_FOUND still evicts the contact. */
  private enrolment(
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
    operation: string,
    args: Record<string, unknown> & { contactId: string },
    problems: ReturnType<typeof validateContactAnd>,
    write: Parameters<GatewayContext["writes"]["run"]>[0]["write"],
  ): Promise<boolean> {
    const { contactId } = args;
    const targetIds: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(args)) if (k.endsWith("Id") && typeof v === "string") targetIds[k] = v;
    return ctx.writes.run<boolean>({
      operation,
      args,
      request: requestOf(info),
      problems,
      targetIds,
      write: async (upstream, location) => {
        await write(upstream, location);
        return true;
      },
      changes: (): CacheChange[] => [],
      notFoundChanges: (location) => writeChanges.contactGone(location, contactId),
      afterCache: (done) => done === undefined && forgetInRequest(ctx, [contactId]),
    });
  }

  @Scopes(SCOPES.write)
  @Mutation(() => BulkContactsPayload, {
    description:
      "POST /contacts/bulk/tags/update/:type: adds or removes tags on up to 100 contacts at once; one outcome per contact (a contact of another location, or an unknown id, fails alone).",
  })
  async updateContactsTags(@Args(() => UpdateContactsTagsArgs) args: UpdateContactsTagsArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<BulkContactsPayload> {
    const { contactIds, action, tags, removeAllTags } = args;
    const ids = distinct(contactIds);
    const outcomes = await ctx.writes.run<BulkContactOutcome[]>({
      operation: "updateContactsTags",
      args: { contactIds, action, tags, removeAllTags },
      request: requestOf(info),
      problems: validateBulkTags(contactIds, tags, action === BulkTagAction.REMOVE, removeAllTags),
      targetIds: { contactIds: ids.join(",") },
      fields: ["tags"],
      write: async (upstream, location) =>
        bulkTagOutcomes(ids, await upstream.bulkUpdateTags(location, action, ids, normalizeTags(tags), action === BulkTagAction.REMOVE ? removeAllTags : undefined)),
      changes: (location, result) => result.filter((o) => o.ok).flatMap((o) => writeChanges.contactChanged(location, o.contactId)),
      events: (location, result) =>
        result.filter((o) => o.ok).map((o) => GATEWAY_EVENTS.contact(ContactEventType.CONTACT_TAG_UPDATE, location, { id: o.contactId })),
      afterCache: (result) => result && forgetInRequest(ctx, result.filter((o) => o.ok).map((o) => o.contactId)),
    });
    return payload(outcomes);
  }

  @Scopes(SCOPES.write)
  @Mutation(() => BulkContactsPayload, {
    description:
      "POST /contacts/bulk/business: links up to 100 contacts to a business (null removes their business); one outcome per contact (the upstream skips unknown ids and other locations' contacts).",
  })
  async setContactsBusiness(@Args(() => SetContactsBusinessArgs) args: SetContactsBusinessArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<BulkContactsPayload> {
    const { contactIds, businessId } = args;
    const ids = distinct(contactIds);
    const outcomes = await ctx.writes.run<BulkContactOutcome[]>({
      operation: "setContactsBusiness",
      args: { contactIds, businessId },
      request: requestOf(info),
      problems: validateBulkBusiness(contactIds, businessId),
      targetIds: { contactIds: ids.join(","), businessId: businessId ?? undefined },
      fields: ["businessId"],
      write: async (upstream, location) => {
        const updated = new Set(await upstream.bulkSetBusiness(location, ids, businessId ?? null));
        return ids.map((contactId) => {
          const ok = updated.has(contactId);
          const message = ok ? null : "not updated: no such contact in this location";
          return { contactId, ok, message, tagsAdded: null, tagsRemoved: null };
        });
      },
      changes: (location, result) => result.filter((o) => o.ok).flatMap((o) => writeChanges.contactChanged(location, o.contactId)),
      events: (location, result) =>
        result
          .filter((o) => o.ok)
          .map((o) => GATEWAY_EVENTS.contact(ContactEventType.CONTACT_UPDATE, location, { id: o.contactId, businessId: businessId ?? null })),
      afterCache: (result) => result && forgetInRequest(ctx, result.filter((o) => o.ok).map((o) => o.contactId)),
    });
    return payload(outcomes);
  }
}
