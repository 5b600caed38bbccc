/**
 * The simulator's calendar reads (HighLevel's calendars OpenAPI spec, `Version: 2021-04-15`):
 * - `GET /calendars/?locationId` (scope `calendars.readonly`, operation `get-calendars`):
 *   `{calendars: [...]}`, the location's calendars (`groupId` filters; `showDrafted` accepted);
 * - `GET /calendars/events?locationId&startTime&endTime` plus one of `calendarId`, `userId`,
 *   `groupId` (scope `calendars/events.readonly`, operation `get-calendar-events`): `{events: [...]}`,
 *   the location's appointments of that calendar (or assigned to / shared with that user, or in
 *   that group) whose start lies in [startTime, endTime] (epoch ms), each in the shape of
 *   `GET /contacts/:contactId/appointments` (it names its `contactId`), ordered by start time.
 * Documented choices where the spec is silent: a missing required query parameter, or a time
 * that is not a whole number of milliseconds, is 422 with a `message` array (HighLevel's NestJS
 * validation pipe); none of calendarId/userId/groupId is 400 "Either of calendarId, userId or
 * groupId is required"; endTime before startTime is 400; a calendar of another location matches
 * nothing (a filter, not a lookup); the window has no maximum, there is no paging, and no
 * recurring events are simulated (HighLevel answers instances of a recurring event with ids
 * `<id>_<startMs>_<duration>`).
 */
import { withoutNulls, type RouteDefinition } from "./contacts.routes.js";
import { appointmentTimeMs } from "./appointment-time.js";
import { errors, httpError, type RouteContext } from "./simulator.http.js";
import type { MemoryStore } from "./simulator.store.js";
import type { SimulatorAppointment } from "./simulator.types.js";

/** The only `Version` header value the calendars routes accept (HighLevel's calendars OpenAPI spec). */
export const CALENDARS_API_VERSION = "2021-04-15";

/** The query's own location: required, and the token's (403 like every other route otherwise). */
function ownLocation(ctx: RouteContext): string {
  const locationId = ctx.query.locationId;
  if (!locationId) throw errors.unprocessable(["locationId should not be empty", "locationId must be a string"]);
  if (locationId !== ctx.token.locationId) throw errors.location();
  return locationId;
}

function millis(value: string | undefined, name: string): number {
  if (value === undefined || value === "") throw errors.unprocessable([`${name} should not be empty`]);
  if (!/^\d{1,16}$/.test(value)) throw errors.unprocessable([`${name} must be a number string (epoch milliseconds)`]);
  return Number(value);
}

export function createCalendarRoutes(store: MemoryStore): RouteDefinition[] {
  return [
    {
      method: "GET",
      route: "/calendars/events",
      scope: "calendars/events.readonly",
      version: CALENDARS_API_VERSION,
      handle(ctx) {
        const locationId = ownLocation(ctx);
        const startMs = millis(ctx.query.startTime, "startTime");
        const endMs = millis(ctx.query.endTime, "endTime");
        const { calendarId, userId, groupId } = ctx.query;
        if (!calendarId && !userId && !groupId) throw httpError(400, "Either of calendarId, userId or groupId is required");
        if (endMs < startMs) throw httpError(400, "endTime must not be before startTime");
        // Each start time parsed once (a calendar can hold thousands of appointments).
        const kept: { startMs: number; appointment: Readonly<SimulatorAppointment> }[] = [];
        store.forEachLocationAppointment(locationId, (a) => {
          if (calendarId && a.calendarId !== calendarId) return;
          if (groupId && a.groupId !== groupId) return;
          if (userId && a.assignedUserId !== userId && !(a.users ?? []).includes(userId)) return;
          const start = appointmentTimeMs(a.startTime);
          if (start >= startMs && start <= endMs) kept.push({ startMs: start, appointment: a });
        });
        const events = kept
          // Ties by id in code-point order (cheap; the spec names no order within a start time).
          .sort((x, y) => x.startMs - y.startMs || (x.appointment.id < y.appointment.id ? -1 : x.appointment.id > y.appointment.id ? 1 : 0))
          .map(({ appointment }) => withoutNulls(appointment));
        return { status: 200, body: { events } };
      },
    },
    {
      method: "GET",
      route: "/calendars/",
      scope: "calendars.readonly",
      version: CALENDARS_API_VERSION,
      handle(ctx) {
        const locationId = ownLocation(ctx);
        const groupId = ctx.query.groupId;
        const calendars = store.listCalendars(locationId).filter((c) => !groupId || c.groupId === groupId);
        return { status: 200, body: { calendars } };
      },
    },
  ];
}
