/**
 * The audit trail of the write path: exactly one structured pino line per mutation
 * attempt that reached a write resolver, with who (subject, location), what (operation, target
 * ids, the NAMES of the fields touched), how it ended (outcome, error code) and the upstream's
 * traceId for support tickets with HighLevel.
 *
 * It must never carry field values (email, phone, names, tags): the line is built from an
 * allow-list, and ids are checked against the id shape before they are written.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";

export type AuditOutcome =
  /** The upstream write succeeded. */
  | "success"
  /** Answered from the idempotency store; no upstream write. */
  | "replayed"
  /** Refused before any upstream write (validation, scope, precondition, idempotency mismatch). */
  | "rejected"
  /** The upstream refused the write (4xx/5xx with a definite answer). */
  | "failed"
  /** The write may or may not have happened (timeout after sending). */
  | "unknown";

export interface AuditEntry {
  subject: string | undefined;
  /** The caller's location; undefined when the caller could not be authenticated. */
  locationId: string | undefined;
  /** The mutation field, e.g. `createContact`. */
  operation: string;
  /** Ids of the resources written, e.g. `{ contactId, taskId }`. Values that are not id-shaped are dropped. */
  targetIds: Record<string, string | undefined>;
  outcome: AuditOutcome;
  /** `extensions.code` of the error answered, when not a success. */
  errorCode?: string;
  /** The upstream's traceId, when it sent one. */
  traceId?: string;
  /** Names of the input fields the write carried (never their values). */
  fields?: readonly string[];
  /** True when the request carried an Idempotency-Key. */
  idempotent?: boolean;
  durationMs?: number;
}

export interface AuditLogger {
  record(entry: AuditEntry): void;
}

const ID_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;
/** Subjects in the usual shapes (`user_1`, `auth0|abc`, `svc:sync`); anything else (an email…) is logged as a hash. */
const SUBJECT_SHAPE = /^[A-Za-z0-9_.:|-]{1,128}$/;
const NAME_SHAPE = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

export function createAuditLogger(options: { logger: Logger }): AuditLogger {
  const log = options.logger;
  return {
    record(entry) {
      const targetIds: Record<string, string> = {};
      for (const [name, id] of Object.entries(entry.targetIds)) {
        if (typeof id === "string" && ID_SHAPE.test(id) && NAME_SHAPE.test(name)) targetIds[name] = id;
      }
      const line: Record<string, unknown> = {
        audit: true,
        subject: safeSubject(entry.subject),
        locationId: entry.locationId === undefined ? null : ID_SHAPE.test(entry.locationId) ? entry.locationId : "[invalid]",
        operation: NAME_SHAPE.test(entry.operation) ? entry.operation : "[invalid]",
        targetIds,
        outcome: entry.outcome,
      };
      if (entry.errorCode !== undefined) line.errorCode = entry.errorCode;
      if (entry.traceId !== undefined && ID_SHAPE.test(entry.traceId)) line.traceId = entry.traceId;
      if (entry.fields) line.fields = entry.fields.filter((f) => NAME_SHAPE.test(f));
      if (entry.idempotent !== undefined) line.idempotent = entry.idempotent;
      if (entry.durationMs !== undefined) line.durationMs = Math.round(entry.durationMs);
      log.info(line, `audit ${String(line.operation)} ${entry.outcome}`);
    },
  };
}

function safeSubject(subject: string | undefined): string | null {
  if (!subject) return null;
  if (SUBJECT_SHAPE.test(subject)) return subject;
  return `sha256:${createHash("sha256").update(subject).digest("hex").slice(0, 16)}`;
}
