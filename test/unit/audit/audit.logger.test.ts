import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createAuditLogger } from "../../../src/audit/index.js";
import { createLogger } from "../../../src/observability/logger.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ destination, level: "info" }) };
}

describe("audit logger", () => {
  it("writes one structured line with ids, outcome and traceId", () => {
    const { lines, logger } = capture();
    createAuditLogger({ logger }).record({
      subject: "user-1",
      locationId: "loc1",
      operation: "updateContact",
      targetIds: { contactId: "abc123" },
      outcome: "success",
      traceId: "0f8e1d2c-aaaa-bbbb-cccc-123456789abc",
      fields: ["email", "phone"],
      idempotent: false,
      durationMs: 12.4,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      audit: true,
      subject: "user-1",
      locationId: "loc1",
      operation: "updateContact",
      targetIds: { contactId: "abc123" },
      outcome: "success",
      traceId: "0f8e1d2c-aaaa-bbbb-cccc-123456789abc",
      fields: ["email", "phone"],
      durationMs: 12,
    });
  });

  it("never writes values that are not id-shaped (an email as subject or target is hashed or dropped)", () => {
    const { lines, logger } = capture();
    createAuditLogger({ logger }).record({
      subject: "ada@example.com",
      locationId: "loc1",
      operation: "createContact",
      targetIds: { contactId: "ada@example.com", phone: "+1 415 555 0123" },
      outcome: "failed",
      errorCode: "CONFLICT",
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain("ada@example.com");
    expect(text).not.toContain("555");
    expect(lines[0]!.subject).toMatch(/^sha256:[0-9a-f]{16}$/);
  });
});

describe("audit level", () => {
  it("audit lines survive LOG_LEVEL=warn (written at info by the write services)", async () => {
    const { createWriteServices } = await import("../../../src/graphql/write/index-write.js");
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ destination, level: "warn" });
    const write = createWriteServices({ config: { redis: { url: undefined, keyPrefix: "x:" } }, logger });
    logger.info("ordinary info line");
    write.audit.record({ subject: "s", locationId: "loc1", operation: "deleteContact", targetIds: { contactId: "c1" }, outcome: "success" });
    await write.close();
    expect(lines.join("")).not.toContain("ordinary info line");
    expect(lines.join("")).toContain('"audit":true');
  });
});
