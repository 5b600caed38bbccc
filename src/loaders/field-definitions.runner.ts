/**
 * Keeps every served location's custom-field definitions (`GET /locations/:id/customFields`)
 * fresh on a schedule, so typed custom fields, filters by key and the field mapping never wait for
 * a cold read and notice a renamed or retyped field within one interval. Each refresh reads the
 * definitions again through a loader set (`fieldDefinitions({ fresh: true })`): the shared cache
 * stores them, and a changed list is announced on the cache's change path. `refreshAll` is also
 * what start-up checks (the field mapping) call. Timers are unref'd; `stop` ends them.
 */
import type { UpstreamCustomFieldDefinition } from "../upstream/contacts.types.js";
import type { LoaderFactory } from "./contact.loaders.js";

export interface FieldDefinitionsRefreshOptions {
  createLoaders: LoaderFactory;
  /** The locations served now (credentials). */
  locations(): readonly string[] | Promise<readonly string[]>;
  /** Interval between refreshes, ms; 0 = no schedule (on demand only). */
  intervalMs: number;
  /** Told about each location's refresh (definitions, or the error). */
  onRefreshed?(locationId: string, outcome: { definitions: UpstreamCustomFieldDefinition[] } | { error: unknown }): void;
}

export interface FieldDefinitionsRefresh {
  /** Refreshes every location now; resolves with each outcome (never rejects). */
  refreshAll(): Promise<Map<string, { definitions: UpstreamCustomFieldDefinition[] } | { error: unknown }>>;
  start(): void;
  stop(): void;
}

export function createFieldDefinitionsRefresh(options: FieldDefinitionsRefreshOptions): FieldDefinitionsRefresh {
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<unknown> | undefined;
  const refreshAll: FieldDefinitionsRefresh["refreshAll"] = async () => {
    const outcomes = new Map<string, { definitions: UpstreamCustomFieldDefinition[] } | { error: unknown }>();
    await Promise.all(
      (await options.locations()).map(async (locationId) => {
        let outcome: { definitions: UpstreamCustomFieldDefinition[] } | { error: unknown };
        try {
          outcome = { definitions: await options.createLoaders(locationId).fieldDefinitions({ fresh: true }) };
        } catch (error) {
          outcome = { error };
        }
        outcomes.set(locationId, outcome);
        options.onRefreshed?.(locationId, outcome);
      }),
    );
    return outcomes;
  };
  return {
    refreshAll,
    start() {
      if (timer || options.intervalMs <= 0) return;
      timer = setInterval(() => {
        if (running) return; // the previous round is still out
        running = refreshAll().finally(() => (running = undefined));
      }, options.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
