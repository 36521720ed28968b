/**
 * Replay's read of the journal file, in chunks: records are decoded as the file is read, so a
 * journal of hundreds of megabytes is never in memory as one image (only a chunk and the record
 * it cuts). The same decoding as `parseJournal` (journal-record.ts): the records end at the first
 * one cut short, with a wrong checksum or not JSON; anything but zeros after them is a torn tail.
 * Except a record damaged in place: read whole (its length fits the file) and followed by a record
 * whose framing and checksum hold, it is skipped (`skipped`), not taken for the end. Before, replay
 * cut the file there, and every event accepted after a record damaged on disk was lost at a restart.
 * A good record after a bad one does not prove the bad one was written whole, though: one O_DSYNC
 * write of a group commit (journal-writer.ts) may persist its sectors in any order, so a crash can
 * leave a sector inside an earlier record of the write unwritten (zeros: the file is preallocated)
 * and a later record of the same write, never acknowledged, whole. So a bad record with a whole
 * SECTOR_BYTES sector of its payload zero (`unwrittenSector`; a JSON payload has no zero byte)
 * is a torn tail and ends the records, as before; damage in place does not look like that.
 */
import type { FileHandle } from 'node:fs/promises';
import { HEADER_BYTES, bytesWanted, decodeFrame, decodeRecord } from './journal-record.ts';

/** Bytes read at a time (a record larger than this is read whole). */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** The unit a disk persists whole (a logical sector): the parts of one write land in these, in any order at a crash. */
export const SECTOR_BYTES = 512;

/**
 * Sees each good record's payload (framing and checksum checked) at its file offset, in place of
 * collecting parsed records (a replay that parses only what it needs: journal-replay.ts). The
 * payload is a view of the read buffer, which the next reads overwrite: copy what is kept.
 */
export type RecordVisitor = (payload: Buffer, offset: number, bytes: number) => void;

/** How a visited read checks records: `checksum` false for a file whose records were checked already (a second pass). */
export interface VisitOptions {
  readonly visit: RecordVisitor;
  readonly checksum?: boolean;
  /** File offsets of records to pass over unseen: those a first pass skipped as damaged (`JournalRead.skipped`). */
  readonly skip?: readonly number[];
}

/** What the file holds. */
export interface JournalRead<T> {
  readonly records: T[];
  /** The bytes each record takes (header included), in the same order. */
  readonly sizes: number[];
  /** Bytes of good records: where the next write goes. */
  readonly goodBytes: number;
  /** The file's size (records, then zeros or a torn tail). */
  readonly fileBytes: number;
  /** Bytes after the good records up to the last byte other than zero: a torn or corrupt tail (0 when clean). */
  readonly tornBytes: number;
  /** Records damaged in place and passed over (a good record follows each): their offsets and bytes, in file order. */
  readonly skipped: readonly SkippedRecord[];
}

/** A record damaged in place, passed over. */
export interface SkippedRecord {
  readonly offset: number;
  readonly bytes: number;
}

/** Reads and decodes the whole journal in `file`, `chunkBytes` at a time (each record to `visit` instead, when given). */
export async function readJournal<T>(
  file: FileHandle,
  chunkBytes = READ_CHUNK_BYTES,
  visit?: RecordVisitor | VisitOptions,
): Promise<JournalRead<T>> {
  const v = typeof visit === 'function' ? { visit } : visit;
  const fileBytes = (await file.stat()).size;
  const records: T[] = [];
  const sizes: number[] = [];
  const skipped: SkippedRecord[] = [];
  const skip = new Set(v?.skip);
  const b: Window = { buf: Buffer.alloc(0), bufAt: 0, room: Buffer.alloc(0) };
  let at = 0; // the next record's file offset
  /** Reads on until the buffer holds the file up to `end` (or the file's end); false when it cannot. */
  const fill = async (end: number): Promise<boolean> => {
    const have = b.bufAt + b.buf.length;
    if (end <= have) return true;
    if (have >= fileBytes) return false;
    const more = await readAfter(file, b, at, {
      need: end - have,
      length: Math.min(fileBytes - have, Math.max(chunkBytes, end - have)),
    });
    if (more === 0) return false;
    return fill(end);
  };
  for (;;) {
    const pos = at - b.bufAt;
    const need = bytesWanted(b.buf, pos);
    const taken =
      skip.has(at) && pos + need <= b.buf.length
        ? need
        : v
          ? visited(b.buf, pos, at, v)
          : collected(b.buf, pos, records, sizes);
    if (taken > 0) {
      at += taken;
      continue;
    }
    // The end: zeros, a length no record has, or the file's end; else a record not read whole yet.
    if (need === 0) break;
    if (at + need > b.bufAt + b.buf.length) {
      if (await fill(at + need)) continue;
      break;
    }
    // A bad record read whole: passed over when a good one follows it, else the end (a torn tail),
    // as it is when a sector of it was never written (what follows may be of the same torn write).
    if (unwrittenSector(b.buf, pos, at, need) || !(await intactAt(at + need, b, fill))) break;
    skipped.push({ offset: at, bytes: need });
    at += need;
  }
  const tornBytes = (await lastNonZero(file, at, fileBytes, chunkBytes)) - at;
  return { records, sizes, goodBytes: at, fileBytes, tornBytes, skipped };
}

/** True when a record whose framing and checksum hold starts at file offset `offset` (read into `b` by `fill`). */
async function intactAt(
  offset: number,
  b: { buf: Buffer; bufAt: number },
  fill: (end: number) => Promise<boolean>,
): Promise<boolean> {
  if (!(await fill(offset + HEADER_BYTES))) return false;
  const need = bytesWanted(b.buf, offset - b.bufAt);
  if (need === 0 || !(await fill(offset + need))) return false;
  return decodeFrame(b.buf, offset - b.bufAt) !== undefined;
}

/**
 * True when the payload of the `bytes`-byte record at `pos` of `buf` (file offset `offset`) is all
 * zeros over its whole part in some sector (SECTOR_BYTES, aligned in the file): a sector of a torn
 * write never written. Where the payload only begins or ends in a sector, that part is `{...` or
 * `...}`, never zeros by damage of a bit or two; the header is left out (a length's bytes may be 0).
 */
export function unwrittenSector(buf: Buffer, pos: number, offset: number, bytes: number): boolean {
  const start = offset + HEADER_BYTES;
  const end = offset + bytes;
  for (let from = start; from < end;) {
    const to = Math.min(end, (Math.floor(from / SECTOR_BYTES) + 1) * SECTOR_BYTES);
    if (allZero(buf, pos + (from - offset), to - from)) return true;
    from = to;
  }
  return false;
}

/** True when the `length` bytes of `buf` at `pos` are all zero. */
function allZero(buf: Buffer, pos: number, length: number): boolean {
  for (let i = pos; i < pos + length; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Decodes the record at `pos` of `buf` into `records` and `sizes`; returns its bytes, 0 where the records end. */
function collected<T>(buf: Buffer, pos: number, records: T[], sizes: number[]): number {
  const r = decodeRecord<T>(buf, pos);
  if (!r) return 0;
  records.push(r.record);
  sizes.push(r.bytes);
  return r.bytes;
}

/** Shows the record at `pos` of `buf` (file offset `offset`) to `visit`; returns its bytes, 0 where the records end. */
function visited(buf: Buffer, pos: number, offset: number, v: VisitOptions): number {
  const frame = decodeFrame(buf, pos, v.checksum);
  if (!frame) return 0;
  v.visit(frame.payload, offset, frame.bytes);
  return frame.bytes;
}

/**
 * The part of the file read and not passed yet: `buf` holds its bytes from file offset `bufAt`, a
 * view of `room`, the one buffer reads go to. Reused, not a new buffer per read: a new 4 MiB buffer
 * and a concatenated copy per chunk were 1 GB of ArrayBuffers over a 533 MB journal's two passes,
 * and V8 counts ArrayBuffer memory towards its GC triggers (a full mark-compact about every 5 MB:
 * about 130 of them per pass, most of the replay's GC time and its helper threads' CPU: docs/relay.md "Storms").
 */
interface Window {
  buf: Buffer;
  bufAt: number;
  room: Buffer;
}

/**
 * Reads on after what `w` holds, keeping what it holds from file offset `keepFrom` on (moved to the
 * front of its room): as much as the room takes, at least `need` bytes (the rest of a record) when
 * the file has them; the room is replaced, by one of `length` bytes after what is kept, only when
 * `need` does not fit (a record larger than a chunk). Returns the bytes read (0 at the file's end).
 */
async function readAfter(
  file: FileHandle,
  w: Window,
  keepFrom: number,
  { need, length }: { need: number; length: number },
): Promise<number> {
  const start = keepFrom - w.bufAt;
  const kept = w.buf.length - start;
  if (kept + need > w.room.length) {
    const grown = Buffer.allocUnsafeSlow(kept + Math.max(need, length));
    w.buf.copy(grown, 0, start);
    w.room = grown;
  } else {
    w.room.copyWithin(0, start, w.buf.length); // buf is the front of room
  }
  const { bytesRead } = await file.read(w.room, kept, w.room.length - kept, w.bufAt + w.buf.length);
  w.bufAt = keepFrom;
  w.buf = w.room.subarray(0, kept + bytesRead);
  return bytesRead;
}

/** Up to `length` bytes of `file` at `position`. */
async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const into = Buffer.allocUnsafe(length);
  const { bytesRead } = await file.read(into, 0, length, position);
  return into.subarray(0, bytesRead);
}

/** The offset just past the last byte other than zero in [from, to); `from` when there is none. */
async function lastNonZero(file: FileHandle, from: number, to: number, chunkBytes: number): Promise<number> {
  let end = from;
  for (let pos = from; pos < to;) {
    const chunk = await readAt(file, pos, Math.min(chunkBytes, to - pos));
    if (chunk.length === 0) break;
    for (let i = chunk.length - 1; i >= 0; i--)
      if (chunk[i] !== 0) {
        end = pos + i + 1;
        break;
      }
    pos += chunk.length;
  }
  return end;
}
