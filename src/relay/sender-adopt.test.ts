import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDeduplicator } from './event-key.ts';
import { emptyState } from './journal-state.ts';
import type { AcceptRecord } from './journal-state.ts';
import { createAdopter } from './sender-adopt.ts';
import type { HandedEvent } from './sender-gate.ts';
import { decodeHandedEvent } from './sender-gate.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const target = { alert: 'apps/all', provider: 'apps/slack', metadata: { cluster: 'prod' } };
const handed = (id: string, key = `key-${id}`): HandedEvent => ({ id, at: T0, key, event, deliveries: [target] });

function adopterWith(o: { sender?: boolean; failJournal?: boolean } = {}) {
  const journaled: AcceptRecord[] = [];
  const delivered: string[] = [];
  const state = emptyState();
  let sender = o.sender ?? true;
  let failJournal = o.failJournal ?? false;
  const adopter = createAdopter({
    gate: { isSender: () => sender, senderUrl: () => undefined },
    state,
    dedup: createDeduplicator(300_000),
    async journal(r) {
      if (failJournal) throw new Error('disk gone');
      journaled.push(r);
      state.events.set(r.id, {} as never);
    },
    deliver: (r) => delivered.push(r.id),
    idWindowMs: 3_600_000,
    now: () => T0,
  });
  return {
    adopter,
    journaled,
    delivered,
    setSender: (s: boolean) => (sender = s),
    setFailJournal: (f: boolean) => (failJournal = f),
  };
}

test('the sender adopts a handed event: journaled under its id, without forwarding, then queued', async () => {
  const a = adopterWith();
  assert.equal(await a.adopter.adopt(handed('e1')), 'adopted');
  assert.deepEqual(a.journaled, [{ t: 'accept', id: 'e1', at: T0, key: 'key-e1', event, deliveries: [target] }]);
  assert.deepEqual(a.delivered, ['e1']);
});

test('a handoff repeated after a lost answer, or an event Flux also sent here, is not adopted twice', async () => {
  const a = adopterWith();
  await a.adopter.adopt(handed('e1'));
  assert.equal(await a.adopter.adopt(handed('e1')), 'duplicate', 'same id');
  assert.equal(await a.adopter.adopt(handed('e2', 'key-e1')), 'duplicate', "same Flux key, the other replica's id");
  assert.deepEqual(a.delivered, ['e1']);
});

test('a replica that is not the sender adopts nothing', async () => {
  const a = adopterWith({ sender: false });
  assert.equal(await a.adopter.adopt(handed('e1')), 'not-sender');
  assert.deepEqual([a.journaled, a.delivered], [[], []]);
});

test('an event handed away comes back: adopted again, under a new id when the journal holds its old one', async () => {
  const a = adopterWith();
  await a.adopter.adopt(handed('e1'));
  a.adopter.handedAway('e1', 'key-e1');
  assert.equal(await a.adopter.adopt(handed('e1')), 'adopted');
  assert.equal(a.journaled.length, 2);
  assert.notEqual(a.journaled[1]!.id, 'e1');
  assert.equal(a.journaled[1]!.key, 'key-e1');
});

test('a handoff the journal could not take is adopted when it is sent again', async () => {
  const a = adopterWith({ failJournal: true });
  await assert.rejects(a.adopter.adopt(handed('e1')), /disk gone/);
  a.setFailJournal(false);
  assert.equal(await a.adopter.adopt(handed('e1')), 'adopted');
  assert.deepEqual(a.delivered, ['e1']);
});

test('a handed event is read from its body, or what is wrong is said', () => {
  const good = { id: 'e1', at: T0, key: 'k', event, deliveries: [target] };
  assert.deepEqual(decodeHandedEvent(JSON.parse(JSON.stringify(good))), good);
  const cases: [unknown, string][] = [
    [[], 'body is not a JSON object'],
    [{ ...good, id: '' }, 'id: expected a non-empty string'],
    [{ ...good, at: 'now' }, 'at: expected epoch milliseconds'],
    [{ ...good, key: 1 }, 'key: expected a non-empty string'],
    [{ ...good, event: {} }, 'event: involvedObject is required'],
    [{ ...good, deliveries: [] }, 'deliveries: expected a non-empty list of {alert, provider, metadata}'],
    [
      { ...good, deliveries: [{ ...target, metadata: { n: 1 } }] },
      'deliveries: expected a non-empty list of {alert, provider, metadata}',
    ],
  ];
  for (const [body, message] of cases) assert.equal(decodeHandedEvent(body), message, JSON.stringify(body));
});
