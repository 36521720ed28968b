import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { alert, source } from '../../test/support/objects.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import type { KubeObject } from '../flux/objects.ts';
import { providerView } from '../flux/objects.ts';
import type { FluxEvent } from './flux-event.ts';
import { routeEvent, slackDestinationKey } from './routing.ts';

const event = (over: Partial<FluxEvent> & { ns?: string; name?: string; kind?: string } = {}): FluxEvent => ({
  involvedObject: {
    kind: over.kind ?? 'Kustomization',
    namespace: over.ns ?? 'apps',
    name: over.name ?? 'podinfo',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  },
  severity: over.severity ?? 'error',
  timestamp: '2026-11-23T10:00:00Z',
  message: over.message ?? 'Health check failed after 5m0s',
  reason: 'HealthCheckFailed',
  reportingController: 'kustomize-controller',
});
const ks = (spec: Record<string, unknown>, ns = 'apps', name = 'a') =>
  alert(ns, name, { providerRef: { name: 'slack' }, ...spec });
const routed = (e: FluxEvent, alerts: KubeObject[], extra: KubeObject[] = [], noCross = false) =>
  routeEvent(e, staticClusterView([...alerts, ...extra]), { noCrossNamespaceRefs: noCross }).map(
    (a) => `${a.metadata?.namespace}/${a.metadata?.name}`,
  );

describe('severity', () => {
  test('an info Alert takes info and error events; an error Alert only errors', () => {
    const alerts = [
      ks({ eventSeverity: 'info', eventSources: [{ kind: 'Kustomization', name: '*' }] }, 'apps', 'info'),
      ks({ eventSeverity: 'error', eventSources: [{ kind: 'Kustomization', name: '*' }] }, 'apps', 'error'),
    ];
    assert.deepEqual(routed(event({ severity: 'error' }), alerts), ['apps/error', 'apps/info']);
    assert.deepEqual(routed(event({ severity: 'info' }), alerts), ['apps/info']);
  });
  test('an Alert without eventSeverity takes every event (the CRD default is info)', () => {
    assert.deepEqual(
      routed(event({ severity: 'info' }), [ks({ eventSources: [{ kind: 'Kustomization', name: '*' }] })]),
      ['apps/a'],
    );
  });
});

describe('sources', () => {
  test('kind is exact, name exact or "*"', () => {
    const alerts = [
      ks({ eventSources: [{ kind: 'Kustomization', name: 'podinfo' }] }, 'apps', 'named'),
      ks({ eventSources: [{ kind: 'Kustomization', name: 'other' }] }, 'apps', 'other'),
      ks({ eventSources: [{ kind: 'HelmRelease', name: '*' }] }, 'apps', 'helm'),
    ];
    assert.deepEqual(routed(event(), alerts), ['apps/named']);
  });
  test('namespace defaults to the Alert\'s and is compared exactly: "*" is not a wildcard', () => {
    const alerts = [
      ks({ eventSources: [{ kind: 'Kustomization', name: '*' }] }, 'other', 'own-ns'),
      ks({ eventSources: [{ kind: 'Kustomization', name: '*', namespace: '*' }] }, 'apps', 'star'),
      ks({ eventSources: [{ kind: 'Kustomization', name: '*', namespace: 'apps' }] }, 'flux-system', 'cross'),
    ];
    assert.deepEqual(routed(event(), alerts), ['flux-system/cross']);
  });
  test('matchLabels with name "*" compares the involved object\'s labels; missing labels do not match', () => {
    const alerts = [
      ks({ eventSources: [{ kind: 'Kustomization', name: '*', matchLabels: { team: 'web' } }] }, 'apps', 'web'),
      ks({ eventSources: [{ kind: 'Kustomization', name: '*', matchLabels: { team: 'db' } }] }, 'apps', 'db'),
    ];
    assert.deepEqual(routed(event(), alerts, [source('Kustomization', 'apps', 'podinfo', { team: 'web' })]), [
      'apps/web',
    ]);
    assert.deepEqual(routed(event(), alerts), []);
  });
  test('matchLabels next to a concrete name applies both, as eventMatchesAlertSource does: labels matching', () => {
    const alerts = [ks({ eventSources: [{ kind: 'Kustomization', name: 'podinfo', matchLabels: { team: 'web' } }] })];
    assert.deepEqual(
      routed(event(), alerts, [source('Kustomization', 'apps', 'podinfo', { team: 'web', tier: 'front' })]),
      ['apps/a'],
    );
  });
  test('matchLabels next to a concrete name applies both: labels not matching, or object not found, take nothing', () => {
    const alerts = [ks({ eventSources: [{ kind: 'Kustomization', name: 'podinfo', matchLabels: { team: 'db' } }] })];
    assert.deepEqual(routed(event(), alerts, [source('Kustomization', 'apps', 'podinfo', { team: 'web' })]), []);
    assert.deepEqual(routed(event(), alerts), []);
  });
  test('a concrete name still has to match when the labels do', () => {
    const alerts = [ks({ eventSources: [{ kind: 'Kustomization', name: 'other', matchLabels: { team: 'web' } }] })];
    assert.deepEqual(routed(event(), alerts, [source('Kustomization', 'apps', 'podinfo', { team: 'web' })]), []);
  });
  test('an empty matchLabels matches any object that is found, and no object that is not', () => {
    const alerts = [ks({ eventSources: [{ kind: 'Kustomization', name: '*', matchLabels: {} }] })];
    assert.deepEqual(routed(event(), alerts, [source('Kustomization', 'apps', 'podinfo')]), ['apps/a']);
    assert.deepEqual(routed(event(), alerts), []);
  });
  test("an empty namespace is the Alert's own, as eventMatchesAlertSources reads it", () => {
    assert.deepEqual(routed(event(), [ks({ eventSources: [{ kind: 'Kustomization', name: '*', namespace: '' }] })]), [
      'apps/a',
    ]);
  });
  test('any matching source is enough', () => {
    assert.deepEqual(
      routed(event(), [
        ks({
          eventSources: [
            { kind: 'HelmRelease', name: '*' },
            { kind: 'Kustomization', name: 'podinfo' },
          ],
        }),
      ]),
      ['apps/a'],
    );
  });
});

describe('inclusion and exclusion', () => {
  const src = [{ kind: 'Kustomization', name: '*' }];
  test('patterns are RE2, unanchored, on the message', () => {
    assert.deepEqual(routed(event(), [ks({ eventSources: src, inclusionList: ['check failed'] })]), ['apps/a']);
    assert.deepEqual(routed(event(), [ks({ eventSources: src, inclusionList: ['^check'] })]), []);
  });
  test('exclusion wins over inclusion', () => {
    assert.deepEqual(
      routed(event(), [ks({ eventSources: src, inclusionList: ['Health'], exclusionList: ['5m0s'] })]),
      [],
    );
  });
  test('an invalid pattern never matches: it includes nothing and excludes nothing', () => {
    assert.deepEqual(routed(event(), [ks({ eventSources: src, inclusionList: ['(Health'] })]), []);
    assert.deepEqual(routed(event(), [ks({ eventSources: src, exclusionList: ['(Health'] })]), ['apps/a']);
  });
});

describe('suspension and cross-namespace refs', () => {
  test('a suspended Alert takes nothing', () => {
    assert.deepEqual(
      routed(event(), [ks({ suspend: true, eventSources: [{ kind: 'Kustomization', name: '*' }] })]),
      [],
    );
  });
  test('with --no-cross-namespace-refs an Alert takes only events of its own namespace', () => {
    const alerts = [
      ks({ eventSources: [{ kind: 'Kustomization', name: '*', namespace: 'apps' }] }, 'flux-system', 'cross'),
      ks({ eventSources: [{ kind: 'Kustomization', name: '*' }] }, 'apps', 'own'),
    ];
    assert.deepEqual(routed(event(), alerts, [], true), ['apps/own']);
    assert.deepEqual(routed(event(), alerts, [], false), ['apps/own', 'flux-system/cross']);
  });
});

test('Slack Providers are one destination when they post with the same address to the same channel', () => {
  const p = (namespace: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
    slackDestinationKey(
      providerView({
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Provider',
        metadata: { name: 'p', namespace, annotations },
        spec: { type: 'slack', ...spec },
      }),
    );
  const base = p('apps', { channel: '#ops', secretRef: { name: 'url' } });
  assert.deepEqual(
    [
      p('apps', { channel: '#ops', secretRef: { name: 'url' } }),
      p('other', { channel: '#ops', secretRef: { name: 'url' } }),
      p('apps', { channel: '#dev', secretRef: { name: 'url' } }),
      p('apps', { channel: '#ops', secretRef: { name: 'url' }, address: 'https://hooks.slack.com/x' }),
      p('apps', { channel: '#ops', secretRef: { name: 'url' }, suspend: true }),
    ].map((k) => k === base),
    [true, false, false, false, false],
  );
  assert.equal(
    p('apps', { channel: '#ops', address: 'https://hooks.slack.com/x' }),
    p('ops', { channel: '#ops', address: 'https://hooks.slack.com/x' }),
  );
});
