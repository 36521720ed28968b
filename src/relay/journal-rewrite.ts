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
 */
import type { JournalState, RelayRecord } from './journal-state.ts';
import { liveRecords } from './journal-state.ts';
import type { SpillReader } from './spill-reader.ts';

/** A compaction's records, and how to move the references once they are written. */
export interface RewritePlan {
  /** Records, and accept records already framed (copies). */
  readonly records: Iterable<RelayRecord | Buffer>;
  /** Called once the rewrite has replaced the journal: points every reference at the new file. */
  moved(): void;
}

/** The rewrite of the journal whose meaning is `state` (`at`: now, for pauses); `reader` reads the current file. */
export function planRewrite(state: JournalState, at: number, reader: SpillReader | undefined): RewritePlan {
  if (!reader) return { records: liveRecords(state, at), moved: () => undefined };
  const old = copiedOffsets(state);
  const rest = liveRecords(state, at, true);
  const next = new Float64Array(old.length);
  function* records(): Generator<RelayRecord | Buffer> {
    const copy = reader!.copier();
    let written = 0;
    for (let k = 0; k < old.length; k++) {
      const framed = copy(old[k]!);
      next[k] = written;
      written += framed.length;
      yield framed;
    }
    yield* rest;
  }
  return { records: records(), moved: () => moveReferences(state, old, next) };
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
 * offset not copied (none should be) forgets it, so that the next rewrite writes its record whole.
 */
function moveReferences(state: JournalState, old: Float64Array, next: Float64Array): void {
  const to = (offset: number): number | undefined => {
    const k = search(old, offset);
    return k < 0 ? undefined : next[k];
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
