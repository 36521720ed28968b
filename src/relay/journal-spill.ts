/**
 * The spilled half of the journal's meaning (journal-state.ts's reducer drives it): pending
 * deliveries kept as references into the journal file rather than as parsed events. An accept
 * record is spilled when nothing but its deliveries (and its forward) is left to do (routed,
 * nothing settled): each delivery waits in its destination's FIFO (spill-fifo.ts) as the record's
 * offset and length, and the event has no entry in the state's map of events. No Slack outcome
 * can name a spilled event: outcomes come only for deliveries handed to the delivery thread, which
 * were read back and materialised first (journal-state.ts `materialise`). Its bytes stay live: a
 * compaction copies its record (journal-rewrite.ts) and moves the references.
 * Forwards to notification-controller (--forward-to) spill the same way, into one FIFO of their
 * own (`forwards`): a forward waiting there, or read back and in the delivery thread (`forwarding`),
 * owns the event's forward: the event's own state counts as forwarded (`forwarded`, with
 * `forwardSpilled` set until the `forwarded` record comes), so a delivery read back never waits for a
 * forward (the old trap: materialised as not forwarded, it waited for a forward nobody would send).
 * Each forward reference counts its record's bytes in `liveBytes` on its own (a record also
 * referenced by deliveries is counted twice while both wait: compaction then waits a little longer).
 * A spilled record found damaged when read back or copied (spill-reader.ts `DamagedRecordError`)
 * cannot be delivered, unless its event is in memory (another destination read it back first: it
 * is delivered from there, relay-window.ts): its references are taken off the FIFOs (`takeSpilled`
 * and `removeOffset`, its bytes with the last) and a `spill-dead` record (`spillDeadRecord`)
 * journals each as a dead letter, which the reducer adds to the dead-letter table. It names what is known without the record: the
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
  /** Forwards spilled (references to their accept records; `index` unused), front first. */
  readonly forwards: SpillFifo;
  /** Forwards read back and handed to the delivery thread, by job id: their records stay live until they settle. */
  readonly forwarding: Map<string, SpillRef>;
  liveBytes: number;
}

/** Spills a forward: its reference joins the forwards' FIFO, counting its record's bytes. */
export function pushForward(book: SpillBook, ref: SpillRef): void {
  book.forwards.push(ref);
  book.liveBytes += ref.length;
}

/** True while a forward of the record at `offset` waits spilled or is in the delivery thread, read back. */
export function forwardPending(book: SpillBook, offset: number): boolean {
  if (book.forwards.hasOffset(offset)) return true;
  for (const ref of book.forwarding.values()) if (ref.offset === offset) return true;
  return false;
}

/** The front spilled forward, taken as job `jobId` (in the delivery thread until `forwardSettled`); undefined when none. */
export function takeForward(book: SpillBook, jobId: string): SpillRef | undefined {
  const ref = book.forwards.shift();
  if (ref) book.forwarding.set(jobId, ref);
  return ref;
}

/** Forward job `jobId` settled (forwarded or given up: its record is journaled): a forward read back frees its bytes. */
export function forwardSettled(book: SpillBook, jobId: string): void {
  const ref = book.forwarding.get(jobId);
  if (!ref) return;
  book.forwarding.delete(jobId);
  book.liveBytes -= ref.length;
}

/** Drops the front spilled forward, whose record is damaged (nothing can forward it); returns it. */
export function dropForward(book: SpillBook): SpillRef | undefined {
  const ref = book.forwards.shift();
  if (ref) book.liveBytes -= ref.length;
  return ref;
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
  readonly forwarded: boolean;
  readonly deadLetters: number;
  readonly bytes: number;
  readonly acceptBytes: number;
  readonly offset?: number;
  /** Its deliveries spilled (by the running relay) and not read back yet. */
  spilled?: number;
}

/**
 * Spills delivery `index` of the materialised event `id` to `destination`'s FIFO, when it can be:
 * its accept record's place in the file is known, nothing of it is settled, and no forward of it
 * is left in memory (to forward, it is forwarded already, or its forward is spilled: `forwarded`;
 * one in the delivery thread or waiting in memory must find the event when it settles). Once every
 * delivery of the event is spilled it leaves the map of events (its accept record's bytes stay
 * live; a `forwarded` record's go: a compaction writes it again from the copy, journal-rewrite.ts).
 * Returns false, changing nothing, when it cannot.
 */
export function spillDelivery(
  book: SpillBook & { readonly events: Map<string, SpillableEvent> },
  id: string,
  destination: string,
  index: number,
): boolean {
  const e = book.events.get(id);
  if (!e || e.offset === undefined || e.accept.held || !e.forwarded || e.outcomes.length > 0 || e.deadLetters > 0)
    return false;
  let fifo = book.spill.get(destination);
  if (!fifo) book.spill.set(destination, (fifo = new SpillFifo()));
  fifo.push({ offset: e.offset, length: e.acceptBytes, index, acceptedAt: e.accept.at });
  e.spilled = (e.spilled ?? 0) + 1;
  if (e.spilled < e.accept.deliveries.length) return true;
  book.events.delete(id);
  book.liveBytes -= e.bytes - e.acceptBytes;
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
