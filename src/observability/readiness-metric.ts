/**
 * The readiness gauge (documented in docs/metrics.md): what `/readyz` answers, as a metric, so
 * that an alert can tell a replica that serves but is not ready (a watched kind not synced, a
 * certificate not yet trusted) from one that is down.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** Registers `name` on `registry`: 1 when `notReadyReason()` gives none at scrape time, else 0. */
export function registerReadinessGauge(
  registry: Registry,
  name: string,
  notReadyReason: () => string | undefined,
): void {
  new Gauge({
    name,
    help: '1 while /readyz answers 200 (ready), else 0.',
    registers: [registry],
    collect() {
      this.set(notReadyReason() === undefined ? 1 : 0);
    },
  });
}
