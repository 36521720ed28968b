/**
 * Certificate metrics (documented in docs/metrics.md).
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** Certificate metrics; the expiry gauge reads its value at scrape time. */
export interface CertMetrics {
  readonly rotations: Counter<'certificate'>;
  readonly injections: Counter<'kind'>;
  /** Sets what `notify_guard_certificate_leader` reads at each scrape (so it is never stale). */
  observeLeader(isLeader: () => boolean): void;
}

/**
 * Registers the certificate metrics; `secondsToExpiry` is read at each scrape. With no certificate
 * served yet the expiry is NaN, not 0: an expiry alert must not take "none yet" for "expired".
 */
export function createCertMetrics(registry: Registry, secondsToExpiry: () => number | undefined): CertMetrics {
  let isLeader = () => false;
  new Gauge({
    name: 'notify_guard_serving_certificate_expiry_seconds',
    help: 'Seconds until the served TLS certificate expires.',
    registers: [registry],
    collect() {
      this.set(secondsToExpiry() ?? NaN);
    },
  });
  const rotations = new Counter({
    name: 'notify_guard_certificate_rotations_total',
    help: 'Certificates created or renewed by this replica as leader, by certificate (ca|serving).',
    labelNames: ['certificate'],
    registers: [registry],
  });
  // Both series from the start (at 0), so that increase() sees a replica's first rotation.
  for (const certificate of ['ca', 'serving']) rotations.inc({ certificate }, 0);
  new Gauge({
    name: 'notify_guard_certificate_leader',
    help: '1 while this replica holds the certificate Lease, else 0.',
    registers: [registry],
    collect() {
      this.set(isLeader() ? 1 : 0);
    },
  });
  return {
    rotations,
    injections: new Counter({
      name: 'notify_guard_ca_bundle_injections_total',
      help: 'caBundle patches applied to a webhook configuration, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    observeLeader: (read) => {
      isLeader = read;
    },
  };
}
