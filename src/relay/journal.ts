/**
 * The relay's write-ahead journal: an append-only file of framed records (journal-record.ts),
 * written durably in group commits (journal-writer.ts). Opening replays the file: a record cut
 * short by a crash or with a wrong checksum ends the journal there, and anything but zeros after
 * the last good record is cut off (a torn write loses only what was never acknowledged); one
 * damaged in place, a good record after it and no sector of it zeros (never written), is passed
 * over instead (journal-reader.ts `skipped`).
 * Records that no answer waits on (delivery outcomes) are appended with `appendSoon`: they ride
 * in the next write, or are written on their own after SOON_MS when none comes.
 * `rewrite` replaces the file atomically (compaction), writing it a chunk at a time.
 */
import { open } from 'node:fs/promises';
import { encodeInChunks, encodeRecords } from './journal-record.ts';
import { readJournal } from './journal-reader.ts';
import type { RecordVisitor, SkippedRecord } from './journal-reader.ts';
import { DURABLE, JournalWriter } from './journal-writer.ts';
import type { OpenFile, Place } from './journal-writer.ts';

export { MAX_RECORD_BYTES, parseJournal, recordBytes } from './journal-record.ts';
export { SOON_MS } from './journal-writer.ts';
export type { OpenFile, Place } from './journal-writer.ts';

/** Zeros kept written ahead of the records; a new stretch is written when less than half is left. */
export const PREALLOCATE_BYTES = 4 * 1024 * 1024;

/** What replay found. */
export interface Replayed<T> {
  readonly records: T[];
  /** The bytes each record takes in the file (header included), in the same order. */
  readonly sizes: number[];
  /** Bytes cut from the end (a torn or corrupt tail), 0 when the file was clean (zeros after the records are clean). */
  readonly truncatedBytes: number;
  /** Records damaged in place and passed over (journal-reader.ts): what followed each is replayed. */
  readonly skipped: readonly SkippedRecord[];
}

/** An open journal. */
export interface Journal<T> {
  /** Appends records durably; resolves once they are fsync'd. */
  append(...records: T[]): Promise<void>;
  /**
   * Appends records durably, but lets them wait up to SOON_MS for a write to ride in; resolves
   * once they are fsync'd. For records nothing is waiting on.
   */
  appendSoon(...records: T[]): Promise<void>;
  /**
   * Replaces the whole journal with `records` (written to a new file, synced, renamed). They are
   * encoded a chunk at a time while the rewrite runs, not at the call: neither `records` nor any
   * record in it may change after the call (hand over copies of what the caller keeps changing).
   * A Buffer among them is a record framed already (a copy of one in the file: journal-rewrite.ts).
   * `beforeSwap` (journal-writer.ts `replace`) sees the new file before it replaces the old one; when
   * it throws, the rewrite fails and the journal stays as it was.
   */
  rewrite(records: Iterable<T | Buffer>, beforeSwap?: (newPath: string) => void): Promise<void>;
  /** Appends one record durably, like `append`, and resolves with where it went in the file (its header's offset). */
  appendLocated?(record: T): Promise<Place>;
  /** Which file offsets describe (journal-writer.ts `generation`): -1 while a rewrite is under way. */
  generation?(): number;
  /** Current size in bytes. */
  size(): number;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) and replays the journal at `path`. `preallocateBytes` (default
 * PREALLOCATE_BYTES, 0 for none) is how far ahead of its records the file is zero-filled; tests
 * that count the journal's writes set it to 0. The file is read in chunks (journal-reader.ts;
 * `readChunkBytes`, default 4 MiB), never as one image; with `visit`, each record's payload is shown
 * to it and none is parsed or kept (`replayed.records` is empty).
 */
export async function openJournal<T>(
  path: string,
  o: { openFile?: OpenFile; preallocateBytes?: number; readChunkBytes?: number; visit?: RecordVisitor } = {},
): Promise<{ journal: Journal<T>; replayed: Replayed<T> }> {
  const openFile = o.openFile ?? open;
  const file = await openFile(path, DURABLE);
  const {
    records,
    sizes,
    goodBytes,
    fileBytes,
    tornBytes: truncatedBytes,
    skipped,
  } = await readJournal<T>(file, o.readChunkBytes, o.visit);
  if (truncatedBytes > 0) {
    await file.truncate(goodBytes);
    await file.datasync();
  }
  const writer = new JournalWriter({
    path,
    openFile,
    file,
    size: goodBytes,
    allocated: truncatedBytes > 0 ? goodBytes : fileBytes,
    preallocateBytes: o.preallocateBytes ?? PREALLOCATE_BYTES,
  });
  return { journal: journalOver<T>(writer), replayed: { records, sizes, truncatedBytes, skipped } };
}

/** The record-level journal over a byte writer: records are framed here, written there. */
function journalOver<T>(writer: JournalWriter): Journal<T> {
  const append = (records: T[], soon: boolean): Promise<Place> => {
    let bytes: Buffer;
    try {
      bytes = encodeRecords(records);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return writer.append(bytes, soon);
  };
  return {
    append: (...records) => append(records, false).then(() => undefined),
    appendSoon: (...records) => append(records, true).then(() => undefined),
    appendLocated: (record) => append([record], false),
    generation: () => writer.generation(),
    rewrite: async (records, beforeSwap) => writer.replace(encodeInChunks(records), beforeSwap),
    size: () => writer.size(),
    close: () => writer.close(),
  };
}
