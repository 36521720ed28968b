/** Flux events the relay's tests share. */
import type { FluxEvent } from '../../src/relay/flux-event.ts';

/** An error event about Kustomization apps/podinfo with one-letter texts: the tests' plain event. */
export const PODINFO_ERROR: FluxEvent = {
  involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
  severity: 'error',
  timestamp: '',
  message: 'm',
  reason: 'r',
  reportingController: 'kc',
};
