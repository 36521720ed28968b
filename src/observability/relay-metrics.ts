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
  /** notify_guard_relay_delivery_errors_total{error}: failed Slack attempts by error class (slack-error-class.ts). */
  readonly deliveryErrors: Counter<'error'>;
  /** notify_guard_relay_forwards_total{result} */
  readonly forwards: Counter<'result'>;
  /** notify_guard_relay_sends_saved_total: deliveries not made because another Alert sent the event to the same destination. */
  readonly sendsSaved: Counter;
  /** Burst digests finished, by result (sent|skipped|dead). */
  readonly digests: Counter<'result'>;
  /** Deliveries folded into a burst digest instead of being sent alone. */
  readonly eventsFolded: Counter;
  /** notify_guard_relay_journal_append_seconds: an accepted event's wait for the disk, before its 202. */
  readonly journalAppend: Histogram;
  /** Binds the gauges that read state at scrape time. */
  bind(source: GaugeSource): void;
}

/** Bytes of a thread's V8 heap: in use (live and not yet collected), allocated, resident, external (Buffers' memory), V8's own malloc. */
export interface ThreadHeap {
  readonly used: number;
  readonly total: number;
  readonly physical: number;
  readonly external: number;
  readonly malloced: number;
}

/** What the gauges read at scrape time. */
export interface GaugeSource {
  pending(): number;
  /** Seconds since the oldest pending Slack delivery was accepted (0 when none is pending). */
  oldestPendingAgeSeconds?(): number;
  deadLetters(): number;
  held(): number;
  journalBytes(): number;
  journalMaxBytes(): number;
  journalKeptBytes(): number;
  /** The delivery thread's V8 heap (its own isolate: the process metrics count only the main thread's heap). */
  deliveryThreadHeap?(): Promise<ThreadHeap>;
  /** Each Alert's last delivery and last failure (ISO times), for the per-Alert gauges. */
  alerts?(): readonly {
    readonly alert: string;
    readonly lastDelivered?: string;
    readonly lastError?: { readonly at: string };
  }[];
}

/** The gauges read from the relay at scrape time: name, help, and what each reads. */
const SCALAR_GAUGES: readonly { name: string; help: string; read: (s: GaugeSource) => number }[] = [
  {
    name: 'notify_guard_relay_pending_deliveries',
    help: 'Deliveries accepted and not yet sent or dead: to Slack, and forwards to notification-controller (--forward-to).',
    read: (s) => s.pending(),
  },
  {
    name: 'notify_guard_relay_oldest_pending_delivery_age_seconds',
    help: 'Age of the oldest Slack delivery accepted and not yet sent or dead (0 when none is pending).',
    read: (s) => s.oldestPendingAgeSeconds?.() ?? 0,
  },
  {
    name: 'notify_guard_relay_held_events',
    help: 'Events accepted before the cluster view synced, journaled and waiting to be routed.',
    read: (s) => s.held(),
  },
  {
    name: 'notify_guard_relay_dead_letters',
    help: 'Deliveries in the dead-letter table.',
    read: (s) => s.deadLetters(),
  },
  {
    name: 'notify_guard_relay_journal_bytes',
    help: 'Bytes of records in the journal file.',
    read: (s) => s.journalBytes(),
  },
  {
    name: 'notify_guard_relay_journal_kept_bytes',
    help: 'Bytes of the journal a restart still needs (what a compaction would write).',
    read: (s) => s.journalKeptBytes(),
  },
  {
    name: 'notify_guard_relay_journal_max_bytes',
    help: "The journal's disk budget (--journal-max-bytes); accepts answer 503 past it.",
    read: (s) => s.journalMaxBytes(),
  },
];

type AlertState = NonNullable<ReturnType<NonNullable<GaugeSource['alerts']>>>[number];

/** The per-Alert timestamp gauges: name, help, and which time each reads. */
const ALERT_GAUGES: readonly { name: string; help: string; at: (a: AlertState) => string | undefined }[] = [
  {
    name: 'notify_guard_relay_alert_last_delivered_timestamp_seconds',
    help: 'When each Alert last delivered a notification to Slack (Unix seconds).',
    at: (a) => a.lastDelivered,
  },
  {
    name: 'notify_guard_relay_alert_last_failure_timestamp_seconds',
    help: 'When a delivery of each Alert last failed for good (Unix seconds).',
    at: (a) => a.lastError?.at,
  },
];

export function createRelayMetrics(opts: { processMetrics?: boolean } = {}): RelayMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'notify_guard_relay_' });
  let source: GaugeSource | undefined;
  for (const g of SCALAR_GAUGES)
    new Gauge({
      name: g.name,
      help: g.help,
      registers: [registry],
      collect() {
        this.set(source ? g.read(source) : 0);
      },
    });
  new Gauge({
    name: 'notify_guard_relay_delivery_thread_heap_used_bytes',
    help: "Bytes of the delivery thread's V8 heap in use (the nodejs_heap_* metrics count the main thread's only).",
    registers: [registry],
    async collect() {
      this.set((await source?.deliveryThreadHeap?.())?.used ?? 0);
    },
  });
  new Gauge({
    name: 'notify_guard_relay_delivery_thread_memory_bytes',
    help: "Bytes of the delivery thread's isolate by kind: heap_total (allocated), heap_physical (resident), external (Buffers and other memory V8 is told of), malloced (V8's own malloc).",
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const heap = await source?.deliveryThreadHeap?.();
      this.set({ kind: 'heap_total' }, heap?.total ?? 0);
      this.set({ kind: 'heap_physical' }, heap?.physical ?? 0);
      this.set({ kind: 'external' }, heap?.external ?? 0);
      this.set({ kind: 'malloced' }, heap?.malloced ?? 0);
    },
  });
  for (const g of ALERT_GAUGES)
    new Gauge({
      name: g.name,
      help: g.help,
      labelNames: ['alert'],
      registers: [registry],
      collect() {
        this.reset();
        for (const a of source?.alerts?.() ?? []) {
          const t = g.at(a);
          if (t) this.set({ alert: a.alert }, Date.parse(t) / 1000);
        }
      },
    });
  return {
    registry,
    ...relayCounters(registry),
    bind(s) {
      source = s;
    },
  };
}

/** The counters and the histogram, registered in `registry`. */
function relayCounters(registry: Registry): Omit<RelayMetrics, 'registry' | 'bind'> {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    events: counter(
      'notify_guard_relay_events_total',
      'Events received, by outcome (accepted|held|unrouted|duplicate|invalid|too_large|journal_full|unavailable).',
      ['outcome'],
    ),
    deliveries: counter('notify_guard_relay_deliveries_total', 'Deliveries finished, by result (sent|skipped|dead).', [
      'result',
    ]),
    forwards: counter(
      'notify_guard_relay_forwards_total',
      'Events forwarded to notification-controller (--forward-to), by result (forwarded|dead).',
      ['result'],
    ),
    attempts: counter(
      'notify_guard_relay_delivery_attempts_total',
      'Attempts to send, by result (ok|rate-limited|retry|permanent|skipped).',
      ['result'],
    ),
    deliveryErrors: counter(
      'notify_guard_relay_delivery_errors_total',
      'Failed Slack delivery attempts, by error class (a fixed set of words: docs/metrics.md).',
      ['error'],
    ),
    sendsSaved: counter(
      'notify_guard_relay_sends_saved_total',
      'Slack messages not sent because another Alert routed the same event to the same destination (Provider address and channel).',
      [],
    ),
    digests: zeroed(
      counter(
        'notify_guard_relay_digests_total',
        'Burst digests finished, by result (sent|skipped|dead): one message each for the events folded into it.',
        ['result'],
      ),
      ['sent', 'skipped', 'dead'],
    ),
    eventsFolded: counter(
      'notify_guard_relay_events_folded_total',
      'Deliveries folded into a burst digest (one per event and destination) instead of being sent alone.',
      [],
    ),
    journalAppend: new Histogram({
      name: 'notify_guard_relay_journal_append_seconds',
      help: 'Time to journal an accepted event durably (O_DSYNC write), the part of its 202 spent waiting for the disk.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}

/** `c` with a zero series per result, so that a scrape shows it (and rate() starts) before the first digest. */
function zeroed(c: Counter<'result'>, results: readonly string[]): Counter<'result'> {
  for (const result of results) c.inc({ result }, 0);
  return c;
}
