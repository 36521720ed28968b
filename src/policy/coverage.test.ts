import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alert, provider } from '../../test/support/objects.ts';
import { coverage, deliveringAlerts } from './coverage.ts';

const obj = (kind: string, namespace: string, name: string, labels: Record<string, string> = {}) => ({
  kind,
  namespace,
  name,
  labels,
});

test('an object is covered by Alerts whose sources match its kind, namespace, name and labels, as Flux routes events', () => {
  const alerts = [
    alert('apps', 'all', { providerRef: { name: 'p' }, eventSources: [{ kind: 'Kustomization', name: '*' }] }),
    alert('flux-system', 'named', {
      providerRef: { name: 'p' },
      eventSources: [{ kind: 'HelmRelease', name: 'web', namespace: 'apps' }],
    }),
    alert('apps', 'labelled', {
      providerRef: { name: 'p' },
      eventSources: [{ kind: 'HelmRelease', name: '*', matchLabels: { tier: 'db' } }],
    }),
  ];
  assert.deepEqual(
    coverage(
      [
        obj('Kustomization', 'apps', 'app'),
        obj('Kustomization', 'other', 'app'),
        obj('HelmRelease', 'apps', 'web'),
        obj('HelmRelease', 'apps', 'pg', { tier: 'db' }),
        obj('HelmRelease', 'apps', 'redis', { tier: 'cache' }),
      ],
      alerts,
    ).map((e) => `${e.kind}/${e.namespace}/${e.name}: ${e.alerts.join(', ')}`),
    [
      'Kustomization/apps/app: apps/all',
      'Kustomization/other/app: ',
      'HelmRelease/apps/web: flux-system/named',
      'HelmRelease/apps/pg: apps/labelled',
      'HelmRelease/apps/redis: ',
    ],
  );
});

test('only Alerts that deliver count: not suspended, with a Provider that exists and is not suspended', () => {
  const a = (name: string, p: string, extra: Record<string, unknown> = {}) =>
    alert('apps', name, { providerRef: { name: p }, eventSources: [{ kind: 'Kustomization', name: '*' }], ...extra });
  const delivering = deliveringAlerts(
    [
      a('ok', 'slack'),
      a('suspended', 'slack', { suspend: true }),
      a('no-provider', 'missing'),
      a('provider-suspended', 'off'),
    ],
    [provider('apps', 'slack', { type: 'slack' }), provider('apps', 'off', { type: 'slack', suspend: true })],
  );
  assert.deepEqual(
    delivering.map((x) => x.metadata?.name),
    ['ok'],
  );
});
