import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alert } from '../../../test/support/objects.ts';
import { defaultEventSeverity, severityIntent } from './event-severity.ts';

const spec = {
  providerRef: { name: 'slack' },
  eventSources: [{ kind: 'Kustomization', name: '*' }],
  eventSeverity: 'info',
};
const applyEntry = (fields: Record<string, unknown>) => ({
  manager: 'kustomize-controller',
  operation: 'Apply',
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  fieldsV1: { 'f:spec': fields },
});
const lastApplied = (s: Record<string, unknown>) => ({
  'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Alert',
    metadata: { name: 'a' },
    spec: s,
  }),
});

test('server-side apply without eventSeverity in the applied fields: defaulted to error with a warning', () => {
  const obj = alert('apps', 'a', spec, { managedFields: [applyEntry({ 'f:providerRef': {}, 'f:eventSources': {} })] });
  assert.equal(severityIntent(obj), 'not-set-apply');
  const d = defaultEventSeverity(obj, 'keep');
  assert.equal((d?.object['spec'] as Record<string, unknown>)['eventSeverity'], 'error');
  assert.equal(
    d?.warning,
    'spec.eventSeverity: defaulted to "error" because it was not set in the applied configuration; set eventSeverity: info explicitly to receive info events',
  );
});

test('server-side apply that owns eventSeverity: the explicit info is kept', () => {
  const obj = alert('apps', 'a', spec, {
    managedFields: [
      applyEntry({ 'f:eventSeverity': {} }),
      { manager: 'kubectl-edit', operation: 'Update', fieldsV1: {} },
    ],
  });
  assert.equal(severityIntent(obj), 'set-by-user');
  assert.equal(defaultEventSeverity(obj, 'error'), undefined);
});

test('client-side apply: the last-applied annotation decides', () => {
  assert.equal(
    severityIntent(alert('apps', 'a', spec, { annotations: lastApplied({ providerRef: { name: 'slack' } }) })),
    'not-set-last-applied',
  );
  assert.equal(
    severityIntent(alert('apps', 'a', spec, { annotations: lastApplied({ eventSeverity: 'info' }) })),
    'set-by-user',
  );
  assert.equal(
    defaultEventSeverity(alert('apps', 'a', spec, { annotations: lastApplied({ eventSeverity: 'info' }) }), 'error'),
    undefined,
  );
});

test('without evidence the policy decides: keep by default, error when asked', () => {
  const obj = alert('apps', 'a', spec);
  assert.equal(severityIntent(obj), 'unknown');
  assert.equal(defaultEventSeverity(obj, 'keep'), undefined);
  assert.equal(
    defaultEventSeverity(obj, 'error')?.warning,
    'spec.eventSeverity: defaulted to "error" because the policy defaults it when intent cannot be told; set eventSeverity: info explicitly to receive info events',
  );
});

test('a malformed last-applied annotation counts as no evidence', () => {
  assert.equal(
    severityIntent(
      alert('apps', 'a', spec, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{not json' } }),
    ),
    'unknown',
  );
});

test('is idempotent: a defaulted Alert is not changed again', () => {
  const obj = alert('apps', 'a', spec, { managedFields: [applyEntry({})] });
  const once = defaultEventSeverity(obj, 'keep');
  assert.ok(once);
  assert.equal(defaultEventSeverity(once.object, 'keep'), undefined);
});

test('an absent eventSeverity (the CRD default not applied, as in a manifest) is defaulted', () => {
  const d = defaultEventSeverity(alert('apps', 'a', { providerRef: { name: 'slack' } }), 'keep');
  assert.deepEqual(d?.object['spec'], { providerRef: { name: 'slack' }, eventSeverity: 'error' });
});
