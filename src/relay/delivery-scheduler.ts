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
  /** Every attempt's result kind, and the result itself (its reason, for the error classes). */
  readonly onAttempt?: (d: D, result: string, r: SendResult | { kind: 'skipped'; reason: string }) => void;
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

/** The scheduler's state, shared by the functions below. */
interface Scheduler<D extends Delivery> {
  readonly o: SchedulerOptions<D>;
  readonly now: () => number;
  readonly random: () => number;
  readonly queues: Map<string, Queue<D>>;
  readonly timers: Set<NodeJS.Timeout>;
  /** The last failure of a delivery that has failed, for its dead letter. */
  readonly lastError: WeakMap<D, string>;
  stopped: boolean;
}

export function createDeliveryScheduler<D extends Delivery>(o: SchedulerOptions<D>): DeliveryScheduler<D> {
  const s: Scheduler<D> = {
    o,
    now: o.now ?? Date.now,
    random: o.random ?? Math.random,
    queues: new Map(),
    timers: new Set(),
    lastError: new WeakMap(),
    stopped: false,
  };
  return {
    enqueue(d) {
      const q = queueOf(s, d.destination);
      q.items.push(d);
      void run(s, q);
    },
    pauseUntil(destination, until, why) {
      const q = queueOf(s, destination);
      if (until > q.pausedUntil) {
        q.pausedUntil = until;
        q.pausedFor = why;
      }
    },
    pending: () => [...s.queues.values()].reduce((n, q) => n + q.items.length, 0),
    stop() {
      s.stopped = true;
      for (const t of s.timers) clearTimeout(t);
      s.timers.clear();
    },
  };
}

function sleep(timers: Set<NodeJS.Timeout>, ms: number): Promise<void> {
  return new Promise<void>((r) => {
    const t = setTimeout(() => {
      timers.delete(t);
      r();
    }, ms);
    timers.add(t);
  });
}

function tokenWait<D extends Delivery>(s: Scheduler<D>, q: Queue<D>, at: number): number {
  q.tokens = Math.min(s.o.burst, q.tokens + ((at - q.refilledAt) / 1000) * s.o.perSecond);
  q.refilledAt = at;
  return q.tokens >= 1 ? 0 : Math.ceil(((1 - q.tokens) / s.o.perSecond) * 1000);
}

/** Why the head of `q` is given up on, when waiting would carry it past the maximum age. */
function tooOld<D extends Delivery>(s: Scheduler<D>, q: Queue<D>, d: D, at: number): string {
  const age = Math.round((at - d.acceptedAt) / 1000);
  const last = s.lastError.get(d);
  if (last) return `gave up after ${d.attempts} attempts over ${age} s; last error: ${last}`;
  return `gave up after ${age} s: not sent within the maximum delivery age while ${d.destination} waits (${q.pausedFor})`;
}

async function run<D extends Delivery>(s: Scheduler<D>, q: Queue<D>): Promise<void> {
  if (q.running) return;
  q.running = true;
  try {
    while (q.items.length > 0 && !s.stopped) {
      const at = s.now();
      const paused = q.pausedUntil - at;
      const wait = Math.max(paused, tokenWait(s, q, at));
      const head = q.items[0]!;
      // Pacing waits are short; a pause (backoff, Retry-After) may be long enough to outlive the delivery.
      if (paused > 0 && at + wait - head.acceptedAt > s.o.maxAgeMs) {
        q.items.shift();
        s.o.onDead(head, tooOld(s, q, head, at));
        continue;
      }
      if (wait > 0) {
        await sleep(s.timers, wait);
        continue;
      }
      q.tokens -= 1;
      await attempt(s, q, head);
    }
  } finally {
    q.running = false;
  }
}

async function attempt<D extends Delivery>(s: Scheduler<D>, q: Queue<D>, d: D): Promise<void> {
  let r: SendResult | { kind: 'skipped'; reason: string };
  try {
    r = await s.o.send(d);
  } catch (err) {
    r = { kind: 'retry', reason: (err as Error).message };
  }
  // Stopped meanwhile (the sender is closing): a retry changes nothing and is no failed attempt;
  // the delivery stays in its queue and in the journal for the next start.
  if (s.stopped && r.kind === 'retry') return;
  s.o.onAttempt?.(d, r.kind, r);
  if (r.kind === 'ok' || r.kind === 'skipped') {
    q.items.shift();
    s.o.onDone(d, r.kind === 'ok' ? 'sent' : 'skipped');
  } else if (r.kind === 'permanent') {
    q.items.shift();
    s.o.onDead(d, r.reason);
  } else if (r.kind === 'rate-limited') {
    d.attempts++;
    const reason = `rate-limited (HTTP 429, Retry-After ${Math.ceil(r.retryAfterMs / 1000)} s)`;
    s.lastError.set(d, reason);
    pause(s, q, r.retryAfterMs, reason);
    s.o.onPause?.(d.destination, q.pausedUntil);
  } else {
    d.attempts++;
    s.lastError.set(d, r.reason);
    const backoff = s.random() * Math.min(s.o.backoff.maxMs, s.o.backoff.baseMs * 2 ** (d.attempts - 1));
    pause(s, q, backoff, `backing off after: ${r.reason}`);
  }
}

function pause<D extends Delivery>(s: Scheduler<D>, q: Queue<D>, ms: number, why: string): void {
  q.pausedUntil = s.now() + ms;
  q.pausedFor = why;
}

function queueOf<D extends Delivery>(s: Scheduler<D>, destination: string): Queue<D> {
  let q = s.queues.get(destination);
  if (!q) {
    q = { items: [], tokens: s.o.burst, refilledAt: s.now(), pausedUntil: 0, running: false, pausedFor: '' };
    s.queues.set(destination, q);
  }
  return q;
}
