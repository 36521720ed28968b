import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FluxEvent } from './flux-event.ts';
import {
  createEpisodeBook,
  episodeKey,
  formatDuration,
  nextEpisode,
  planEpisode,
  takeEpisodes,
} from './slack-episodes.ts';

const e = (
  severity: 'info' | 'error',
  reason = severity === 'error' ? 'HealthCheckFailed' : 'ReconciliationSucceeded',
): FluxEvent => ({
  involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
  severity,
  timestamp: '',
  message: 'm',
  reason,
  reportingController: 'kustomize-controller',
});
const T0 = 1_800_000_000_000;

test('an episode opens at the first error, threads what follows, and closes at the first info event', () => {
  assert.equal(episodeKey('apps/slack', e('error')), 'apps/slack Kustomization/apps/podinfo');
  assert.deepEqual(planEpisode(undefined, e('error'), T0), { broadcast: false });
  const open = nextEpisode(undefined, e('error'), T0, { ts: '1800000001.000100', channel: 'C1' });
  assert.deepEqual(open, { since: T0, reason: 'HealthCheckFailed', ts: '1800000001.000100', channel: 'C1' });
  assert.deepEqual(planEpisode(open, e('error', 'Other'), T0 + 60_000), {
    threadTs: '1800000001.000100',
    broadcast: true,
  });
  assert.equal(
    nextEpisode(open, e('error', 'Other'), T0 + 60_000),
    open,
    "a later error keeps the first one's episode",
  );
  assert.deepEqual(planEpisode(open, e('info'), T0 + 12 * 60_000), {
    threadTs: '1800000001.000100',
    broadcast: false,
    recovered: { after: '12m', episode: open },
  });
  assert.equal(nextEpisode(open, e('info'), T0 + 12 * 60_000), undefined);
  assert.deepEqual(planEpisode(undefined, e('info'), T0), { broadcast: false });
  assert.equal(nextEpisode(undefined, e('info'), T0), undefined);
});

test('with an incoming webhook (no ts) there is no thread, only the recovery', () => {
  const open = nextEpisode(undefined, e('error'), T0);
  assert.deepEqual(open, { since: T0, reason: 'HealthCheckFailed' });
  assert.deepEqual(planEpisode(open, e('error'), T0 + 1000), { broadcast: false });
  assert.deepEqual(planEpisode(open, e('info'), T0 + 45_000), {
    broadcast: false,
    recovered: { after: '45s', episode: open },
  });
});

test('durations read in their two largest units', () => {
  assert.deepEqual(
    [0, 45_000, 12 * 60_000, 65 * 60_000, 3_600_000, 27 * 3_600_000, 48 * 3_600_000, -5].map(formatDuration),
    ['0s', '45s', '12m', '1h5m', '1h', '1d3h', '2d', '0s'],
  );
});

test('the book keeps at most its bound of open episodes, reporting the oldest it forgets as closed', () => {
  const changes: [string, unknown][] = [];
  const ep = (since: number) => ({ since, reason: 'r' });
  const book = createEpisodeBook([['a', ep(1)]], (k, e) => changes.push([k, e ?? null]), 2);
  book.set('b', ep(2));
  book.set('a', undefined);
  book.set('c', ep(3));
  book.set('d', ep(4));
  assert.deepEqual(changes, [
    ['b', ep(2)],
    ['a', null],
    ['c', ep(3)],
    ['d', ep(4)],
    ['b', null],
  ]);
  assert.deepEqual([book.get('b'), book.get('c'), book.get('d')], [undefined, ep(3), ep(4)]);
});

test('episodes handed over open unless their key is open already; handed away, they close; each change reported', () => {
  const changes: [string, unknown][] = [];
  const mine = { since: 1, reason: 'here', ts: '1.1' };
  const theirs = { since: 0, reason: 'there', ts: '0.1' };
  const book = createEpisodeBook([['a', mine]], (k, e) => changes.push([k, e ?? null]));
  takeEpisodes(book, [
    { key: 'a', episode: theirs },
    { key: 'b', episode: theirs },
  ]);
  assert.deepEqual(changes, [['b', theirs]], 'the open thread of a is kept');
  takeEpisodes(book, [{ key: 'a' }, { key: 'c' }]);
  assert.deepEqual(changes, [
    ['b', theirs],
    ['a', null],
  ]);
  assert.deepEqual([book.get('a'), book.get('b'), book.get('c')], [undefined, theirs, undefined]);
});
