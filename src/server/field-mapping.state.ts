/**
 * What the field mapping (FIELD_MAPPING) looks like in each served location, from the
 * definitions the scheduled refresh reads (loaders/field-definitions.runner.ts): for each location
 * the mapped fields it lacks or types differently (config/field-mapping.parse.ts
 * `mappingProblems`). A problem seen for the first time (at start-up, or after a location's
 * fields changed) is logged as ONE line naming the field, its key, the location and the problem;
 * `/readyz` reports them (`fieldMapping`; location ids only to METRICS_TOKEN bearers). Such a
 * field resolves to null with an error in that location only (graphql/contact/mapped-fields.build.ts).
 */
import { mappingProblems, type DefinitionLike, type FieldMapping, type MappingProblem } from "../config/field-mapping.parse.js";
import type { Logger } from "../observability/logger.js";

export interface FieldMappingState {
  /** Records a location's definitions (or the error reading them). */
  record(locationId: string, outcome: { definitions: readonly DefinitionLike[] } | { error: unknown }): void;
  /** The `/readyz` report. */
  progress(): Record<string, unknown>;
}

export function createFieldMappingState(options: { mapping: FieldMapping; logger: Logger }): FieldMappingState {
  const { mapping, logger } = options;
  const byLocation = new Map<string, MappingProblem[]>();
  const unreadable = new Set<string>();
  return {
    record(locationId, outcome) {
      if ("error" in outcome) {
        if (!unreadable.has(locationId)) {
          logger.warn({ locationId, err: outcome.error }, `field mapping: the custom-field definitions of location ${locationId} cannot be read; its mapped fields resolve with an error until they can`);
        }
        unreadable.add(locationId);
        return;
      }
      unreadable.delete(locationId);
      const found = mappingProblems(mapping, outcome.definitions);
      const before = new Set((byLocation.get(locationId) ?? []).map((p) => `${p.field}\u0000${p.problem}`));
      for (const p of found) {
        if (!before.has(`${p.field}\u0000${p.problem}`)) {
          logger.warn({ locationId, field: p.field, key: p.key }, `field mapping: ${p.field} (${p.key}) in location ${locationId}: ${p.problem}`);
        }
      }
      byLocation.set(locationId, found);
    },
    progress() {
      const problems = [...byLocation.values()].reduce((n, list) => n + list.length, 0);
      return {
        fields: mapping.contact.length,
        locationsChecked: byLocation.size,
        problems,
        unreadableLocations: unreadable.size,
        byLocation: Object.fromEntries([...byLocation].filter(([, list]) => list.length > 0).map(([id, list]) => [id, list])),
      };
    },
  };
}
