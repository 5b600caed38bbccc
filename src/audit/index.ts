/** Public surface of the audit trail. */
export { createAuditLogger, type AuditEntry, type AuditLogger, type AuditOutcome } from "./audit.logger.js";
export { createTraceCapture, type TraceCapture } from "./audit-trace.capture.js";
