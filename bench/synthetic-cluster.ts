/**
 * A synthetic cluster for benchmarks: per namespace, Providers with their Secrets, Alerts that
 * reference them, and a few Flux sources. Deterministic, so runs compare.
 */
import type { KubeObject } from '../src/flux/objects.ts';

export const BENCH_URL = 'https://hooks.slack.com/services/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';

/** `perKind` each of Alerts, Providers and Secrets spread over `namespaces` namespaces. */
export function syntheticCluster(perKind: number, namespaces: number): KubeObject[] {
  const out: KubeObject[] = [];
  const perNs = Math.ceil(perKind / namespaces);
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${n}`;
    for (let i = 0; i < perNs && n * perNs + i < perKind; i++) {
      out.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `slack-${i}`, namespace: ns, labels: { team: ns } },
        type: 'Opaque',
        data: { address: Buffer.from(`${BENCH_URL}${i}`).toString('base64') },
      });
      out.push({
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Provider',
        metadata: { name: `slack-${i}`, namespace: ns },
        spec: { type: 'slack', channel: `#alerts-${i}`, secretRef: { name: `slack-${i}` } },
      });
      out.push({
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Alert',
        metadata: { name: `alert-${i}`, namespace: ns },
        spec: {
          providerRef: { name: `slack-${i}` },
          eventSeverity: 'error',
          eventSources: [
            { kind: 'Kustomization', name: '*' },
            { kind: 'HelmRelease', name: `app-${i}` },
          ],
          exclusionList: ['^no-op.*'],
        },
      });
    }
    out.push({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: ns },
    });
    out.push({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'app-0', namespace: ns },
    });
  }
  return out;
}

/**
 * Realistic requests against that cluster: mostly valid Alerts, Providers and Secrets; 1 in 8
 * Alerts with a wildcard namespace, 2 of the 256 requests (0.8%) referencing a missing object.
 */
export function syntheticReviews(namespaces: number): object[] {
  const reviews: object[] = [];
  for (let k = 0; k < 256; k++) {
    const ns = `team-${(k * 37) % namespaces}`;
    const base = { uid: `bench-${k}`, namespace: ns, userInfo: { username: 'bench' }, dryRun: false };
    const requests = [alertCreate, providerUpdate, secretUpdate];
    reviews.push({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { ...base, ...requests[k % 3]!(k, ns) },
    });
  }
  return reviews;
}

/** Request `k`'s Alert CREATE (the first names a missing Provider; 1 in 8 watch every namespace). */
function alertCreate(k: number, ns: string) {
  const alert = {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Alert',
    metadata: {
      name: `new-${k}`,
      namespace: ns,
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"providerRef":{"name":"slack-0"}}}',
      },
    },
    spec: {
      providerRef: { name: k === 0 ? 'missing' : 'slack-0' },
      eventSeverity: 'info',
      eventSources: [
        { kind: 'HelmRelease', name: 'app-0' },
        { kind: 'Kustomization', name: '*', namespace: k % 8 === 1 ? '*' : ns },
      ],
      inclusionList: ['.*(failed|error).*'],
    },
  };
  return {
    kind: { group: 'notification.toolkit.fluxcd.io', version: 'v1beta3', kind: 'Alert' },
    name: alert.metadata.name,
    operation: 'CREATE',
    object: alert,
    oldObject: null,
  };
}

/** Request `k`'s Provider UPDATE (the second names a missing Secret). */
function providerUpdate(k: number, ns: string) {
  const provider = {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Provider',
    metadata: { name: 'slack-1', namespace: ns },
    spec: { type: 'slack', secretRef: { name: k === 1 ? 'nope' : 'slack-1' } },
  };
  return {
    kind: { group: 'notification.toolkit.fluxcd.io', version: 'v1beta3', kind: 'Provider' },
    name: 'slack-1',
    operation: 'UPDATE',
    object: provider,
    oldObject: provider,
  };
}

/** Request `k`'s Secret UPDATE (1 in 3 a Secret no Provider reads). */
function secretUpdate(k: number, ns: string) {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: k % 3 === 0 ? 'unrelated' : 'slack-1', namespace: ns },
    type: 'Opaque',
    data: { address: Buffer.from(BENCH_URL).toString('base64') },
  };
  return {
    kind: { group: '', version: 'v1', kind: 'Secret' },
    name: secret.metadata.name,
    operation: 'UPDATE',
    object: secret,
    oldObject: secret,
  };
}
