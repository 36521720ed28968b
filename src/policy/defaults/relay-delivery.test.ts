import { test } from 'node:test';
import assert from 'node:assert/strict';
import { provider } from '../../../test/support/objects.ts';
import { providerView } from '../../flux/objects.ts';
import type { KubeObject } from '../../flux/objects.ts';
import { markRelayDelivered } from './relay-delivery.ts';
import { userSuspended } from './relay-mode.ts';

const applied = (
  spec: Record<string, unknown>,
  live: Record<string, unknown> = spec,
  annotations: Record<string, string> = {},
): KubeObject => {
  const p = provider('apps', 'slack', live);
  return {
    ...p,
    metadata: {
      ...p.metadata,
      annotations: {
        ...annotations,
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ ...p, spec }),
      },
    },
  };
};
const MARK = { 'notify-guard.fluxcd.community/delivered-by': 'notify-guard-relay' };

test("marks a slack Provider delivered by the relay: suspended for notification-controller, the user's suspend kept", () => {
  const r = markRelayDelivered(applied({ type: 'slack', secretRef: { name: 's' } }), undefined);
  assert.deepEqual(r?.object.metadata?.annotations, {
    'kubectl.kubernetes.io/last-applied-configuration': applied({ type: 'slack', secretRef: { name: 's' } }).metadata!
      .annotations!['kubectl.kubernetes.io/last-applied-configuration'],
    'notify-guard.fluxcd.community/delivered-by': 'notify-guard-relay',
    'notify-guard.fluxcd.community/user-suspend': 'false',
  });
  assert.equal((r?.object['spec'] as Record<string, unknown>)['suspend'], true);
  assert.equal(
    r?.warning,
    'spec.suspend: set to true because the notify-guard relay delivers this slack Provider (notification-controller skips suspended Providers); your suspend (false) is kept in annotation notify-guard.fluxcd.community/user-suspend',
  );
  assert.equal(userSuspended(providerView(r!.object)), false, "the relay and the rules read the user's suspend");
});

test('a user who writes suspend: true keeps it, even though spec.suspend was already true', () => {
  const r = markRelayDelivered(
    applied(
      { type: 'slack', suspend: true },
      { type: 'slack', suspend: true },
      { ...MARK, 'notify-guard.fluxcd.community/user-suspend': 'false' },
    ),
    undefined,
  );
  assert.equal(r?.object.metadata?.annotations?.['notify-guard.fluxcd.community/user-suspend'], 'true');
  assert.equal(userSuspended(providerView(r!.object)), true);
});

test('reinvocation on an already marked object changes nothing', () => {
  const once = markRelayDelivered(applied({ type: 'slack' }), undefined)!;
  assert.equal(markRelayDelivered(once.object, undefined), undefined);
});

test("without evidence, an unchanged spec.suspend keeps the recorded intent; a changed one is the user's", () => {
  const live = provider('apps', 'slack', { type: 'slack', suspend: true });
  const marked = {
    ...live,
    metadata: { ...live.metadata, annotations: { ...MARK, 'notify-guard.fluxcd.community/user-suspend': 'false' } },
  };
  assert.equal(markRelayDelivered(marked, marked), undefined);
  const edited = { ...marked, spec: { type: 'slack', suspend: false } };
  const r = markRelayDelivered(edited, marked);
  assert.equal(r?.object.metadata?.annotations?.['notify-guard.fluxcd.community/user-suspend'], 'false');
  assert.equal((r?.object['spec'] as Record<string, unknown>)['suspend'], true);
});

test('other provider types are left alone', () => {
  assert.equal(markRelayDelivered(applied({ type: 'msteams' }), undefined), undefined);
});
