import { describe, expect, it } from "vitest";
import { appendExtensionsBytes, createResponseExtensions, withExtensions } from "../../../../src/server/pipeline/response-extensions.build.js";
import type { Viewer } from "../../../../src/auth/index.js";
import { createReadLog } from "../../../../src/cache/read-log.js";

const viewer = { locationId: "L1", scopes: ["contacts.readonly"] } as unknown as Viewer;

describe("response extensions", () => {
  it("appends extensions to stored bytes without parsing them, and the result parses to the merged answer", () => {
    const stored = Buffer.from(`${JSON.stringify({ data: { a: [1, { b: "}é" }] } })}\n`);
    const chunks = appendExtensionsBytes(stored, { freshness: { ageMs: 5 } });
    const out = Buffer.concat(chunks).toString("utf8");
    expect(out.endsWith("}\n")).toBe(true);
    expect(JSON.parse(out)).toEqual({ data: { a: [1, { b: "}é" }] }, extensions: { freshness: { ageMs: 5 } } });
    // The stored bytes are sent as they are, not copied.
    expect(chunks[0]!.buffer).toBe(stored.buffer);
    expect(appendExtensionsBytes(stored, undefined)).toEqual([stored]);
    expect(JSON.parse(Buffer.concat(appendExtensionsBytes(Buffer.from("{}\n"), { x: 1 })).toString())).toEqual({ extensions: { x: 1 } });
  });

  it("merges into a result's own extensions and never changes the stored object", () => {
    const result = Object.freeze({ data: { a: 1 }, extensions: { own: true } });
    expect(withExtensions(result, { cost: 2 })).toEqual({ data: { a: 1 }, extensions: { own: true, cost: 2 } });
    expect(result).toEqual({ data: { a: 1 }, extensions: { own: true } });
  });

  it("keeps what each extension needs with a stored answer and computes its value again at a hit", () => {
    let now = 100;
    const extensions = createResponseExtensions([
      { name: "clock", executed: () => ({ value: now, kept: now }), stored: (_v, kept) => now - (kept as number) },
      { name: "never", executed: () => undefined, stored: () => undefined },
    ]);
    const executed = extensions.executed({ viewer, reads: createReadLog(), context: {} });
    expect(executed).toEqual({ values: { clock: 100 }, kept: { clock: 100 } });
    now = 130;
    expect(extensions.stored(viewer, executed.kept)).toEqual({ clock: 30 });
    expect(() => createResponseExtensions([extensions as never, { name: "a" } as never, { name: "a" } as never])).toThrow(/registered twice/);
  });
});
