import { describe, expect, it } from "vitest";
import { createCalendarListMemory } from "../../../src/loaders/calendar-list.memory.js";

describe("calendar list memory", () => {
  it("reads a location's calendars once (concurrent loads share the read) and uses them for ttlMs", async () => {
    let now = 0;
    const memory = createCalendarListMemory({ ttlMs: 1_000, now: () => now });
    let reads = 0;
    const read = async () => {
      reads += 1;
      return ["k1", "k2", "k1"];
    };
    const [a, b] = await Promise.all([memory.load("L", read), memory.load("L", read)]);
    expect(a).toEqual(["k1", "k2"]);
    expect(b).toBe(a);
    expect(memory.peek("L")).toEqual(["k1", "k2"]);
    expect(memory.peek("other")).toBeUndefined();
    now = 999;
    expect(await memory.load("L", read)).toEqual(["k1", "k2"]);
    now = 1_000;
    expect(memory.peek("L")).toBeUndefined();
    await memory.load("L", read);
    expect(reads).toBe(2);
  });

  it("forgets a list when an appointment names a calendar it lacks, also one still being read", async () => {
    const memory = createCalendarListMemory();
    await memory.load("L", async () => ["k1"]);
    memory.noteCalendar("L", "k1");
    expect(memory.peek("L")).toEqual(["k1"]);
    memory.noteCalendar("L", "k-new");
    expect(memory.peek("L")).toBeUndefined();

    let answer!: (ids: string[]) => void;
    const pending = memory.load("L", () => new Promise<string[]>((resolve) => (answer = resolve)));
    memory.noteCalendar("L", "k-newer");
    answer(["k1", "k-new"]);
    expect(await pending).toEqual(["k1", "k-new"]); // this read's callers still get its answer
    expect(memory.peek("L")).toBeUndefined(); // but it is not remembered
  });
});
