import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import type { EpisodeChange } from './delivery-protocol.ts';
import { createDeliveryStatus } from './delivery-status.ts';
import type { HandoffClient } from './forwarder.ts';
import { drainAndHandOver, startRelayPeer } from './relay-peer.ts';
import type { SendResult } from './slack-sender.ts';

const log = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const open: EpisodeChange = { key: 'apps/slack Kustomization/apps/podinfo', episode: { since: 5, reason: 'r' } };

/**
 * A peer on a fake clock: each POST takes `postMs` and answers from `answers`; each wait advances
 * the clock. With `alone`, its gate finds it alone from that time on.
 */
function peerOnClock(o: { url?: string; postMs: number; answers: SendResult[]; alone?: number }) {
  const clock = { now: 1_000 };
  const posts: { at: number; timeoutMs: number | undefined }[] = [];
  const waits: number[] = [];
  const client: HandoffClient = {
    handOff: async (_url, _body, timeoutMs) => {
      posts.push({ at: clock.now, timeoutMs });
      clock.now += Math.min(o.postMs, timeoutMs ?? o.postMs);
      return o.answers.shift() ?? { kind: 'retry', reason: 'HTTP 503' };
    },
    close: async () => undefined,
  };
  const peer = startRelayPeer({
    gate: {
      isSender: () => false,
      senderUrl: () => o.url,
      ...(o.alone === undefined ? {} : { alone: () => clock.now >= o.alone! }),
    },
    status: () => createDeliveryStatus({ announceEveryMs: 3_600_000 }),
    episodes: () => [open],
    setEpisodes: () => undefined,
    journaling: { isOpen: () => false, journal: async () => undefined },
    log,
    everyMs: 3_600_000,
    client,
    now: () => clock.now,
    wait: async (ms) => {
      waits.push(ms);
      clock.now += ms;
    },
  });
  return { peer, clock, posts, waits };
}

test('a stop hands over within its time left: each POST bounded by it, none once it is spent', async () => {
  const t = peerOnClock({ url: 'http://b:9293/handoff', postMs: 600, answers: [] });
  try {
    assert.equal(await t.peer.handOver(1_000), false);
    assert.deepEqual(t.posts, [
      { at: 1_000, timeoutMs: 1_000 },
      { at: 1_800, timeoutMs: 200 },
    ]);
    assert.deepEqual(t.waits, [200]);
    assert.equal(t.clock.now, 2_000, 'returned at the deadline');
  } finally {
    await t.peer.stop();
  }
});

test('a stop with no time left sends nothing; one the sender takes ends at once', async () => {
  const spent = peerOnClock({ url: 'http://b:9293/handoff', postMs: 600, answers: [] });
  const taken = peerOnClock({ url: 'http://b:9293/handoff', postMs: 50, answers: [{ kind: 'ok' }] });
  try {
    assert.equal(await spent.peer.handOver(0), false);
    assert.deepEqual(spent.posts, []);
    assert.equal(await taken.peer.handOver(1_000), true);
    assert.deepEqual(taken.posts, [{ at: 1_000, timeoutMs: 1_000 }]);
    assert.equal(taken.clock.now, 1_050);
  } finally {
    await spent.peer.stop();
    await taken.peer.stop();
  }
});

test('with no sender known, a stop returns at its deadline', async () => {
  const t = peerOnClock({ postMs: 600, answers: [] });
  try {
    assert.equal(await t.peer.handOver(500), false);
    assert.deepEqual(t.posts, []);
    assert.deepEqual(t.waits, [200, 200, 100]);
    assert.equal(t.clock.now, 1_500);
  } finally {
    await t.peer.stop();
  }
});

test('a stop waits for a sender until the gate finds the replica alone, then ends: nothing posted', async () => {
  const lone = peerOnClock({ postMs: 600, answers: [], alone: 1_500 });
  const drained = peerOnClock({ postMs: 600, answers: [], alone: 1_500 });
  try {
    assert.equal(await lone.peer.handOver(10_000), true);
    assert.deepEqual([lone.posts, lone.waits, lone.clock.now], [[], [200, 200, 200], 1_600]);
    // A drain that outlasted the takeover leaves nothing to wait for.
    const drain = async (ms: number) => ((drained.clock.now += Math.min(ms, 2_000)), true);
    assert.equal(await drainAndHandOver(drain, drained.peer, 10_000, () => drained.clock.now), true);
    assert.deepEqual([drained.posts, drained.waits, drained.clock.now], [[], [], 3_000]);
  } finally {
    await lone.peer.stop();
    await drained.peer.stop();
  }
});

test('a drain that spends the whole time leaves no handover POST', async () => {
  const t = peerOnClock({ url: 'http://b:9293/handoff', postMs: 600, answers: [] });
  try {
    const drain = async (ms: number) => {
      t.clock.now += ms;
      return true;
    };
    assert.equal(await drainAndHandOver(drain, t.peer, 3_000, () => t.clock.now), false);
    assert.deepEqual(t.posts, []);
    assert.equal(t.clock.now, 4_000);
  } finally {
    await t.peer.stop();
  }
});

test('a stop does not wait for a periodic handover the sender does not answer', async () => {
  const posted = Promise.withResolvers<void>();
  const dropped = Promise.withResolvers<void>();
  const server = createServer((req) => {
    req.on('close', () => dropped.resolve());
    posted.resolve(); // and never answers
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/handoff`;
  const peer = startRelayPeer({
    gate: { isSender: () => false, senderUrl: () => url },
    status: () => createDeliveryStatus({ announceEveryMs: 3_600_000 }),
    episodes: () => [open],
    setEpisodes: () => undefined,
    journaling: { isOpen: () => false, journal: async () => undefined },
    log,
    everyMs: 1,
    sendTimeoutMs: 3_600_000,
  });
  try {
    await posted.promise;
    await peer.stop();
    await dropped.promise;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
