/**
 * Per destination (a Provider), the window of Slack jobs the delivery thread holds: at most
 * `maxJobs` jobs and `maxBytes` bytes (their events' accept records in the journal), and always at
 * least one, so an event larger than the budget still goes, alone. The thread paces a destination
 * at one message a second with a burst of 3 (delivery-scheduler.ts), so a few jobs keep it busy;
 * the rest of a backlog waits here, on the relay thread, as three numbers and a string reference
 * a delivery (its event id, delivery index and accept time), not as a job and its copy in the
 * thread. When a job in the window is settled (sent, skipped or dead), the next waiting ones are
 * built from what the journal state holds (`job`) and handed over, in order. A waiting delivery
 * settled meanwhile (with replicas, handed to the sender) is dropped and told to `skipped`, so that
 * whoever counted it as offered (digest-lines.ts's `outstanding`) counts it as settled too.
 * The oldest pending delivery is the oldest among each destination's window and first waiting
 * delivery (`oldestAcceptedAt`): O(destinations x maxJobs), whatever the backlog.
 * Behind all that wait the destination's spilled deliveries (journal-spill.ts: references into
 * the journal file, read back by `unspill`), which go first: they are older than anything offered
 * since. One read back may be folded into a digest instead (`divert`: digest-lines.ts); then the
 * window does not fill, so at most READ_BACKS_PER_TURN are read back in one call, and the rest on
 * the next turns of the event loop (`later`).
 */
import { DIGEST_INDEX } from './digest-lines.ts';
import type { RelayJob } from './relay-queue.ts';

/** How much of a destination's work the delivery thread holds. */
export interface WindowSettings {
  readonly maxJobs: number;
  readonly maxBytes: number;
}

/** The default window: 8 jobs and 64 KiB per destination (about 100 ordinary events' worth of bytes). */
export const WINDOW_DEFAULTS: WindowSettings = { maxJobs: 8, maxBytes: 64 * 1024 };

/** What the window works with. */
export interface WindowDeps {
  readonly settings: WindowSettings;
  /** Hands a job to the delivery thread. */
  readonly send: (job: RelayJob) => void;
  /** Delivery `index` of event `eventId` as a job, built now; undefined when the event is settled already. */
  readonly job: (eventId: string, index: number) => RelayJob | undefined;
  /** The bytes `job` counts for (its event's accept record). */
  readonly bytes: (job: RelayJob) => number;
  /** A waiting delivery offered but dropped, settled before its turn: it will not be handed over. */
  readonly skipped?: (ref: WaitingRef) => void;
  /** False once delivery `index` of event `eventId` is settled (a cheap `job(...) !== undefined`); default true. */
  readonly open?: (eventId: string, index: number) => boolean;
  /** Spilled deliveries: how many `destination` has, and the front one read back ('settled': skip it; undefined: none). */
  readonly spilled?: {
    count(destination?: string): number;
    oldest(): number | undefined;
    unspill(destination: string): RelayJob | 'settled' | undefined;
  };
  /**
   * Spills an offered delivery that does not fit (journal-spill.ts `spillDelivery`): true when it
   * did, and then it counts as `skipped` until it is read back.
   */
  readonly spill?: (job: RelayJob) => boolean;
  /** True when a delivery read back is folded into a digest rather than handed over. */
  readonly divert?: (job: RelayJob) => boolean;
  /** Runs `fn` on a later turn of the event loop (default setImmediate): a pump past READ_BACKS_PER_TURN goes on there. */
  readonly later?: (fn: () => void) => void;
}

/**
 * Spilled deliveries read back in one turn at most: once a digest is open, each read back is
 * folded and the window never fills, so a destination's whole spilled backlog would otherwise be
 * read and folded in one synchronous call (100,000 read backs blocked the event loop).
 */
export const READ_BACKS_PER_TURN = 100;

/** A delivery waiting behind its destination's window. */
export interface WaitingRef {
  readonly destination: string;
  readonly eventId: string;
  readonly index: number;
}

/** The windows of every destination. */
export interface DeliveryWindow {
  /** A Slack job: handed to the delivery thread when its destination's window has room, else kept waiting. */
  offer(job: RelayJob): void;
  /** A job handed over is done or dead: the next waiting ones take its room. */
  settled(job: RelayJob): void;
  /** Jobs waiting (not handed over). */
  waiting(): number;
  /** When the oldest pending delivery was accepted (epoch ms); undefined when nothing is pending. */
  oldestAcceptedAt(): number | undefined;
  /** Starts handing over the spilled deliveries of `destinations` (replayed). */
  resumeSpilled(destinations: Iterable<string>): void;
}

/** A destination's window and what waits behind it. */
interface Line {
  readonly destination: string;
  /** Jobs in the delivery thread: id -> [bytes, acceptedAt]. */
  readonly inThread: Map<string, readonly [number, number]>;
  bytes: number;
  /** The waiting deliveries, as parallel arrays from `head` on (a FIFO without an object each). */
  readonly ids: string[];
  readonly indexes: number[];
  readonly acceptedAt: number[];
  head: number;
  /** Waiting digest jobs (few: one open per destination), by digest id. */
  readonly digests: Map<string, RelayJob>;
  /** The first waiting job, built, when it did not fit. */
  next?: RelayJob | undefined;
}

/** The windows, over `d`. */
export function createDeliveryWindow(d: WindowDeps): DeliveryWindow {
  const lines = new Map<string, Line>();
  const lineOf = (destination: string): Line => {
    let line = lines.get(destination);
    if (!line) {
      line = newLine(destination);
      lines.set(destination, line);
    }
    return line;
  };
  const { fits, handOver, pump } = pumping(d, lineOf);
  return {
    offer(job) {
      const line = lineOf(job.destination);
      const bytes = d.bytes(job);
      const first = line.head === line.ids.length && !line.next && !d.spilled?.count(job.destination);
      if (first && fits(line, bytes)) return handOver(line, job, bytes);
      if (job.index !== DIGEST_INDEX && d.spill?.(job))
        return d.skipped?.({ destination: job.destination, eventId: job.eventId, index: job.index });
      if (job.index === DIGEST_INDEX) line.digests.set(job.eventId, job);
      line.ids.push(job.eventId);
      line.indexes.push(job.index);
      line.acceptedAt.push(job.acceptedAt);
    },
    settled(job) {
      const line = lines.get(job.destination);
      const held = line?.inThread.get(job.id);
      if (!line || !held) return;
      line.inThread.delete(job.id);
      line.bytes -= held[0];
      pump(line);
      if (line.inThread.size === 0 && !line.next && line.head === line.ids.length) lines.delete(job.destination);
    },
    waiting: () => waitingIn(lines, d),
    oldestAcceptedAt: () => oldestIn(lines, d),
    resumeSpilled(destinations) {
      for (const destination of destinations) pump(lineOf(destination));
    },
  };
}

/** How `lines` (by `lineOf`) fill their windows: from spilled deliveries first, then those waiting. */
function pumping(d: WindowDeps, lineOf: (destination: string) => Line) {
  const fits = (line: Line, bytes: number) =>
    line.inThread.size === 0 || (line.inThread.size < d.settings.maxJobs && line.bytes + bytes <= d.settings.maxBytes);
  const handOver = (line: Line, job: RelayJob, bytes: number) => {
    line.inThread.set(job.id, [bytes, job.acceptedAt]);
    line.bytes += bytes;
    d.send(job);
  };
  const later = d.later ?? ((fn: () => void) => void setImmediate(fn));
  const continuing = new Set<string>();
  const pumpLater = (destination: string) => {
    if (continuing.has(destination)) return;
    continuing.add(destination);
    later(() => {
      continuing.delete(destination);
      pump(lineOf(destination));
    });
  };
  const pump = (line: Line) => {
    if (continuing.has(line.destination)) return; // goes on in its turn
    for (let reads = 0; ;) {
      if (line.inThread.size > 0 && line.inThread.size >= d.settings.maxJobs) return; // full: nothing read back or built
      if (!line.next && reads >= READ_BACKS_PER_TURN && d.spilled?.count(line.destination))
        return pumpLater(line.destination);
      const spilled = line.next ? undefined : takeSpilled(line, d);
      if (spilled) reads++;
      if (spilled && d.divert?.(spilled)) continue;
      const job = line.next ?? spilled ?? takeWaiting(line, d);
      if (!job) return;
      const bytes = d.bytes(job);
      if (!fits(line, bytes)) return void (line.next = job);
      line.next = undefined;
      handOver(line, job, bytes);
    }
  };
  return { fits, handOver, pump };
}

function waitingIn(lines: Map<string, Line>, d: WindowDeps): number {
  let n = 0;
  for (const line of lines.values()) {
    dropSettledHead(line, d);
    n += line.ids.length - line.head + (line.next ? 1 : 0);
  }
  return n + (d.spilled?.count() ?? 0);
}

function oldestIn(lines: Map<string, Line>, d: WindowDeps): number | undefined {
  for (const line of lines.values()) dropSettledHead(line, d);
  const inLines = oldest(lines);
  const spilled = d.spilled?.oldest();
  return spilled === undefined || (inLines !== undefined && inLines < spilled) ? inLines : spilled;
}

function newLine(destination: string): Line {
  return {
    destination,
    inThread: new Map(),
    bytes: 0,
    ids: [],
    indexes: [],
    acceptedAt: [],
    head: 0,
    digests: new Map(),
  };
}

/** The front spilled delivery of `line` read back, as a job (skipping those settled meanwhile); undefined when none. */
function takeSpilled(line: Line, d: WindowDeps): RelayJob | undefined {
  if (!d.spilled) return undefined;
  for (;;) {
    const job = d.spilled.unspill(line.destination);
    if (job !== 'settled') return job;
  }
}

/** The first waiting delivery of `line` as a job (skipping those settled meanwhile); undefined when none waits. */
function takeWaiting(line: Line, d: WindowDeps): RelayJob | undefined {
  while (line.head < line.ids.length) {
    const at = line.head++;
    const id = line.ids[at]!;
    const index = line.indexes[at]!;
    if (line.head === line.ids.length || (line.head > 1024 && line.head * 2 > line.ids.length)) compact(line);
    if (index === DIGEST_INDEX) {
      const job = line.digests.get(id);
      line.digests.delete(id);
      if (job) return job;
    } else {
      const job = d.job(id, index);
      if (job) return job;
    }
    d.skipped?.({ destination: line.destination, eventId: id, index });
  }
  return undefined;
}

/**
 * Drops the waiting deliveries at the head of `line` settled meanwhile (told to `skipped`), so that
 * `waiting` and `oldestAcceptedAt` do not count or read them (those further back are dropped in turn).
 */
function dropSettledHead(line: Line, d: WindowDeps): void {
  if (!d.open) return;
  while (line.head < line.ids.length) {
    const eventId = line.ids[line.head]!;
    const index = line.indexes[line.head]!;
    if (index === DIGEST_INDEX || d.open(eventId, index)) break;
    line.head++;
    d.skipped?.({ destination: line.destination, eventId, index });
  }
  if (line.head > 0 && line.head === line.ids.length) compact(line);
}

/** Drops the taken part of the waiting arrays (when it is at least half of them: O(1) a delivery over time). */
function compact(line: Line): void {
  line.ids.splice(0, line.head);
  line.indexes.splice(0, line.head);
  line.acceptedAt.splice(0, line.head);
  line.head = 0;
}

function oldest(lines: Map<string, Line>): number | undefined {
  let first: number | undefined;
  const see = (at: number) => {
    if (first === undefined || at < first) first = at;
  };
  for (const line of lines.values()) {
    for (const [, at] of line.inThread.values()) see(at);
    if (line.next) see(line.next.acceptedAt);
    if (line.head < line.acceptedAt.length) see(line.acceptedAt[line.head]!);
  }
  return first;
}
