/**
 * Relay metrics (documented in docs/metrics.md).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface RelayMetrics {
  readonly registry: Registry;
  /** notify_guard_relay_events_total{outcome} */
  readonly events: Counter<'outcome'>;
  /** notify_guard_relay_deliveries_total{result} */
  readonly deliveries: Counter<'result'>;
  /** notify_guard_relay_delivery_attempts_total{result} */
  readonly attempts: Counter<'result'>;
  /** notify_guard_relay_forwards_total{result} */
  readonly forwards: Counter<'result'>;
  /** notify_guard_relay_sends_saved_total: deliveries not made because another Alert sent the event to the same destination. */
  readonly sendsSaved: Counter;
  /** notify_guard_relay_journal_append_seconds: an accepted event's wait for the disk, before its 202. */
  readonly journalAppend: Histogram;
  /** Binds the gauges that read state at scrape time. */
  bind(source: GaugeSource): void;
}

/** What the gauges read at scrape time. */
export interface GaugeSource {
  pending(): number;
  deadLetters(): number;
  held(): number;
  journalBytes(): number;
  journalMaxBytes(): number;
  journalKeptBytes(): number;
  /** Each Alert's last delivery and last failure (ISO times), for the per-Alert gauges. */
  alerts?(): readonly {
    readonly alert: string;
    readonly lastDelivered?: string;
    readonly lastError?: { readonly at: string };
  }[];
}

export function createRelayMetrics(opts: { processMetrics?: boolean } = {}): RelayMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'notify_guard_relay_' });
  let source: GaugeSource | undefined;
  new Gauge({
    name: 'notify_guard_relay_pending_deliveries',
    help: 'Slack deliveries accepted and not yet sent or dead.',
    registers: [registry],
    collect() {
      this.set(source?.pending() ?? 0);
    },
  });
  new Gauge({
    name: 'notify_guard_relay_held_events',
    help: 'Events accepted before the cluster view synced, journaled and waiting to be routed.',
    registers: [registry],
    collect() {
      this.set(source?.held() ?? 0);
    },
  });
  new Gauge({
    name: 'notify_guard_relay_dead_letters',
    help: 'Deliveries in the dead-letter table.',
    registers: [registry],
    collect() {
      this.set(source?.deadLetters() ?? 0);
    },
  });
  new Gauge({
    name: 'notify_guard_relay_journal_bytes',
    help: 'Bytes of records in the journal file.',
    registers: [registry],
    collect() {
      this.set(source?.journalBytes() ?? 0);
    },
  });
  new Gauge({
    name: 'notify_guard_relay_journal_kept_bytes',
    help: 'Bytes of the journal a restart still needs (what a compaction would write).',
    registers: [registry],
    collect() {
      this.set(source?.journalKeptBytes() ?? 0);
    },
  });
  new Gauge({
    name: 'notify_guard_relay_journal_max_bytes',
    help: "The journal's disk budget (--journal-max-bytes); accepts answer 503 past it.",
    registers: [registry],
    collect() {
      this.set(source?.journalMaxBytes() ?? 0);
    },
  });
  new Gauge({
    name: 'notify_guard_relay_alert_last_delivered_timestamp_seconds',
    help: 'When each Alert last delivered a notification to Slack (Unix seconds).',
    labelNames: ['alert'],
    registers: [registry],
    collect() {
      perAlert(this, (a) => a.lastDelivered);
    },
  });
  new Gauge({
    name: 'notify_guard_relay_alert_last_failure_timestamp_seconds',
    help: 'When a delivery of each Alert last failed for good (Unix seconds).',
    labelNames: ['alert'],
    registers: [registry],
    collect() {
      perAlert(this, (a) => a.lastError?.at);
    },
  });
  const perAlert = (
    g: Gauge<'alert'>,
    at: (a: NonNullable<ReturnType<NonNullable<GaugeSource['alerts']>>>[number]) => string | undefined,
  ) => {
    g.reset();
    for (const a of source?.alerts?.() ?? []) {
      const t = at(a);
      if (t) g.set({ alert: a.alert }, Date.parse(t) / 1000);
    }
  };
  return {
    registry,
    events: new Counter({
      name: 'notify_guard_relay_events_total',
      help: 'Events received, by outcome (accepted|held|unrouted|duplicate|invalid|too_large|journal_full|unavailable).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'notify_guard_relay_deliveries_total',
      help: 'Deliveries finished, by result (sent|skipped|dead).',
      labelNames: ['result'],
      registers: [registry],
    }),
    forwards: new Counter({
      name: 'notify_guard_relay_forwards_total',
      help: 'Events forwarded to notification-controller (--forward-to), by result (forwarded|dead).',
      labelNames: ['result'],
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'notify_guard_relay_delivery_attempts_total',
      help: 'Attempts to send, by result (ok|rate-limited|retry|permanent|skipped).',
      labelNames: ['result'],
      registers: [registry],
    }),
    sendsSaved: new Counter({
      name: 'notify_guard_relay_sends_saved_total',
      help: 'Slack messages not sent because another Alert routed the same event to the same destination (Provider address and channel).',
      registers: [registry],
    }),
    journalAppend: new Histogram({
      name: 'notify_guard_relay_journal_append_seconds',
      help: 'Time to journal an accepted event durably (O_DSYNC write), the part of its 202 spent waiting for the disk.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    bind(s) {
      source = s;
    },
  };
}
