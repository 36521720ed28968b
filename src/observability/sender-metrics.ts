/**
 * The relay's sender election metrics (documented in docs/metrics.md; docs/relay-replicas.md):
 * whether this replica is the sender, and how its handoffs to the sender ended.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** The counters a relay with a sender Lease updates. */
export interface SenderMetrics {
  /** notify_guard_relay_handoffs_total{result}: handed, kept (this replica became the sender) or failed (kept after the maximum delivery age). */
  readonly handoffs: Counter<'result'>;
}

/** Registers the sender metrics; `isSender` is read at scrape time. */
export function registerSenderMetrics(registry: Registry, isSender: () => boolean): SenderMetrics {
  new Gauge({
    name: 'notify_guard_relay_is_sender',
    help: '1 while this relay replica holds the sender Lease and posts to Slack; 0 while it hands events to the sender.',
    registers: [registry],
    collect() {
      this.set(isSender() ? 1 : 0);
    },
  });
  const handoffs = new Counter({
    name: 'notify_guard_relay_handoffs_total',
    help: 'Events this replica handed to the sender replica, by result: handed, kept (it became the sender), failed.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const result of ['handed', 'kept', 'failed']) handoffs.inc({ result }, 0);
  return { handoffs };
}
