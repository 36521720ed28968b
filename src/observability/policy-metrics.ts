/**
 * Metrics of the periodic audit (documented in docs/metrics.md): violations of the platform's
 * conventions and notification coverage, per namespace. Replaced as a whole after each audit, so
 * a fixed violation disappears from the series.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** The audit's gauges. */
export interface PolicyMetrics {
  /** Sets every series from one audit. Keys: convention and namespace; kind and namespace. */
  publish(violations: ReadonlyMap<string, number>, unwatched: ReadonlyMap<string, number>): void;
}

/** Registers the audit metrics on `registry`. */
export function createPolicyMetrics(registry: Registry): PolicyMetrics {
  const violations = new Gauge({
    name: 'notify_guard_policy_violations',
    help: 'Objects violating a convention of the policy at the last periodic audit, by convention and namespace.',
    labelNames: ['convention', 'namespace'],
    registers: [registry],
  });
  const unwatched = new Gauge({
    name: 'notify_guard_unwatched_objects',
    help: 'Kustomizations, HelmReleases and sources that no delivering Alert watches at the last periodic audit, by kind and namespace.',
    labelNames: ['kind', 'namespace'],
    registers: [registry],
  });
  return {
    publish(v, u) {
      violations.reset();
      for (const [key, n] of v) {
        const [convention, namespace] = key.split('\u0000') as [string, string];
        violations.set({ convention, namespace }, n);
      }
      unwatched.reset();
      for (const [key, n] of u) {
        const [kind, namespace] = key.split('\u0000') as [string, string];
        unwatched.set({ kind, namespace }, n);
      }
    },
  };
}
