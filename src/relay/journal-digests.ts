/**
 * The burst-digest half of the journal's meaning (journal-state.ts's reducer calls these): which
 * deliveries a destination's digest absorbed, the digest's accumulator (digest.ts), and what
 * became of it. Records:
 * - `fold`: delivery `i` of event `id` is absorbed by digest `digest` of `destination`; the
 *   reducer folds the event into that digest's accumulator and settles the delivery, so the
 *   event's own state is dropped once nothing else keeps it. That is what bounds memory and, through
 *   compaction, disk: what a destination's burst costs is one accumulator.
 * - `digest`: a digest's accumulator as a whole (digest.ts `DigestRecord`). Compaction writes it in
 *   place of the accept records of the events it absorbed; it supersedes whatever folds built.
 * - `digest-done`: the digest was delivered (every delivery it absorbed is delivered, inside it).
 * - `digest-dead`: the digest failed for good: one dead letter naming how many events it held.
 * Pure, like the reducer: no clock, no I/O; mutates the state it is given.
 */
import type { DigestAcc, DigestRecord } from './digest.ts';
import { emptyDigest, foldEvent } from './digest.ts';
import type { FluxEvent } from './flux-event.ts';

/** Delivery `i` of event `id` absorbed by digest `digest` (of Provider `destination`). */
export interface FoldRecord {
  readonly t: 'fold';
  readonly id: string;
  readonly i: number;
  readonly digest: string;
  readonly destination: string;
}

/** The digest `id` was delivered. */
export interface DigestDoneRecord {
  readonly t: 'digest-done';
  readonly id: string;
}

/** The digest `id` of `destination`, holding `count` events, failed for good at `at`. */
export interface DigestDeadRecord {
  readonly t: 'digest-dead';
  readonly id: string;
  readonly destination: string;
  readonly count: number;
  readonly at: number;
  readonly reason: string;
}

export type DigestJournalRecord = FoldRecord | DigestRecord | DigestDoneRecord | DigestDeadRecord;

/** A digest not delivered yet. */
export interface DigestState {
  readonly destination: string;
  acc: DigestAcc;
  /** What its `digest` record would take in a compacted journal (an estimate between recomputations). */
  bytes: number;
}

/** The digest part of the journal state. */
export interface DigestBook {
  /** Digests not delivered nor dead, by id. */
  readonly digests: Map<string, DigestState>;
  /** Journal bytes of the dead digests still in the dead-letter table, by id. */
  readonly deadDigests: Map<string, number>;
  liveBytes: number;
}

/** A header and a few fields: a `digest` record's bytes beyond its accumulator's JSON. */
const RECORD_OVERHEAD = 8 + 64;

/**
 * The JSON bytes of a digest record. Serialising the accumulator at every fold would cost a
 * million serialisations for a million events, so it is measured while it is small (its groups,
 * examples and listed ids still filling) and then every 1,024th fold (only its numbers grow).
 */
function measured(d: DigestState, id: string): number {
  const n = d.acc.count;
  if (n > 64 && n % 1024 !== 0) return d.bytes;
  return RECORD_OVERHEAD + Buffer.byteLength(JSON.stringify(d.acc)) + d.destination.length + id.length;
}

/** Folds `event` (accepted at `at`) into the digest `r.digest`, opening it when it is new. */
export function foldInto(book: DigestBook, r: FoldRecord, event: FluxEvent, at: number): void {
  let d = book.digests.get(r.digest);
  if (!d) {
    d = { destination: r.destination, acc: emptyDigest(), bytes: 0 };
    book.digests.set(r.digest, d);
  }
  foldEvent(d.acc, event, at, `${r.id}:${r.i}`);
  const bytes = measured(d, r.digest);
  book.liveBytes += bytes - d.bytes;
  d.bytes = bytes;
}

/** A whole accumulator: it replaces what folds built (a compacted journal). */
export function snapshot(book: DigestBook, r: DigestRecord, bytes: number): void {
  const old = book.digests.get(r.id);
  book.liveBytes += bytes - (old?.bytes ?? 0);
  book.digests.set(r.id, { destination: r.destination, acc: r.acc, bytes });
}

/** The digest is settled (delivered, or dead: then its record's `deadBytes` stay for its dead letter). */
export function settleDigest(book: DigestBook, id: string, deadBytes?: number): void {
  const d = book.digests.get(id);
  if (d) {
    book.digests.delete(id);
    book.liveBytes -= d.bytes;
  }
  if (deadBytes !== undefined) {
    book.deadDigests.set(id, deadBytes);
    book.liveBytes += deadBytes;
  }
}

/** A dead digest left the dead-letter table. */
export function forgetDeadDigest(book: DigestBook, id: string): void {
  book.liveBytes -= book.deadDigests.get(id) ?? 0;
  book.deadDigests.delete(id);
}

/**
 * The `digest` records a compacted journal keeps: one per digest not yet settled. Each holds a copy
 * of its accumulator as it is now: the rewrite encodes its records while folds go on (journal.ts
 * `rewrite`), and a fold journaled after the snapshot must not be in it too (replay would count it twice).
 */
export function digestSnapshots(book: DigestBook): DigestRecord[] {
  return [...book.digests].map(([id, d]) => ({
    t: 'digest',
    destination: d.destination,
    id,
    acc: structuredClone(d.acc),
  }));
}
