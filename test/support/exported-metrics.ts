/**
 * What the code exports, for checks of the alerts, the dashboard and docs/metrics.md: every
 * metric the webhook and the relay register (process metrics included), as the sample names
 * Prometheus stores (a histogram's `_bucket`, `_sum`, `_count`), with their label names; and the
 * metric names PromQL expressions use.
 */
import { createAdmissionMetrics } from '../../src/observability/metrics.ts';
import { createCertMetrics } from '../../src/observability/cert-metrics.ts';
import { createClusterMetrics } from '../../src/observability/cluster-metrics.ts';
import { createRelayMetrics } from '../../src/observability/relay-metrics.ts';
import { registerReadinessGauge } from '../../src/observability/readiness-metric.ts';
import { registerSenderMetrics } from '../../src/observability/sender-metrics.ts';

/** Sample name -> label names (without `le`), for everything the webhook and relay register. */
export async function exportedSamples(): Promise<Map<string, string[]>> {
  const webhook = createAdmissionMetrics();
  createClusterMetrics(webhook.registry);
  createCertMetrics(webhook.registry, () => 1);
  registerReadinessGauge(webhook.registry, 'notify_guard_ready', () => undefined);
  const relay = createRelayMetrics();
  createClusterMetrics(relay.registry);
  registerReadinessGauge(relay.registry, 'notify_guard_relay_ready', () => undefined);
  registerSenderMetrics(relay.registry, () => true);
  const out = new Map<string, string[]>();
  for (const registry of [webhook.registry, relay.registry]) {
    for (const m of await registry.getMetricsAsJSON()) {
      const labels = [...new Set(m.values.flatMap((v) => Object.keys(v.labels)).filter((l) => l !== 'le'))];
      const declared =
        (registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? [];
      const names = String(m.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => m.name + s) : [m.name];
      for (const n of names) out.set(n, [...new Set([...declared, ...labels])].sort());
    }
  }
  return out;
}

/** Metric names an expression selects: `notify_guard_*` identifiers, and `up` before a selector. */
export function metricsIn(expr: string): string[] {
  const names = [...expr.matchAll(/(?<![\w:$"])(notify_guard_[a-z0-9_]+|up(?=\{))/g)].map((m) => m[1]!);
  return [...new Set(names)].sort();
}

/** Label names an expression reads: in selectors' matchers and in `by (...)` and `on (...)`. */
export function labelsUsedIn(expr: string): string[] {
  const lists = [...expr.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g), ...expr.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
  return [
    ...new Set(
      lists.flatMap((l) =>
        l
          .split(',')
          .map((s) => s.trim().split(/\s*[=!]~?\s*/)[0]!)
          .filter(Boolean),
      ),
    ),
  ].sort();
}

/** Labels every scraped series has besides its own (the PodMonitor's, or the plain scrape config's in docs/operations.md). */
export const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'container', 'endpoint'];
