/**
 * Reads spilled accept records back from the journal file (journal-spill.ts): a positioned read of
 * one record when a delivery's turn comes, and a sequential copier for a compaction (which copies
 * them as they are, in file order); both check each record's framing and checksum as replay does
 * (journal-record.ts `decodeFrame`). Reads are synchronous, on a descriptor of its own: a record is
 * a few hundred bytes out of the page cache, read at Slack's pace (one a second per destination),
 * and a synchronous read cannot see the file half-replaced. A compaction's new file is opened
 * (`reopen`) before it replaces the journal, then the references are moved and the descriptors
 * swapped in the same turn: until then this descriptor still reads the old file, which the old
 * offsets describe, and when the new file cannot be opened nothing is swapped (compaction.ts).
 * A record that is not there as framed (cut short, a wrong length, a wrong checksum) throws a
 * `DamagedRecordError`: reading it again will not mend it, and its callers drop the reference (a dead
 * letter: relay-window.ts, journal-rewrite.ts); any other error (EIO, EBADF...) may pass and is retried.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { HEADER_BYTES, bytesWanted, decodeFrame } from './journal-record.ts';

/** A record read back is damaged for good: its framing or checksum is wrong, or its payload is not the record wanted. */
export class DamagedRecordError extends Error {
  override readonly name = 'DamagedRecordError';
}

/** True for an error a read back cannot mend by trying again (the record is damaged), false for an I/O error. */
export function isDamaged(err: unknown): err is DamagedRecordError {
  return err instanceof DamagedRecordError;
}

/** How much a compaction's copier reads at a time. */
const COPY_CHUNK_BYTES = 1024 * 1024;

/** The journal file, read at offsets. */
export interface SpillReader {
  /**
   * The payload (JSON) of the record of `length` bytes (header included) at `offset`; throws a
   * DamagedRecordError when it is not there as framed or fails its checksum, the read's own error on I/O failure.
   */
  payload(offset: number, length: number): Buffer;
  /**
   * A copier for records taken in ascending offset order: each call returns the framed record at
   * `offset`, and throws a DamagedRecordError when it is not there as framed or its checksum does
   * not match (journal-rewrite.ts then drops it), the read's own error on I/O failure.
   */
  copier(): (offset: number) => Buffer;
  /**
   * Opens the file at `from` (a compaction's new file, before it is renamed over the journal; the
   * descriptor follows it), throwing with nothing changed when it cannot; the function returned makes
   * it the file read (the old one is closed; on a closed reader, it closes the new one instead).
   */
  reopen(from: string): () => void;
  /** Closes the file; every later read throws (a closed descriptor's number may be reused by another file). */
  close(): void;
  /** True once closed. */
  closed(): boolean;
}

/** A reader of the journal at `path`. */
export function openSpillReader(path: string): SpillReader {
  let fd: number | undefined = openSync(path, 'r');
  const readAt = (offset: number, length: number): Buffer => {
    if (fd === undefined) throw new Error('the journal reader is closed');
    const into = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, into, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return into.subarray(0, got);
  };
  return {
    payload(offset, length) {
      const bytes = readAt(offset, length);
      if (bytes.length < length) throw new DamagedRecordError(`journal record at offset ${offset} is cut short`);
      const frame = decodeFrame(bytes, 0);
      if (frame?.bytes !== length)
        throw new DamagedRecordError(`no journal record of ${length} bytes at offset ${offset} (framing or checksum)`);
      return frame.payload;
    },
    copier: () => sequentialCopier(readAt),
    reopen(from) {
      const next = openSync(from, 'r');
      return () => {
        if (fd === undefined) return closeSync(next);
        closeSync(fd);
        fd = next;
      };
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
    closed: () => fd === undefined,
  };
}

/** Framed records at ascending offsets, read a chunk at a time. */
function sequentialCopier(readAt: (offset: number, length: number) => Buffer): (offset: number) => Buffer {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkAt = 0;
  const has = (offset: number, length: number) => offset >= chunkAt && offset + length <= chunkAt + chunk.length;
  return (offset) => {
    if (!has(offset, HEADER_BYTES)) [chunk, chunkAt] = [readAt(offset, COPY_CHUNK_BYTES), offset];
    if (!has(offset, HEADER_BYTES)) throw new DamagedRecordError(`no journal record at offset ${offset}`);
    const length = bytesWanted(chunk, offset - chunkAt);
    if (length === 0) throw new DamagedRecordError(`no journal record at offset ${offset}`);
    if (!has(offset, length)) [chunk, chunkAt] = [readAt(offset, Math.max(COPY_CHUNK_BYTES, length)), offset];
    if (!has(offset, length)) throw new DamagedRecordError(`journal record at offset ${offset} is cut short`);
    const at = offset - chunkAt;
    if (!decodeFrame(chunk, at))
      throw new DamagedRecordError(`journal record at offset ${offset} does not match its checksum`);
    // A copy: the chunk is reused, and what is yielded is written later.
    return Buffer.from(chunk.subarray(at, at + length));
  };
}
