/**
 * The relay's side of its Slack jobs: the digest lines (digest-lines.ts) in front of the delivery
 * windows (delivery-window.ts), both over the journal state, and the outcome callbacks that tell
 * both of each Slack job settled. relay.ts wires them to the delivery thread.
 */
import { randomUUID } from 'node:crypto';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { WINDOW_DEFAULTS, createDeliveryWindow } from './delivery-window.ts';
import type { DeliveryWindow, WaitingRef, WindowSettings } from './delivery-window.ts';
import { createDigestLines } from './digest-lines.ts';
import type { ForwardWindow } from './forward-window.ts';
import type { DigestLines } from './digest-lines.ts';
import type { DigestSettings } from './digest-trigger.ts';
import { DIGEST_DEFAULTS } from './digest-trigger.ts';
import type { Logger } from '../observability/logger.ts';
import { oldestSpilled, spillDeadRecord, spillDelivery, spilledCount, takeSpilled } from './journal-spill.ts';
import type { SpillDeadRecord } from './journal-spill.ts';
import type { AcceptRecord, EventState, JournalState, RelayRecord } from './journal-state.ts';
import { materialise } from './journal-state.ts';
import { DamagedRecordError, isDamaged } from './spill-reader.ts';
import type { SpillReader } from './spill-reader.ts';
import { spilledDead } from './relay-outcomes.ts';
import type { deliveryOutcomes } from './relay-outcomes.ts';
import { slackJob } from './relay-queue.ts';
import type { RelayJob } from './relay-queue.ts';

/**
 * After a spilled event fails to be read back (an I/O error), its destination tries again this
 * much later: nothing in flight may settle to try it sooner. A damaged record is not tried again:
 * it is dead-lettered and the destination goes on (`unspill`).
 */
export const READ_BACK_RETRY_MS = 5_000;

/** The relay's settings the window and the lines read (RelayOptions has them). */
export interface WindowOptions {
  readonly window?: WindowSettings;
  readonly digest?: DigestSettings;
  readonly pacing?: { readonly perSecond: number; readonly burst: number };
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  /** Reads spilled events back from the journal (journal-replay.ts); none spilled without it. */
  readonly spillReader?: SpillReader | undefined;
  /** The journal: a delivery is spilled only while no rewrite is under way (its `generation` is not -1). */
  readonly journal?: { generation?(): number };
  /** The accept record a forward in the delivery thread was read back from (forward-window.ts `readAt`). */
  readonly forwardRead?: (offset: number) => AcceptRecord | undefined;
}

/** The digest lines in front of the windows of the delivery thread, each telling the other. */
export function windowedLines(
  o: WindowOptions,
  state: JournalState,
  record: (r: RelayRecord) => void,
  now: () => number,
  send: (job: RelayJob) => void,
): { window: DeliveryWindow; lines: DigestLines } {
  const window = deliveryWindow(
    o,
    { state, record, now },
    send,
    (ref) => lines.settled(ref),
    (job) => lines.foldIfBurst(job),
  );
  const lines = digestLines(o, state, record, now, (job) => window.offer(job));
  return { window, lines };
}

/**
 * The windows of the delivery thread (delivery-window.ts): jobs beyond them are built from the state
 * when there is room; a waiting one settled meanwhile is `skipped` (told to the digest lines).
 */
function deliveryWindow(
  o: WindowOptions,
  journaled: Journaled,
  send: (job: RelayJob) => void,
  skipped: (ref: WaitingRef) => void,
  divert: (job: RelayJob) => boolean,
): DeliveryWindow {
  const { state } = journaled;
  const open = (id: string, index: number) => {
    const e = state.events.get(id);
    return !!e && !e.accept.held && !e.settled.has(index);
  };
  const reader = o.spillReader;
  const retry = retryLater((destination) => window.resumeSpilled([destination]));
  const window = createDeliveryWindow({
    settings: o.window ?? WINDOW_DEFAULTS,
    send,
    skipped,
    open,
    ...(reader
      ? { spilled: spilledDeliveries(o, journaled, { reader, open, retry }), divert, spill: spillOf(o, state) }
      : {}),
    job: (id, index) => (open(id, index) ? slackJob(state.events.get(id)!.accept, index) : undefined),
    bytes: (job) =>
      job.digest ? (state.digests.get(job.eventId)?.bytes ?? 0) : (state.events.get(job.eventId)?.acceptBytes ?? 0),
  });
  return window;
}

/** Calls `resume(destination)` READ_BACK_RETRY_MS after it is asked to, once however often it is asked meanwhile. */
function retryLater(resume: (destination: string) => void): (destination: string) => void {
  const waiting = new Set<string>();
  return (destination) => {
    if (waiting.has(destination)) return;
    waiting.add(destination);
    // Unref'd: a relay stopping does not wait for it.
    setTimeout(() => {
      waiting.delete(destination);
      resume(destination);
    }, READ_BACK_RETRY_MS).unref();
  };
}

/** Spills an offered delivery beyond its window, when no rewrite is under way and the event allows it. */
function spillOf(o: WindowOptions, state: JournalState): (job: RelayJob) => boolean {
  return (job) =>
    (o.journal?.generation?.() ?? -1) >= 0 && spillDelivery(state, job.eventId, job.destination, job.index);
}

/** The journal state, how a record is journaled (and folded into it), and the clock. */
interface Journaled {
  readonly state: JournalState;
  readonly record: (r: RelayRecord) => void;
  readonly now: () => number;
}

/** The window's view of the spilled deliveries: counted from the state, read back from the journal. */
function spilledDeliveries(
  o: WindowOptions,
  { state, record, now }: Journaled,
  d: {
    reader: SpillReader;
    open: (id: string, index: number) => boolean;
    /** Resumes the destination later (after a failed read back). */
    retry: (destination: string) => void;
  },
) {
  const { reader, open } = d;
  return {
    count: (destination?: string) =>
      destination === undefined ? spilledCount(state) : (state.spill.get(destination)?.size ?? 0),
    oldest: () => oldestSpilled(state),
    unspill(destination: string): RelayJob | 'settled' | undefined {
      const ref = state.spill.get(destination)?.peek();
      if (!ref) return undefined;
      let r: AcceptRecord;
      try {
        r = readAccept(reader, ref);
      } catch (err) {
        if (reader.closed()) return undefined; // the relay stopped: it stays spilled, for the next start
        if (isDamaged(err)) {
          // Another destination, or its forward, read it back before the damage: whole in memory, nothing is lost.
          const whole = eventAt(state, ref.offset)?.accept ?? o.forwardRead?.(ref.offset);
          if (whole) return fromMemory(o.logger, { state, destination, whole, open, detail: err.message });
          // Reading it again cannot mend it: its references go to the dead letters, and the destination goes on.
          const dead = deadLetterAll(state, destination, ref.offset, now(), err.message);
          for (const r of dead) record(r);
          spilledDead({ metrics: o.metrics, log: o.logger }, dead);
          return 'settled';
        }
        // Left where it is: tried again when the destination's next job settles, or READ_BACK_RETRY_MS later.
        o.logger.error(
          { err, destination, retryInMs: READ_BACK_RETRY_MS },
          'reading a spilled event back from the journal failed',
        );
        d.retry(destination);
        return undefined;
      }
      const { event, index } = materialise(state, destination, r)!;
      return open(r.id, index) ? slackJob(event.accept, index) : 'settled';
    },
  };
}

/** The materialised event whose accept record is at `offset` and still has deliveries spilled (a scan: only on damage). */
function eventAt(state: JournalState, offset: number): EventState | undefined {
  for (const e of state.events.values()) if (e.offset === offset && e.spilled) return e;
  return undefined;
}

/**
 * The front spilled delivery of `destination`, whose record is damaged but is `whole` in memory:
 * its event's (read back for another destination first) or a forward's in the delivery thread (read
 * back from it before the damage: forward-window.ts `readAt`). Materialised from there, as a read
 * back would have (journal-state.ts `materialise` counts the event's `spilled` down, or makes it),
 * instead of dead-lettered while the event stayed, leaked, and was sent after a restart.
 */
function fromMemory(
  logger: Logger,
  d: {
    state: JournalState;
    destination: string;
    whole: AcceptRecord;
    open: (id: string, index: number) => boolean;
    detail: string;
  },
): RelayJob | 'settled' {
  const { event, index } = materialise(d.state, d.destination, d.whole)!;
  logger.warn(
    { id: event.accept.id, i: index, provider: d.destination, reason: d.detail },
    "a spilled delivery's journal record is damaged; its event is in memory, delivered from there",
  );
  return d.open(event.accept.id, index) ? slackJob(event.accept, index) : 'settled';
}

/**
 * Takes every spilled delivery of the damaged record at `offset` off its FIFO (`destination`'s
 * front one first), each a `spill-dead` dead letter: no event in memory owns the record, so none of
 * them can be read back. Its bytes were live once for all of them (journal-spill.ts `spillAccept`):
 * they go with the last, as the compaction's dropDamaged does (else liveBytes kept them forever).
 */
function deadLetterAll(
  state: JournalState,
  destination: string,
  offset: number,
  at: number,
  detail: string,
): SpillDeadRecord[] {
  const front = takeSpilled(state, destination)!;
  const dead = [spillDeadRecord(destination, front, at, detail)];
  for (const [other, fifo] of state.spill) {
    for (const ref of fifo.removeOffset(offset)) dead.push(spillDeadRecord(other, ref, at, detail));
    if (fifo.size === 0) state.spill.delete(other);
  }
  state.liveBytes -= front.length;
  return dead;
}

/**
 * The accept record `ref` refers to, read back; a DamagedRecordError when its payload is not JSON or
 * not an accept record with that delivery (the framing held, the content did not).
 */
function readAccept(reader: SpillReader, ref: { offset: number; length: number; index: number }): AcceptRecord {
  const payload = reader.payload(ref.offset, ref.length);
  let r: AcceptRecord;
  try {
    r = JSON.parse(payload.toString('utf8')) as AcceptRecord;
  } catch {
    throw new DamagedRecordError(`journal record at offset ${ref.offset} is not JSON`);
  }
  if (r?.t !== 'accept' || typeof r.id !== 'string' || !r.deliveries?.[ref.index] || !r.event)
    throw new DamagedRecordError(
      `journal record at offset ${ref.offset} is not an accept record with delivery ${ref.index}`,
    );
  return r;
}

/** The lines where a destination's bursts fold into digests (digest-lines.ts), over the journal state. */
function digestLines(
  o: WindowOptions,
  state: JournalState,
  record: (r: RelayRecord) => void,
  now: () => number,
  send: (job: RelayJob) => void,
): DigestLines {
  return createDigestLines({
    settings: o.digest ?? DIGEST_DEFAULTS,
    pacing: o.pacing ?? { perSecond: 1, burst: 3 },
    send,
    record,
    acc: (id) => state.digests.get(id)?.acc,
    waitMs: (destination) => Math.max(0, (state.pauses.get(`slack ${destination}`)?.record.until ?? 0) - now()),
    newId: randomUUID,
    onFold: () => o.metrics.eventsFolded.inc(),
    spilled: (destination) => state.spill.get(destination)?.size ?? 0,
  });
}

/**
 * The outcome callbacks, telling the window and the digest lines of each Slack job settled, and the
 * forwards' window (forward-window.ts) of each forward settled (after its `forwarded` record).
 */
export function settledIn(
  lines: DigestLines,
  window: DeliveryWindow,
  outcomes: ReturnType<typeof deliveryOutcomes>,
  forwards?: ForwardWindow,
): typeof outcomes {
  const settled = (queue: string, job: RelayJob) => {
    if (queue === 'forward') return forwards?.settled(job);
    if (queue !== 'slack') return;
    window.settled(job);
    lines.settled(job);
  };
  return {
    ...outcomes,
    onDone: (queue, job, outcome) => {
      outcomes.onDone(queue, job, outcome);
      settled(queue, job);
    },
    onDead: (queue, job, reason) => {
      outcomes.onDead(queue, job, reason);
      settled(queue, job);
    },
  };
}
