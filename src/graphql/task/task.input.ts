/**
 * Input types of the task mutations (schema/schema.graphql), plus `TaskPreconditionInput`: the expected
 * current values an `updateTask` may require (two-way sync: the write happens only when the task
 * still looks the way the caller last saw it). Validation lives in ../write/input-write.rules.ts.
 * Explicit type functions on every decorator (without them, a build that drops decorator metadata fails with
 * `NoExplicitTypeError`).
 */
import { ArgsType, Field, ID, InputType } from "type-graphql";
import { DateTimeScalar } from "../common/scalars.js";

@InputType("CreateTaskInput")
export class CreateTaskInput {
  @Field(() => String, { description: "Non-blank." })
  title!: string;

  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => DateTimeScalar, { description: "ISO-8601 date-time, e.g. 2026-01-31T17:00:00Z." })
  dueDate!: Date;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  completed?: boolean | null;

  @Field(() => String, { nullable: true })
  assignedTo?: string | null;
}

@InputType("UpdateTaskInput", { description: "Fields to change; absent or null fields are left as they are." })
export class UpdateTaskInput {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  dueDate?: Date | null;

  @Field(() => Boolean, { nullable: true })
  completed?: boolean | null;

  @Field(() => String, { nullable: true })
  assignedTo?: string | null;
}

@InputType("TaskPreconditionInput", {
  description:
    "Expected current values of the task: the update is applied only if every given field still has this value (read fresh from the upstream); otherwise CONFLICT with the current task in extensions.",
})
export class TaskPreconditionInput extends UpdateTaskInput {} // the same optional fields, as expected values

// Argument sets of the task mutations: an @ArgsType keeps the contract's argument order
// (separate @Arg parameter decorators are registered last-to-first).

@ArgsType()
export class TaskRefArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => ID)
  taskId!: string;
}

@ArgsType()
export class CreateTaskArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => CreateTaskInput)
  input!: CreateTaskInput;
}

@ArgsType()
export class UpdateTaskArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => ID)
  taskId!: string;

  @Field(() => UpdateTaskInput)
  input!: UpdateTaskInput;

  @Field(() => TaskPreconditionInput, { nullable: true })
  ifMatch?: TaskPreconditionInput | null;
}

@ArgsType()
export class CompleteTaskArgs {
  @Field(() => ID)
  contactId!: string;

  @Field(() => ID)
  taskId!: string;

  @Field(() => Boolean, { defaultValue: true })
  completed!: boolean;
}
