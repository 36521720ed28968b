import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertView } from '../flux/objects.ts';
import { alert } from '../../test/support/objects.ts';
import type { FluxEvent } from './flux-event.ts';
import { isCommitStatusUpdate, notificationMetadata } from './notification-metadata.ts';

const e = (metadata: Record<string, string>): FluxEvent => ({
  involvedObject: {
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'podinfo',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  },
  severity: 'info',
  timestamp: '',
  message: 'm',
  reason: 'r',
  reportingController: 'kustomize-controller',
  metadata,
});

test('keeps the event and object-group keys, strips prefixes, drops checksum, digest and token', () => {
  const a = alertView(alert('apps', 'a', { providerRef: { name: 's' } }));
  assert.deepEqual(
    notificationMetadata(
      e({
        'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:abc',
        'kustomize.toolkit.fluxcd.io/checksum': 'x',
        'kustomize.toolkit.fluxcd.io/digest': 'y',
        'kustomize.toolkit.fluxcd.io/token': 'z',
        'event.toolkit.fluxcd.io/cluster': 'prod',
        'helm.toolkit.fluxcd.io/revision': 'other group',
      }),
      a,
    ),
    { revision: 'main@sha1:abc', cluster: 'prod' },
  );
});

test('precedence: object annotations < Alert eventMetadata < summary < controller metadata', () => {
  const a = alertView(
    alert('apps', 'a', {
      providerRef: { name: 's' },
      summary: 'from summary',
      eventMetadata: { env: 'from alert', summary: 'from eventMetadata', owner: 'team-a' },
    }),
  );
  const annotations = {
    'event.toolkit.fluxcd.io/env': 'from object',
    'event.toolkit.fluxcd.io/tier': 'gold',
    'other/ignored': 'x',
  };
  assert.deepEqual(notificationMetadata(e({ 'event.toolkit.fluxcd.io/owner': 'from controller' }), a, annotations), {
    env: 'from alert',
    tier: 'gold',
    summary: 'from summary',
    owner: 'from controller',
  });
});

test('recognises commit-status update events', () => {
  assert.equal(isCommitStatusUpdate(e({ 'kustomize.toolkit.fluxcd.io/commit_status': 'update' })), true);
  assert.equal(isCommitStatusUpdate(e({ 'kustomize.toolkit.fluxcd.io/commit_status': 'create' })), false);
  assert.equal(isCommitStatusUpdate(e({})), false);
});
