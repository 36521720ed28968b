/**
 * Per destination (a Provider: one address and channel), the line between the relay's queue and
 * the delivery thread, where bursts fold into digests. A destination's Slack deliveries go to the
 * delivery thread one by one while the fold decision (digest-trigger.ts `digestDecision`) says
 * the queue is short; once it says fold, the next ones are folded into the destination's open
 * digest instead: journaled as `fold` records (journal-digests.ts), so the reducer keeps one
 * accumulator in place of their events. When the deliveries handed over before it are settled,
 * the digest is sealed and handed over as one job; later events start the next. So the delivery
 * thread holds at most a window per destination (`maxQueued` singles and a digest), and memory for
 * pending work is that window plus one accumulator per destination, whatever the backlog.
 * A message in flight is never folded. With `maxQueued` 0 every delivery goes alone (no bound).
 */
import type { DigestAcc } from './digest.ts';
import { digestHeadline } from './digest-blocks.ts';
import type { DigestSettings } from './digest-trigger.ts';
import { digestDecision } from './digest-trigger.ts';
import type { FluxEvent } from './flux-event.ts';
import type { RelayRecord } from './journal-state.ts';
import type { RelayJob } from './relay-queue.ts';

/** The index a digest job carries in place of a delivery's. */
export const DIGEST_INDEX = -2;

/** What the lines work with. */
export interface DigestLineDeps {
  readonly settings: DigestSettings;
  readonly pacing: { readonly perSecond: number; readonly burst: number };
  /** Hands a job to the delivery thread. */
  readonly send: (job: RelayJob) => void;
  /** Journals a record (and folds it into the state). */
  readonly record: (r: RelayRecord) => void;
  /** The accumulator of digest `id`, from the journal state. */
  readonly acc: (id: string) => DigestAcc | undefined;
  /** How long `destination` is paused for now (a 429's Retry-After), in ms. */
  readonly waitMs: (destination: string) => number;
  readonly newId: () => string;
  /** An event was folded into a digest. */
  readonly onFold?: () => void;
  /**
   * How many deliveries of `destination` are spilled (journal-spill.ts): queued too, though the
   * window told them `settled` when it spilled them (they are counted again when read back).
   */
  readonly spilled?: (destination: string) => number;
}

/** The lines of every destination. */
export interface DigestLines {
  /** A Slack delivery: handed to the delivery thread, or folded into its destination's digest. */
  deliver(job: RelayJob): void;
  /**
   * A spilled delivery read back (delivery-window.ts `divert`): true when it was folded into its
   * destination's digest; else it counts as handed over, and the caller hands it over.
   */
  foldIfBurst(job: RelayJob): boolean;
  /** A digest left by a previous run (replay): handed to the delivery thread. */
  resume(id: string, destination: string): void;
  /**
   * A Slack job handed over is done or dead, or a delivery offered was dropped before its turn
   * (delivery-window.ts `skipped`): the open digest goes once nothing is ahead of it.
   */
  settled(job: Pick<RelayJob, 'destination'>): void;
  /** Digests open (folding, not yet handed over). */
  open(): number;
}

interface Line {
  /** Jobs handed to the delivery thread and not settled. */
  outstanding: number;
  /** The digest folding now. */
  open: string | undefined;
}

/** The lines, over `d`. */
export function createDigestLines(d: DigestLineDeps): DigestLines {
  const lines = new Map<string, Line>();
  const lineOf = (destination: string): Line => {
    let line = lines.get(destination);
    if (!line) lines.set(destination, (line = { outstanding: 0, open: undefined }));
    return line;
  };
  const handOver = (line: Line, job: RelayJob) => {
    line.outstanding++;
    d.send(job);
  };
  const seal = (line: Line, destination: string) => {
    const id = line.open!;
    line.open = undefined;
    const acc = d.acc(id);
    if (acc) handOver(line, digestJob(id, destination, acc));
  };
  /** True when `job` is to be folded (a digest is open, or opens now). */
  const folds = (line: Line, job: RelayJob) => {
    if (line.open) return true;
    const queued = line.outstanding + (d.spilled?.(job.destination) ?? 0) + 1;
    const queue = { queued, ...d.pacing, waitMs: d.waitMs(job.destination) };
    if (!digestDecision(queue, d.settings).fold) return false;
    line.open = d.newId();
    return true;
  };
  const fold = (line: Line, job: RelayJob) => {
    d.record({ t: 'fold', id: job.eventId, i: job.index, digest: line.open!, destination: job.destination });
    d.onFold?.();
    if (line.outstanding === 0) seal(line, job.destination);
  };
  return {
    deliver(job) {
      const line = lineOf(job.destination);
      if (!folds(line, job)) return handOver(line, job);
      fold(line, job);
    },
    foldIfBurst(job) {
      const line = lineOf(job.destination);
      if (!folds(line, job)) {
        line.outstanding++;
        return false;
      }
      fold(line, job);
      return true;
    },
    resume(id, destination) {
      const acc = d.acc(id);
      if (acc) handOver(lineOf(destination), digestJob(id, destination, acc));
    },
    settled(job) {
      const line = lineOf(job.destination);
      line.outstanding = Math.max(0, line.outstanding - 1);
      if (line.outstanding === 0 && line.open) seal(line, job.destination);
      if (line.outstanding === 0 && !line.open) lines.delete(job.destination);
    },
    open: () => [...lines.values()].filter((l) => l.open).length,
  };
}

/** The job of digest `id`: its accumulator, and an event naming the destination (for logs). */
function digestJob(id: string, destination: string, acc: DigestAcc): RelayJob {
  return {
    id: `digest:${id}`,
    destination,
    acceptedAt: acc.first,
    event: digestEvent(destination, acc),
    metadata: {},
    eventId: id,
    index: DIGEST_INDEX,
    digest: acc,
  };
}

/** A digest as an event: about its Provider, its headline as the message. */
function digestEvent(destination: string, acc: DigestAcc): FluxEvent {
  const slash = destination.indexOf('/');
  return {
    involvedObject: { kind: 'Provider', namespace: destination.slice(0, slash), name: destination.slice(slash + 1) },
    severity: acc.errors > 0 ? 'error' : 'info',
    timestamp: new Date(acc.last).toISOString(),
    message: digestHeadline(acc, destination),
    reason: 'BurstDigest',
    reportingController: 'notify-guard-relay',
  };
}
