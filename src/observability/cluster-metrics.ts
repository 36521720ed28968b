/**
 * Metrics of the live cluster view (documented in docs/metrics.md).
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * Counts what a watched collection does; a reflector reports to it (cluster/reflector.ts's
 * ReflectorObserver, whose reasons arrive here as label values).
 */
export interface WatchCounters {
  relisted(kind: string, reason: string): void;
  watchRestarted(kind: string, reason: string): void;
  event(kind: string): void;
}

/** The cluster view's metrics; gauges read their values at scrape time. */
export interface ClusterMetrics {
  readonly observer: WatchCounters;
  readonly liveLookups: Counter<'kind' | 'result'>;
  /** Registers the callbacks that gauges read at scrape time. */
  bind(source: { counts(): Record<string, number>; lastEventAgeSeconds(): Record<string, number> }): void;
}

/** Creates the cluster metrics on `registry`. */
export function createClusterMetrics(registry: Registry): ClusterMetrics {
  let source: { counts(): Record<string, number>; lastEventAgeSeconds(): Record<string, number> } | undefined;
  const relists = new Counter({
    name: 'notify_guard_cluster_relists_total',
    help: 'Full lists of a watched collection, by kind and reason (initial|expired|watchdog|error).',
    labelNames: ['kind', 'reason'],
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'notify_guard_cluster_watch_restarts_total',
    help: 'Watches started again without a list, by kind and reason (closed|error).',
    labelNames: ['kind', 'reason'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'notify_guard_cluster_watch_events_total',
    help: 'Watch events received (bookmarks included), by kind.',
    labelNames: ['kind'],
    registers: [registry],
  });
  new Gauge({
    name: 'notify_guard_cluster_objects',
    help: 'Objects held by the cluster view, by kind (Alert|Provider|Secret|Source|SecretProducer).',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, n] of Object.entries(source?.counts() ?? {})) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: 'notify_guard_cluster_last_event_age_seconds',
    help: 'Seconds since a watched collection last delivered an event or bookmark (or was listed), by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, s] of Object.entries(source?.lastEventAgeSeconds() ?? {})) this.set({ kind }, s);
    },
  });
  return {
    observer: {
      relisted: (kind, reason) => relists.inc({ kind, reason }),
      watchRestarted: (kind, reason) => restarts.inc({ kind, reason }),
      event: (kind) => events.inc({ kind }),
    },
    liveLookups: new Counter({
      name: 'notify_guard_cluster_live_lookups_total',
      help: 'Live GETs made before denying for a missing object, by kind and result (found|absent|unknown).',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    bind(s) {
      source = s;
    },
  };
}
