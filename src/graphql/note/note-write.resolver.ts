/**
 * The note mutations named in schema/schema.graphql: `createNote` (POST /contacts/:contactId/notes), `updateNote`
 * (PUT …/notes/:id) and `deleteNote` (DELETE …/notes/:id). After a write the note is cached as the
 * upstream returned it (normalised by the client) and the contact's note list is dropped
 * (`writeChanges.itemWritten`, src/cache/write-changes.ts), so the next query refetches that list only.
 */
import type { GraphQLResolveInfo } from "graphql";
import { Args, Ctx, Info, Mutation, Resolver } from "type-graphql";
import { Scopes } from "../root-scopes.js";
import { SCOPES } from "../../auth/index.js";
import { writeChanges } from "../../cache/index.js";
import { ContactEventType } from "../../events/contact-event.types.js";
import { GATEWAY_EVENTS } from "../../events/gateway-event.build.js";
import type { NoteBody, UpstreamNote } from "../../upstream/contacts.types.js";
import { NOTES } from "../../upstream/resources.js";
import type { GatewayContext } from "../context.js";
import { validateCreateNote, validateNoteRef, validateUpdateNote, type NoteWriteValues } from "../write/input-write.rules.js";
import { changedFieldNames } from "../write/input-write.translate.js";
import { requestOf } from "../write/mutation-write.runner.js";
import { CreateNoteArgs, NoteRefArgs, UpdateNoteArgs } from "./note.input.js";
import { Note } from "./note.type.js";

const noteChanges = (location: string, contactId: string, noteId: string, note: UpstreamNote | undefined) =>
  writeChanges.itemWritten(NOTES, location, contactId, noteId, note);

/** This operation's loaders forget the note and the contact's note list. */
function forgetInRequest(ctx: GatewayContext, contactId: string, noteId: string): void {
  ctx.loaders.list(NOTES).clear(contactId);
  ctx.loaders.item(NOTES).clear({ contactId, id: noteId });
}

/** The upstream body: null/absent fields left out (HighLevel rejects null-typed properties). */
function toNoteBody(input: NoteWriteValues): NoteBody {
  const body: NoteBody = {};
  if (input.body !== undefined && input.body !== null) body.body = input.body;
  if (input.title !== undefined && input.title !== null) body.title = input.title.trim();
  if (input.userId !== undefined && input.userId !== null) body.userId = input.userId;
  if (input.color !== undefined && input.color !== null) body.color = input.color;
  if (input.pinned !== undefined && input.pinned !== null) body.pinned = input.pinned;
  return body;
}

@Resolver()
export class NoteWriteResolver {
  @Scopes(SCOPES.write)
  @Mutation(() => Note, { description: "POST /contacts/:contactId/notes." })
  async createNote(@Args(() => CreateNoteArgs) args: CreateNoteArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<UpstreamNote> {
    const { contactId, input } = args;
    return ctx.writes.run<UpstreamNote>({
      operation: "createNote",
      args: { contactId, input },
      request: requestOf(info),
      problems: validateCreateNote(contactId, input),
      targetIds: { contactId },
      fields: changedFieldNames(input),
      write: (upstream, location) => upstream.createNote(location, contactId, { ...toNoteBody(input), body: input.body }),
      resultIds: (n) => ({ noteId: n.id }),
      events: (location, n) => [GATEWAY_EVENTS.note(ContactEventType.NOTE_CREATE, location, { ...n, contactId })],
      changes: (location, n) => noteChanges(location, contactId, n.id, n),
      notFoundChanges: (location) => writeChanges.contactGone(location, contactId),
      afterCache: (n) => n && forgetInRequest(ctx, contactId, n.id),
    });
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Note, { description: "PUT /contacts/:contactId/notes/:id." })
  async updateNote(@Args(() => UpdateNoteArgs) args: UpdateNoteArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<UpstreamNote> {
    const { contactId, noteId, input } = args;
    return ctx.writes.run<UpstreamNote>({
      operation: "updateNote",
      args: { contactId, noteId, input },
      request: requestOf(info),
      problems: validateUpdateNote(contactId, noteId, input),
      targetIds: { contactId, noteId },
      fields: changedFieldNames(input),
      write: (upstream, location) => upstream.updateNote(location, contactId, noteId, toNoteBody(input)),
      events: (location, n) => [GATEWAY_EVENTS.note(ContactEventType.NOTE_UPDATE, location, { ...n, contactId })],
      changes: (location, n) => noteChanges(location, contactId, noteId, n),
      notFoundChanges: (location) => noteChanges(location, contactId, noteId, undefined),
      afterCache: () => forgetInRequest(ctx, contactId, noteId),
    });
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Boolean, { description: "DELETE /contacts/:contactId/notes/:id." })
  async deleteNote(@Args(() => NoteRefArgs) args: NoteRefArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<boolean> {
    const { contactId, noteId } = args;
    return ctx.writes.run<boolean>({
      operation: "deleteNote",
      args: { contactId, noteId },
      request: requestOf(info),
      problems: validateNoteRef(contactId, noteId),
      targetIds: { contactId, noteId },
      write: async (upstream, location) => {
        await upstream.deleteNote(location, contactId, noteId);
        return true;
      },
      changes: (location) => noteChanges(location, contactId, noteId, undefined),
      events: (location) => [GATEWAY_EVENTS.note(ContactEventType.NOTE_DELETE, location, { id: noteId, contactId })],
      notFoundChanges: (location) => noteChanges(location, contactId, noteId, undefined),
      afterCache: () => forgetInRequest(ctx, contactId, noteId),
    });
  }
}
