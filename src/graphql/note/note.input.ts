/**
 * Input types of the note mutations (schema/schema.graphql; `color` and `pinned` as NotesDTO and
 * UpdateNoteDTO of apps/contacts.json accept them). Plain shapes: the rules in
 * ../write/input-write.rules.ts validate them in the resolver, naming the field.
 */
import { ArgsType, Field, ID, InputType } from "type-graphql";

@InputType("CreateNoteInput")
export class CreateNoteInput {
  @Field(() => String, { description: "The note's text (1 to 10,000 characters)." })
  body!: string;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true, description: "The id of the user who wrote the note." })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: "The note's colour in HighLevel's UI: a hex colour like #FFAA00." })
  color?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Pinned to the top of the contact's notes." })
  pinned?: boolean | null;
}

@InputType("UpdateNoteInput", { description: "Fields to change; absent or null fields are left as they are." })
export class UpdateNoteInput {
  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true, description: "The note's colour in HighLevel's UI: a hex colour like #FFAA00." })
  color?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Pinned to the top of the contact's notes (false unpins)." })
  pinned?: boolean | null;
}

@ArgsType()
export class CreateNoteArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => CreateNoteInput)
  input!: CreateNoteInput;
}

@ArgsType()
export class UpdateNoteArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => ID)
  noteId!: string;

  @Field(() => UpdateNoteInput)
  input!: UpdateNoteInput;
}

@ArgsType()
export class NoteRefArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => ID)
  noteId!: string;
}
