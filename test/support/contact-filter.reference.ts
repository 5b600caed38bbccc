/**
 * A reference evaluation of `ContactFilter` (schema/schema.graphql) over the simulator's contacts, written
 * independently of both the gateway's translation (src/graphql/contact/contact-filter.translate.ts)
 * and the simulator's search (src/simulator/contact-search.filter.ts), from the semantics their
 * headers document: tags and strings case-insensitive, date ranges inclusive, `hasEmail` /
 * `hasPhone` presence, custom-field conditions on the stored value (numbers compared as numbers,
 * DATE fields as instants), `and` all, `or` any. Plus a seeded generator of random filters whose
 * values are drawn from the data, so most filters match something and some match nothing.
 */
import { createRng, type Rng } from "../../src/simulator/random.js";
import type { SimulatorContact, SimulatorCustomFieldDefinition } from "../../src/simulator/simulator.types.js";

/** The GraphQL input as plain data (what a client sends as variables). */
export interface FilterInput {
  tags?: { any?: string[]; all?: string[]; none?: string[] };
  businessId?: string;
  assignedTo?: string[];
  type?: string;
  dnd?: boolean;
  dateAdded?: { from?: string; to?: string };
  dateUpdated?: { from?: string; to?: string };
  hasEmail?: boolean;
  hasPhone?: boolean;
  customFields?: { key: string; operator: "EQ" | "NOT_EQ" | "CONTAINS" | "NOT_CONTAINS" | "EXISTS" | "NOT_EXISTS" | "RANGE"; value?: unknown }[];
  and?: FilterInput[];
  or?: FilterInput[];
}

const lower = (v: unknown) => String(v).toLowerCase();
const present = (v: unknown) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);

function customValue(contact: SimulatorContact, definitions: readonly SimulatorCustomFieldDefinition[], key: string): { value: unknown; dataType: string } {
  const definition = definitions.find((d) => d.fieldKey === key || d.fieldKey === `contact.${key}` || d.id === key);
  if (!definition) throw new Error(`reference: no custom field ${key}`);
  return { value: contact.customFields?.find((f) => f.id === definition.id)?.value, dataType: definition.dataType };
}

function inRange(stored: unknown, bounds: Record<string, unknown>, date: boolean): boolean {
  if (!present(stored)) return false;
  const num = (v: unknown) => (date ? (typeof v === "number" ? v : Date.parse(String(v))) : Number(v));
  const a = num(stored);
  if (Number.isNaN(a)) return false;
  return Object.entries(bounds).every(([k, b]) => {
    const n = num(b);
    return k === "gte" ? a >= n : k === "lte" ? a <= n : k === "gt" ? a > n : a < n;
  });
}

export function referenceMatches(contact: SimulatorContact, filter: FilterInput, definitions: readonly SimulatorCustomFieldDefinition[]): boolean {
  const tags = (contact.tags ?? []).map(lower);
  if (filter.tags?.any && !filter.tags.any.some((t) => tags.includes(lower(t)))) return false;
  if (filter.tags?.all && !filter.tags.all.every((t) => tags.includes(lower(t)))) return false;
  if (filter.tags?.none && filter.tags.none.some((t) => tags.includes(lower(t)))) return false;
  if (filter.businessId !== undefined && lower(contact.businessId ?? "") !== lower(filter.businessId)) return false;
  if (filter.assignedTo && !filter.assignedTo.some((u) => lower(u) === lower(contact.assignedTo ?? ""))) return false;
  if (filter.type !== undefined && lower(contact.type ?? "") !== lower(filter.type)) return false;
  if (filter.dnd !== undefined && (contact.dnd ?? false) !== filter.dnd) return false;
  for (const field of ["dateAdded", "dateUpdated"] as const) {
    const range = filter[field];
    if (!range) continue;
    const at = Date.parse(contact[field] ?? "");
    if (range.from !== undefined && !(at >= Date.parse(range.from))) return false;
    if (range.to !== undefined && !(at <= Date.parse(range.to))) return false;
  }
  if (filter.hasEmail !== undefined && present(contact.email) !== filter.hasEmail) return false;
  if (filter.hasPhone !== undefined && present(contact.phone) !== filter.hasPhone) return false;
  for (const condition of filter.customFields ?? []) {
    const { value, dataType } = customValue(contact, definitions, condition.key);
    const items = Array.isArray(value) ? value : present(value) ? [value] : [];
    const equals = (v: unknown) => items.some((item) => (typeof v === "number" ? Number(item) === v : lower(item) === lower(v)));
    const contains = (v: unknown) => items.some((item) => lower(item).includes(lower(v)));
    const ok =
      condition.operator === "EQ" ? equals(condition.value)
      : condition.operator === "NOT_EQ" ? !equals(condition.value)
      : condition.operator === "CONTAINS" ? contains(condition.value)
      : condition.operator === "NOT_CONTAINS" ? !contains(condition.value)
      : condition.operator === "EXISTS" ? items.length > 0
      : condition.operator === "NOT_EXISTS" ? items.length === 0
      : items.some((item) => inRange(item, condition.value as Record<string, unknown>, dataType === "DATE"));
    if (!ok) return false;
  }
  if (filter.and && !filter.and.every((f) => referenceMatches(contact, f, definitions))) return false;
  if (filter.or && !filter.or.some((f) => referenceMatches(contact, f, definitions))) return false;
  return true;
}

/** `count` random filters over `contacts`, deterministic per `seed`. */
export function randomFilters(seed: number, count: number, contacts: readonly SimulatorContact[], definitions: readonly SimulatorCustomFieldDefinition[]): FilterInput[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => randomFilter(rng, contacts, definitions, 0));
}

function randomFilter(rng: Rng, contacts: readonly SimulatorContact[], definitions: readonly SimulatorCustomFieldDefinition[], depth: number): FilterInput {
  const sample = () => rng.pick(contacts);
  const tagsInUse = [...new Set(contacts.flatMap((c) => c.tags ?? []))];
  const filter: FilterInput = {};
  const parts = 1 + rng.int(depth === 0 ? 3 : 2);
  for (let i = 0; i < parts; i++) {
    switch (rng.int(depth < 2 ? 11 : 9)) {
      case 0: {
        const pick = () => (rng.chance(0.15) ? "no-such-tag" : rng.pick(tagsInUse));
        const list = () => Array.from({ length: 1 + rng.int(3) }, pick).map((t) => (rng.chance(0.3) ? t.toUpperCase() : t));
        filter.tags = rng.chance(0.4) ? { any: list() } : rng.chance(0.5) ? { all: list() } : { none: list() };
        break;
      }
      case 1:
        filter.businessId = sample().businessId ?? "000000000000000000000000";
        break;
      case 2:
        filter.assignedTo = Array.from({ length: 1 + rng.int(2) }, () => sample().assignedTo ?? "nobody");
        break;
      case 3:
        filter.type = rng.chance(0.5) ? "lead" : "customer";
        break;
      case 4:
        filter.dnd = rng.chance(0.5);
        break;
      case 5: {
        const a = Date.parse(sample().dateAdded!);
        const b = Date.parse(sample().dateAdded!);
        const field = rng.chance(0.5) ? "dateAdded" : "dateUpdated";
        filter[field] = rng.chance(0.3)
          ? { from: new Date(Math.min(a, b)).toISOString() }
          : rng.chance(0.5)
            ? { to: new Date(Math.max(a, b)).toISOString() }
            : { from: new Date(Math.min(a, b)).toISOString(), to: new Date(Math.max(a, b)).toISOString() };
        break;
      }
      case 6:
        if (rng.chance(0.5)) filter.hasEmail = rng.chance(0.7);
        else filter.hasPhone = rng.chance(0.7);
        break;
      case 7:
      case 8: {
        const definition = rng.pick(definitions);
        const key = rng.chance(0.5) ? definition.fieldKey : definition.fieldKey.replace(/^contact\./, "");
        const stored = sample().customFields?.find((f) => f.id === definition.id)?.value;
        const text = typeof stored === "string" ? stored : "Closed";
        const numeric = definition.dataType === "MONETORY" || definition.dataType === "NUMERICAL";
        const op = rng.pick(["EQ", "NOT_EQ", "CONTAINS", "NOT_CONTAINS", "EXISTS", "NOT_EXISTS", "RANGE"] as const);
        const word = (text.match(/[\p{L}\p{N}]+/gu) ?? ["x"])[0]!;
        const condition =
          op === "EXISTS" || op === "NOT_EXISTS" ? { key, operator: op }
          : op === "CONTAINS" || op === "NOT_CONTAINS" ? { key, operator: op, value: rng.chance(0.5) ? word.toUpperCase() : word }
          : op === "RANGE"
            ? numeric
              ? { key, operator: op, value: rng.chance(0.5) ? { gte: Number(text) || 300_000 } : { gt: 200_000, lt: Number(text) || 500_000 } }
              : definition.dataType === "DATE"
                ? { key, operator: op, value: { lte: text.length === 10 ? text : "2030-01-01" } }
                : { key, operator: "EXISTS" as const }
            : { key, operator: op, value: numeric && rng.chance(0.5) ? Number(text) || 350_000 : text };
        (filter.customFields ??= []).push(condition);
        break;
      }
      case 9:
        filter.and = Array.from({ length: 1 + rng.int(2) }, () => randomFilter(rng, contacts, definitions, depth + 1));
        break;
      default:
        filter.or = Array.from({ length: 2 + rng.int(2) }, () => randomFilter(rng, contacts, definitions, depth + 1));
    }
  }
  return filter;
}
