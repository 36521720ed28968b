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
 * reference to it is taken off its FIFO. With no event in memory it is dead-lettered, a `spill-dead`
 * record (journal-spill.ts), folded into the state as it is made and written at the end of the
 * rewrite (`damaged` lists them): the new file agrees with the state. A materialised event's accept
 * record (read back for another destination first) is written whole from memory instead, and its
 * spilled deliveries and forward are handed back to be sent from memory (`redeliver`, `reforward`),
 * as a read back that finds the damage first does (relay-window.ts `fromMemory`): before, the
 * compaction dead-lettered those deliveries, so whether one was lost depended on which found the
 * damage first. Nothing settles them meanwhile: the new file holds the accept and no outcome of them.
 */
import { spillDeadRecord } from './journal-spill.ts';
import type { SpillDeadRecord } from './journal-spill.ts';
import type { AcceptRecord, EventState, JournalState, RelayRecord } from './journal-state.ts';
import { apply, liveRecords } from './journal-state.ts';
import { HEADER_BYTES, recordBytes } from './journal-record.ts';
import { acceptHead, acceptTail, isAccept } from './accept-parts.ts';
import { isDamaged } from './spill-reader.ts';
import type { SpillReader } from './spill-reader.ts';

/** A dead letter a rewrite made for a reference to a damaged record (no event in memory holds it). */
export type DamagedDelivery = SpillDeadRecord;

/** A spilled delivery taken off with its damaged record while its event is whole in memory: to send from there. */
export interface Redelivery {
  readonly accept: AcceptRecord;
  /** The delivery's index in `accept.deliveries`. */
  readonly index: number;
}

/** A compaction's records, and how to move the references once they are written. */
export interface RewritePlan {
  /** Records, and accept records already framed (copies). */
  readonly records: Iterable<RelayRecord | Buffer>;
  /** Called once the rewrite has replaced the journal: points every reference at the new file. */
  moved(): void;
  /** The dead letters made for references to damaged records, once `records` is consumed (folded into the state already). */
  readonly damaged: readonly DamagedDelivery[];
  /** Spilled forwards dropped with a damaged record (nothing can send them), once `records` is consumed. */
  lostForwards(): number;
  /**
   * The events whose spilled forward was taken off with their damaged record while they are whole in
   * memory, once `records` is consumed: to forward again from memory (their `forwarded` is false again).
   */
  readonly reforward: readonly AcceptRecord[];
  /**
   * The spilled deliveries taken off with their damaged record while their event is whole in memory,
   * once `records` is consumed: to queue from memory (the event's `spilled` is counted down already).
   */
  readonly redeliver: readonly Redelivery[];
}

/** The rewrite of the journal whose meaning is `state` (`at`: now, for pauses); `reader` reads the current file. */
export function planRewrite(state: JournalState, at: number, reader: SpillReader | undefined): RewritePlan {
  if (!reader)
    return {
      records: liveRecords(state, at),
      moved: () => undefined,
      damaged: [],
      lostForwards: () => 0,
      reforward: [],
      redeliver: [],
    };
  const owners = referenced(state);
  const old = union(owners);
  const rest = liveRecords(state, at, true);
  const next = new Float64Array(old.length);
  const damaged: DamagedDelivery[] = [];
  const found: Found = { dead: damaged, lostForwards: 0, reforward: [], redeliver: [] };
  function* records(): Generator<RelayRecord | Buffer> {
    const copy = reader!.copier();
    let written = 0;
    const emit = (r: RelayRecord | Buffer) => {
      written += Buffer.isBuffer(r) ? r.length : recordBytes(r);
      return r;
    };
    for (let k = 0; k < old.length; k++) {
      let framed: Buffer | undefined;
      try {
        framed = copy(old[k]!);
      } catch (err) {
        if (!isDamaged(err)) throw err; // an I/O error: the rewrite fails, the old file is kept
        // Not copied: its materialised event (if any) is written whole, and forgets its offset.
        next[k] = NaN;
        const whole = dropDamaged(state, old[k]!, at, err.message, found);
        if (whole) yield emit(whole.accept);
        continue;
      }
      next[k] = written;
      yield emit(framed);
      for (const r of followUps(owners, old[k]!, framed)) yield emit(r);
    }
    yield* rest;
    // Folded already; last, as they were made after everything `rest` holds.
    yield* damaged;
  }
  const lostForwards = () => found.lostForwards;
  const { reforward, redeliver } = found;
  const moved = () => moveReferences(state, old, next);
  return { records: records(), moved, damaged, lostForwards, reforward, redeliver };
}

/** Who references which accept records: spilled deliveries, forwards (spilled or read back), materialised events. */
interface Owners {
  readonly deliveries: Float64Array;
  readonly forwards: Float64Array;
  readonly events: Float64Array;
}

/**
 * The records a copied accept record needs after it, which nothing in the state writes: the spilled
 * parts of an event say nothing of the parts done. A record only spilled deliveries reference, of
 * an event to forward, was forwarded (no forward references it): `forwarded`. A record only a
 * forward references had its deliveries settled (the event left the map): `done` for each. A record
 * a materialised event holds: its own records (`liveRecords`) say it all.
 */
function followUps(owners: Owners, offset: number, framed: Buffer): RelayRecord[] {
  if (search(owners.events, offset) >= 0) return [];
  const forward = search(owners.forwards, offset) >= 0;
  const deliveries = search(owners.deliveries, offset) >= 0;
  if (forward === deliveries) return [];
  const payload = framed.subarray(HEADER_BYTES);
  if (!isAccept(payload)) return [];
  const tail = acceptTail(payload);
  if (!tail) return [];
  const { id } = acceptHead(payload);
  if (deliveries) return tail.forward ? [{ t: 'forwarded', id }] : [];
  return tail.deliveries.map((_, i): RelayRecord => ({ t: 'done', id, i }));
}

/** The offsets each kind of owner references, each sorted. */
function referenced(state: JournalState): Owners {
  const deliveries: number[] = [];
  for (const fifo of state.spill.values()) for (const offset of fifo.offsetsInOrder()) deliveries.push(offset);
  const forwards = [...state.forwards.offsetsInOrder(), ...[...state.forwarding.values()].map((r) => r.offset)];
  const events: number[] = [];
  for (const e of state.events.values()) if (e.offset !== undefined) events.push(e.offset);
  const sorted = (a: number[]) => Float64Array.from(a).sort();
  return { deliveries: sorted(deliveries), forwards: sorted(forwards), events: sorted(events) };
}

/** The offsets of every accept record a rewrite copies, ascending, each once. */
function union(owners: Owners): Float64Array {
  const { deliveries, forwards, events } = owners;
  const all = new Float64Array(deliveries.length + forwards.length + events.length);
  all.set(deliveries);
  all.set(forwards, deliveries.length);
  all.set(events, deliveries.length + forwards.length);
  all.sort();
  let unique = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[unique++] = all[i]!;
  return all.subarray(0, unique);
}

/** What a rewrite found damaged (RewritePlan `damaged`, `lostForwards`, `reforward`, `redeliver`). */
interface Found {
  dead: DamagedDelivery[];
  lostForwards: number;
  reforward: AcceptRecord[];
  redeliver: Redelivery[];
}

/**
 * Takes every spilled reference to the damaged record at `offset` off its FIFO: with an event in
 * memory whose accept record it was, hands each back to send from there (`into.redeliver`), else
 * dead-letters it (folding each dead letter into `state` and adding it to `into.dead`); returns that
 * materialised event, if any.
 */
function dropDamaged(
  state: JournalState,
  offset: number,
  at: number,
  detail: string,
  into: Found,
): EventState | undefined {
  let owner: EventState | undefined;
  for (const e of state.events.values()) if (e.offset === offset) owner = e;
  const made: DamagedDelivery[] = [];
  let length = 0;
  for (const [destination, fifo] of state.spill) {
    for (const ref of fifo.removeOffset(offset)) {
      length = ref.length;
      if (!owner) {
        made.push(spillDeadRecord(destination, ref, at, detail));
        continue;
      }
      // As `materialise` counts a read back: the event leaves once this delivery settles too.
      if (owner.spilled) owner.spilled--;
      into.redeliver.push({ accept: owner.accept, index: ref.index });
    }
    if (fifo.size === 0) state.spill.delete(destination);
  }
  // The record's bytes were live once for all its spilled references (journal-spill.ts `spillAccept`).
  if (!owner) state.liveBytes -= length;
  // Its spilled forward (each counted its bytes) cannot be read back. With no event in memory, it is
  // given up, as a forward that failed for good. An event in memory is forwarded from there: not
  // forwarded again, so that `rest` (no `forwarded` record: the forward was spilled) and the state
  // agree, and a restart before it settles forwards it too. Before, it was counted dead, its
  // forwardSpilled cleared without a `forwarded` record, and a restart forwarded it.
  const removed = state.forwards.removeOffset(offset);
  for (const ref of removed) state.liveBytes -= ref.length;
  if (owner?.forwardSpilled && removed.length > 0) {
    owner.forwarded = false;
    delete owner.forwardSpilled;
    into.reforward.push(owner.accept);
  } else into.lostForwards += removed.length;
  // One read back is in the delivery thread: its own `forwarded` record settles it.
  for (const r of made) apply(state, r, recordBytes(r));
  into.dead.push(...made);
  return owner;
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
  state.forwards.remap((offset) => to(offset) ?? offset);
  for (const [job, ref] of state.forwarding)
    state.forwarding.set(job, { ...ref, offset: to(ref.offset) ?? ref.offset });
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
