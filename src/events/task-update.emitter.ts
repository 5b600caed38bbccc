/**
 * TASK_UPDATE for edits made in HighLevel: HighLevel sends no webhook when a task is edited
 * (FACTS.md "Webhooks": there is no TaskUpdate), so the gateway compares each task list it fetches
 * again (a revalidation after the cached copy expired or was dropped) with the last one it knew,
 * and publishes TASK_UPDATE (source GATEWAY) for every task whose title, body, due date or assignee
 * differs. What the gateway itself wrote, and what webhooks wrote through, updates the snapshot
 * first (through the cache's change listener), so those changes are not announced twice.
 *
 * With several instances each one revalidates on its own: a derived event is claimed once per
 * (task, new values) in the webhook de-duplication store (shared in Redis), so it is published once.
 * Snapshots are bounded (least recently used contacts go first).
 */
import { createHash } from "node:crypto";
import type { InvalidationEvent, LoadListener, ResourceCache } from "../cache/resource-cache.js";
import type { ResourceKey } from "../cache/resource-key.js";
import { TASKS } from "../upstream/resources.js";
import type { UpstreamTask } from "../upstream/contacts.types.js";
import { ContactEventType, type ContactEvent } from "./contact-event.types.js";
import { gatewayEventBuilder } from "./gateway-event.build.js";

/** The fields whose change is an edit worth announcing. */
const TRACKED = ["title", "body", "dueDate", "assignedTo"] as const;

export interface TaskRevalidationOptions {
  cache: Pick<ResourceCache, "onInvalidate" | "onLoad">;
  /** Publishes a derived event to subscribers. */
  publish(event: ContactEvent): Promise<void>;
  /** Claims an id once across instances (the webhook de-duplication store). */
  claimOnce(id: string): Promise<"new" | "duplicate">;
  /** Contacts whose task snapshot is kept. Default 50_000. */
  maxContacts?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export interface TaskRevalidation {
  stop(): void;
}

const fingerprint = (task: UpstreamTask): string => JSON.stringify(TRACKED.map((f) => task[f] ?? null));

export function createTaskRevalidation(options: TaskRevalidationOptions): TaskRevalidation {
  const maxContacts = options.maxContacts ?? 50_000;
  const build = gatewayEventBuilder(options.now);
  /** location\0contact → task id → fingerprint; Map order = least recently used first. */
  const snapshots = new Map<string, Map<string, string>>();
  const scope = (key: Pick<ResourceKey, "locationId">, contactId: string) => `${key.locationId}\u0000${contactId}`;
  const remember = (id: string, tasks: Map<string, string>) => {
    snapshots.delete(id);
    snapshots.set(id, tasks);
    if (snapshots.size > maxContacts) snapshots.delete(snapshots.keys().next().value as string);
  };
  const asList = (value: unknown): UpstreamTask[] | undefined =>
    Array.isArray(value) ? (value.filter((t) => t && typeof t === "object" && typeof (t as UpstreamTask).id === "string") as UpstreamTask[]) : undefined;

  const onChange = (event: InvalidationEvent) => {
    if (event.type !== "set") return;
    const { key } = event;
    if (key.kind === TASKS.kind && key.contactId) {
      const list = asList(event.value);
      if (list) remember(scope(key, key.contactId), new Map(list.map((t) => [t.id, fingerprint(t)])));
    } else if (key.kind === TASKS.item?.kind && key.contactId) {
      const task = event.value as UpstreamTask | undefined;
      const known = snapshots.get(scope(key, key.contactId));
      if (known && task && typeof task.id === "string") known.set(task.id, fingerprint(task));
    }
  };

  const onLoad: LoadListener = (key, value) => {
    if (key.kind !== TASKS.kind || !key.contactId) return;
    const list = asList(value);
    if (!list) return;
    const id = scope(key, key.contactId);
    const before = snapshots.get(id);
    remember(id, new Map(list.map((t) => [t.id, fingerprint(t)])));
    if (!before) return; // first sight: nothing to compare with
    for (const task of list) {
      const was = before.get(task.id);
      const now = fingerprint(task);
      if (was === undefined || was === now) continue;
      const claim = `derived:${key.locationId}:${task.id}:${createHash("sha256").update(now).digest("base64url").slice(0, 16)}`;
      void options
        .claimOnce(claim)
        .then((outcome) =>
          outcome === "new" ? options.publish(build.task(ContactEventType.TASK_UPDATE, key.locationId, { ...task, contactId: key.contactId! })) : undefined,
        )
        .catch((error: unknown) => options.onError?.(error));
    }
  };

  const stops = [options.cache.onInvalidate(onChange), options.cache.onLoad(onLoad)];
  return { stop: () => stops.forEach((stop) => stop()) };
}
