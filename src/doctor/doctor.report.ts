/** Renders doctor results as the ✓/!/✗ lines `npm run doctor` prints (hints indented under failures and warnings). */
import type { DoctorResult } from "./doctor.checks.js";

export function formatDoctorReport(results: readonly DoctorResult[]): string {
  const lines = results.flatMap((r) => [
    `${!r.ok ? "✗" : r.warning ? "!" : "✓"} ${r.name}: ${r.detail}`,
    ...((!r.ok || r.warning) && r.hint ? [`    fix: ${r.hint}`] : []),
  ]);
  const failed = results.filter((r) => !r.ok).length;
  const warnings = results.filter((r) => r.ok && r.warning).length;
  const warned = warnings === 0 ? "" : ` (${warnings} with a warning)`;
  lines.push("", failed === 0 ? `all ${results.length} checks passed${warned}` : `${failed} of ${results.length} checks failed${warned}`);
  return lines.join("\n") + "\n";
}

export function doctorPassed(results: readonly DoctorResult[]): boolean {
  return results.length > 0 && results.every((r) => r.ok);
}
