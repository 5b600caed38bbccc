// The operation deadline's signal (src/upstream/deadline.ts): created on first use, aborting when
// the time is up, and carrying one listener per pending call without node's leak warning.
import { describe, expect, it } from "vitest";
import { createOperationDeadline } from "../../../src/upstream/index.js";

describe("operation deadline", () => {
  it("takes one abort listener per pending call of a 50-contact page without a MaxListenersExceededWarning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const deadline = createOperationDeadline(60_000);
      const listeners = Array.from({ length: 50 }, () => () => undefined);
      for (const listener of listeners) deadline.signal.addEventListener("abort", listener, { once: true });
      // Node emits process warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
      for (const listener of listeners) deadline.signal.removeEventListener("abort", listener);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("aborts its signal when the time is up and says so", async () => {
    const deadline = createOperationDeadline(5);
    expect(deadline.expired()).toBe(false);
    await new Promise<void>((resolve) => deadline.signal.addEventListener("abort", () => resolve(), { once: true }));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired()).toBe(true);
  });
});
