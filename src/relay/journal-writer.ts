/**
 * The journal's group-commit writer: it moves framed bytes (journal-record.ts) to the disk and
 * knows nothing of records. An append resolves only after its bytes are on disk: the file is
 * opened O_DSYNC, so one write(2) is both the write and the fdatasync. The file is kept
 * `preallocateBytes` ahead of its records with zeros written and synced in advance, and records
 * are written over them in place: a durable write that does not grow the file needs no
 * filesystem journal commit for its size, which keeps the tail latency of durable appends lower.
 * Appends that arrive together share one write (group commit), which is what makes 2,000
 * durable accepts per second possible; up to two writes are in flight at once, so an append need
 * not wait for the previous write to reach the disk, and they are acknowledged in file order. A
 * failed write fails its appends and every one written after it, and the file is cut back to its
 * last acknowledged byte before anything else is written.
 * Appends that no answer waits on (`soon`) ride in the next write, or are written on their own
 * after SOON_MS when none comes, so they do not double the synchronous writes accepts queue behind.
 * `replace` swaps the whole file atomically (compaction).
 */
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Every write is durable when it returns (O_DSYNC), so one system call replaces write + fdatasync. */
export const DURABLE = constants.O_RDWR | constants.O_CREAT | constants.O_DSYNC;
/** After a failed preallocation (a full disk, say), the next attempt waits this long; appends go on meanwhile. */
const PREALLOCATE_RETRY_MS = 10_000;
/** Batches written at once: a new batch need not wait for the one on disk (2 keeps libuv's pool free for DNS). */
const MAX_WRITES_IN_FLIGHT = 2;
/**
 * How long a `soon` append waits for a write to ride in before it is written alone. At a crash,
 * a delivery made this long before may not yet be recorded, and is sent again.
 */
export const SOON_MS = 20;

/** How files are opened (tests wrap it to make writes fail). */
export type OpenFile = (path: string, flags: number | string) => Promise<FileHandle>;

/** Where the writer starts. */
export interface WriterStart {
  readonly path: string;
  readonly openFile: OpenFile;
  /** The open journal file (opened DURABLE). */
  readonly file: FileHandle;
  /** Bytes of good records: the next write goes here. */
  readonly size: number;
  /** Bytes the file holds (records, then zeros). */
  readonly allocated: number;
  /** How far ahead of its records the file is zero-filled (0: never). */
  readonly preallocateBytes: number;
  /** The clock the preallocation retry is timed on (default Date.now). */
  readonly now?: () => number;
}

/** Where appended bytes went: their file offset, in the file of replace `generation` (journal-writer.ts `generation`). */
export interface Place {
  readonly offset: number;
  readonly generation: number;
}

interface Pending {
  readonly bytes: Buffer;
  /** Set when its batch is written. */
  place?: Place;
  readonly resolve: (place: Place) => void;
  readonly reject: (e: Error) => void;
}
interface Batch {
  readonly items: Pending[];
  readonly bytes: number;
  settled: boolean;
  error?: Error;
}

/** Writes framed bytes durably, in batches, in file order. */
export class JournalWriter {
  private fh: FileHandle;
  /** Acknowledged bytes: every record before this offset is on disk. */
  private acked: number;
  /** Where the next batch is written (ahead of `acked` while writes are in flight). */
  private writeAt: number;
  /** Bytes the file holds: records, then zeros. */
  private allocated: number;
  /** A preallocation being written, and when the next may be tried after one failed. */
  private extending: Promise<void> | undefined;
  private extendNotBefore = 0;
  private queue: Pending[] = [];
  /** `soon` appends not yet in a batch, and the timer that writes them alone. */
  private soon: Pending[] = [];
  private soonTimer: ReturnType<typeof setTimeout> | undefined;
  /** Batches written or being written, oldest first; a batch is acknowledged only once every older one is. */
  private readonly inFlight: Batch[] = [];
  private scheduled = false;
  private replacing: Promise<void> | undefined;
  private quiet: (() => void)[] = [];
  /** A write failed: nothing more is written until the file is cut back to its last acknowledged byte. */
  private broken: Error | undefined;
  private repairing = false;
  private closed = false;
  private readonly now: () => number;
  private readonly start: WriterStart;
  /** Files swapped in by `replace`, and replaces asked for and not finished. */
  private swaps = 0;
  private replacesPending = 0;

  constructor(start: WriterStart) {
    this.start = start;
    this.fh = start.file;
    this.acked = this.writeAt = start.size;
    this.allocated = start.allocated;
    this.now = start.now ?? Date.now;
    this.preallocate();
  }

  /** Bytes acknowledged (on disk). */
  size(): number {
    return this.acked;
  }

  /**
   * Which file offsets describe: the number of files `replace` swapped in, or -1 while a replace is
   * asked for and not finished (an offset learnt then may be in either file).
   */
  generation(): number {
    return this.replacesPending > 0 ? -1 : this.swaps;
  }

  /** Writes `bytes` durably (resolves with where they went); `soon`: it may wait up to SOON_MS for a write to ride in. */
  append(bytes: Buffer, soon: boolean): Promise<Place> {
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    return new Promise<Place>((resolve, reject) => {
      if (!soon) {
        this.queue.push({ bytes, resolve, reject });
        this.kick();
        return;
      }
      this.soon.push({ bytes, resolve, reject });
      this.soonTimer ??= setTimeout(() => {
        this.takeSoon();
        this.kick();
      }, SOON_MS);
    });
  }

  /**
   * Replaces the whole file with `bytes` (written to a new file, synced, renamed), once no write is
   * in flight. `beforeSwap` is called with the new file's path once it is written and synced, before
   * it replaces the old one: when it throws, the new file is removed and the journal stays as it was.
   */
  async replace(chunks: Iterable<Buffer>, beforeSwap?: (newPath: string) => void): Promise<void> {
    this.replacesPending++;
    try {
      await this.replaceOnce(chunks, beforeSwap);
    } finally {
      this.replacesPending--;
    }
  }

  private async replaceOnce(chunks: Iterable<Buffer>, beforeSwap?: (newPath: string) => void): Promise<void> {
    while (this.replacing) await this.replacing;
    let finished!: () => void;
    this.replacing = new Promise<void>((r) => {
      finished = r;
    });
    await this.noWriteInFlight();
    try {
      const bytes = await replaceFile(this.start.path, chunks, beforeSwap);
      await this.fh.close();
      this.fh = await this.start.openFile(this.start.path, DURABLE);
      this.acked = this.writeAt = this.allocated = bytes;
      this.broken = undefined;
      this.swaps++;
    } finally {
      this.replacing = undefined;
      finished();
      this.kick();
    }
  }

  /** Writes whatever was appended before, then closes the file; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    this.takeSoon();
    this.kick();
    while (this.replacing || this.queue.length > 0 || this.scheduled || this.inFlight.length > 0 || this.extending)
      await (this.replacing ??
        (this.inFlight.length > 0 || this.extending
          ? this.noWriteInFlight()
          : new Promise<void>((r) => setImmediate(r))));
    await this.fh.close();
  }

  private kick(): void {
    if (this.broken) {
      this.repair();
      return;
    }
    if (this.scheduled || !this.canStartBatch()) return;
    this.scheduled = true;
    // Appends of the same turn join one batch; waiting any longer (setImmediate) costs a whole
    // turn of the event loop, and under load batches form anyway while writes are in flight.
    queueMicrotask(() => {
      this.scheduled = false;
      this.startBatch();
    });
  }

  private canStartBatch(): boolean {
    return !this.broken && this.queue.length > 0 && !this.replacing && this.inFlight.length < MAX_WRITES_IN_FLIGHT;
  }

  /** Moves the `soon` appends to the head of the queue (they were appended first). */
  private takeSoon(): void {
    clearTimeout(this.soonTimer);
    this.soonTimer = undefined;
    if (this.soon.length > 0) this.queue = this.soon.concat(this.queue);
    this.soon = [];
  }

  /**
   * Writes the next stretch of zeros past the end of the file, in the background, once less than
   * half of the preallocation is left. No batch is written beyond `allocated` while this runs, so
   * the zeros never land on records.
   */
  private preallocate(): void {
    const n = this.start.preallocateBytes;
    if (n === 0 || this.extending || this.replacing || this.broken) return;
    if (this.allocated - this.writeAt >= n / 2 || this.now() < this.extendNotBefore) return;
    const from = this.allocated;
    const file = this.fh;
    this.extending = file
      .write(Buffer.alloc(n), 0, n, from)
      .then(
        () => {
          if (file === this.fh) this.allocated = Math.max(this.allocated, from + n);
        },
        () => {
          this.extendNotBefore = this.now() + PREALLOCATE_RETRY_MS;
        },
      )
      .finally(() => {
        this.extending = undefined;
        this.kick();
      });
  }

  private startBatch(): void {
    if (!this.canStartBatch()) return;
    this.takeSoon();
    const bytes = Buffer.concat(this.queue.map((p) => p.bytes));
    // Past the zeros while new ones are being written: wait for them (the write above kicks again).
    if (this.extending && this.writeAt + bytes.length > this.allocated) return;
    const batch: Batch = { items: this.queue, bytes: bytes.length, settled: false };
    this.queue = [];
    this.inFlight.push(batch);
    const at = this.writeAt;
    let offset = at;
    for (const p of batch.items) {
      p.place = { offset, generation: this.generation() };
      offset += p.bytes.length;
    }
    this.writeAt += bytes.length;
    this.allocated = Math.max(this.allocated, this.writeAt);
    this.preallocate();
    this.fh
      .write(bytes, 0, bytes.length, at)
      .then(
        () => undefined,
        (err: unknown) => {
          batch.error = new Error('journal write failed', { cause: err });
        },
      )
      .finally(() => {
        batch.settled = true;
        this.acknowledge();
        this.kick();
      });
    this.kick();
  }

  /** Cuts the file back to the last acknowledged byte once no write is in flight, then resumes. */
  private repair(): void {
    if (this.repairing || this.inFlight.length > 0 || this.extending) return;
    this.repairing = true;
    this.fh
      .truncate(this.acked)
      .then(
        () => {
          this.broken = undefined;
          this.writeAt = this.allocated = this.acked;
        },
        () => {
          this.takeSoon();
          for (const p of this.queue.splice(0)) p.reject(this.broken!);
        },
      )
      .finally(() => {
        this.repairing = false;
        if (!this.broken) this.kick();
      });
  }

  /**
   * Settles finished batches in file order. A batch written after one still in flight waits for
   * it: replay ends the records at a torn one (journal-reader.ts: a sector of it never written, or
   * no good record after it), cutting what follows, so an acknowledged record must never follow
   * bytes that may not be on disk. A crash may persist the sectors of one write, or of the two in
   * flight, in any order: what replay finds after a torn record was not acknowledged (or was
   * answered with a failure: a crash before `repair` cut it off), and a record whose sectors all
   * landed may still be replayed (its event delivered once, the Flux retry of it caught by the
   * restored dedup window).
   */
  private acknowledge(): void {
    while (this.inFlight[0]?.settled) {
      const b = this.inFlight.shift()!;
      // A batch written after a failed one may follow torn bytes: it fails too, and is cut off.
      this.broken ??= b.error;
      if (this.broken) for (const p of b.items) p.reject(b.error ?? this.broken);
      else {
        this.acked += b.bytes;
        for (const p of b.items) p.resolve(p.place!);
      }
    }
    if (this.inFlight.length === 0) {
      const waiters = this.quiet;
      this.quiet = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves once no write is in flight (zeros included). */
  private async noWriteInFlight(): Promise<void> {
    while (this.inFlight.length > 0 || this.extending)
      await (this.extending ?? new Promise<void>((r) => this.quiet.push(r)));
  }
}

/** Writes `chunks` to a new file, syncs it and renames it over `path` (after `beforeSwap`); returns the bytes written. */
async function replaceFile(
  path: string,
  chunks: Iterable<Buffer>,
  beforeSwap?: (newPath: string) => void,
): Promise<number> {
  const tmp = `${path}.compact`;
  const out = await open(tmp, 'w');
  let at = 0;
  try {
    // Chunk by chunk: a rewrite of hundreds of megabytes never holds them in memory at once.
    for (const chunk of chunks) {
      await out.write(chunk, 0, chunk.length, at);
      at += chunk.length;
    }
    await out.datasync();
    beforeSwap?.(tmp);
  } catch (err) {
    // A record that fails to encode, or a failed write: the journal stays as it was, and no partial copy.
    await out.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await out.close();
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  await dir.sync().catch(() => undefined);
  await dir.close();
  return at;
}
