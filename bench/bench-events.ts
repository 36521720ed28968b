/**
 * The Flux events the relay benchmark sends: event `i` comes from Kustomization `app-<i>` in
 * namespace `team-<i % spread>` (one Slack destination per namespace) with a message of its own,
 * so no two events share a dedup key.
 */
export function benchEvent(i: number, spread: number): string {
  return JSON.stringify({
    involvedObject: {
      kind: 'Kustomization',
      namespace: `team-${i % spread}`,
      name: `app-${i}`,
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
    severity: 'error',
    timestamp: new Date().toISOString(),
    message: `reconciliation failed #${i}`,
    reason: 'ReconciliationFailed',
    reportingController: 'kustomize-controller',
    metadata: { 'kustomize.toolkit.fluxcd.io/revision': `main@sha1:${i.toString(16)}` },
  });
}
