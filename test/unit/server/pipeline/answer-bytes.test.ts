/** The response cache's body memory: reused only once dropped and no longer being written. */
import { describe, expect, it } from "vitest";
import { createAnswerBytes, MIN_POOLED_BYTES, sizeClassOf } from "../../../../src/server/pipeline/answer-bytes.js";

const text = (length: number, fill = "a") => `{"data":"${fill.repeat(length - 12)}"}\n`.slice(0, length);

describe("answer bytes", () => {
  it("size classes waste at most an eighth and never shrink a body", () => {
    let previous = 0;
    for (const length of [MIN_POOLED_BYTES + 1, 5_000, 41_104, 65_536, 65_537, 1_000_000]) {
      const size = sizeClassOf(length);
      expect(size).toBeGreaterThanOrEqual(length);
      expect(size - length).toBeLessThanOrEqual(length / 8);
      expect(size).toBeGreaterThanOrEqual(previous);
      previous = size;
    }
    expect(sizeClassOf(100)).toBe(100);
  });

  it("encodes UTF-8 exactly, small bodies as plain buffers", () => {
    const bytes = createAnswerBytes({ spareBytes: 1 << 20 });
    const large = `${text(9_000)}é€😀`;
    expect(bytes.encode(large).toString("utf8")).toBe(large);
    expect(bytes.encode(large).length).toBe(Buffer.byteLength(large));
    const small = bytes.encode('{"data":{"é":1}}\n');
    expect(small.toString("utf8")).toBe('{"data":{"é":1}}\n');
    expect(bytes.sizeFor(small.length)).toBe(small.length);
    bytes.release(small); // not pooled: nothing to reuse
    expect(bytes.stats()).toEqual({ reused: 0, allocated: 2, spareBytes: 0 });
  });

  it("reuses a released buffer for the next body of its class", () => {
    const bytes = createAnswerBytes({ spareBytes: 1 << 20 });
    const first = bytes.encode(text(40_000, "a"));
    expect(bytes.sizeFor(first.length)).toBe(sizeClassOf(40_000));
    expect(first.buffer.byteLength).toBe(sizeClassOf(40_000));
    bytes.release(first);
    bytes.release(first); // a second release changes nothing
    expect(bytes.stats().spareBytes).toBe(sizeClassOf(40_000));
    const second = bytes.encode(text(39_000, "b"));
    expect(second.buffer).toBe(first.buffer);
    expect(second.toString()).toBe(text(39_000, "b"));
    expect(bytes.stats()).toEqual({ reused: 1, allocated: 1, spareBytes: 0 });
    // Another class gets memory of its own.
    expect(bytes.encode(text(20_000)).buffer).not.toBe(first.buffer);
  });

  it("never reuses a buffer while a write of it is pending, nor one whose write did not finish", () => {
    const bytes = createAnswerBytes({ spareBytes: 1 << 20 });
    const lentOut = bytes.encode(text(40_000, "a"));
    const done = bytes.lend(lentOut);
    bytes.release(lentOut);
    const meanwhile = bytes.encode(text(40_000, "b"));
    expect(meanwhile.buffer).not.toBe(lentOut.buffer);
    expect(lentOut.toString()).toBe(text(40_000, "a"));
    done(true);
    done(false); // only the first report counts
    expect(bytes.encode(text(40_000, "c")).buffer).toBe(lentOut.buffer);

    const cut = bytes.encode(text(40_000, "d"));
    const cutDone = bytes.lend(cut);
    const second = bytes.lend(cut);
    bytes.release(cut);
    second(true);
    cutDone(false); // the connection closed first: node may still hold it
    expect(bytes.stats().spareBytes).toBe(0);
    expect(bytes.encode(text(40_000, "e")).buffer).not.toBe(cut.buffer);
  });

  it("keeps at most spareBytes of released buffers", () => {
    const size = sizeClassOf(40_000);
    const bytes = createAnswerBytes({ spareBytes: size * 2 });
    const all = [1, 2, 3].map(() => bytes.encode(text(40_000)));
    for (const b of all) bytes.release(b);
    expect(bytes.stats().spareBytes).toBe(size * 2);
    for (let i = 0; i < 3; i++) bytes.encode(text(40_000));
    expect(bytes.stats()).toMatchObject({ reused: 2, allocated: 4, spareBytes: 0 });
    expect(() => createAnswerBytes({ spareBytes: -1 })).toThrow(/spareBytes must be >= 0/);
  });
});

describe("answer bytes: spare memory", () => {
  it("gives up the oldest spare buffers for newer ones, so a size no longer stored makes room", () => {
    const a = sizeClassOf(40_000);
    const bytes = createAnswerBytes({ spareBytes: a * 2 });
    for (const b of [1, 2].map(() => bytes.encode(text(40_000)))) bytes.release(b);
    expect(bytes.stats().spareBytes).toBe(a * 2);
    // Answers of another size from now on: each dropped one takes the place of an old spare buffer.
    for (let i = 0; i < 3; i++) bytes.release(bytes.encode(text(20_000)));
    expect(bytes.stats()).toMatchObject({ reused: 2, allocated: 3 });
    expect(bytes.stats().spareBytes).toBeLessThanOrEqual(a * 2);
    bytes.release(bytes.encode(text(20_000)));
    expect(bytes.stats().reused).toBe(3);
  });
});
