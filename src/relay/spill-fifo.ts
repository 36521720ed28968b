/**
 * One destination's spilled deliveries: a FIFO of references into the journal file, each the
 * offset and length of an event's accept record, the delivery's index in it and when the event
 * was accepted. Held in typed arrays (a ring that doubles when full), 24 bytes a delivery: no
 * string, no object, no map entry, so a backlog of a million deliveries costs about 24 MB, not
 * the gigabyte its parsed records would (docs/relay.md "Storms"). The events themselves are read
 * back from the journal when their turn comes (spill-readback.ts); a compaction moves them, and
 * `remap` moves the references with them.
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

const INITIAL_CAPACITY = 16;

/** A FIFO of spilled deliveries. */
export class SpillFifo {
  private offsets = new Float64Array(INITIAL_CAPACITY);
  private lengths = new Uint32Array(INITIAL_CAPACITY);
  private indexes = new Uint32Array(INITIAL_CAPACITY);
  private acceptedAts = new Float64Array(INITIAL_CAPACITY);
  /** The first entry's slot, and how many entries follow it (wrapping around). */
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

  /** Adds a delivery at the back. */
  push(ref: SpillRef): void {
    if (this.count === this.offsets.length) this.grow();
    const slot = (this.head + this.count) % this.offsets.length;
    this.offsets[slot] = ref.offset;
    this.lengths[slot] = ref.length;
    this.indexes[slot] = ref.index;
    this.acceptedAts[slot] = ref.acceptedAt;
    this.count++;
    if (ref.offset < this.lastPushed) this.ascending = false;
    this.lastPushed = ref.offset;
  }

  /**
   * True when a reference to the record at `offset` waits: a binary search while the offsets are
   * ascending (O(log n)), else a scan.
   */
  hasOffset(offset: number): boolean {
    const at = (k: number) => this.offsets[(this.head + k) % this.offsets.length]!;
    if (!this.ascending) {
      for (let k = 0; k < this.count; k++) if (at(k) === offset) return true;
      return false;
    }
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = at(mid);
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

  /** Removes and returns the delivery at the front. */
  shift(): SpillRef | undefined {
    const first = this.peek();
    if (!first) return undefined;
    this.head = (this.head + 1) % this.offsets.length;
    this.count--;
    if (this.count === 0) this.clear();
    return first;
  }

  /** Every waiting delivery, front first (a copy each: for tests and inspection, not for a backlog's worth). */
  refs(): SpillRef[] {
    return Array.from({ length: this.count }, (_, k) => this.at((this.head + k) % this.offsets.length));
  }

  /** Every waiting delivery's offset, front first. */
  *offsetsInOrder(): Generator<number> {
    for (let k = 0; k < this.count; k++) yield this.offsets[(this.head + k) % this.offsets.length]!;
  }

  /**
   * Removes every reference to the record at `offset` (a compaction found it damaged:
   * journal-rewrite.ts) and returns them, front first; the others keep their order. O(size).
   */
  removeOffset(offset: number): SpillRef[] {
    const removed: SpillRef[] = [];
    let kept = 0;
    for (let k = 0; k < this.count; k++) {
      const from = (this.head + k) % this.offsets.length;
      if (this.offsets[from] === offset) {
        removed.push(this.at(from));
        continue;
      }
      const to = (this.head + kept) % this.offsets.length;
      this.offsets[to] = this.offsets[from]!;
      this.lengths[to] = this.lengths[from]!;
      this.indexes[to] = this.indexes[from]!;
      this.acceptedAts[to] = this.acceptedAts[from]!;
      kept++;
    }
    this.count = kept;
    if (kept === 0) this.clear();
    return removed;
  }

  /** Moves every reference to where `to` says its record now is (a compaction rewrote the file). */
  remap(to: (offset: number) => number): void {
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head + k) % this.offsets.length;
      this.offsets[slot] = to(this.offsets[slot]!);
    }
    // The next push compares with the back's new offset (a compaction moved it to the new file).
    this.lastPushed = this.count === 0 ? -1 : this.offsets[(this.head + this.count - 1) % this.offsets.length]!;
  }

  /** Empty again: the next push starts at slot 0 and a new ascending run. */
  private clear(): void {
    this.head = 0;
    this.ascending = true;
    this.lastPushed = -1;
  }

  private at(slot: number): SpillRef {
    return {
      offset: this.offsets[slot]!,
      length: this.lengths[slot]!,
      index: this.indexes[slot]!,
      acceptedAt: this.acceptedAts[slot]!,
    };
  }

  /** Doubles the arrays, unwrapping the ring so that the front is slot 0. */
  private grow(): void {
    const capacity = this.offsets.length * 2;
    this.offsets = this.unwrap(this.offsets, new Float64Array(capacity));
    this.lengths = this.unwrap(this.lengths, new Uint32Array(capacity));
    this.indexes = this.unwrap(this.indexes, new Uint32Array(capacity));
    this.acceptedAts = this.unwrap(this.acceptedAts, new Float64Array(capacity));
    this.head = 0;
  }

  /** `into`, holding the entries of `from` from its slot 0 on, front first. */
  private unwrap<A extends Float64Array | Uint32Array>(from: A, into: A): A {
    for (let k = 0; k < this.count; k++) into[k] = from[(this.head + k) % from.length]!;
    return into;
  }
}
