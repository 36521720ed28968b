import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ObjectMeta } from '../flux/objects.ts';
import { secretFacts } from '../flux/secret-facts.ts';
import { secretProducer } from '../flux/secret-producers.ts';
import { ObjectIndex } from './object-index.ts';

/** What the index kept of an Alert or Provider before it kept compact copies (the reference). */
function slimBefore(obj: KubeObject): KubeObject {
  const m = obj.metadata ?? {};
  const meta: ObjectMeta = { name: m.name ?? '', namespace: m.namespace ?? '' };
  if (m.uid) meta.uid = m.uid;
  if (m.labels) meta.labels = m.labels;
  if (m.annotations) {
    const { ['kubectl.kubernetes.io/last-applied-configuration']: _dropped, ...rest } = m.annotations;
    if (Object.keys(rest).length > 0) meta.annotations = rest;
  }
  const out: KubeObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: meta, spec: obj['spec'] };
  const conditions = (obj['status'] as { conditions?: unknown } | undefined)?.conditions;
  if (conditions) out['status'] = { conditions };
  return out;
}

const V = 'notification.toolkit.fluxcd.io/v1beta3';
const OBJECTS: KubeObject[] = [
  {
    apiVersion: V,
    kind: 'Alert',
    metadata: {
      name: 'a1',
      namespace: 'apps',
      uid: 'u1',
      labels: { team: 'x' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":1}', keep: 'me' },
      managedFields: [{ manager: 'kubectl' }],
    } as ObjectMeta,
    spec: {
      providerRef: { name: 'slack' },
      eventSeverity: 'error',
      eventSources: [
        { kind: 'Kustomization', name: '*' },
        { kind: 'HelmRelease', name: 'web', namespace: 'web' },
      ],
      exclusionList: ['^no-op.*'],
      summary: 'x',
      eventMetadata: { env: 'prod' },
    },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      observedGeneration: 3,
    },
  },
  {
    apiVersion: V,
    kind: 'Alert',
    metadata: {
      name: 'a2',
      namespace: 'apps',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    },
    spec: {
      providerRef: { name: 'slack' },
      eventSources: [{ kind: 'Kustomization', name: 'apps', matchLabels: { a: 'b' } }],
      suspend: true,
      inclusionList: [],
    },
  },
  {
    apiVersion: V,
    kind: 'Alert',
    metadata: { name: 'odd', namespace: 'web' },
    spec: {
      providerRef: 'not-an-object',
      eventSources: null,
      count: 3,
      ratio: 0.5,
      nested: [[1, 'a'], { deep: [true, null] }],
    },
  },
  { apiVersion: V, kind: 'Alert', metadata: { name: 'nospec', namespace: 'web' } },
  {
    apiVersion: V,
    kind: 'Provider',
    metadata: { name: 'slack', namespace: 'apps', labels: { tier: 'chat' } },
    spec: {
      type: 'slack',
      channel: '#ops',
      secretRef: { name: 'hook' },
      certSecretRef: { name: 'ca' },
      proxySecretRef: { name: 'hook' },
    },
  },
  {
    apiVersion: V,
    kind: 'Provider',
    metadata: { name: 'slack', namespace: 'web' },
    spec: { type: 'generic', address: 'https://example.com/hook' },
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'hook', namespace: 'apps', labels: { a: 'b' } },
    type: 'Opaque',
    data: {
      address: Buffer.from('https://hooks.slack.com/services/T0AB12CD3/B0CD34EF5/abcdefgh').toString('base64'),
      token: 'eA==',
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'ca', namespace: 'apps' },
    stringData: { 'ca.crt': 'x', address: 'YOUR_WEBHOOK_URL' },
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'sops', namespace: 'web' },
    data: { address: 'ENC[AES256]' },
    sops: { version: '3' },
  },
  {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: 'apps',
      namespace: 'apps',
      labels: { l: '1' },
      annotations: { 'event.toolkit.fluxcd.io/env': 'prod', other: 'dropped' },
    },
  },
  {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'es', namespace: 'apps' },
    spec: { target: { name: 'made' }, data: [{ secretKey: 'address', remoteRef: { key: 'k' } }] },
  },
];

test('the compact form answers every ClusterView query exactly as the objects kept before did', () => {
  const index = new ObjectIndex();
  for (const o of OBJECTS) index.upsert(structuredClone(o));
  const slimmed = (kind: string, ns: string, name: string) =>
    slimBefore(OBJECTS.find((o) => o.kind === kind && o.metadata?.namespace === ns && o.metadata.name === name)!);
  const facts = (ns: string, name: string) =>
    secretFacts(OBJECTS.find((o) => o.kind === 'Secret' && o.metadata?.namespace === ns && o.metadata.name === name)!);
  const table: [string, unknown, unknown][] = [
    ['getAlert a1', index.getAlert('apps', 'a1'), slimmed('Alert', 'apps', 'a1')],
    ['getAlert a2', index.getAlert('apps', 'a2'), slimmed('Alert', 'apps', 'a2')],
    ['getAlert odd', index.getAlert('web', 'odd'), slimmed('Alert', 'web', 'odd')],
    ['getAlert nospec', index.getAlert('web', 'nospec'), slimmed('Alert', 'web', 'nospec')],
    ['getAlert missing', index.getAlert('apps', 'zz'), undefined],
    ['getProvider apps/slack', index.getProvider('apps', 'slack'), slimmed('Provider', 'apps', 'slack')],
    ['getProvider web/slack', index.getProvider('web', 'slack'), slimmed('Provider', 'web', 'slack')],
    ['providerNamespaces', index.providerNamespaces('slack'), ['apps', 'web']],
    ['getSecret hook', index.getSecret('apps', 'hook'), facts('apps', 'hook')],
    ['getSecret ca', index.getSecret('apps', 'ca'), facts('apps', 'ca')],
    ['getSecret sops', index.getSecret('web', 'sops'), facts('web', 'sops')],
    ['secretNamespaces', index.secretNamespaces('hook'), ['apps']],
    ['secretProducers', index.secretProducers('apps', 'made'), [secretProducer(OBJECTS.at(-1)!)]],
    [
      'alertsReferencingProvider',
      index.alertsReferencingProvider('apps', 'slack'),
      [slimmed('Alert', 'apps', 'a1'), slimmed('Alert', 'apps', 'a2')],
    ],
    [
      'alertsWatching Kustomization/apps',
      index.alertsWatching('Kustomization', 'apps'),
      [slimmed('Alert', 'apps', 'a1'), slimmed('Alert', 'apps', 'a2')],
    ],
    ['alertsWatching HelmRelease/web', index.alertsWatching('HelmRelease', 'web'), [slimmed('Alert', 'apps', 'a1')]],
    [
      'providersReferencingSecret hook',
      index.providersReferencingSecret('apps', 'hook'),
      [
        { provider: slimmed('Provider', 'apps', 'slack'), field: 'secretRef' },
        { provider: slimmed('Provider', 'apps', 'slack'), field: 'proxySecretRef' },
      ],
    ],
    [
      'providersReferencingSecret ca',
      index.providersReferencingSecret('apps', 'ca'),
      [{ provider: slimmed('Provider', 'apps', 'slack'), field: 'certSecretRef' }],
    ],
    [
      'getSource',
      index.getSource('Kustomization', 'apps', 'apps'),
      { name: 'apps', namespace: 'apps', labels: { l: '1' }, annotations: { 'event.toolkit.fluxcd.io/env': 'prod' } },
    ],
    ['counts', index.counts(), { Alert: 4, Provider: 2, Secret: 3, Source: 1, SecretProducer: 1 }],
  ];
  for (const [what, actual, expected] of table) assert.deepStrictEqual(actual, expected, what);
});

test('what the index keeps shares nothing with the object it was given', () => {
  const index = new ObjectIndex();
  const alert = structuredClone(OBJECTS[0]!);
  index.upsert(alert);
  (alert['spec'] as { eventSources: { name: string }[] }).eventSources[0]!.name = 'changed';
  alert.metadata!.labels!['team'] = 'changed';
  (alert['status'] as { conditions: { status: string }[] }).conditions[0]!.status = 'False';
  assert.deepStrictEqual(index.getAlert('apps', 'a1'), slimBefore(OBJECTS[0]!));
});

test('a v1 Namespace leaves its labels (for the conventions), replaced and removed as the object is', () => {
  const index = new ObjectIndex();
  const ns = (labels?: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'payments', ...(labels ? { labels } : {}) },
  });
  index.upsert(ns({ team: 'payments' }));
  index.upsert({ apiVersion: 'example.com/v1', kind: 'Namespace', metadata: { name: 'other', labels: { a: 'b' } } });
  assert.deepEqual(index.namespaceLabels('payments'), { team: 'payments' });
  assert.equal(index.namespaceLabels('other'), undefined);
  index.upsert(ns());
  assert.deepEqual(index.namespaceLabels('payments'), {});
  index.remove('Namespace', '', 'payments');
  assert.equal(index.namespaceLabels('payments'), undefined);
});
