/**
 * The task mutations of schema/schema.graphql: `createTask` (POST /contacts/:contactId/tasks), `updateTask`
 * (PUT …/tasks/:taskId, with the optional expected-values precondition `ifMatch`), `completeTask`
 * (PUT …/tasks/:taskId/completed) and `deleteTask` (DELETE …/tasks/:taskId).
 * After a write the task itself is cached as the upstream returned it (normalised by the client)
 * and the contact's task list is dropped (`writeChanges.itemWritten`, src/cache/write-changes.ts),
 * so the next query refetches that list only.
 */
import type { GraphQLResolveInfo } from "graphql";
import { Args, Ctx, Info, Mutation, Resolver } from "type-graphql";
import { Scopes } from "../root-scopes.js";
import { SCOPES } from "../../auth/index.js";
import { writeChanges } from "../../cache/index.js";
import { ContactEventType } from "../../events/contact-event.types.js";
import { GATEWAY_EVENTS } from "../../events/gateway-event.build.js";
import { TASKS } from "../../upstream/resources.js";
import type { UpstreamTask } from "../../upstream/contacts.types.js";
import { gatewayError } from "../common/errors.js";
import type { GatewayContext } from "../context.js";
import { validateCreateTask, validateTaskRef, validateUpdateTask } from "../write/input-write.rules.js";
import { changedFieldNames, toCreateTaskBody, toUpdateTaskBody } from "../write/input-write.translate.js";
import { requestOf } from "../write/mutation-write.runner.js";
import { checkTaskExpected } from "../write/precondition-write.check.js";
import { CompleteTaskArgs, CreateTaskArgs, TaskRefArgs, UpdateTaskArgs } from "./task.input.js";
import { Task } from "./task.type.js";

type WriteCtx = GatewayContext;

/** The cache takes the task as written (or forgets it) and drops the contact's task list. */
const taskChanges = (location: string, contactId: string, taskId: string, task: UpstreamTask | undefined) =>
  writeChanges.itemWritten(TASKS, location, contactId, taskId, task);

/** This operation's loaders forget the task and the contact's task list. */
function forgetInRequest(ctx: WriteCtx, contactId: string, taskId: string): void {
  ctx.loaders.list(TASKS).clear(contactId);
  ctx.loaders.item(TASKS).clear({ contactId, id: taskId });
}

@Resolver()
export class TaskWriteResolver {
  @Scopes(SCOPES.write)
  @Mutation(() => Task, { description: "POST /contacts/:contactId/tasks." })
  async createTask(@Args(() => CreateTaskArgs) args: CreateTaskArgs, @Ctx() ctx: WriteCtx, @Info() info: GraphQLResolveInfo): Promise<UpstreamTask> {
    const { contactId, input } = args;
    const task = await ctx.writes.run<UpstreamTask>({
      operation: "createTask",
      args: { contactId, input },
      request: requestOf(info),
      problems: validateCreateTask(contactId, input),
      targetIds: { contactId },
      fields: changedFieldNames(input),
      write: (upstream, location) => upstream.createTask(location, contactId, toCreateTaskBody(input)),
      // HighLevel announces a task created completed twice: TaskCreate, then TaskComplete.
      events: (location, t) => [
        GATEWAY_EVENTS.task(ContactEventType.TASK_CREATE, location, t),
        ...(t.completed ? [GATEWAY_EVENTS.task(ContactEventType.TASK_COMPLETE, location, t)] : []),
      ],
      resultIds: (t) => ({ taskId: t.id }),
      changes: (location, t) => taskChanges(location, contactId, t.id, t),
      notFoundChanges: (location) => writeChanges.contactGone(location, contactId),
      afterCache: (t) => t && forgetInRequest(ctx, contactId, t.id),
    });
    return task;
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Task, {
    description:
      "PUT /contacts/:contactId/tasks/:taskId. With ifMatch, the task is read fresh first; if any expected value differs, CONFLICT (extensions.current) and nothing is written.",
  })
  async updateTask(@Args(() => UpdateTaskArgs) args: UpdateTaskArgs, @Ctx() ctx: WriteCtx, @Info() info: GraphQLResolveInfo): Promise<UpstreamTask> {
    const { contactId, taskId, input, ifMatch } = args;
    return ctx.writes.run<UpstreamTask>({
      operation: "updateTask",
      args: { contactId, taskId, input, ifMatch },
      request: requestOf(info),
      problems: validateUpdateTask(contactId, taskId, input, ifMatch),
      targetIds: { contactId, taskId },
      fields: changedFieldNames(input),
      precondition: ifMatch
        ? async (fresh) => {
            const current = await fresh.item(TASKS, contactId, taskId);
            const mismatches = checkTaskExpected(current, ifMatch);
            if (mismatches.length > 0) {
              throw gatewayError(
                "CONFLICT",
                `Task ${taskId} no longer matches ifMatch (${mismatches.map((m) => m.field).join(", ")} changed); nothing was written`,
                { reason: "precondition_failed", mismatches, current },
              );
            }
          }
        : undefined,
      write: (upstream, location) => upstream.updateTask(location, contactId, taskId, toUpdateTaskBody(input)),
      // HighLevel sends no TaskUpdate (only TaskComplete when `completed` flips, delivered as WEBHOOK).
      events: (location, t) => [GATEWAY_EVENTS.task(ContactEventType.TASK_UPDATE, location, t)],
      changes: (location, t) => taskChanges(location, contactId, taskId, t),
      notFoundChanges: (location) => taskChanges(location, contactId, taskId, undefined),
      afterCache: () => forgetInRequest(ctx, contactId, taskId),
    });
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Task, { description: "PUT /contacts/:contactId/tasks/:taskId/completed." })
  async completeTask(@Args(() => CompleteTaskArgs) args: CompleteTaskArgs, @Ctx() ctx: WriteCtx, @Info() info: GraphQLResolveInfo): Promise<UpstreamTask> {
    const { contactId, taskId, completed } = args;
    return ctx.writes.run<UpstreamTask>({
      operation: "completeTask",
      args: { contactId, taskId, completed },
      request: requestOf(info),
      problems: validateTaskRef(contactId, taskId),
      targetIds: { contactId, taskId },
      fields: ["completed"],
      write: (upstream, location) => upstream.completeTask(location, contactId, taskId, completed),
      events: (location, t) => [GATEWAY_EVENTS.task(completed ? ContactEventType.TASK_COMPLETE : ContactEventType.TASK_UPDATE, location, t)],
      changes: (location, t) => taskChanges(location, contactId, taskId, t),
      notFoundChanges: (location) => taskChanges(location, contactId, taskId, undefined),
      afterCache: () => forgetInRequest(ctx, contactId, taskId),
    });
  }

  @Scopes(SCOPES.write)
  @Mutation(() => Boolean, { description: "DELETE /contacts/:contactId/tasks/:taskId." })
  async deleteTask(@Args(() => TaskRefArgs) args: TaskRefArgs, @Ctx() ctx: WriteCtx, @Info() info: GraphQLResolveInfo): Promise<boolean> {
    const { contactId, taskId } = args;
    return ctx.writes.run<boolean>({
      operation: "deleteTask",
      args: { contactId, taskId },
      request: requestOf(info),
      problems: validateTaskRef(contactId, taskId),
      targetIds: { contactId, taskId },
      write: async (upstream, location) => {
        await upstream.deleteTask(location, contactId, taskId);
        return true;
      },
      changes: (location) => taskChanges(location, contactId, taskId, undefined),
      events: (location) => [GATEWAY_EVENTS.task(ContactEventType.TASK_DELETE, location, { id: taskId, contactId })],
      notFoundChanges: (location) => taskChanges(location, contactId, taskId, undefined),
      afterCache: () => forgetInRequest(ctx, contactId, taskId),
    });
  }
}
