/**
 * The simulator's bulk task read, `POST /locations/:locationId/tasks/search` (operation
 * `task-search` of apps/locations.json, scope `locations/tasks.readonly`; FACTS.md "Bulk and
 * location routes"): the tasks of a location, filtered by the body's `contactId` (array),
 * `completed`, `assignedTo` (array), `query` (title), `businessId`, paged with `limit` (default 25)
 * and `skip` (default 0). Answers `{tasks: [...]}`: the items have the shape of
 * `GET /contacts/:contactId/tasks` (they name their `contactId`). The spec types the items as
 * arrays, which no integration reports seeing; the simulator answers objects, and the gateway's
 * client accepts only objects naming their contact (src/upstream/contacts.client.ts
 * `bulkListsOf`), falling back to the per-contact route otherwise.
 *
 * Documented choices where the spec is silent: the order is the location's contacts' order, then
 * each contact's tasks in the order `GET /contacts/:contactId/tasks` lists them (so a contact's
 * tasks come out of both routes in the same order); a `contactId` of another location or of no
 * contact matches nothing (a filter, not a lookup); `limit` has no maximum. Unknown body
 * properties are refused with 422, like every other route.
 */
import type { RouteDefinition } from "./contacts.routes.js";
import { errors, validateBody, type FieldSpec } from "./simulator.http.js";
import type { MemoryStore } from "./simulator.store.js";
import type { SimulatorTask } from "./simulator.types.js";

const TASK_SEARCH_LIMIT_DEFAULT = 25; // apps/locations.json TaskSearchParamsDto.limit.default

const TASK_SEARCH_FIELDS: Record<string, FieldSpec> = {
  contactId: { type: "array" },
  completed: { type: "boolean" },
  assignedTo: { type: "array" },
  query: { type: "string" },
  limit: { type: "any" },
  skip: { type: "any" },
  businessId: { type: "string" },
};

function stringArray(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if ((value as unknown[]).some((item) => typeof item !== "string")) throw errors.unprocessable([`each value in ${name} must be a string`]);
  return value as string[];
}

function count(value: unknown, name: string, min: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw errors.unprocessable([`${name} must be an integer not less than ${min}`]);
  }
  return value;
}

export function createLocationTaskRoutes(store: MemoryStore): RouteDefinition[] {
  return [
    {
      method: "POST",
      route: "/locations/:locationId/tasks/search",
      scope: "locations/tasks.readonly",
      handle(ctx) {
        const locationId = ctx.params.locationId ?? "";
        if (locationId !== ctx.token.locationId) throw errors.location();
        const body = validateBody(ctx.body ?? {}, TASK_SEARCH_FIELDS);
        const contactIds = stringArray(body.contactId, "contactId");
        const assignedTo = stringArray(body.assignedTo, "assignedTo");
        const limit = count(body.limit, "limit", 1, TASK_SEARCH_LIMIT_DEFAULT);
        const skip = count(body.skip, "skip", 0, 0);
        const completed = body.completed as boolean | undefined;
        const query = typeof body.query === "string" && body.query !== "" ? body.query.toLowerCase() : undefined;
        const businessId = body.businessId as string | undefined;

        const wanted = contactIds ? new Set(contactIds) : undefined;
        const matches: SimulatorTask[] = [];
        for (const contact of store.listContacts(locationId)) {
          if (wanted && !wanted.has(contact.id)) continue;
          if (businessId !== undefined && contact.businessId !== businessId) continue;
          for (const task of store.listTasks(contact.id)) {
            if (completed !== undefined && task.completed !== completed) continue;
            if (assignedTo && !(task.assignedTo && assignedTo.includes(task.assignedTo))) continue;
            if (query !== undefined && !task.title.toLowerCase().includes(query)) continue;
            matches.push(task);
          }
        }
        return { status: 200, body: { tasks: matches.slice(skip, skip + limit) } };
      },
    },
  ];
}
