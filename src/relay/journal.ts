/**
 * The relay's write-ahead journal: an append-only file of records, each framed as
 * [u32 length][u32 CRC-32 of the payload][payload: UTF-8 JSON]. An append resolves only after
 * the bytes are on disk (fdatasync); appends that arrive together share one write and one sync
 * (group commit), which is what makes 2,000 durable accepts per second possible.
 * Opening replays the file: a record cut short by a crash or with a wrong checksum ends the
 * journal there, and the file is truncated to the last good record (a torn write loses only
 * what was never acknowledged). `rewrite` replaces the file atomically (compaction).
 */
import { open, rename } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { dirname } from 'node:path';

const HEADER = 8;
/** Records larger than this are refused (an event body is at most 3 MiB). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** What replay found. */
export interface Replayed<T> {
  readonly records: T[];
  /** Bytes cut from the end (a torn or corrupt tail), 0 when the file was clean. */
  readonly truncatedBytes: number;
}

/** An open journal. */
export interface Journal<T> {
  /** Appends records durably; resolves once they are fsync'd. */
  append(...records: T[]): Promise<void>;
  /** Replaces the whole journal with `records` (written to a new file, synced, renamed). */
  rewrite(records: readonly T[]): Promise<void>;
  /** Current size in bytes. */
  size(): number;
  close(): Promise<void>;
}

function frame(record: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  if (payload.length > MAX_RECORD_BYTES) throw new Error(`journal record of ${payload.length} bytes exceeds ${MAX_RECORD_BYTES}`);
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** Parses a journal image; stops at the first incomplete or corrupt record. */
export function parseJournal<T>(image: Buffer): { records: T[]; goodBytes: number } {
  const records: T[] = [];
  let at = 0;
  while (at + HEADER <= image.length) {
    const length = image.readUInt32LE(at);
    const sum = image.readUInt32LE(at + 4);
    if (length > MAX_RECORD_BYTES || at + HEADER + length > image.length) break;
    const payload = image.subarray(at + HEADER, at + HEADER + length);
    if (crc32(payload) !== sum) break;
    try {
      records.push(JSON.parse(payload.toString('utf8')) as T);
    } catch {
      break;
    }
    at += HEADER + length;
  }
  return { records, goodBytes: at };
}

/** Opens (creating if needed) and replays the journal at `path`. */
export async function openJournal<T>(path: string): Promise<{ journal: Journal<T>; replayed: Replayed<T> }> {
  let fh: FileHandle = await open(path, 'a+');
  const image = await fh.readFile();
  const { records, goodBytes } = parseJournal<T>(image);
  const truncatedBytes = image.length - goodBytes;
  if (truncatedBytes > 0) {
    await fh.truncate(goodBytes);
    await fh.datasync();
  }
  let size = goodBytes;
  let queue: { bytes: Buffer; resolve: () => void; reject: (e: Error) => void }[] = [];
  let flushing: Promise<void> | undefined;
  let rewriting: Promise<void> | undefined;
  let closed = false;

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      // Appends that arrive during a rewrite go to the new file, after it.
      if (rewriting) await rewriting;
      const batch = queue;
      queue = [];
      const bytes = Buffer.concat(batch.map((b) => b.bytes));
      try {
        await fh.write(bytes, 0, bytes.length, null);
        await fh.datasync();
        size += bytes.length;
        for (const b of batch) b.resolve();
      } catch (err) {
        const e = new Error('journal write failed', { cause: err });
        for (const b of batch) b.reject(e);
      }
    }
    flushing = undefined;
  }

  const journal: Journal<T> = {
    append(...recs) {
      if (closed) return Promise.reject(new Error('journal is closed'));
      let bytes: Buffer;
      try {
        bytes = Buffer.concat(recs.map(frame));
      } catch (err) {
        return Promise.reject(err as Error);
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ bytes, resolve, reject });
        // Let every append of this turn join the batch before writing.
        flushing ??= new Promise<void>((r) => setImmediate(r)).then(flush);
      });
    },
    async rewrite(recs) {
      await flushing;
      let finished!: () => void;
      rewriting = new Promise<void>((r) => { finished = r; });
      try {
        const tmp = `${path}.compact`;
        const out = await open(tmp, 'w');
        const bytes = Buffer.concat(recs.map(frame));
        await out.write(bytes, 0, bytes.length, 0);
        await out.datasync();
        await out.close();
        await rename(tmp, path);
        const dir = await open(dirname(path), 'r');
        await dir.sync().catch(() => undefined);
        await dir.close();
        await fh.close();
        fh = await open(path, 'a+');
        size = bytes.length;
      } finally {
        rewriting = undefined;
        finished();
      }
    },
    size: () => size,
    async close() {
      closed = true;
      await flushing;
      await fh.close();
    },
  };
  return { journal, replayed: { records, truncatedBytes } };
}
