import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { KubeApi } from '../cluster/kube-api.ts';
import { CLIENT_GO_TIMING } from '../cluster/leader-election.ts';
import { createLogger } from '../observability/logger.ts';
import { holderPeerUrl, startSenderElection, takeoverMs } from './relay-sender-election.ts';

const URL_TEMPLATE = 'http://{identity}.notify-guard:9293/handoff';

test('a Lease holder names the sender only as a pod name, or 127.0.0.1:<port> on one host', () => {
  const cases: [string, string | undefined][] = [
    ['notify-guard-relay-1', 'http://notify-guard-relay-1.notify-guard:9293/handoff'],
    ['a', 'http://a.notify-guard:9293/handoff'],
    ['x'.repeat(63), `http://${'x'.repeat(63)}.notify-guard:9293/handoff`],
    ['127.0.0.1:9293', 'http://127.0.0.1:9293.notify-guard:9293/handoff'],
    ['x'.repeat(64), undefined],
    ['evil.example/x?', undefined],
    ['evil.example', undefined],
    ['Relay-1', undefined],
    ['-relay', undefined],
    ['relay-', undefined],
    ['user@evil', undefined],
    ['10.0.0.1:9293', undefined],
    ['127.0.0.1:65536', undefined],
    ['127.0.0.1:0', undefined],
    ['127.0.0.1', undefined],
    ['relay-1\n', undefined],
    ['', undefined],
  ];
  for (const [holder, want] of cases) assert.equal(holderPeerUrl(URL_TEMPLATE, holder), want, JSON.stringify(holder));
  assert.equal(holderPeerUrl('http://{identity}/handoff', '127.0.0.1:40123'), 'http://127.0.0.1:40123/handoff');
});

test('a Lease held by an identity that is not a pod name leaves the sender unknown, with one warning', async () => {
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
  const holder = 'evil.example/x?';
  const read = Promise.withResolvers<void>();
  const api = {
    request: async (method: string) => {
      read.resolve();
      if (method !== 'GET') return { status: 500, body: {} };
      return {
        status: 200,
        body: { metadata: { name: 'l' }, spec: { holderIdentity: holder, leaseDurationSeconds: 15 } },
      };
    },
  } as unknown as KubeApi;
  const election = startSenderElection(
    api,
    {
      ...{ leaseName: 'l', namespace: 'ns', identity: 'relay-0', timing: CLIENT_GO_TIMING },
      ...{ peerUrl: 'http://{identity}.notify-guard:9293/handoff', peerHost: '127.0.0.1', peerPort: 0 },
    },
    logger,
    new Registry(),
  );
  try {
    await read.promise;
    await new Promise((r) => setImmediate(r)); // the read's answer is taken within this turn
    assert.equal(election.gate.senderUrl(), undefined);
    assert.equal(election.gate.senderUrl(), undefined);
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; holder?: string }).filter((l) => l.holder);
    assert.deepEqual(
      warnings.map((w) => [w.msg, w.holder]),
      [['the sender Lease holder is not a pod name; sender unknown', '"evil.example/x?"']],
    );
  } finally {
    await election.stop();
  }
});

/** An election on `clock` over a Lease that `holder` holds (none: undefined), once its first read is answered. */
async function electionOverLease(holder: string | undefined, clock: { now: number }) {
  const read = Promise.withResolvers<void>();
  const api = {
    request: async (method: string) => {
      read.resolve();
      if (method !== 'GET') return { status: 409, body: {} };
      const spec = holder ? { holderIdentity: holder, leaseDurationSeconds: 15 } : {};
      return { status: 200, body: { metadata: { name: 'l', resourceVersion: '1' }, spec } };
    },
  } as unknown as KubeApi;
  const election = startSenderElection(
    api,
    {
      ...{ leaseName: 'l', namespace: 'ns', identity: 'relay-0', timing: CLIENT_GO_TIMING },
      ...{ peerUrl: URL_TEMPLATE, peerHost: '127.0.0.1', peerPort: 0 },
    },
    createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
    new Registry(),
    () => clock.now,
  );
  await read.promise;
  await new Promise((r) => setImmediate(r)); // the read's answer is taken within this turn
  return election;
}

test('a replica is alone once a takeover (6.4 s) has passed since it gave the Lease up, unless another held the Lease or called it', async () => {
  const clock = { now: 1_000_000 };
  const other = await electionOverLease('relay-1', clock);
  const lone = await electionOverLease(undefined, clock);
  const called = await electionOverLease(undefined, clock);
  const all = [other, lone, called];
  const alone = () => all.map((e) => e.gate.alone?.());
  try {
    assert.equal(takeoverMs(CLIENT_GO_TIMING), 6_400);
    clock.now += 60_000;
    assert.deepEqual(alone(), [false, false, false], 'not before the Lease is given up');
    await Promise.all(all.map((e) => e.stop()));
    await new Promise((r) => setImmediate(r)); // the holder's first read after the stop is answered
    called.sawPeer();
    clock.now += 6_399;
    assert.deepEqual(alone(), [false, false, false]);
    clock.now += 1;
    assert.deepEqual(alone(), [false, true, false]);
  } finally {
    await Promise.all(all.map((e) => e.stop()));
  }
});
