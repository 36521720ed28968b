/**
 * Two replicas' sender roles in one process, the handoff going over HTTP to the sender's real
 * handoff endpoint: each role has its own journal state and deduplicator, and records what it
 * journals and queues. Waits are on the outcomes themselves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import { createDeduplicator } from './event-key.ts';
import { apply, emptyState } from './journal-state.ts';
import type { AcceptRecord, RelayRecord } from './journal-state.ts';
import { createHandoffHandler } from './handoff-endpoint.ts';
import { startSenderRole } from './relay-sender.ts';
import type { SenderRole } from './relay-sender.ts';
import type { HandoffResult } from './sender-handoff.ts';
import type { AdoptOutcome } from './sender-adopt.ts';
import type { HandedEvent } from './sender-gate.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

const log = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
// The handoff's retries wait on the scheduler's clock: real time here, with backoffs of a few ms.
const T0 = Date.now();
const target = (n: number) => ({ alert: `apps/a${n}`, provider: `apps/p${n}`, metadata: {} });
const accept = (id: string, n = 2): AcceptRecord => ({
  t: 'accept',
  id,
  at: T0,
  key: `key-${id}`,
  event,
  deliveries: Array.from({ length: n }, (_, i) => target(i)),
});

/** One replica: its role, what it journaled and queued, and its handoffs' results as they come. */
function replica(o: { sender: () => boolean; senderUrl?: () => string | undefined }) {
  const state = emptyState();
  const records: RelayRecord[] = [];
  const queued: string[] = [];
  const results: HandoffResult[] = [];
  let heard: (() => void) | undefined;
  const journal = (r: RelayRecord) => {
    records.push(r);
    apply(state, r, 1);
  };
  const role: SenderRole = startSenderRole({
    gate: { isSender: o.sender, senderUrl: o.senderUrl ?? (() => undefined) },
    ...{ state, dedup: createDeduplicator(300_000), dedupWindowMs: 300_000, log, now: Date.now },
    journal: async (r) => journal(r),
    record: journal,
    queue: {
      deliver: (a, settled = new Set()) => {
        queued.push(`${a.id} [${a.deliveries.map((_, i) => i).filter((i) => !settled.has(i))}]`);
        return 0;
      },
      forward: () => undefined,
    },
    handoffBackoff: { baseMs: 1, maxMs: 5 },
    onHandoff: (r) => {
      results.push(r);
      heard?.();
    },
  });
  const accepted = (a: AcceptRecord) => journal(a);
  const nextResult = () => new Promise<void>((r) => (heard = r));
  return { role, state, records, queued, results, accepted, nextResult };
}

/** A sender replica serving its handoff endpoint on 127.0.0.1. */
async function senderReplica(isSender: () => boolean) {
  const r = replica({ sender: isSender });
  const answered: AdoptOutcome[] = [];
  let refused: (() => void) | undefined;
  const adopt = async (h: HandedEvent) => {
    const outcome = await r.role.adopt(h);
    answered.push(outcome);
    if (outcome === 'not-sender') refused?.();
    return outcome;
  };
  const server = createServer(createHandoffHandler({ adopt, logger: log }));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/handoff`;
  const close = () => new Promise<void>((done) => server.close(() => done()));
  return { ...r, url, answered, close, nextRefusal: () => new Promise<void>((done) => (refused = done)) };
}

test('the non-sender hands an accepted event to the sender, journals its deliveries done, and skips them before any post', async () => {
  const sender = await senderReplica(() => true);
  const other = replica({ sender: () => false, senderUrl: () => sender.url });
  try {
    const a = accept('e1');
    other.accepted(a);
    const handed = other.nextResult();
    assert.equal(other.role.takes(a), true);
    await handed;
    assert.deepEqual(other.results, ['handed']);
    assert.deepEqual(other.records.slice(1), [
      { t: 'done', id: 'e1', i: 0 },
      { t: 'done', id: 'e1', i: 1 },
    ]);
    assert.deepEqual(other.queued, [], 'nothing queued for Slack on the non-sender');
    assert.deepEqual(other.role.beforePost('e1', 0), { kind: 'skipped', reason: 'handed to the sender' });
    assert.deepEqual(
      sender.records,
      [{ t: 'accept', id: 'e1', at: T0, key: 'key-e1', event, deliveries: [target(0), target(1)] }],
      'journaled under its id, without forwarding',
    );
    assert.deepEqual(sender.queued, ['e1 [0,1]']);
    assert.equal(sender.role.beforePost('e1', 0), undefined, 'the sender posts it');
  } finally {
    await Promise.all([other.role.stop(), sender.role.stop(), sender.close()]);
  }
});

test('a delivery queued before the Lease moved is handed over when it comes up, and only its unsettled deliveries', async () => {
  const sender = await senderReplica(() => true);
  const other = replica({ sender: () => false, senderUrl: () => sender.url });
  try {
    const a = accept('e2', 3);
    other.accepted(a);
    other.accepted({ t: 'done', id: 'e2', i: 0 } as never);
    const handed = other.nextResult();
    assert.deepEqual(other.role.beforePost('e2', 1), {
      kind: 'retry',
      reason: 'not the sender: handing the event to the sender',
    });
    await handed;
    assert.deepEqual(
      sender.records.map((r) => (r as AcceptRecord).deliveries),
      [[target(1), target(2)]],
    );
    assert.deepEqual(other.role.beforePost('e2', 1), { kind: 'skipped', reason: 'handed to the sender' });
    assert.deepEqual(other.queued, [], 'the delivery thread holds its jobs already');
  } finally {
    await Promise.all([other.role.stop(), sender.role.stop(), sender.close()]);
  }
});

test('a replica that becomes the sender before its handoff runs keeps the event and queues it itself', async () => {
  let isSender = false;
  const other = replica({ sender: () => isSender, senderUrl: () => undefined });
  try {
    const a = accept('e3');
    other.accepted(a);
    const kept = other.nextResult();
    assert.equal(other.role.takes(a), true, 'no sender known yet: the handoff waits and retries');
    isSender = true;
    await kept;
    assert.deepEqual(other.results, ['kept']);
    assert.deepEqual(other.queued, ['e3 [0,1]']);
    assert.equal(other.role.takes(accept('e4')), false, 'the sender queues what it accepts');
  } finally {
    await other.role.stop();
  }
});

test('a handoff to a replica that lost the Lease is answered 503 and retried until the sender takes it', async () => {
  let senderHolds = false;
  const sender = await senderReplica(() => senderHolds);
  const other = replica({ sender: () => false, senderUrl: () => sender.url });
  try {
    const a = accept('e5', 1);
    other.accepted(a);
    const handed = other.nextResult();
    const refusal = sender.nextRefusal();
    other.role.takes(a);
    await refusal;
    senderHolds = true;
    await handed;
    assert.deepEqual(sender.answered.slice(-2), ['not-sender', 'adopted']);
    assert.deepEqual(other.results, ['handed']);
    assert.deepEqual(sender.queued, ['e5 [0]']);
  } finally {
    await Promise.all([other.role.stop(), sender.role.stop(), sender.close()]);
  }
});
