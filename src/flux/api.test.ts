import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardedKind, parseApiVersion } from './api.ts';

test('parseApiVersion splits group and version; a bare version is the core group', () => {
  assert.deepEqual(parseApiVersion('notification.toolkit.fluxcd.io/v1beta3'), {
    group: 'notification.toolkit.fluxcd.io',
    version: 'v1beta3',
  });
  assert.deepEqual(parseApiVersion('v1'), { group: '', version: 'v1' });
  assert.deepEqual(parseApiVersion(''), { group: '', version: '' });
});

test('guardedKind takes core v1 Secrets and served notification versions of Alert and Provider, nothing else', () => {
  const of = (apiVersion: string, kind: string) => guardedKind({ ...parseApiVersion(apiVersion), kind });
  assert.deepEqual(
    [
      of('v1', 'Secret'),
      of('notification.toolkit.fluxcd.io/v1beta1', 'Alert'),
      of('notification.toolkit.fluxcd.io/v1beta3', 'Provider'),
      of('notification.toolkit.fluxcd.io/v1', 'Receiver'),
      of('notification.toolkit.fluxcd.io/v2', 'Alert'),
      of('apps/v1', 'Secret'),
    ],
    ['Secret', 'Alert', 'Provider', undefined, undefined, undefined],
  );
});
