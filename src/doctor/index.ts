/** Public surface of the doctor: the checks as a function (tests) and the ✓/✗ report (CLI). */
export { runDoctor, WRITE_PROBE_CONTACT_ID } from "./doctor.checks.js";
export type { DoctorResult, RunDoctorOptions } from "./doctor.checks.js";
export { formatDoctorReport, doctorPassed } from "./doctor.report.js";
