/**
 * The dashboard view: `Contact.summary`, `Query.dashboard(first, query, tags, filter)` and
 * `Query.dashboardScope` (how many matched in all: nothing the dashboard leaves out is silent).
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
import { ContactSummary, DashboardScope } from "./summary.type.js";
import { ContactFilter } from "../contact/contact-filter.input.js";
import { buildSearch, searchBody } from "../contact/contact-search.build.js";
import type { Loaders } from "../../loaders/index.js";
import type { FieldMapping } from "../../config/field-mapping.parse.js";
import {
  attentionKey,
  compareAttention,
  latestNote,
  latestTime,
  nextAppointment,
  openTasks,
  overdueTasks,
} from "./summary.compute.js";

/** Bounds of `dashboard`: `first` is one upstream page at most (FACTS.md: GET /contacts/ limit max 100). */
export const DASHBOARD_MAX_FIRST = 100;
const MAX_TAGS = 20;

interface DashboardInput {
  first: number;
  query: string | null | undefined;
  tags: string[] | null | undefined;
  filter: ContactFilter | null | undefined;
}

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > DASHBOARD_MAX_FIRST) {
    throw badUserInput("first", `an integer from 1 to ${DASHBOARD_MAX_FIRST}`, first);
  }
  return first;
}

/**
 * The dashboard's candidates: the newest `first` matches, exactly as `contacts` would list them.
 * With a filter or tags (`tags` is `filter.tags.any`, ANDed with the filter) they come from
 * POST /contacts/search, so every match in the location counts, not only the newest pages;
 * otherwise from one page of GET /contacts/. `total` is the upstream's count of all matches.
 */
async function candidates(input: DashboardInput, loaders: Loaders, mapping: FieldMapping | undefined): Promise<{ items: UpstreamContactListItem[]; total: number }> {
  const first = checkFirst(input.first);
  const tags = (input.tags ?? []).map((t) => t.trim()).filter((t) => t !== "");
  if (tags.length > MAX_TAGS) throw badUserInput("tags", `at most ${MAX_TAGS} tags`, tags.length);
  if (!input.filter && tags.length === 0) {
    const q = typeof input.query === "string" ? input.query.trim() : "";
    if (q.length > 256) throw badUserInput("query", "a search string of at most 256 characters");
    const page = await loaders.contactPage({ limit: first, query: q === "" ? undefined : q });
    return { items: page.contacts, total: typeof page.meta.total === "number" ? page.meta.total : page.contacts.length };
  }
  const filter: ContactFilter | null | undefined =
    tags.length === 0 ? input.filter : input.filter ? { and: [input.filter, { tags: { any: tags } }] } : { tags: { any: tags } };
  const spec = await buildSearch({ filter, query: input.query }, loaders, mapping);
  const page = await loaders.searchPage({ ...searchBody(spec, first), page: 1 });
  return { items: page.contacts, total: page.total };
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
      "The newest `first` contacts matching `query`, `filter` and `tags` (as `contacts` lists them), ordered by what needs attention: " +
      "most overdue tasks first, then the soonest next appointment. `tags` keeps contacts carrying at least one of them. " +
      "How many matched in all: `dashboardScope` with the same arguments (no extra upstream call). " +
      "Costs the contacts page plus, per contact, its tasks and appointments (and notes when selected).",
  })
  async dashboard(
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("query", () => String, { nullable: true }) query: string | null | undefined,
    @Arg("tags", () => [String], { nullable: true }) tags: string[] | null | undefined,
    @Arg("filter", () => ContactFilter, { nullable: true, description: "As `contacts(filter:)`: served by POST /contacts/search, exactly." })
    filter: ContactFilter | null | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<ContactRecord[]> {
    const loaders = ctx.loaders;
    const { items } = await candidates({ first, query, tags, filter }, loaders, ctx.fieldMapping);
    const records = items.map((item) => ContactRecord.fromListItem(item, loaders.locationId));
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

  @Scopes(SCOPES.read)
  @Query(() => DashboardScope, {
    description:
      "What `dashboard` with the same arguments covers: how many contacts match in all (the upstream's exact count) and how many it shows. " +
      "Reads the same page as `dashboard` (one upstream call for both).",
  })
  async dashboardScope(
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("query", () => String, { nullable: true }) query: string | null | undefined,
    @Arg("tags", () => [String], { nullable: true }) tags: string[] | null | undefined,
    @Arg("filter", () => ContactFilter, { nullable: true }) filter: ContactFilter | null | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<DashboardScope> {
    const { items, total } = await candidates({ first, query, tags, filter }, ctx.loaders, ctx.fieldMapping);
    return { totalCount: total, shown: items.length, complete: items.length >= total };
  }
}

/** The dashboard's resolver classes, for `buildGatewaySchema({ resolvers })`. */
export const DASHBOARD_RESOLVERS: readonly Function[] = [DashboardContactResolver, ContactSummaryResolver, DashboardQueryResolver];
