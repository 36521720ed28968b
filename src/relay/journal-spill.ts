/**
 * The spilled half of the journal's meaning (journal-state.ts's reducer drives it): pending
 * deliveries kept as references into the journal file rather than as parsed events. An accept
 * record is spilled when nothing but its deliveries is left to do (routed, nothing settled, nothing
 * to forward): each delivery waits in its destination's FIFO (spill-fifo.ts) as the record's offset
 * and length, and the event has no entry in the state's map of events. No outcome can name a
 * spilled event: outcomes come only for deliveries handed to the delivery thread, which were read
 * back and materialised first (journal-state.ts `materialise`). Its bytes stay live: a compaction
 * copies its record (journal-rewrite.ts) and moves the references.
 * A spilled record found damaged when read back or copied (spill-reader.ts `DamagedRecordError`)
 * cannot be delivered: its reference is taken off the FIFO (`takeSpilled`, or the compaction's
 * `removeOffset`) and a `spill-dead` record (`spillDeadRecord`) journals it as a dead letter, which
 * the reducer adds to the dead-letter table. It names what is known without the record: the
 * destination, when the event was accepted, the delivery's index and the record's offset then.
 * Pure, like the reducer: no clock, no I/O.
 */
import { SpillFifo } from './spill-fifo.ts';
import type { SpillRef } from './spill-fifo.ts';

/** A spilled delivery whose journal record was damaged: a row of the dead-letter table (it has no readable id). */
export interface SpillDeadRecord {
  readonly t: 'spill-dead';
  /** The Provider (`namespace/name`) it was for. */
  readonly destination: string;
  /** When its event was accepted (epoch ms). */
  readonly acceptedAt: number;
  /** The delivery's index in the record, and the record's offset in the journal file when it was found damaged. */
  readonly index: number;
  readonly offset: number;
  /** When it was dead-lettered (epoch ms), and why: `journal record damaged: ...`. */
  readonly at: number;
  readonly reason: string;
}

/** The dead letter of spilled delivery `ref` to `destination`, whose record failed to be read (`detail`: how). */
export function spillDeadRecord(destination: string, ref: SpillRef, at: number, detail: string): SpillDeadRecord {
  const { acceptedAt, index, offset } = ref;
  return { t: 'spill-dead', destination, acceptedAt, index, offset, at, reason: `journal record damaged: ${detail}` };
}

/** True when `a` and `b` are the same dead letter (a record replayed twice adds one row). */
export function sameSpillDead(a: SpillDeadRecord, b: SpillDeadRecord): boolean {
  return a.destination === b.destination && a.offset === b.offset && a.index === b.index && a.at === b.at;
}

/** What the journal state keeps of spilled events. */
export interface SpillBook {
  /** Each destination's spilled deliveries, front first. */
  readonly spill: Map<string, SpillFifo>;
  liveBytes: number;
}

/** What spilling an accept record needs of it. */
export interface SpilledAccept {
  readonly at: number;
  /** Its deliveries' Providers (`namespace/name`), in delivery order. */
  readonly providers: readonly string[];
}

/** Spills an accept record of `length` bytes at `offset`: each delivery joins its destination's FIFO. */
export function spillAccept(book: SpillBook, a: SpilledAccept, offset: number, length: number): void {
  if (a.providers.length === 0) return;
  a.providers.forEach((destination, index) => {
    let fifo = book.spill.get(destination);
    if (!fifo) book.spill.set(destination, (fifo = new SpillFifo()));
    fifo.push({ offset, length, index, acceptedAt: a.at });
  });
  book.liveBytes += length;
}

/** Takes the front delivery of `destination` (its event is being materialised); undefined when none waits. */
export function takeSpilled(book: SpillBook, destination: string): SpillRef | undefined {
  const fifo = book.spill.get(destination);
  const ref = fifo?.shift();
  if (fifo && fifo.size === 0) book.spill.delete(destination);
  return ref;
}

/** What spilling a materialised event's delivery reads of it (journal-state.ts `EventState` has it). */
export interface SpillableEvent {
  readonly accept: {
    readonly at: number;
    readonly held?: true;
    readonly forward?: true;
    readonly deliveries: readonly unknown[];
  };
  readonly outcomes: readonly unknown[];
  readonly deadLetters: number;
  readonly acceptBytes: number;
  readonly offset?: number;
  /** Its deliveries spilled (by the running relay) and not read back yet. */
  spilled?: number;
}

/**
 * Spills delivery `index` of the materialised event `id` to `destination`'s FIFO, when it can be:
 * its accept record's place in the file is known, nothing of it is settled, it was never to be
 * forwarded (forwarded or not: a record read back is materialised as a new event, `forwarded` only
 * when it had nothing to forward, as replay spills no accept with `forward`). Once every delivery of the event is spilled it leaves the map of events (its bytes stay
 * live). Returns false, changing nothing, when it cannot.
 */
export function spillDelivery(
  book: SpillBook & { readonly events: Map<string, SpillableEvent> },
  id: string,
  destination: string,
  index: number,
): boolean {
  const e = book.events.get(id);
  if (!e || e.offset === undefined || e.accept.held || e.accept.forward || e.outcomes.length > 0 || e.deadLetters > 0)
    return false;
  let fifo = book.spill.get(destination);
  if (!fifo) book.spill.set(destination, (fifo = new SpillFifo()));
  fifo.push({ offset: e.offset, length: e.acceptBytes, index, acceptedAt: e.accept.at });
  e.spilled = (e.spilled ?? 0) + 1;
  if (e.spilled >= e.accept.deliveries.length) book.events.delete(id);
  return true;
}

/** Deliveries spilled, over every destination. */
export function spilledCount(book: SpillBook): number {
  let n = 0;
  for (const fifo of book.spill.values()) n += fifo.size;
  return n;
}

/** When the oldest spilled delivery was accepted (each FIFO's front; a FIFO is in accept order): undefined when none. */
export function oldestSpilled(book: SpillBook): number | undefined {
  let first: number | undefined;
  for (const fifo of book.spill.values()) {
    const at = fifo.peek()?.acceptedAt;
    if (at !== undefined && (first === undefined || at < first)) first = at;
  }
  return first;
}
