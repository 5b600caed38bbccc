/** Which locations try a resource's bulk route: known scopes, remembered refusals and failures, retried after a while. */
import { describe, expect, it } from "vitest";
import { createBulkRouteMemory } from "../../../src/loaders/bulk-route.memory.js";
import { NOTES, TASKS } from "../../../src/upstream/resources.js";
import { UpstreamError } from "../../../src/upstream/upstream.error.js";

const failure = (reason: "missing_scope" | "server_error") =>
  new UpstreamError({ code: reason === "missing_scope" ? "FORBIDDEN" : "UPSTREAM_ERROR", reason, message: "x", method: "POST", route: "/locations/:locationId/tasks/search" });

describe("bulk route memory", () => {
  it("never tries a resource without a bulk route, nor a credential known to lack the scope", () => {
    const memory = createBulkRouteMemory({ grantedScopes: (l) => (l === "known-without" ? ["contacts.readonly"] : l === "known-with" ? ["locations/tasks.readonly"] : undefined) });
    expect(memory.usable("unknown", NOTES)).toBe(false);
    expect(memory.usable("known-without", TASKS)).toBe(false);
    expect(memory.usable("known-with", TASKS)).toBe(true);
    expect(memory.usable("unknown", TASKS)).toBe(true);
  });

  it("remembers a missing scope for an hour and another failure for 5 minutes, per location", () => {
    let now = 0;
    const memory = createBulkRouteMemory({ now: () => now });
    memory.failed("a", TASKS, failure("missing_scope"));
    memory.failed("b", TASKS, failure("server_error"));
    expect([memory.usable("a", TASKS), memory.usable("b", TASKS), memory.usable("c", TASKS)]).toEqual([false, false, true]);
    now = 300_000;
    expect([memory.usable("a", TASKS), memory.usable("b", TASKS)]).toEqual([false, true]);
    now = 3_600_000;
    expect(memory.usable("a", TASKS)).toBe(true);
  });
});
