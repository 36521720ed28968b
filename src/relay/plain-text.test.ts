import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareText, thousands } from './plain-text.ts';

test('thousands writes integers as en-US does', () => {
  const cases = [0, 1, 12, 999, 1000, 1234, 99_999, 100_000, 1_000_000, 1_234_567_890, -1, -1234, -1_000_000];
  assert.deepEqual(cases.map(thousands), [
    '0',
    '1',
    '12',
    '999',
    '1,000',
    '1,234',
    '99,999',
    '100,000',
    '1,000,000',
    '1,234,567,890',
    '-1',
    '-1,234',
    '-1,000,000',
  ]);
  for (const n of [...cases, 7, 12_345, 987_654_321, Number.MAX_SAFE_INTEGER])
    assert.equal(thousands(n), n.toLocaleString('en-US'));
});

test('thousands writes what is not a safe integer as String does', () => {
  assert.deepEqual([1.5, NaN, Infinity, 2 ** 60].map(thousands), ['1.5', 'NaN', 'Infinity', '1152921504606847000']);
});

test('compareText orders letters ignoring case, lowercase first on a tie, the rest by code unit', () => {
  const names = ['zeta', 'Env', 'env', 'Banana', 'apple', 'a-b', 'a.b', 'a/b', 'a1', 'ä', 'cluster', 'Cluster', ''];
  assert.deepEqual(names.toSorted(compareText), [
    '',
    'a-b',
    'a.b',
    'a/b',
    'a1',
    'apple',
    'Banana',
    'cluster',
    'Cluster',
    'env',
    'Env',
    'zeta',
    'ä',
  ]);
  assert.equal(compareText('same', 'same'), 0);
});

test('compareText agrees with localeCompare on Kubernetes names and ASCII words', () => {
  const names = [
    'flux-system/all',
    'team-1/slack',
    'team-10/slack',
    'team-2/a.b',
    'apps/podinfo',
    'Revision',
    'summary',
    'env',
  ];
  assert.deepEqual(
    names.toSorted(compareText),
    names.toSorted((a, b) => a.localeCompare(b)),
  );
});
