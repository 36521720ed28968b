/**
 * Bursts of Flux events for the digest's tests (src/relay/digest*.test.ts), folded as the relay
 * will fold them: one delivery id per event, accept times a step apart.
 */
import type { DigestAcc } from '../../src/relay/digest.ts';
import { emptyDigest, foldEvent } from '../../src/relay/digest.ts';
import type { FluxEvent } from '../../src/relay/flux-event.ts';

/** The first event's accept time. */
export const T0 = Date.parse('2026-11-23T10:00:00Z');
/** An event about `kind namespace/name`. */
export const ev = (
  severity: 'error' | 'info',
  reason: string,
  [kind, namespace, name]: readonly [string, string, string],
  message: string,
): FluxEvent => ({
  involvedObject: { kind, namespace, name },
  severity,
  timestamp: '2026-11-23T10:00:00Z',
  message,
  reason,
  reportingController: 'kustomize-controller',
});
export const HEALTH = 'Health check failed after 5m0s';
/** A burst of eight, 30 s apart: five health-check failures, a checkout failure, two successes. */
export const MIXED_BURST: readonly FluxEvent[] = [
  ev('info', 'ReconciliationSucceeded', ['Kustomization', 'apps', 'frontend'], 'Reconciliation finished in 2s'),
  ev('error', 'HealthCheckFailed', ['Kustomization', 'apps', 'podinfo'], HEALTH),
  ev('error', 'HealthCheckFailed', ['Kustomization', 'apps', 'redis'], HEALTH),
  ev(
    'error',
    'ArtifactFailed',
    ['GitRepository', 'flux-system', 'fleet'],
    'checkout <https://evil.example|here> & <!channel>',
  ),
  ev('error', 'HealthCheckFailed', ['Kustomization', 'apps', 'cache'], HEALTH),
  ev('error', 'HealthCheckFailed', ['Kustomization', 'apps', 'queue'], HEALTH),
  ev('info', 'ReconciliationSucceeded', ['Kustomization', 'apps', 'backend'], 'x'.repeat(520)),
  ev('error', 'HealthCheckFailed', ['Kustomization', 'apps', 'db'], HEALTH),
];
/** `events` folded `stepMs` apart from T0, delivery ids `d0:0`, `d1:0`, ... */
export function folded(events: readonly FluxEvent[], stepMs = 30_000): DigestAcc {
  const acc = emptyDigest();
  events.forEach((e, i) => foldEvent(acc, e, T0 + i * stepMs, `d${i}:0`));
  return acc;
}
