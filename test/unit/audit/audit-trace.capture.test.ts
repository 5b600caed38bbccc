import { describe, expect, it } from "vitest";
import { createTraceCapture } from "../../../src/audit/index.js";
import type { UpstreamRequest } from "../../../src/upstream/pipeline.types.js";

const request = { method: "POST", route: "/contacts/", path: "/contacts/", locationId: "l", priority: "write", idempotent: false, attempt: 1 } as UpstreamRequest;

describe("trace capture", () => {
  it("hands each concurrent run its own upstream traceId", async () => {
    const trace = createTraceCapture();
    const handler = trace.middleware(async (r) => {
      await new Promise((resolve) => setTimeout(resolve, r.path === "/a" ? 20 : 1));
      return { status: 201, headers: {}, body: { traceId: `trace-${r.path.slice(1)}` }, durationMs: 1 };
    });
    const [a, b] = await Promise.all([
      trace.capture(() => handler({ ...request, path: "/a" })),
      trace.capture(() => handler({ ...request, path: "/b" })),
    ]);
    expect(a.traceId).toBe("trace-a");
    expect(b.traceId).toBe("trace-b");
    expect((await handler(request)).status).toBe(201); // outside capture: passes through
  });
});
