import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReflectorState, Transition } from './reflector-plan.ts';
import {
  INITIAL_STATE,
  LIST_START,
  backoffStep,
  listApplied,
  listFailed,
  listQuery,
  pageApplied,
  pageRead,
  watchEnded,
  watchEvent,
  watchQuery,
  watchStartFailed,
  watchStarting,
} from './reflector-plan.ts';

const backoff = { initialMs: 250, maxMs: 30_000 };
const obj = (ns: string, name: string, rv = '') => ({
  metadata: { namespace: ns, name, ...(rv ? { resourceVersion: rv } : {}) },
});
const watching: ReflectorState = { ...INITIAL_STATE, resourceVersion: '10', synced: true, attempt: 3 };

test('backoff is full jitter over initial * 2^attempt, capped at max, and counts the attempt', () => {
  const cases: [attempt: number, jitter: number, delayMs: number][] = [
    [0, 1, 250],
    [0, 0.5, 125],
    [3, 1, 2000],
    [7, 1, 30_000],
    [20, 0.25, 7500],
    [4, 0, 0],
  ];
  for (const [attempt, jitter, delayMs] of cases) {
    assert.deepEqual(backoffStep({ ...INITIAL_STATE, attempt }, backoff, jitter), {
      state: { ...INITIAL_STATE, attempt: attempt + 1 },
      delayMs,
    });
  }
});

test('a complete list deletes what the store holds and the list did not name, syncs and resumes watching from its resourceVersion', () => {
  const t = listApplied(
    { ...INITIAL_STATE, attempt: 4, unavailable: 403 },
    new Set(['team/a', 'old/gone']),
    new Set(['team/a', 'team/b']),
    '42',
  );
  assert.deepEqual(t, {
    state: { resourceVersion: '42', synced: true, unavailable: undefined, attempt: 0, expired: false },
    actions: [{ type: 'apply', event: 'delete', object: { metadata: { name: 'gone', namespace: 'old' } } }],
    next: { run: 'watch', afterMs: 0 },
  });
});

test('a cluster-scoped object deleted by a relist is applied with an empty namespace', () => {
  const t = listApplied(INITIAL_STATE, new Set(['/crb']), new Set(), '1');
  assert.deepEqual(t.actions, [
    { type: 'apply', event: 'delete', object: { metadata: { name: 'crb', namespace: '' } } },
  ]);
});

test("each page's items are upserted as it arrives; the list ends when the continue token is empty", () => {
  const p1 = pageRead(LIST_START, 200, { metadata: { continue: 'c1', resourceVersion: '5' }, items: [obj('a', '1')] });
  assert.deepEqual(p1, {
    progress: { cont: 'c1', resourceVersion: '5', done: false },
    items: [obj('a', '1')],
    restarted: false,
  });
  const p2 = pageRead({ cont: 'c1', resourceVersion: '5', done: false }, 200, {
    metadata: { resourceVersion: '6' },
    items: [obj('a', '2')],
  });
  assert.deepEqual(p2, {
    progress: { cont: '', resourceVersion: '6', done: true },
    items: [obj('a', '2')],
    restarted: false,
  });
  assert.deepEqual(pageApplied([obj('a', '1'), obj('a', '2')]), [
    { type: 'apply', event: 'upsert', object: obj('a', '1') },
    { type: 'apply', event: 'upsert', object: obj('a', '2') },
  ]);
  assert.deepEqual(listQuery({ labelSelector: 'x=y' }, 500, ''), { labelSelector: 'x=y', limit: '500' });
  assert.deepEqual(listQuery({}, 2, 'c1'), { limit: '2', continue: 'c1' });
});

test('an expired continue token starts the list again from the first page, forgetting the keys listed so far', () => {
  const p1 = { cont: 'c1', resourceVersion: '5', done: false };
  assert.deepEqual(pageRead(p1, 410, {}), { progress: LIST_START, items: [], restarted: true });
  assert.equal(LIST_START.done, false);
});

test('a non-200 page or a body that is not a list fails the list', () => {
  assert.deepEqual(pageRead(LIST_START, 410, {}), { failed: 410, reason: 'HTTP 410' });
  assert.deepEqual(pageRead(LIST_START, 500, {}), { failed: 500, reason: 'HTTP 500' });
  assert.deepEqual(pageRead(LIST_START, 200, null), { failed: undefined, reason: 'the answer is not a list' });
});

test('an optional collection that cannot be read is synced, untracked and retried after a minute', () => {
  for (const status of [403, 404]) {
    const t = listFailed(INITIAL_STATE, { status, error: 'e', path: '/p', optional: true }, backoff, 1);
    assert.deepEqual(t, {
      state: { ...INITIAL_STATE, synced: true, unavailable: status },
      actions: [
        {
          type: 'log',
          level: 'warn',
          fields: { status, path: '/p' },
          msg: 'collection cannot be read; this kind is not tracked',
        },
      ],
      next: { run: 'list', reason: 'error', afterMs: 60_000 },
    });
  }
});

test('a required collection that cannot be read stays unsynced and retries after a backoff', () => {
  const t = listFailed(
    { ...INITIAL_STATE, attempt: 2 },
    { status: 403, error: 'Error: x', path: '/p', optional: false },
    backoff,
    0.5,
  );
  assert.deepEqual(t, {
    state: { ...INITIAL_STATE, attempt: 3 },
    actions: [{ type: 'log', level: 'warn', fields: { err: 'Error: x', status: 403 }, msg: 'list failed; retrying' }],
    next: { run: 'list', reason: 'error', afterMs: 500 },
  });
});

test('watch events: upsert, delete and bookmark advance the resourceVersion; changes reset the backoff', () => {
  const a = obj('team', 'a', '11');
  const cases: [type: string, object: Record<string, unknown>, expected: Transition][] = [
    [
      'ADDED',
      a,
      {
        state: { ...watching, resourceVersion: '11', attempt: 0 },
        actions: [{ type: 'apply', event: 'upsert', object: a }],
      },
    ],
    [
      'MODIFIED',
      a,
      {
        state: { ...watching, resourceVersion: '11', attempt: 0 },
        actions: [{ type: 'apply', event: 'upsert', object: a }],
      },
    ],
    [
      'DELETED',
      a,
      {
        state: { ...watching, resourceVersion: '11', attempt: 0 },
        actions: [{ type: 'apply', event: 'delete', object: a }],
      },
    ],
    [
      'BOOKMARK',
      { metadata: { resourceVersion: '12' } },
      { state: { ...watching, resourceVersion: '12' }, actions: [] },
    ],
    [
      'ADDED',
      obj('team', 'b'),
      { state: { ...watching, attempt: 0 }, actions: [{ type: 'apply', event: 'upsert', object: obj('team', 'b') }] },
    ],
  ];
  for (const [type, object, expected] of cases) assert.deepEqual(watchEvent(watching, type, object), expected, type);
});

test('a 410 ERROR event marks the watch expired; another ERROR only logs', () => {
  assert.deepEqual(watchEvent(watching, 'ERROR', { code: 410, reason: 'Expired' }), {
    state: { ...watching, expired: true },
    actions: [{ type: 'log', level: 'debug', fields: { code: 410, reason: 'Expired' }, msg: 'watch error event' }],
  });
  assert.deepEqual(watchEvent(watching, 'ERROR', { code: 500 }).state, watching);
  assert.deepEqual(watchStarting({ ...watching, expired: true }), watching);
});

test('how a watch ended decides the next step', () => {
  const expired = { ...watching, expired: true };
  assert.deepEqual(watchEnded(expired, { kind: 'closed' }, backoff, 1), {
    state: expired,
    actions: [],
    next: { run: 'list', reason: 'expired', afterMs: 0 },
  });
  assert.deepEqual(watchEnded(watching, { kind: 'gone' }, backoff, 1).next, {
    run: 'list',
    reason: 'expired',
    afterMs: 0,
  });
  assert.deepEqual(watchEnded(watching, { kind: 'silent', silentForMs: 900 }, backoff, 1), {
    state: watching,
    actions: [
      {
        type: 'log',
        level: 'warn',
        fields: { silentForMs: 900 },
        msg: 'watch delivered neither events nor bookmarks; relisting',
      },
    ],
    next: { run: 'list', reason: 'watchdog', afterMs: 0 },
  });
  assert.deepEqual(watchEnded(watching, { kind: 'failed', error: 'Error: reset' }, backoff, 1), {
    state: { ...watching, attempt: 4 },
    actions: [
      { type: 'restarted', reason: 'error' },
      { type: 'log', level: 'info', fields: { err: 'Error: reset' }, msg: 'watch failed; reconnecting' },
    ],
    next: { run: 'watch', afterMs: 2000 },
  });
  assert.deepEqual(watchEnded(watching, { kind: 'closed' }, backoff, 1), {
    state: watching,
    actions: [{ type: 'restarted', reason: 'closed' }],
    next: { run: 'watch', afterMs: 0 },
  });
});

test('a watch that cannot start reconnects after a backoff', () => {
  assert.deepEqual(watchStartFailed(INITIAL_STATE, 'Error: refused', backoff, 1), {
    state: { ...INITIAL_STATE, attempt: 1 },
    actions: [
      { type: 'restarted', reason: 'error' },
      { type: 'log', level: 'info', fields: { err: 'Error: refused' }, msg: 'watch could not start; retrying' },
    ],
    next: { run: 'watch', afterMs: 250 },
  });
});

test('a watch resumes from the resourceVersion with bookmarks and a server timeout of 240-359 s', () => {
  assert.deepEqual(watchQuery({ fieldSelector: 'type!=x' }, '42', 0), {
    fieldSelector: 'type!=x',
    allowWatchBookmarks: 'true',
    resourceVersion: '42',
    timeoutSeconds: '240',
  });
  assert.equal(watchQuery({}, '42', 0.9999).timeoutSeconds, '359');
});
