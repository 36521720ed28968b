/**
 * When a destination's queue folds into a digest: when more than `maxQueued` events wait, or when
 * sending them one by one at the destination's pace would take more than `maxSendMs`. The pace is
 * the delivery scheduler's token bucket (delivery-scheduler.ts: `perSecond` messages a second, up
 * to `burst` at once) plus any wait the queue is already under (a 429's Retry-After, a backoff).
 * A single queued event is never a digest: it is sent as it is, however long it waits. Pure: the
 * caller passes what the queue holds and its pace.
 */

/** The digest settings, to become the relay's `--digest-after` and `--digest-window`. */
export interface DigestSettings {
  /** Fold when more events than this are queued for one destination; 0 turns digests off (`--digest-after N`). */
  readonly maxQueued: number;
  /** Fold when the queue would take longer than this to send, in ms (`--digest-window DURATION`). */
  readonly maxSendMs: number;
}

/** The defaults: more than 5 queued, or more than 10 s of sending. */
export const DIGEST_DEFAULTS: DigestSettings = { maxQueued: 5, maxSendMs: 10_000 };

/** A destination's queue as the scheduler sees it. */
export interface QueueView {
  /** Events queued, not yet in flight. */
  readonly queued: number;
  /** Messages a second, and how many may go at once (delivery-scheduler.ts). */
  readonly perSecond: number;
  readonly burst: number;
  /** Tokens in the bucket now (default: a full bucket, `burst`). */
  readonly tokens?: number;
  /** A wait the queue is already under (Retry-After, backoff), in ms. */
  readonly waitMs?: number;
}

/** Whether to fold, and why (for the log line and the metric's label). */
export type DigestDecision =
  | { readonly fold: false; readonly sendMs: number }
  | { readonly fold: true; readonly why: 'queued' | 'send-time'; readonly sendMs: number };

/** How long sending the queue one by one would take, in ms. */
export function sendTimeMs(q: QueueView): number {
  const tokens = Math.max(0, Math.min(q.tokens ?? q.burst, q.burst));
  const paced = Math.max(0, q.queued - tokens);
  return Math.ceil((q.waitMs ?? 0) + (paced * 1000) / q.perSecond);
}

/** Folds when more than `maxQueued` are queued, or they would take more than `maxSendMs` to send. */
export function digestDecision(q: QueueView, s: DigestSettings = DIGEST_DEFAULTS): DigestDecision {
  const sendMs = sendTimeMs(q);
  if (s.maxQueued === 0 || q.queued < 2) return { fold: false, sendMs };
  if (q.queued > s.maxQueued) return { fold: true, why: 'queued', sendMs };
  if (sendMs > s.maxSendMs) return { fold: true, why: 'send-time', sendMs };
  return { fold: false, sendMs };
}
