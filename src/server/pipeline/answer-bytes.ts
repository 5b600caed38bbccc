/**
 * The memory of the response cache's stored answers, reused: a stored body is encoded into a
 * buffer a dropped answer held before, instead of a new allocation per stored miss.
 *
 * Why: every miss the response cache stores is a new ~40 KB body (a 50-contact page). Freshly
 * allocated, its bytes are written into pages the process has not touched yet, and on this
 * kind of (virtualised) machine the page faults of that first write cost a miss ~10 % of its CPU
 * (bench/results/2026-12-03-stored-answer-memory.md: the UTF-8 encoding of the stored body was
 * ~8 % of a miss, under `perf` nearly all in the kernel's page-fault path; without storing, the
 * same encoding was ~1 %). Freed bodies also waited for a major collection,
 * so resident memory grew with every stored miss until one came. A body encoded into a reused
 * buffer touches memory that is already mapped.
 *
 * Buffers come in size classes (eight per power of two, so at most 1/8 is unused) from
 * `MIN_POOLED_BYTES`; a smaller body is a plain `Buffer.from` (node's own pool serves those). At
 * most `spareBytes` of dropped buffers wait for reuse, the oldest given up to the garbage
 * collector first (so buffers of a size no longer stored make room). A buffer is reused only when
 * nothing can still read it:
 * - the cache has dropped it (`release`), and
 * - every write of it to a socket has finished (`lend` ... `done(true)`): node keeps a reference
 *   to a buffer until the socket took it, so a buffer reused during a slow client's write would
 *   send another answer's bytes. A write that ended otherwise (`done(false)`: the connection
 *   closed first) spoils the buffer: never reused, left to the garbage collector.
 */

/** Bodies below this size are plain `Buffer.from`: node's allocation pool serves them. */
export const MIN_POOLED_BYTES = 4096;

export interface AnswerBytesStats {
  /** Buffers handed out again after a release. */
  reused: number;
  /** Buffers allocated because no spare one of the class was free. */
  allocated: number;
  /** Bytes of dropped buffers waiting for reuse. */
  spareBytes: number;
}

export interface AnswerBytes {
  /** `text` as UTF-8 (`length`: its byte length, when known), in a reused buffer where one of its class is free. */
  encode(text: string, length?: number): Buffer;
  /** The bytes a body of `length` bytes will hold in memory (`sizeOf` of its encoding). */
  sizeFor(length: number): number;
  /** Its owner dropped `bytes`: reusable once no write of them is pending. No-op for plain buffers. */
  release(bytes: Buffer): void;
  /**
   * A write of `bytes` to a socket starts: `done(finished)` when it ended, `finished` false when
   * the connection closed before the write completed. Each `lend` gets exactly one `done`.
   */
  lend(bytes: Buffer): (finished: boolean) => void;
  stats(): AnswerBytesStats;
}

/** One pooled allocation and who may still read it. */
interface Slab {
  readonly memory: Buffer;
  lent: number;
  released: boolean;
  spoiled: boolean;
}

const NOT_LENT = (): void => undefined;

/** The size class of `length` bytes: rounded up to the next eighth of the power of two below it. */
export function sizeClassOf(length: number): number {
  if (length < MIN_POOLED_BYTES) return length;
  const step = 2 ** Math.floor(Math.log2(length)) / 8;
  return Math.ceil(length / step) * step;
}

export function createAnswerBytes(options: { spareBytes: number }): AnswerBytes {
  const { spareBytes: maxSpare } = options;
  if (!Number.isFinite(maxSpare) || maxSpare < 0) throw new TypeError(`AnswerBytes: spareBytes must be >= 0, received ${maxSpare}`);
  // Keyed by the allocation (`buffer.buffer`): every view of a pooled buffer finds its slab, a
  // plain buffer (node's pool, other owners) none.
  const slabs = new WeakMap<ArrayBufferLike, Slab>();
  // Spare buffers by size class, and all of them oldest first (`order`: a few hundred at most).
  const spare = new Map<number, Slab[]>();
  const order: Slab[] = [];
  let spareBytes = 0;
  let reused = 0;
  let allocated = 0;

  const unspare = (slab: Slab) => {
    const list = spare.get(slab.memory.length)!;
    list.splice(list.indexOf(slab), 1);
    order.splice(order.indexOf(slab), 1);
    spareBytes -= slab.memory.length;
  };
  const recycle = (slab: Slab) => {
    if (!slab.released || slab.lent > 0 || slab.spoiled) return;
    const size = slab.memory.length;
    if (size > maxSpare) return; // left to the garbage collector
    while (spareBytes + size > maxSpare) unspare(order[0]!); // the oldest spare goes instead
    let list = spare.get(size);
    if (list === undefined) spare.set(size, (list = []));
    list.push(slab);
    order.push(slab);
    spareBytes += size;
  };

  return {
    encode(text, length = Buffer.byteLength(text, "utf8")) {
      if (length < MIN_POOLED_BYTES) return Buffer.from(text, "utf8");
      const size = sizeClassOf(length);
      const list = spare.get(size);
      let slab = list !== undefined && list.length > 0 ? list[list.length - 1] : undefined;
      if (slab !== undefined) {
        unspare(slab);
        slab.released = false;
        reused++;
      } else {
        slab = { memory: Buffer.allocUnsafeSlow(size), lent: 0, released: false, spoiled: false };
        slabs.set(slab.memory.buffer, slab);
        allocated++;
      }
      slab.memory.write(text, 0, length, "utf8");
      return slab.memory.subarray(0, length);
    },
    sizeFor: sizeClassOf,
    release(bytes) {
      const slab = slabs.get(bytes.buffer);
      if (slab === undefined || slab.released) return;
      slab.released = true;
      recycle(slab);
    },
    lend(bytes) {
      const slab = slabs.get(bytes.buffer);
      if (slab === undefined) return NOT_LENT;
      slab.lent++;
      let returned = false;
      return (finished) => {
        if (returned) return;
        returned = true;
        slab.lent--;
        if (!finished) slab.spoiled = true;
        recycle(slab);
      };
    },
    stats: () => ({ reused, allocated, spareBytes }),
  };
}
