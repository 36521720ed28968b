/**
 * The messages between the relay's event loop and its delivery thread. The relay thread accepts
 * events, journals them and holds the cluster view; the delivery thread paces, sends and retries
 * (Slack, and notification-controller with --forward-to), so that deliveries never delay an
 * accept. Destinations are read on the relay thread at each attempt (`resolve`), so a changed
 * Provider or Secret is honoured as before.
 */
import type { DigestAcc } from './digest.ts';
import type { FluxEvent, InvolvedObject } from './flux-event.ts';
import type { DeliveryResult, ResolvedDestination } from './slack-delivery.ts';
import type { Episode } from './slack-episodes.ts';
import type { SlackErrorClass } from './slack-error-class.ts';

/** The two queues: Slack Providers, and forwarding to notification-controller. */
export type QueueName = 'slack' | 'forward';

/** One delivery as the delivery thread knows it. */
export interface Job {
  readonly id: string;
  /** `namespace/name` of the Provider, or `notification-controller`. */
  readonly destination: string;
  readonly acceptedAt: number;
  readonly event: FluxEvent;
  readonly metadata: Readonly<Record<string, string>>;
  /** `namespace/name` of the Alert a Slack delivery is for (its message template, if any). */
  readonly alert?: string;
  /** A burst digest (digest-lines.ts): sent as one message in place of `event`, which names its Provider. */
  readonly digest?: DigestAcc;
}

/** A destination paused by a 429 until `until` (epoch ms): journaled, so that it outlives a restart. */
export interface Pause {
  readonly queue: QueueName;
  readonly destination: string;
  readonly until: number;
}

/** An object's failure episode at a Provider opened or closed (journaled, so threads outlive a restart). */
export interface EpisodeChange {
  /** `provider kind/namespace/name` (slack-episodes.ts `episodeKey`). */
  readonly key: string;
  /** The open episode; absent when it closed. */
  readonly episode?: Episode;
}

/** What the delivery thread is started with. */
export interface DeliverySettings {
  /** Failure episodes still open (from the journal, or from the thread that died). */
  readonly episodes?: readonly EpisodeChange[];
  /** Pauses still running (from the journal, or from the thread that died); honoured before any send. */
  readonly pauses?: readonly Pause[];
  readonly pacing: { readonly perSecond: number; readonly burst: number };
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly maxAgeMs: number;
  readonly sendTimeoutMs: number;
  /** notification-controller's event API, with --forward-to. */
  readonly forwardTo?: string;
  /** Extra CA certificates trusted for Slack (tests' local Slack over TLS). */
  readonly slackCa?: string;
}

/** Relay thread -> delivery thread. */
export type ToDelivery =
  | { readonly t: 'enqueue'; readonly queue: QueueName; readonly job: Job }
  | { readonly t: 'resolved'; readonly req: number; readonly result: ResolvedDestination | DeliveryResult }
  /**
   * Episodes another replica handed over, or this one handed away (sender-handover.ts): one with
   * `episode` opens unless that key is open already; one without closes it. Each change is reported
   * back as an `episode` message, like any other.
   */
  | { readonly t: 'episodes'; readonly changes: readonly EpisodeChange[] }
  | { readonly t: 'stop' };

/**
 * Delivery thread -> relay thread. `attempt` is posted for every attempt that was not a success
 * (rate-limited, retry, permanent); a successful one (ok, skipped) is implied by its `done`.
 */
export type FromDelivery =
  | { readonly t: 'ready' }
  | {
      readonly t: 'resolve';
      readonly req: number;
      /** The job about to be posted. */
      readonly id?: string;
      readonly provider: string;
      readonly object?: InvolvedObject;
      readonly alert?: string;
    }
  | { readonly t: 'attempt'; readonly queue: QueueName; readonly result: string; readonly error?: SlackErrorClass }
  | ({ readonly t: 'paused' } & Pause)
  | ({ readonly t: 'episode' } & EpisodeChange)
  | { readonly t: 'done'; readonly queue: QueueName; readonly id: string; readonly outcome: 'sent' | 'skipped' }
  | { readonly t: 'dead'; readonly queue: QueueName; readonly id: string; readonly reason: string }
  | { readonly t: 'stopped' };
