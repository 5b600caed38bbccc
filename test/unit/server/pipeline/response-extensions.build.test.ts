import { describe, expect, it } from "vitest";
import { appendExtensionsJson, createResponseExtensions, withExtensions } from "../../../../src/server/pipeline/response-extensions.build.js";
import type { Viewer } from "../../../../src/auth/index.js";
import { createReadLog } from "../../../../src/cache/read-log.js";

const viewer = { locationId: "L1", scopes: ["contacts.readonly"] } as unknown as Viewer;

describe("response extensions", () => {
  it("appends extensions to stored bytes without parsing them, and the result parses to the merged answer", () => {
    const stored = `${JSON.stringify({ data: { a: [1, { b: "}" }] } })}\n`;
    const out = appendExtensionsJson(stored, { freshness: { ageMs: 5 } });
    expect(out.endsWith("}\n")).toBe(true);
    expect(JSON.parse(out)).toEqual({ data: { a: [1, { b: "}" }] }, extensions: { freshness: { ageMs: 5 } } });
    expect(appendExtensionsJson(stored, undefined)).toBe(stored);
    expect(JSON.parse(appendExtensionsJson("{}\n", { x: 1 }))).toEqual({ extensions: { x: 1 } });
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
