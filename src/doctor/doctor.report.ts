/** Renders doctor results as the ✓/✗ lines `npm run doctor` prints (hints indented under failures). */
import type { DoctorResult } from "./doctor.checks.js";

export function formatDoctorReport(results: readonly DoctorResult[]): string {
  const lines = results.flatMap((r) => [
    `${r.ok ? "✓" : "✗"} ${r.name}: ${r.detail}`,
    ...(!r.ok && r.hint ? [`    fix: ${r.hint}`] : []),
  ]);
  const failed = results.filter((r) => !r.ok).length;
  lines.push("", failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks failed`);
  return lines.join("\n") + "\n";
}

export function doctorPassed(results: readonly DoctorResult[]): boolean {
  return results.length > 0 && results.every((r) => r.ok);
}
