/**
 * What the relay hands to delivery: an accept record's Slack deliveries (one job per target not
 * yet settled) and, with --forward-to, its forwarding to notification-controller. The one place
 * jobs are made from records, for new accepts, released held events and replay alike; the jobs
 * go to whatever runs them (today the delivery thread, which keeps them in memory).
 */
import type { Job, QueueName } from './delivery-protocol.ts';
import type { AcceptRecord, DeliveryTarget } from './journal-state.ts';
import { withEventMetadata } from './notification-metadata.ts';

/** A job as the relay keeps it: which event and which of its deliveries. */
export interface RelayJob extends Job {
  readonly eventId: string;
  /** The delivery's index in the accept record; -1 for forwarding. */
  readonly index: number;
  readonly target?: DeliveryTarget;
}

/** Where jobs go. */
export interface JobSink {
  enqueue(queue: QueueName, job: RelayJob): void;
}

/** The relay's delivery queue. */
export interface RelayQueue {
  /** Queues the Slack deliveries of `a` not in `settled` (indexes into `a.deliveries`). */
  deliver(a: AcceptRecord, settled?: ReadonlySet<number>): number;
  /** Queues the forwarding of `a` to notification-controller. */
  forward(a: AcceptRecord): void;
}

/** The job of delivery `index` of `a` (one of its Slack deliveries). */
export function slackJob(a: AcceptRecord, index: number): RelayJob {
  const target = a.deliveries[index]!;
  return {
    id: `${a.id}:${index}`,
    destination: target.provider,
    acceptedAt: a.at,
    event: a.event,
    metadata: withEventMetadata(a.event, target.metadata),
    alert: target.alert,
    eventId: a.id,
    index,
    target,
  };
}

/** The job of forwarding `a` to notification-controller. */
export function forwardJob(a: AcceptRecord): RelayJob {
  return {
    id: `${a.id}:forward`,
    destination: 'notification-controller',
    acceptedAt: a.at,
    event: a.event,
    metadata: {},
    eventId: a.id,
    index: -1,
  };
}

/** A queue over `sink`. */
export function createRelayQueue(sink: JobSink): RelayQueue {
  return {
    deliver(a, settled = new Set()) {
      let queued = 0;
      for (let index = 0; index < a.deliveries.length; index++) {
        if (settled.has(index)) continue;
        queued++;
        sink.enqueue('slack', slackJob(a, index));
      }
      return queued;
    },
    forward(a) {
      sink.enqueue('forward', forwardJob(a));
    },
  };
}
