/**
 * The window of forwards to notification-controller (--forward-to) the delivery thread holds: at
 * most FORWARD_WINDOW_JOBS at once. Before, every accepted event's forward went to the thread as
 * it was accepted, so with notification-controller slow or down (503), a storm held every event in
 * memory there. The rest now waits here: spilled, as a reference into the journal (the accept
 * record holds the event as received: journal-state.ts `spillForward`), read back when the window
 * has room; or, when it cannot be spilled (its place in the file not known yet, a compaction under
 * way), as the job itself, in memory. A forward read back is built from the event in the state when
 * it is there (its deliveries read back meanwhile), else from the record read, held only by its job.
 * A forward settles with a `forwarded` record (relay-outcomes.ts), whatever its result; then
 * `forwardSettled` frees a read back one's bytes. Its event's deliveries never wait for it: a
 * spilled forward owns the forward (journal-spill.ts), so no record read back waits to be forwarded
 * again. A damaged record (spill-reader.ts) whose event is in memory is forwarded from there; else
 * it is dropped, counted as a dead forward and logged (no event holds a forward to journal: none is
 * left to do after a restart either); an I/O error is retried READ_BACK_RETRY_MS later.
 * A forward read back from its record (its event not in memory) keeps that record while it is in the
 * thread (`readAt`), so that a delivery of it that finds the record damaged since is read from there.
 */
import type { Logger } from '../observability/logger.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { dropForward, forwardSettled, takeForward } from './journal-spill.ts';
import type { AcceptRecord, EventState, JournalState } from './journal-state.ts';
import { spillForward } from './journal-state.ts';
import { forwardJob } from './relay-queue.ts';
import type { RelayJob } from './relay-queue.ts';
import { DamagedRecordError, isDamaged } from './spill-reader.ts';
import type { SpillReader } from './spill-reader.ts';

/** Forwards in the delivery thread at once: notification-controller answers in milliseconds when up. */
export const FORWARD_WINDOW_JOBS = 8;

/** After a spilled forward fails to be read back (an I/O error), the window tries again this much later. */
export const FORWARD_RETRY_MS = 5_000;

/** What the window works with. */
export interface ForwardWindowDeps {
  readonly state: JournalState;
  /** Hands a forward job to the delivery thread. */
  readonly send: (job: RelayJob) => void;
  /** Reads spilled records back; nothing is spilled without it. */
  readonly reader?: SpillReader | undefined;
  /** True while a forward may be spilled (no compaction under way: the journal's generation is not -1). */
  readonly canSpill: () => boolean;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  readonly maxJobs?: number;
  /**
   * The offers before `resume` are replay's (relay-resume.ts: the forwards of the whole events it
   * kept, in memory already): they wait in memory, not spilled. Spilled, each went behind the
   * forwards replay spilled at higher offsets, and the forwards' FIFO, no longer ascending, was
   * scanned whole at every read back of an event to forward (spill-fifo.ts `hasOffset`).
   */
  readonly replaying?: boolean;
}

/** The forwards' window. */
export interface ForwardWindow {
  /** A forward job: handed over when the window has room and nothing waits, else spilled or kept waiting. */
  offer(job: RelayJob): void;
  /** A forward job handed over settled: the next waiting one takes its room. */
  settled(job: RelayJob): void;
  /** Forwards waiting (spilled or in memory), not handed over. */
  waiting(): number;
  /** Starts handing over the spilled forwards (replayed). */
  resume(): void;
  /**
   * The accept record at `offset` that a forward in the delivery thread was read back from (its
   * event not in memory then), while it is there: a read back of the record's deliveries that finds
   * it damaged since reads them from it (relay-window.ts). Undefined when there is none.
   */
  readAt(offset: number): AcceptRecord | undefined;
}

/** The window over `d`. */
export function createForwardWindow(d: ForwardWindowDeps): ForwardWindow {
  const max = d.maxJobs ?? FORWARD_WINDOW_JOBS;
  const inThread = new Set<string>();
  // The records forwards in the thread were read back from (by job id): at most `max`, each also in its job.
  const readFrom = new Map<string, AcceptRecord>();
  const inMemory = jobQueue();
  let retrying = false;
  let replaying = d.replaying ?? false;
  const handOver = (job: RelayJob) => {
    inThread.add(job.id);
    d.send(job);
  };
  const pump = () => {
    while (inThread.size < max) {
      const job = (d.state.forwards.size > 0 ? readBack(d, retryLater, readFrom) : undefined) ?? inMemory.shift();
      if (!job) return;
      handOver(job);
    }
  };
  const retryLater = () => {
    if (retrying) return;
    retrying = true;
    // Unref'd: a relay stopping does not wait for it.
    setTimeout(() => {
      retrying = false;
      pump();
    }, FORWARD_RETRY_MS).unref();
  };
  return {
    offer(job) {
      if (inThread.size < max && d.state.forwards.size === 0 && inMemory.size() === 0) return handOver(job);
      if (!replaying && d.reader && d.canSpill() && spillForward(d.state, job.eventId)) return;
      inMemory.push(job);
    },
    settled(job) {
      if (!inThread.delete(job.id)) return;
      readFrom.delete(job.id);
      forwardSettled(d.state, job.id);
      pump();
    },
    waiting: () => d.state.forwards.size + inMemory.size(),
    resume() {
      replaying = false;
      pump();
    },
    readAt(offset) {
      for (const [id, ref] of d.state.forwarding) if (ref.offset === offset) return readFrom.get(id);
      return undefined;
    },
  };
}

/** Forwards that could not be spilled: a FIFO that does not shift its array at each take. */
function jobQueue() {
  let jobs: RelayJob[] = [];
  let head = 0;
  return {
    push: (job: RelayJob) => void jobs.push(job),
    shift(): RelayJob | undefined {
      const job = jobs[head];
      if (!job) return undefined;
      head++;
      if (head === jobs.length || (head > 1024 && head * 2 > jobs.length)) [jobs, head] = [jobs.slice(head), 0];
      return job;
    },
    size: () => jobs.length - head,
  };
}

/**
 * The front spilled forward read back as a job (taken: journal-spill.ts `takeForward`); a damaged
 * record is dropped (a dead forward, logged) and the next one read; undefined when none is left,
 * the reader is closed, or on an I/O error (logged; `retry` tries again later).
 */
function readBack(d: ForwardWindowDeps, retry: () => void, readFrom: Map<string, AcceptRecord>): RelayJob | undefined {
  for (;;) {
    const ref = d.state.forwards.peek();
    if (!ref || !d.reader) return undefined;
    let r: AcceptRecord;
    try {
      r = readForward(d.reader, ref.offset, ref.length);
    } catch (err) {
      if (d.reader.closed()) return undefined; // stopped: it stays spilled, for the next start
      if (!isDamaged(err)) {
        d.logger.error({ err, retryInMs: FORWARD_RETRY_MS }, 'reading a spilled forward back from the journal failed');
        return void retry();
      }
      const owner = ownerOf(d.state, ref.offset);
      if (owner) {
        // Its event is whole in memory (a delivery pending): forwarded from there, nothing is lost. Dropped
        // instead, it stayed forwardSpilled, no `forwarded` was ever journaled, and a restart forwarded it.
        d.logger.warn(
          { id: owner.accept.id, offset: ref.offset, reason: err.message },
          "a spilled forward's journal record is damaged; its event is in memory, forwarded from there",
        );
        const job = forwardJob(owner.accept);
        takeForward(d.state, job.id);
        return job;
      }
      dropForward(d.state);
      d.metrics.forwards.inc({ result: 'dead' });
      d.logger.error(
        { acceptedAt: new Date(ref.acceptedAt).toISOString(), offset: ref.offset, reason: err.message },
        'a spilled forward could not be read back from the journal; it is not forwarded',
      );
      continue;
    }
    const inMemory = d.state.events.get(r.id)?.accept;
    const job = forwardJob(inMemory ?? r);
    if (!inMemory) readFrom.set(job.id, r);
    takeForward(d.state, job.id);
    return job;
  }
}

/** The event in memory whose accept record is at `offset` and whose forward is spilled (a scan: only on damage). */
function ownerOf(state: JournalState, offset: number): EventState | undefined {
  for (const e of state.events.values()) if (e.offset === offset && e.forwardSpilled) return e;
  return undefined;
}

/** The accept record to forward at `offset`; a DamagedRecordError when it is not one. */
function readForward(reader: SpillReader, offset: number, length: number): AcceptRecord {
  let r: AcceptRecord;
  try {
    r = JSON.parse(reader.payload(offset, length).toString('utf8')) as AcceptRecord;
  } catch (err) {
    if (err instanceof SyntaxError) throw new DamagedRecordError(`journal record at offset ${offset} is not JSON`);
    throw err;
  }
  if (r?.t !== 'accept' || typeof r.id !== 'string' || !r.event)
    throw new DamagedRecordError(`journal record at offset ${offset} is not an accept record`);
  return r;
}
