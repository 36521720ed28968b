/**
 * What a compaction writes, with spilled events (journal-spill.ts): first the accept records whose
 * place in the file is known (every spilled one, and those of materialised events read back or
 * replayed), copied as they are, unparsed, in file order; then what `liveRecords` adds (the other
 * events' records, the outcomes of all kept events, digests, pauses, episodes, statuses). Replay
 * reads each accept before its outcomes, as before. The copies' new offsets follow from their
 * order; once the rewrite is in place (`moved`), every reference is pointed at the new file: a
 * sorted table of old offsets, searched for each reference.
 * The copies are read while the rewrite is written (a chunk at a time, never all at once), from
 * the old file, which the reader keeps open until `moved`.
 * A record found damaged (spill-reader.ts `DamagedRecordError`) is not copied, and the rewrite goes
 * on (before, one damaged record failed every rewrite, and the journal never shrank): each spilled
 * reference to it is taken off its FIFO and dead-lettered, a `spill-dead` record (journal-spill.ts),
 * or a `dead` record when its event is materialised (its id is known); a materialised event's accept
 * record is written whole from memory instead. Those records are folded into the state as they are
 * made and written at the end of the rewrite (`damaged` lists them): the new file agrees with the state.
 */
import { spillDeadRecord } from './journal-spill.ts';
import type { SpillDeadRecord } from './journal-spill.ts';
import type { DeadRecord, EventState, JournalState, RelayRecord } from './journal-state.ts';
import { apply, liveRecords } from './journal-state.ts';
import { recordBytes } from './journal-record.ts';
import { isDamaged } from './spill-reader.ts';
import type { SpillReader } from './spill-reader.ts';

/** A dead letter a rewrite made for a reference to a damaged record. */
export type DamagedDelivery = SpillDeadRecord | DeadRecord;

/** A compaction's records, and how to move the references once they are written. */
export interface RewritePlan {
  /** Records, and accept records already framed (copies). */
  readonly records: Iterable<RelayRecord | Buffer>;
  /** Called once the rewrite has replaced the journal: points every reference at the new file. */
  moved(): void;
  /** The dead letters made for references to damaged records, once `records` is consumed (folded into the state already). */
  readonly damaged: readonly DamagedDelivery[];
}

/** The rewrite of the journal whose meaning is `state` (`at`: now, for pauses); `reader` reads the current file. */
export function planRewrite(state: JournalState, at: number, reader: SpillReader | undefined): RewritePlan {
  if (!reader) return { records: liveRecords(state, at), moved: () => undefined, damaged: [] };
  const old = copiedOffsets(state);
  const rest = liveRecords(state, at, true);
  const next = new Float64Array(old.length);
  const damaged: DamagedDelivery[] = [];
  function* records(): Generator<RelayRecord | Buffer> {
    const copy = reader!.copier();
    let written = 0;
    for (let k = 0; k < old.length; k++) {
      let framed: Buffer | undefined;
      try {
        framed = copy(old[k]!);
      } catch (err) {
        if (!isDamaged(err)) throw err; // an I/O error: the rewrite fails, the old file is kept
        // Not copied: its materialised event (if any) is written whole below, and forgets its offset.
        next[k] = NaN;
        const whole = dropDamaged(state, old[k]!, at, err.message, damaged);
        if (whole) yield whole.accept;
        continue;
      }
      next[k] = written;
      written += framed.length;
      yield framed;
    }
    yield* rest;
    // Folded already; last, as they were made after everything `rest` holds.
    yield* damaged;
  }
  return { records: records(), moved: () => moveReferences(state, old, next), damaged };
}

/**
 * Takes every spilled reference to the damaged record at `offset` off its FIFO and dead-letters it
 * (folding each dead letter into `state` and adding it to `into`); returns the materialised event
 * whose accept record it was, if any.
 */
function dropDamaged(
  state: JournalState,
  offset: number,
  at: number,
  detail: string,
  into: DamagedDelivery[],
): EventState | undefined {
  let owner: EventState | undefined;
  for (const e of state.events.values()) if (e.offset === offset) owner = e;
  const made: DamagedDelivery[] = [];
  let length = 0;
  for (const [destination, fifo] of state.spill) {
    for (const ref of fifo.removeOffset(offset)) {
      length = ref.length;
      const dead = spillDeadRecord(destination, ref, at, detail);
      if (owner?.spilled) owner.spilled--;
      made.push(owner ? { t: 'dead', id: owner.accept.id, i: ref.index, at, reason: dead.reason } : dead);
    }
    if (fifo.size === 0) state.spill.delete(destination);
  }
  // The record's bytes were live once for all its spilled references (journal-spill.ts `spillAccept`).
  if (!owner) state.liveBytes -= length;
  for (const r of made) apply(state, r, recordBytes(r));
  into.push(...made);
  return owner;
}

/** The offsets of every accept record a rewrite copies, ascending, each once. */
function copiedOffsets(state: JournalState): Float64Array {
  let n = 0;
  for (const fifo of state.spill.values()) n += fifo.size;
  for (const e of state.events.values()) if (e.offset !== undefined) n++;
  const all = new Float64Array(n);
  let k = 0;
  for (const fifo of state.spill.values()) for (const offset of fifo.offsetsInOrder()) all[k++] = offset;
  for (const e of state.events.values()) if (e.offset !== undefined) all[k++] = e.offset;
  all.sort();
  let unique = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[unique++] = all[i]!;
  return all.subarray(0, unique);
}

/**
 * Points the references at the copies: `old[k]` is now `next[k]`. An event materialised with an
 * offset not copied (a damaged record) forgets it, so that the next rewrite writes its record whole.
 */
function moveReferences(state: JournalState, old: Float64Array, next: Float64Array): void {
  const to = (offset: number): number | undefined => {
    const k = search(old, offset);
    // NaN: a damaged record, not copied (its event was written whole).
    return k < 0 || Number.isNaN(next[k]) ? undefined : next[k];
  };
  for (const fifo of state.spill.values()) fifo.remap((offset) => to(offset) ?? offset);
  for (const e of state.events.values()) {
    if (e.offset === undefined) continue;
    const moved = to(e.offset);
    if (moved === undefined) delete e.offset;
    else e.offset = moved;
  }
}

/** The index of `value` in the ascending `sorted`, or -1. */
function search(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
