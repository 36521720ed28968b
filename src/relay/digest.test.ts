import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FluxEvent } from './flux-event.ts';
import type { DigestAcc } from './digest.ts';
import {
  DIGEST_RECORD_MAX_BYTES,
  digestRecord,
  emptyDigest,
  foldEvent,
  MAX_EXAMPLES,
  MAX_GROUPS,
  orderedGroups,
  TEXT_BOUNDS,
} from './digest.ts';
import { accountsFor, idsOf, MAX_LISTED_IDS } from './digest-ids.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const ev = (severity: 'error' | 'info', reason: string, name: string, over: Partial<FluxEvent> = {}): FluxEvent => ({
  involvedObject: { kind: 'Kustomization', namespace: 'apps', name },
  severity,
  timestamp: '2026-11-23T10:00:00Z',
  message: `${reason} on ${name}`,
  reason,
  reportingController: 'kustomize-controller',
  ...over,
});
/** Folds `events` one second apart, delivery ids `d0:0`, `d1:0`, ... */
function fold(events: readonly FluxEvent[], acc: DigestAcc = emptyDigest()): DigestAcc {
  events.forEach((e, i) => foldEvent(acc, e, T0 + i * 1000, `d${i}:0`));
  return acc;
}

test('counts by severity, reason, kind and namespace, with first and last times and the examples', () => {
  const acc = fold([
    ev('info', 'ReconciliationSucceeded', 'a'),
    ev('error', 'HealthCheckFailed', 'b'),
    ev('error', 'HealthCheckFailed', 'c', { involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'c' } }),
    ev('error', 'HealthCheckFailed', 'd', { involvedObject: { kind: 'HelmRelease', namespace: 'apps', name: 'd' } }),
  ]);
  assert.deepEqual(acc, {
    count: 4,
    errors: 3,
    first: T0,
    last: T0 + 3000,
    groups: [
      {
        severity: 'info',
        reason: 'ReconciliationSucceeded',
        kind: 'Kustomization',
        namespace: 'apps',
        count: 1,
        first: T0,
        last: T0,
      },
      {
        severity: 'error',
        reason: 'HealthCheckFailed',
        kind: 'Kustomization',
        namespace: 'apps',
        count: 2,
        first: T0 + 1000,
        last: T0 + 2000,
      },
      {
        severity: 'error',
        reason: 'HealthCheckFailed',
        kind: 'HelmRelease',
        namespace: 'apps',
        count: 1,
        first: T0 + 3000,
        last: T0 + 3000,
      },
    ],
    overflow: { error: { count: 0, first: 0, last: 0 }, info: { count: 0, first: 0, last: 0 } },
    examples: [
      {
        severity: 'info',
        reason: 'ReconciliationSucceeded',
        kind: 'Kustomization',
        namespace: 'apps',
        name: 'a',
        message: 'ReconciliationSucceeded on a',
        cut: 0,
        at: T0,
      },
      {
        severity: 'error',
        reason: 'HealthCheckFailed',
        kind: 'Kustomization',
        namespace: 'apps',
        name: 'b',
        message: 'HealthCheckFailed on b',
        cut: 0,
        at: T0 + 1000,
      },
      {
        severity: 'error',
        reason: 'HealthCheckFailed',
        kind: 'Kustomization',
        namespace: 'apps',
        name: 'c',
        message: 'HealthCheckFailed on c',
        cut: 0,
        at: T0 + 2000,
      },
      {
        severity: 'error',
        reason: 'HealthCheckFailed',
        kind: 'HelmRelease',
        namespace: 'apps',
        name: 'd',
        message: 'HealthCheckFailed on d',
        cut: 0,
        at: T0 + 3000,
      },
    ],
    ids: { count: 4, listed: ['d0:0', 'd1:0', 'd2:0', 'd3:0'], sum: idsOf(['d0:0', 'd1:0', 'd2:0', 'd3:0']).sum },
  });
  assert.deepEqual(
    orderedGroups(acc).map((g) => `${g.severity} ${g.reason} ${g.kind} ${g.count}`),
    [
      'error HealthCheckFailed Kustomization 2',
      'error HealthCheckFailed HelmRelease 1',
      'info ReconciliationSucceeded Kustomization 1',
    ],
  );
});

test('examples: at most three of a group, errors in the place of infos, the first of a group before a fourth of another', () => {
  const infos = ['a', 'b', 'c', 'd'].flatMap((n) => [
    ev('info', 'Progressing', n),
    ev('info', 'Succeeded', n),
    ev('info', 'Pruned', n),
  ]);
  const acc = fold([
    ...infos,
    ...['e', 'f', 'g', 'h'].map((n) => ev('error', 'HealthCheckFailed', n)),
    ev('info', 'Other', 'x'),
  ]);
  assert.equal(acc.examples.length, MAX_EXAMPLES);
  assert.deepEqual(
    acc.examples.map((x) => `${x.reason}/${x.name}`),
    // Nine infos (three per reason; Progressing/d finds its group full), the tenth place taken by e;
    // f and g take the places of the latest infos (Pruned/c, Succeeded/c); h finds its group full;
    // Other, the first of its group, takes the place of the latest of the group with the most (Progressing/c).
    [
      'Progressing/a',
      'Succeeded/a',
      'Pruned/a',
      'Progressing/b',
      'Succeeded/b',
      'Pruned/b',
      'Other/x',
      'HealthCheckFailed/g',
      'HealthCheckFailed/f',
      'HealthCheckFailed/e',
    ],
  );
});

test('groups beyond MAX_GROUPS are counted in the overflow; an error group takes the place of the smallest info group', () => {
  const infos = Array.from({ length: MAX_GROUPS + 2 }, (_, i) => ev('info', `Reason${i}`, 'x'));
  const acc = fold([...infos, ev('info', 'Reason0', 'y'), ev('error', 'Failed', 'z')]);
  assert.equal(acc.groups.length, MAX_GROUPS);
  assert.deepEqual(acc.overflow, {
    error: { count: 0, first: 0, last: 0 },
    // Reason40 and Reason41 did not fit; Reason1 (one event, the first of the smallest) gave its place to Failed.
    info: { count: 3, first: T0 + 1000, last: T0 + 41_000 },
  });
  assert.deepEqual(acc.groups[1], {
    severity: 'error',
    reason: 'Failed',
    kind: 'Kustomization',
    namespace: 'apps',
    count: 1,
    first: T0 + 43_000,
    last: T0 + 43_000,
  });
  assert.equal(acc.groups[0]!.count, 2);
  assert.equal(
    acc.examples.some((x) => x.reason === 'Reason1'),
    false,
    'the examples left with their group',
  );
  assert.equal(acc.count, MAX_GROUPS + 4);
  assert.equal(
    acc.groups.reduce((n, g) => n + g.count, 0) + acc.overflow.info.count + acc.overflow.error.count,
    acc.count,
  );
});

test('strings are cut to their bounds in code points, never inside a surrogate pair, and the cut is counted', () => {
  const message = `${'😀'.repeat(TEXT_BOUNDS.message - 1)}é${'x'.repeat(3_000_000)}`;
  const acc = fold([
    ev('error', 'R'.repeat(1000), 'n'.repeat(300), {
      message,
      involvedObject: { kind: 'K'.repeat(70), namespace: 'ns', name: 'n'.repeat(300) },
    }),
  ]);
  const x = acc.examples[0]!;
  assert.equal(x.message, `${'😀'.repeat(TEXT_BOUNDS.message - 1)}é`);
  assert.equal(x.cut, 3_000_000);
  assert.equal(x.name, 'n'.repeat(TEXT_BOUNDS.name));
  assert.equal(x.reason, 'R'.repeat(TEXT_BOUNDS.reason));
  assert.equal(acc.groups[0]!.kind, 'K'.repeat(TEXT_BOUNDS.kind));
});

test('accounting: the digest accounts for exactly the delivery ids folded, in any order, and for no other set', () => {
  const acc = fold(Array.from({ length: 100 }, (_, i) => ev('info', 'R', `n${i}`)));
  const ids = Array.from({ length: 100 }, (_, i) => `d${i}:0`);
  assert.equal(accountsFor(acc.ids, [...ids].reverse()), true);
  assert.equal(accountsFor(acc.ids, ids.slice(1)), false, 'one missing');
  assert.equal(accountsFor(acc.ids, [...ids, 'd100:0']), false, 'one more');
  assert.equal(accountsFor(acc.ids, [...ids.slice(1), 'd0:1']), false, 'one other');
  assert.equal(accountsFor(acc.ids, [...ids.slice(1), 'd1:0']), false, 'one twice, one missing');
  assert.deepEqual(acc.ids.listed, ids.slice(0, MAX_LISTED_IDS));
  assert.equal(acc.ids.count, 100);
});

test('a million folds of hostile events: every event counted, the record within DIGEST_RECORD_MAX_BYTES', () => {
  // Every string at or over its bound, of characters JSON spells in six bytes; 20,000 groups.
  const reasons = Array.from({ length: 30 }, (_, i) => String.fromCharCode(2 + i).repeat(TEXT_BOUNDS.reason));
  const kinds = Array.from({ length: 20_000 }, (_, i) => `${i}`.padEnd(TEXT_BOUNDS.kind, '\u0003'));
  const messages = ['\u0001'.repeat(3000), '\ud800'.repeat(600), '"'.repeat(10)];
  const [namespace, name] = ['\u0004'.repeat(TEXT_BOUNDS.namespace), '\u0005'.repeat(300)];
  const acc = emptyDigest();
  for (let i = 0; i < 1_000_000; i++) {
    const e = ev(i % 3 === 0 ? 'error' : 'info', reasons[i % 30]!, name, {
      message: messages[i % 3]!,
      involvedObject: { kind: kinds[i % 20_000]!, namespace, name },
    });
    foldEvent(acc, e, T0 + (i % 7_777) * 1000, `${'\u0006'.repeat(70)}${i}`);
  }
  assert.equal(acc.count, 1_000_000);
  assert.equal(acc.ids.count, 1_000_000);
  assert.equal(
    acc.groups.reduce((n, g) => n + g.count, 0) + acc.overflow.info.count + acc.overflow.error.count,
    1_000_000,
  );
  const bytes = Buffer.byteLength(
    JSON.stringify(digestRecord('a'.repeat(63) + '/' + 'é'.repeat(253), 'x'.repeat(64), acc)),
  );
  assert.ok(bytes <= DIGEST_RECORD_MAX_BYTES, `${bytes} bytes`);
  assert.ok(bytes > DIGEST_RECORD_MAX_BYTES / 2, `${bytes} bytes: the bound is near what hostile events take`);
});

test('a record names its destination and id, and refuses (a bug) one over its bound', () => {
  const acc = fold([ev('info', 'R', 'a')]);
  assert.deepEqual(digestRecord('apps/slack', 'dg-1', acc), {
    t: 'digest',
    destination: 'apps/slack',
    id: 'dg-1',
    acc,
  });
  assert.throws(() => digestRecord('x'.repeat(318), 'dg-1', acc), /destination or id over its bound \(318, 4\)/);
  assert.deepEqual(JSON.parse(JSON.stringify(acc)), acc, 'plain JSON');
});
