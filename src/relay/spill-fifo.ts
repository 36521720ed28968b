/**
 * One destination's spilled deliveries: a FIFO of references into the journal file, each the
 * offset and length of an event's accept record, the delivery's index in it and when the event
 * was accepted. 24 bytes a delivery: no string, no object, no map entry, so a backlog of a million
 * deliveries costs about 24 MB, not the gigabyte its parsed records would (docs/relay.md "Storms").
 * The events themselves are read back from the journal when their turn comes (spill-readback.ts);
 * a compaction moves them, and `remap` moves the references with them.
 *
 * Storage: a chain of fixed-size blocks, one ArrayBuffer each holding all four fields of
 * BLOCK_ENTRIES deliveries, added at the back as the FIFO grows and let go at the front as it
 * drains. Not one array per field doubling when full (as before): each doubling freed the smaller
 * arrays, and during a replay that grows 500 FIFOs at once malloc kept those frees as holes it
 * could not give back (docs/relay.md "The spill FIFOs in blocks": the main arena while a million
 * deliveries drain holds 40 MB, 2-3 free, against 42-48, 6-11 free). Blocks all have one size, so a freed block's
 * memory serves the next one; a few spare blocks are kept, shared by every FIFO, so that a draining
 * destination's blocks serve a growing one without a round trip through malloc and the GC.
 */

/** One spilled delivery. */
export interface SpillRef {
  /** Offset of the event's accept record in the journal file (its header's first byte). */
  readonly offset: number;
  /** Bytes of the accept record, header included. */
  readonly length: number;
  /** The delivery's index in the accept record. */
  readonly index: number;
  /** When the event was accepted (epoch ms). */
  readonly acceptedAt: number;
}

/**
 * Deliveries a block holds: 170 × 24 = 4,080 bytes, which with malloc's 16-byte chunk header is one
 * 4 KiB page. A destination wastes at most one block's unused tail (4 KB; 2 MB over 500 backlogged
 * destinations), and an empty FIFO holds no block.
 */
export const BLOCK_ENTRIES = 170;
/** Spare blocks kept for reuse across FIFOs (680 KB at most); beyond this a freed block goes to the GC. */
const SPARE_BLOCKS = 170;

/**
 * One block: offsets and accept times as float64 (offsets pass 4 GiB; times are epoch ms) in the
 * first half, lengths and indexes as uint32 in the second, views on one ArrayBuffer.
 */
class Block {
  readonly f64: Float64Array;
  readonly u32: Uint32Array;
  constructor() {
    const buffer = new ArrayBuffer(BLOCK_ENTRIES * 24);
    this.f64 = new Float64Array(buffer, 0, BLOCK_ENTRIES * 2);
    this.u32 = new Uint32Array(buffer, BLOCK_ENTRIES * 16, BLOCK_ENTRIES * 2);
  }
}

/** Field positions within a block, for slot s: f64[s] offset, f64[ACCEPTED + s], u32[s] length, u32[INDEX + s]. */
const ACCEPTED = BLOCK_ENTRIES;
const INDEX = BLOCK_ENTRIES;

const spare: Block[] = [];
const takeBlock = (): Block => spare.pop() ?? new Block();
const giveBlock = (block: Block): void => {
  if (spare.length < SPARE_BLOCKS) spare.push(block);
};

/** Spare blocks waiting for reuse (for tests). */
export const spareBlocks = (): number => spare.length;

/** A FIFO of spilled deliveries. */
export class SpillFifo {
  /** The chain, front first; position k of the FIFO is slot (head + k) counted from blocks[0]'s slot 0. */
  private blocks: Block[] = [];
  private head = 0;
  private count = 0;
  /**
   * True while the offsets were pushed in ascending order (they are: records are spilled in the
   * order they were appended, and a compaction's move keeps that order), so `hasOffset` can search.
   */
  private ascending = true;
  private lastPushed = -1;

  /** Deliveries waiting. */
  get size(): number {
    return this.count;
  }

  /** Blocks held (for tests: the chain grows and shrinks a block at a time). */
  get blockCount(): number {
    return this.blocks.length;
  }

  /** Adds a delivery at the back. */
  push(ref: SpillRef): void {
    const slot = this.head + this.count;
    if (slot === this.blocks.length * BLOCK_ENTRIES) this.blocks.push(takeBlock());
    this.write(slot, ref.offset, ref.length, ref.index, ref.acceptedAt);
    this.count++;
    if (ref.offset < this.lastPushed) this.ascending = false;
    this.lastPushed = ref.offset;
  }

  /**
   * True when a reference to the record at `offset` waits: a binary search while the offsets are
   * ascending (O(log n)), else a scan.
   */
  hasOffset(offset: number): boolean {
    if (!this.ascending) {
      for (let k = 0; k < this.count; k++) if (this.offsetAt(this.head + k) === offset) return true;
      return false;
    }
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.offsetAt(this.head + mid);
      if (v === offset) return true;
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** The delivery at the front, or undefined when none waits. */
  peek(): SpillRef | undefined {
    return this.count === 0 ? undefined : this.at(this.head);
  }

  /** Removes and returns the delivery at the front; a block whose last delivery left is let go. */
  shift(): SpillRef | undefined {
    const first = this.peek();
    if (!first) return undefined;
    this.count--;
    if (this.count === 0) this.clear();
    else if (++this.head === BLOCK_ENTRIES) {
      giveBlock(this.blocks.shift()!);
      this.head = 0;
    }
    return first;
  }

  /** Every waiting delivery, front first (a copy each: for tests and inspection, not for a backlog's worth). */
  refs(): SpillRef[] {
    return Array.from({ length: this.count }, (_, k) => this.at(this.head + k));
  }

  /** Every waiting delivery's offset, front first. */
  *offsetsInOrder(): Generator<number> {
    for (let k = 0; k < this.count; k++) yield this.offsetAt(this.head + k);
  }

  /**
   * Removes every reference to the record at `offset` (a compaction found it damaged:
   * journal-rewrite.ts) and returns them, front first; the others keep their order, moved forward
   * over the gaps, and the blocks left empty at the back are let go. O(size).
   */
  removeOffset(offset: number): SpillRef[] {
    const removed: SpillRef[] = [];
    let kept = 0;
    for (let k = 0; k < this.count; k++) {
      const from = this.head + k;
      if (this.offsetAt(from) === offset) {
        removed.push(this.at(from));
        continue;
      }
      if (kept !== k) this.move(from, this.head + kept);
      kept++;
    }
    this.count = kept;
    if (kept === 0) this.clear();
    else this.release(Math.ceil((this.head + kept) / BLOCK_ENTRIES));
    return removed;
  }

  /** Moves every reference to where `to` says its record now is (a compaction rewrote the file). */
  remap(to: (offset: number) => number): void {
    for (let k = 0; k < this.count; k++) {
      const slot = this.head + k;
      const block = this.blocks[(slot / BLOCK_ENTRIES) | 0]!;
      block.f64[slot % BLOCK_ENTRIES] = to(block.f64[slot % BLOCK_ENTRIES]!);
    }
    // The next push compares with the back's new offset (a compaction moved it to the new file).
    this.lastPushed = this.count === 0 ? -1 : this.offsetAt(this.head + this.count - 1);
  }

  /** Empty again: no block held, and the next push starts a new ascending run. */
  private clear(): void {
    this.release(0);
    this.head = 0;
    this.ascending = true;
    this.lastPushed = -1;
  }

  /** Lets go of every block from the `keep`th on. */
  private release(keep: number): void {
    while (this.blocks.length > keep) giveBlock(this.blocks.pop()!);
  }

  private offsetAt(slot: number): number {
    return this.blocks[(slot / BLOCK_ENTRIES) | 0]!.f64[slot % BLOCK_ENTRIES]!;
  }

  private at(slot: number): SpillRef {
    const block = this.blocks[(slot / BLOCK_ENTRIES) | 0]!;
    const s = slot % BLOCK_ENTRIES;
    return {
      offset: block.f64[s]!,
      length: block.u32[s]!,
      index: block.u32[INDEX + s]!,
      acceptedAt: block.f64[ACCEPTED + s]!,
    };
  }

  private write(slot: number, offset: number, length: number, index: number, acceptedAt: number): void {
    const block = this.blocks[(slot / BLOCK_ENTRIES) | 0]!;
    const s = slot % BLOCK_ENTRIES;
    block.f64[s] = offset;
    block.f64[ACCEPTED + s] = acceptedAt;
    block.u32[s] = length;
    block.u32[INDEX + s] = index;
  }

  /** Copies the delivery at slot `from` to slot `to` (removeOffset closing a gap). */
  private move(from: number, to: number): void {
    const r = this.at(from);
    this.write(to, r.offset, r.length, r.index, r.acceptedAt);
  }
}
