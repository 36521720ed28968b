import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createDeduplicator, eventKey } from './event-key.ts';
import type { FluxEvent } from './flux-event.ts';

const base: FluxEvent = {
  involvedObject: {
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'podinfo',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  },
  severity: 'error',
  timestamp: '2026-11-23T10:00:00Z',
  message: 'health check failed',
  reason: 'HealthCheckFailed',
  reportingController: 'kustomize-controller',
};

test('the key is the SHA-256 of the same components notification-controller hashes', () => {
  const withMeta: FluxEvent = {
    ...base,
    metadata: {
      'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:abc',
      'kustomize.toolkit.fluxcd.io/token': 't1',
      'other/revision': 'ignored',
    },
  };
  const expected = createHash('sha256')
    .update(
      'event/name=podinfo/namespace=apps/kind=Kustomization/message=health check failed/revision=main@sha1:abc/token=t1',
    )
    .digest('hex');
  assert.equal(eventKey(withMeta), expected);
  assert.equal(
    eventKey(base),
    createHash('sha256')
      .update('event/name=podinfo/namespace=apps/kind=Kustomization/message=health check failed')
      .digest('hex'),
  );
});

test('timestamp, severity and reason do not change the key; message and revision do', () => {
  assert.equal(eventKey({ ...base, timestamp: 'later', severity: 'info', reason: 'Other' }), eventKey(base));
  assert.notEqual(eventKey({ ...base, message: 'other' }), eventKey(base));
  assert.notEqual(eventKey({ ...base, metadata: { 'kustomize.toolkit.fluxcd.io/revision': 'x' } }), eventKey(base));
});

test('a key is a duplicate within the window and not after it', () => {
  const d = createDeduplicator(300_000);
  assert.equal(d.isDuplicate('k', 0), false);
  d.remember('k', 0);
  assert.equal(d.isDuplicate('k', 299_999), true);
  assert.equal(d.isDuplicate('k', 300_000), false);
});

test('the deduplicator stays bounded, forgetting the oldest keys first', () => {
  const d = createDeduplicator(300_000, 3);
  for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) d.remember(k, i);
  assert.equal(d.isDuplicate('a', 10), false);
  assert.equal(d.isDuplicate('d', 10), true);
});

test('a key remembered again outlives its first place in the deduplicator', () => {
  const d = createDeduplicator(300_000, 3);
  d.remember('a', 0);
  d.forget('a');
  assert.equal(d.isDuplicate('a', 1), false);
  d.remember('a', 1);
  d.remember('b', 2);
  d.remember('c', 3); // evicts the first place of 'a', not its second
  assert.deepEqual(
    ['a', 'b', 'c'].map((k) => d.isDuplicate(k, 4)),
    [true, true, true],
  );
  d.remember('d', 4); // now the second place of 'a' goes
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((k) => d.isDuplicate(k, 5)),
    [false, true, true, true],
  );
});

test('once full, the deduplicator keeps exactly the newest maxEntries keys', () => {
  const d = createDeduplicator(300_000, 1_000);
  for (let i = 0; i < 50_000; i++) d.remember(`k${i}`, i);
  assert.deepEqual(
    [`k${48_999}`, `k${49_000}`, `k${49_999}`].map((k) => d.isDuplicate(k, 50_000)),
    [false, true, true],
  );
});

test('the deduplicator tells hex event keys apart and forgets them', () => {
  const key = eventKey(base);
  const other = eventKey({ ...base, message: 'other' });
  const d = createDeduplicator(300_000);
  d.remember(key, 0);
  assert.deepEqual([d.isDuplicate(key, 1), d.isDuplicate(other, 1)], [true, false]);
  d.forget(key);
  assert.deepEqual([d.isDuplicate(key, 1), d.isDuplicate(other, 1)], [false, false]);
});

test('the deduplicator keeps exactly the newest keys through many evictions, hex and other', () => {
  const max = 5_000;
  const d = createDeduplicator(300_000, max);
  const hex = (i: number) => createHash('sha256').update(`e${i}`).digest('hex');
  for (let i = 0; i < 40_000; i++) {
    d.remember(i % 2 === 0 ? hex(i) : `k${i}`, i);
    if (i % 7 === 0) d.forget(hex(i - 3)); // some forgotten on the way, as failed appends are
  }
  const kept = (i: number) => d.isDuplicate(i % 2 === 0 ? hex(i) : `k${i}`, 40_000);
  const wanted = (i: number) => i >= 40_000 - max && !(i % 2 === 0 && (i + 3) % 7 === 0 && i + 3 < 40_000);
  const wrong = Array.from({ length: 40_000 }, (_, i) => i).filter((i) => kept(i) !== wanted(i));
  assert.deepEqual(wrong, []);
});
