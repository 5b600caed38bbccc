/**
 * The dashboard view: `Contact.summary` and `Query.dashboard(first, query, tags)`.
 *
 * Everything is computed from the per-operation loaders over the shared cache, so a dashboard adds
 * no upstream calls beyond the relations it needs: the contacts page, plus for each listed contact
 * its tasks and appointments (the attention order needs both) and its notes only when a selected
 * field reads them. The same relation asked for by `summary` and by `tasks` in one operation is
 * one load (DataLoader), and across operations one cache entry that webhooks keep fresh.
 */
import { APPOINTMENTS, NOTES, TASKS } from "../../upstream/resources.js";
import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import { Scopes } from "../root-scopes.js";
import { SCOPES } from "../../auth/index.js";
import type { UpstreamAppointment, UpstreamContactListItem, UpstreamNote, UpstreamTask } from "../../upstream/contacts.types.js";
import type { GatewayContext } from "../context.js";
import { badUserInput } from "../common/errors.js";
import { DateTimeScalar } from "../common/scalars.js";
import { Appointment } from "../appointment/appointment.type.js";
import { ContactRecord } from "../contact/contact.record.js";
import { Contact } from "../contact/contact.type.js";
import { Note } from "../note/note.type.js";
import { Task } from "../task/task.type.js";
import { ContactSummary } from "./summary.type.js";
import {
  attentionKey,
  compareAttention,
  latestNote,
  latestTime,
  nextAppointment,
  openTasks,
  overdueTasks,
} from "./summary.compute.js";

/** Bounds of `dashboard`: `first` is one upstream page at most (FACTS.md: limit max 100). */
export const DASHBOARD_MAX_FIRST = 100;
/** With `tags`, how many upstream pages (of 100) are scanned for matching contacts at most. */
export const DASHBOARD_MAX_TAG_SCAN_PAGES = 5;
const MAX_TAGS = 20;


function checkArgs(first: number, query: string | null | undefined, tags: string[] | null | undefined) {
  if (!Number.isInteger(first) || first < 1 || first > DASHBOARD_MAX_FIRST) {
    throw badUserInput("first", `an integer from 1 to ${DASHBOARD_MAX_FIRST}`, first);
  }
  const q = typeof query === "string" ? query.trim() : "";
  if (q.length > 256) throw badUserInput("query", "a search string of at most 256 characters");
  const wanted = (tags ?? []).map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
  if (wanted.length > MAX_TAGS) throw badUserInput("tags", `at most ${MAX_TAGS} tags`, wanted.length);
  return { first, query: q === "" ? undefined : q, tags: wanted };
}

/** True when the item carries at least one of the wanted tags (case-insensitive). */
function hasAnyTag(item: UpstreamContactListItem, wanted: readonly string[]): boolean {
  if (wanted.length === 0) return true;
  const own = new Set((item.tags ?? []).map((t) => String(t).toLowerCase()));
  return wanted.some((t) => own.has(t));
}

@Resolver(() => Contact)
export class DashboardContactResolver {
  @FieldResolver(() => ContactSummary, {
    description: "Open and overdue tasks, next appointment, latest note and last activity, from the same loaders as the relations.",
  })
  summary(@Root() root: ContactRecord, @Ctx() ctx: GatewayContext): ContactSummary {
    return new ContactSummary(root, ctx.now());
  }
}

/** The open tasks of a summary, sorted once per summary however many fields ask. */
const openTasksOf = new WeakMap<ContactSummary, Promise<UpstreamTask[]>>();

@Resolver(() => ContactSummary)
export class ContactSummaryResolver {
  private open(s: ContactSummary, ctx: GatewayContext): Promise<UpstreamTask[]> {
    let open = openTasksOf.get(s);
    if (!open) {
      open = ctx.loaders.list(TASKS).load(s.record.id).then(openTasks);
      openTasksOf.set(s, open);
    }
    return open;
  }

  @FieldResolver(() => Int, { description: "Tasks not completed (needs the tasks list)." })
  async openTaskCount(@Root() s: ContactSummary, @Ctx() ctx: GatewayContext): Promise<number> {
    return (await this.open(s, ctx)).length;
  }

  @FieldResolver(() => Int, { description: "Open tasks whose due date has passed (needs the tasks list)." })
  async overdueTaskCount(@Root() s: ContactSummary, @Ctx() ctx: GatewayContext): Promise<number> {
    const open = await this.open(s, ctx);
    return overdueTasks(open, s.nowMs, open).length;
  }

  @FieldResolver(() => [Task], { description: "Open tasks, soonest due first (needs the tasks list)." })
  async openTasks(@Root() s: ContactSummary, @Ctx() ctx: GatewayContext): Promise<UpstreamTask[]> {
    return this.open(s, ctx);
  }

  @FieldResolver(() => Appointment, {
    nullable: true,
    description: "The soonest appointment that has not started and is not cancelled (needs the appointments list).",
  })
  async nextAppointment(@Root() s: ContactSummary, @Ctx() ctx: GatewayContext): Promise<UpstreamAppointment | null> {
    const next = nextAppointment(await ctx.loaders.list(APPOINTMENTS).load(s.record.id), s.nowMs);
    return next ?? null;
  }

  @FieldResolver(() => Note, { nullable: true, description: "The most recently added note (needs the notes list)." })
  async latestNote(@Root() s: ContactSummary, @Ctx() ctx: GatewayContext): Promise<UpstreamNote | null> {
    const note = latestNote(await ctx.loaders.list(NOTES).load(s.record.id));
    return note ?? null;
  }

  @FieldResolver(() => DateTimeScalar, {
    nullable: true,
    description:
      "The latest of the contact's own update time, its latest note and its latest appointment change (needs the notes and appointments lists).",
  })
  async lastActivityAt(@Root() s: ContactSummary, @Ctx() ctx: GatewayContext): Promise<Date | null> {
    const [notes, appointments] = await Promise.all([
      ctx.loaders.list(NOTES).load(s.record.id),
      ctx.loaders.list(APPOINTMENTS).load(s.record.id),
    ]);
    const own = s.record.has("lastActivity") ? await s.record.read("lastActivity", ctx.loaders) : undefined;
    const updated = s.record.has("dateUpdated") ? await s.record.read("dateUpdated", ctx.loaders) : undefined;
    return latestTime([
      typeof own === "string" ? own : undefined,
      typeof updated === "string" ? updated : undefined,
      ...notes.map((n) => n.dateAdded),
      ...appointments.flatMap((a) => [a.dateUpdated, a.dateAdded]),
    ]);
  }
}

@Resolver(() => Contact)
export class DashboardQueryResolver {
  @Scopes(SCOPES.read)
  @Query(() => [Contact], {
    description:
      "Contacts ordered by what needs attention: most overdue tasks first, then the soonest next appointment. " +
      "`query` searches like `contacts`; `tags` keeps contacts carrying at least one of them (case-insensitive). " +
      "Costs the contacts page plus, per contact, its tasks and appointments (and notes when selected).",
  })
  async dashboard(
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("query", () => String, { nullable: true }) query: string | null | undefined,
    @Arg("tags", () => [String], { nullable: true }) tags: string[] | null | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<ContactRecord[]> {
    const args = checkArgs(first, query, tags);
    const loaders = ctx.loaders;
    const items: UpstreamContactListItem[] = [];
    if (args.tags.length === 0) {
      const page = await loaders.contactPage({ limit: args.first, query: args.query });
      items.push(...page.contacts);
    } else {
      let startAfter: number | undefined;
      let startAfterId: string | undefined;
      for (let pageNo = 0; pageNo < DASHBOARD_MAX_TAG_SCAN_PAGES && items.length < args.first; pageNo++) {
        const page = await loaders.contactPage({ limit: DASHBOARD_MAX_FIRST, query: args.query, startAfter, startAfterId });
        items.push(...page.contacts.filter((c) => hasAnyTag(c, args.tags)));
        const { startAfter: nextAfter, startAfterId: nextAfterId } = page.meta;
        if (page.contacts.length < DASHBOARD_MAX_FIRST || typeof nextAfter !== "number" || !nextAfterId) break;
        startAfter = nextAfter;
        startAfterId = nextAfterId;
      }
    }
    const records = items.slice(0, args.first).map((item) => ContactRecord.fromListItem(item, loaders.locationId));
    const nowMs = ctx.now();
    // The order needs every listed contact's tasks and appointments; a contact whose relations
    // fail still appears (last), and its own fields report the error at their paths.
    const keyed = await Promise.all(
      records.map(async (record) => {
        const [tasks, appointments] = await Promise.all([
          loaders.list(TASKS).load(record.id).catch(() => [] as UpstreamTask[]),
          loaders.list(APPOINTMENTS).load(record.id).catch(() => [] as UpstreamAppointment[]),
        ]);
        return { record, key: attentionKey(record.id, tasks, appointments, nowMs) };
      }),
    );
    return keyed.sort((a, b) => compareAttention(a.key, b.key)).map((k) => k.record);
  }
}

/** The dashboard's resolver classes, for `buildGatewaySchema({ resolvers })`. */
export const DASHBOARD_RESOLVERS: readonly Function[] = [DashboardContactResolver, ContactSummaryResolver, DashboardQueryResolver];
