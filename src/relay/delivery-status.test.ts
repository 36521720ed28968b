import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDeliveryStatus } from './delivery-status.ts';

const T0 = Date.parse('2026-12-02T00:00:00Z');

test('the last delivery and the last failure per Alert, sorted; NotificationDelivered at most once per interval', () => {
  const s = createDeliveryStatus({ announceEveryMs: 3_600_000 });
  assert.equal(s.delivered('apps/b', T0), true);
  assert.equal(s.delivered('apps/b', T0 + 60_000), false);
  s.failed({ alert: 'apps/a', provider: 'apps/slack' }, 'HTTP 404 channel_not_found', T0 + 1000);
  assert.equal(s.delivered('apps/b', T0 + 3_600_000), true);
  assert.deepEqual(s.list(), [
    { alert: 'apps/a', lastError: { at: '2026-12-02T00:00:01.000Z', reason: 'HTTP 404 channel_not_found' } },
    { alert: 'apps/b', lastDelivered: '2026-12-02T01:00:00.000Z' },
  ]);
});

test('the table is bounded, forgetting the Alert touched longest ago', () => {
  const s = createDeliveryStatus({ announceEveryMs: 0, maxAlerts: 2 });
  s.delivered('a/1', T0);
  s.delivered('a/2', T0);
  s.delivered('a/1', T0 + 1);
  s.delivered('a/3', T0);
  assert.deepEqual(
    s.list().map((x) => x.alert),
    ['a/1', 'a/3'],
  );
});

test('an answer about the Provider itself marks every Alert using it; one about the message marks only its Alert', () => {
  const s = createDeliveryStatus({ announceEveryMs: 0 });
  s.failed({ alert: 'apps/a', provider: 'apps/slack' }, 'HTTP 400 invalid_payload', T0, ['apps/a', 'apps/b']);
  assert.deepEqual(
    s.list().map((x) => [x.alert, x.lastError?.reason]),
    [['apps/a', 'HTTP 400 invalid_payload']],
  );
  for (const reason of [
    'HTTP 404 no_service',
    'HTTP 403 invalid_token',
    'invalid_auth',
    'HTTP 404 channel_not_found',
  ]) {
    s.failed({ alert: 'apps/a', provider: 'apps/slack' }, reason, T0, ['apps/a', 'apps/b', 'apps/c']);
    assert.deepEqual(
      s.list().map((x) => [x.alert, x.lastError?.reason]),
      [
        ['apps/a', reason],
        ['apps/b', `Provider apps/slack: ${reason}`],
        ['apps/c', `Provider apps/slack: ${reason}`],
      ],
    );
  }
});
