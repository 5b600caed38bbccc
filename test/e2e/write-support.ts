/**
 * Helpers for the write path's e2e tests, on top of the shared harness (test/support/harness.ts):
 * GraphQL documents of the eight mutations, an Idempotency-Key header helper, the simulator's
 * write requests, the captured audit lines, and a unique Redis prefix with cleanup.
 */
import { randomUUID } from "node:crypto";
import type { GqlResponse, Stack } from "../support/harness.js";
import { redisTestPrefix } from "../support/redis.js";

export const M = {
  createContact: `mutation($input: CreateContactInput!) { createContact(input: $input) { id firstName lastName name email phone tags dateUpdated customFields { id value } } }`,
  updateContact: `mutation($id: ID!, $input: UpdateContactInput!, $since: DateTime) { updateContact(id: $id, input: $input, ifUnmodifiedSince: $since) { id firstName lastName email phone tags dateUpdated } }`,
  deleteContact: `mutation($id: ID!) { deleteContact(id: $id) }`,
  createTask: `mutation($contactId: ID!, $input: CreateTaskInput!) { createTask(contactId: $contactId, input: $input) { id contactId title body dueDate completed } }`,
  updateTask: `mutation($contactId: ID!, $taskId: ID!, $input: UpdateTaskInput!, $ifMatch: TaskPreconditionInput) { updateTask(contactId: $contactId, taskId: $taskId, input: $input, ifMatch: $ifMatch) { id title body dueDate completed } }`,
  completeTask: `mutation($contactId: ID!, $taskId: ID!, $completed: Boolean! = true) { completeTask(contactId: $contactId, taskId: $taskId, completed: $completed) { id completed } }`,
  deleteTask: `mutation($contactId: ID!, $taskId: ID!) { deleteTask(contactId: $contactId, taskId: $taskId) }`,
  addContactTags: `mutation($contactId: ID!, $tags: [String!]!) { addContactTags(contactId: $contactId, tags: $tags) }`,
} as const;

export const idem = (key: string) => ({ "idempotency-key": key });

export const codes = (res: GqlResponse) => (res.body.errors ?? []).map((e) => e.extensions?.["code"]);

export function firstError(res: GqlResponse): { message: string; extensions: Record<string, unknown> } {
  const error = res.body.errors?.[0];
  if (!error) throw new Error(`expected a GraphQL error, received data ${JSON.stringify(res.body.data)}`);
  return { message: error.message, extensions: error.extensions ?? {} };
}

export function data<T = Record<string, any>>(res: GqlResponse): T {
  if (res.body.errors?.length) throw new Error(`expected no errors, received ${JSON.stringify(res.body.errors)}`);
  return res.body.data as T;
}

/** Non-GET requests the simulator logged. */
export const upstreamWrites = (stack: Stack) => stack.sim.requests.filter((r) => r.method !== "GET");

/** The audit lines of the captured gateway log. */
export const auditLines = (stack: Stack): Record<string, unknown>[] =>
  stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l["audit"] === true);

/** A phone number unlikely to collide with seed data (the simulator refuses duplicates). */
export const uniquePhone = () => `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
export const uniqueEmail = (name = "e2e") => `${name}.${randomUUID().slice(0, 8)}@example.com`;

/** A unique Redis key prefix for this run, and the cleanup of exactly those keys (never FLUSH*). */
export const redisPrefix = () => redisTestPrefix("write");
