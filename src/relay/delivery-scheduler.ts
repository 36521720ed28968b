/**
 * Delivery pacing, one FIFO queue per destination (a Provider): at most `perSecond` messages per
 * second with a `burst` (Slack allows about one per second per webhook); a 429 pauses that
 * destination for its Retry-After and no other; a failure worth retrying holds the queue for an
 * exponential backoff with full jitter; a delivery that fails permanently leaves the queue as
 * dead, and so does one that a wait (backoff or Retry-After, however long) would carry past
 * `maxAgeMs`: it is dead-lettered when the wait starts, not parked behind it, so a destination
 * answering 429 forever, or with a Retry-After of an hour, still empties within the age.
 * Order within a destination is kept.
 */
import type { SendResult } from './slack-sender.ts';

/** One message to deliver. */
export interface Delivery {
  readonly id: string;
  readonly destination: string;
  readonly acceptedAt: number;
  attempts: number;
}

/** Settings and callbacks. */
export interface SchedulerOptions<D extends Delivery> {
  readonly send: (d: D) => Promise<SendResult | { kind: 'skipped'; reason: string }>;
  readonly onDone: (d: D, outcome: 'sent' | 'skipped') => void;
  readonly onDead: (d: D, reason: string) => void;
  readonly onAttempt?: (d: D, result: string) => void;
  /** A 429 paused `destination` until `until` (epoch ms, on `now`'s clock). */
  readonly onPause?: (destination: string, until: number) => void;
  readonly perSecond: number;
  readonly burst: number;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly maxAgeMs: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** The scheduler. */
export interface DeliveryScheduler<D extends Delivery> {
  enqueue(d: D): void;
  /** Pauses `destination` until `until` (a Retry-After from before a restart); `why` is told in dead letters. */
  pauseUntil(destination: string, until: number, why: string): void;
  /** Deliveries waiting or in flight. */
  pending(): number;
  stop(): void;
}

interface Queue<D> {
  items: D[];
  tokens: number;
  refilledAt: number;
  pausedUntil: number;
  running: boolean;
  pausedFor: string;
}

export function createDeliveryScheduler<D extends Delivery>(o: SchedulerOptions<D>): DeliveryScheduler<D> {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const queues = new Map<string, Queue<D>>();
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  /** The last failure of a delivery that has failed, for its dead letter. */
  const lastError = new WeakMap<D, string>();
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(() => {
        timers.delete(t);
        r();
      }, ms);
      timers.add(t);
    });

  function tokenWait(q: Queue<D>, at: number): number {
    q.tokens = Math.min(o.burst, q.tokens + ((at - q.refilledAt) / 1000) * o.perSecond);
    q.refilledAt = at;
    return q.tokens >= 1 ? 0 : Math.ceil(((1 - q.tokens) / o.perSecond) * 1000);
  }

  /** Why the head of `q` is given up on, when waiting would carry it past the maximum age. */
  function tooOld(q: Queue<D>, d: D, at: number): string {
    const age = Math.round((at - d.acceptedAt) / 1000);
    const last = lastError.get(d);
    if (last) return `gave up after ${d.attempts} attempts over ${age} s; last error: ${last}`;
    return `gave up after ${age} s: not sent within the maximum delivery age while ${d.destination} waits (${q.pausedFor})`;
  }

  async function run(q: Queue<D>): Promise<void> {
    if (q.running) return;
    q.running = true;
    try {
      while (q.items.length > 0 && !stopped) {
        const at = now();
        const paused = q.pausedUntil - at;
        const wait = Math.max(paused, tokenWait(q, at));
        const head = q.items[0]!;
        // Pacing waits are short; a pause (backoff, Retry-After) may be long enough to outlive the delivery.
        if (paused > 0 && at + wait - head.acceptedAt > o.maxAgeMs) {
          q.items.shift();
          o.onDead(head, tooOld(q, head, at));
          continue;
        }
        if (wait > 0) {
          await sleep(wait);
          continue;
        }
        q.tokens -= 1;
        await attempt(q, head);
      }
    } finally {
      q.running = false;
    }
  }

  async function attempt(q: Queue<D>, d: D): Promise<void> {
    let r: SendResult | { kind: 'skipped'; reason: string };
    try {
      r = await o.send(d);
    } catch (err) {
      r = { kind: 'retry', reason: (err as Error).message };
    }
    o.onAttempt?.(d, r.kind);
    if (r.kind === 'ok' || r.kind === 'skipped') {
      q.items.shift();
      o.onDone(d, r.kind === 'ok' ? 'sent' : 'skipped');
    } else if (r.kind === 'permanent') {
      q.items.shift();
      o.onDead(d, r.reason);
    } else if (r.kind === 'rate-limited') {
      d.attempts++;
      const reason = `rate-limited (HTTP 429, Retry-After ${Math.ceil(r.retryAfterMs / 1000)} s)`;
      lastError.set(d, reason);
      pause(q, r.retryAfterMs, reason);
      o.onPause?.(d.destination, q.pausedUntil);
    } else {
      d.attempts++;
      lastError.set(d, r.reason);
      pause(
        q,
        random() * Math.min(o.backoff.maxMs, o.backoff.baseMs * 2 ** (d.attempts - 1)),
        `backing off after: ${r.reason}`,
      );
    }
  }

  function pause(q: Queue<D>, ms: number, why: string): void {
    q.pausedUntil = now() + ms;
    q.pausedFor = why;
  }

  function queueOf(destination: string): Queue<D> {
    let q = queues.get(destination);
    if (!q)
      queues.set(
        destination,
        (q = { items: [], tokens: o.burst, refilledAt: now(), pausedUntil: 0, running: false, pausedFor: '' }),
      );
    return q;
  }

  return {
    enqueue(d) {
      const q = queueOf(d.destination);
      q.items.push(d);
      void run(q);
    },
    pauseUntil(destination, until, why) {
      const q = queueOf(destination);
      if (until > q.pausedUntil) {
        q.pausedUntil = until;
        q.pausedFor = why;
      }
    },
    pending: () => [...queues.values()].reduce((n, q) => n + q.items.length, 0),
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
