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

test('each change is reported as the Alert whole entry, siblings of a Provider error included', () => {
  const changes: unknown[] = [];
  const s = createDeliveryStatus({ announceEveryMs: 3_600_000, onChange: (e) => changes.push(e) });
  s.delivered('apps/a', T0);
  s.delivered('apps/a', T0 + 1000);
  s.failed({ alert: 'apps/a', provider: 'apps/slack' }, 'HTTP 404 channel_not_found', T0 + 2000, ['apps/a', 'apps/b']);
  assert.deepEqual(changes, [
    { alert: 'apps/a', delivered: T0, announced: T0 },
    { alert: 'apps/a', delivered: T0 + 1000, announced: T0 },
    {
      alert: 'apps/a',
      delivered: T0 + 1000,
      announced: T0,
      error: { at: T0 + 2000, reason: 'HTTP 404 channel_not_found' },
    },
    { alert: 'apps/b', error: { at: T0 + 2000, reason: 'Provider apps/slack: HTTP 404 channel_not_found' } },
  ]);
});

test('a table started from the journal entries lists them and keeps the NotificationDelivered interval', () => {
  const first = createDeliveryStatus({ announceEveryMs: 3_600_000 });
  first.delivered('apps/b', T0);
  first.failed({ alert: 'apps/a', provider: 'apps/slack' }, 'invalid_auth', T0 + 5000);
  const restarted = createDeliveryStatus({ announceEveryMs: 3_600_000, initial: first.entries() });
  assert.deepEqual(restarted.list(), first.list());
  assert.equal(restarted.delivered('apps/b', T0 + 60_000), false, 'announced 1 min before the restart');
  assert.equal(restarted.delivered('apps/b', T0 + 3_600_000), true);
  assert.deepEqual(restarted.entries(), [
    { alert: 'apps/a', error: { at: T0 + 5000, reason: 'invalid_auth' } },
    { alert: 'apps/b', delivered: T0 + 3_600_000, announced: T0 + 3_600_000 },
  ]);
});

test('merging another table takes the later of each time and reports only the Alerts it changed', () => {
  const changes: string[] = [];
  const s = createDeliveryStatus({
    announceEveryMs: 3_600_000,
    initial: [
      { alert: 'apps/a', delivered: T0 + 10, announced: T0, error: { at: T0 + 5, reason: 'old' } },
      { alert: 'apps/b', delivered: T0 + 10, announced: T0 + 10 },
    ],
    onChange: (e) => changes.push(e.alert),
  });
  s.merge([
    { alert: 'apps/a', delivered: T0 + 1, announced: T0 + 1, error: { at: T0 + 6, reason: 'new' } },
    { alert: 'apps/b', delivered: T0 + 2, announced: T0 + 2 },
    { alert: 'apps/c', error: { at: T0, reason: 'invalid_auth' } },
  ]);
  assert.deepEqual(changes, ['apps/a', 'apps/c']);
  assert.deepEqual(s.entries(), [
    { alert: 'apps/b', delivered: T0 + 10, announced: T0 + 10 },
    { alert: 'apps/a', delivered: T0 + 10, announced: T0 + 1, error: { at: T0 + 6, reason: 'new' } },
    { alert: 'apps/c', error: { at: T0, reason: 'invalid_auth' } },
  ]);
});
