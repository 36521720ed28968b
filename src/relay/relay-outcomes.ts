/**
 * What the relay does with each delivery outcome the delivery thread reports: count it, journal
 * it (done, dead, forwarded, a 429 pause, a failure episode), keep each Alert's delivery status,
 * and record the Kubernetes Warning (or the rare Normal) event on the Alert.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { Logger } from '../observability/logger.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import type { QueueName } from './delivery-protocol.ts';
import type { DeliveryStatus } from './delivery-status.ts';
import type { DeliveryCallbacks } from './delivery-thread.ts';
import { objectName } from './flux-event.ts';
import type { SpillDeadRecord } from './journal-spill.ts';
import type { RelayRecord } from './journal-state.ts';
import type { RelayJob } from './relay-queue.ts';
import type { WarningRecorder } from './warning-events.ts';

/** What the outcomes are told to. */
export interface OutcomeDeps {
  readonly metrics: RelayMetrics;
  /** Journals a record (and folds it into the state). */
  readonly record: (r: RelayRecord) => void;
  readonly status: DeliveryStatus;
  readonly cluster: ClusterView;
  readonly warnings?: WarningRecorder;
  readonly log: Logger;
  readonly now: () => number;
}

/** The delivery callbacks, but for `resolve` (where to post), which the caller supplies. */
export function deliveryOutcomes(d: OutcomeDeps): Omit<DeliveryCallbacks<RelayJob>, 'resolve'> {
  return {
    onAttempt: (queue, result, error) => {
      if (queue !== 'slack') return;
      d.metrics.attempts.inc({ result });
      if (error) d.metrics.deliveryErrors.inc({ error });
    },
    onPaused: (p) => d.record({ t: 'paused', ...p }),
    onEpisode: (c) => d.record({ t: 'episode', ...c }),
    onDone: (queue, job, outcome) => onDone(d, queue, job, outcome),
    onDead: (queue, job, reason) => onDead(d, queue, job, reason),
  };
}

function onDone(d: OutcomeDeps, queue: QueueName, job: RelayJob, outcome: 'sent' | 'skipped'): void {
  if (job.digest) {
    d.metrics.digests.inc({ result: outcome });
    d.record({ t: 'digest-done', id: job.eventId });
    return;
  }
  if (queue === 'forward') {
    d.metrics.forwards.inc({ result: 'forwarded' });
    d.record({ t: 'forwarded', id: job.eventId });
    return;
  }
  d.metrics.deliveries.inc({ result: outcome });
  d.record({ t: 'done', id: job.eventId, i: job.index });
  if (outcome === 'sent' && job.target && d.status.delivered(job.target.alert, d.now())) {
    const [ns, name] = splitRef(job.target.alert);
    void d.warnings?.delivered?.(
      { namespace: ns, name },
      `delivered notification for ${objectName(job.event)} through Provider ${job.target.provider}`,
    );
  }
}

function onDead(d: OutcomeDeps, queue: QueueName, job: RelayJob, reason: string): void {
  if (job.digest) return onDigestDead(d, job, job.digest.count, reason);
  if (queue === 'forward') {
    d.metrics.forwards.inc({ result: 'dead' });
    d.log.warn({ object: objectName(job.event), reason }, 'forwarding to notification-controller failed for good');
    d.record({ t: 'forwarded', id: job.eventId });
    return;
  }
  const target = job.target!;
  d.metrics.deliveries.inc({ result: 'dead' });
  const [pns, pname] = splitRef(target.provider);
  const alerts = d.cluster.alertsReferencingProvider(pns, pname).map((a) => `${pns}/${a.metadata?.name ?? ''}`);
  d.status.failed(target, reason, d.now(), alerts);
  d.log.warn(
    { alert: target.alert, provider: target.provider, object: objectName(job.event), reason },
    'delivery failed for good; moved to dead letters',
  );
  d.record({ t: 'dead', id: job.eventId, i: job.index, at: d.now(), reason });
  const [ns, name] = splitRef(target.alert);
  void d.warnings?.dispatchFailed(
    { namespace: ns, name },
    `failed to send notification for ${objectName(job.event)} through Provider ${target.provider}: ${reason}`,
  );
}

/** A digest failed for good: one dead letter naming how many events it held. */
function onDigestDead(d: OutcomeDeps, job: RelayJob, count: number, reason: string): void {
  d.metrics.digests.inc({ result: 'dead' });
  d.log.warn(
    { provider: job.destination, digest: job.eventId, events: count, reason },
    'burst digest failed for good; moved to dead letters',
  );
  d.record({ t: 'digest-dead', id: job.eventId, destination: job.destination, count, at: d.now(), reason });
}

/** `namespace/name` -> [namespace, name]. */
function splitRef(ref: string): [string, string] {
  const slash = ref.indexOf('/');
  return [ref.slice(0, slash), ref.slice(slash + 1)];
}

/**
 * Counts and logs spilled deliveries dead-lettered because their journal records were damaged
 * (journal-spill.ts `spill-dead`), journaled already: each once, with its destination, never an
 * event's content (none is readable). No Warning event: the Alert is not known.
 */
export function spilledDead(
  d: Pick<OutcomeDeps, 'metrics' | 'log'>,
  dead: readonly SpillDeadRecord[],
  lostForwards = 0,
): void {
  if (lostForwards > 0) {
    d.metrics.forwards.inc({ result: 'dead' }, lostForwards);
    d.log.error({ forwards: lostForwards }, 'spilled forwards whose journal records were damaged are not forwarded');
  }
  for (const r of dead) {
    d.metrics.deliveries.inc({ result: 'dead' });
    d.log.error(
      {
        provider: r.destination,
        acceptedAt: new Date(r.acceptedAt).toISOString(),
        offset: r.offset,
        reason: r.reason,
      },
      'a spilled delivery could not be read back from the journal; moved to dead letters',
    );
  }
}
