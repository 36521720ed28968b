import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FakeSlack } from '../../test/servers/fake-slack.ts';
import { createCA, createServingCertificate } from '../certs/certificates.ts';
import type { SlackPayload } from './slack-message.ts';
import { createSlackSender, retryAfterMs } from './slack-sender.ts';
import type { SlackSender } from './slack-sender.ts';

const HOOK = '/services/T0SEND1/B0SEND1/sendersecretpart';
const payload: SlackPayload = { username: 'flux', text: 'hi', attachments: [] };
let slack: FakeSlack;
let url: string;
const sender = createSlackSender();
before(async () => {
  slack = new FakeSlack({ burst: 100, perSecond: 100, retryAfterSeconds: 7, botTokens: ['xoxb-good'] });
  url = await slack.start();
});
after(async () => {
  await sender.close();
  await slack.close();
});

test("classifies Slack's answers as documented, never quoting the URL or token", async () => {
  const cases: [string, Parameters<FakeSlack['fault']>[1], string | undefined, unknown][] = [
    [HOOK, 'none', undefined, { kind: 'ok' }],
    [HOOK, 'channel_not_found', undefined, { kind: 'permanent', reason: 'HTTP 404 channel_not_found' }],
    [HOOK, 'channel_is_archived', undefined, { kind: 'permanent', reason: 'HTTP 410 channel_is_archived' }],
    [HOOK, 'invalid_token', undefined, { kind: 'permanent', reason: 'HTTP 403 invalid_token' }],
    [HOOK, 'error-503', undefined, { kind: 'retry', reason: 'HTTP 503' }],
    ['/api/chat.postMessage', 'none', 'xoxb-good', { kind: 'ok', posted: { ts: '1800000001.000100', channel: 'C0' } }],
    ['/api/chat.postMessage', 'none', 'xoxb-bad', { kind: 'permanent', reason: 'invalid_auth' }],
    ['/api/chat.postMessage', 'channel_not_found', 'xoxb-good', { kind: 'permanent', reason: 'channel_not_found' }],
    ['/api/chat.postMessage', 'error-500', 'xoxb-good', { kind: 'retry', reason: 'HTTP 500' }],
  ];
  for (const [path, fault, token, expected] of cases) {
    slack.fault(path, fault);
    const r = await sender.send({ address: `${url}${path}`, ...(token ? { token } : {}) }, payload, 2_000);
    assert.deepEqual(r, expected, `${path} ${fault}`);
    assert.equal(JSON.stringify(r).includes('sendersecretpart') || JSON.stringify(r).includes('xoxb'), false);
  }
  slack.fault(HOOK, 'none');
  assert.equal(
    slack.received.find((m) => m.path === '/api/chat.postMessage')?.authorization,
    'Bearer xoxb-good',
    'the token travels as a Bearer token',
  );
});

test('a connection reset is worth retrying; so is a timeout', async () => {
  slack.fault('/services/T0SEND2/B0SEND2/x', 'reset');
  const r = await sender.send({ address: `${url}/services/T0SEND2/B0SEND2/x` }, payload, 2_000);
  assert.equal(r.kind, 'retry');
  assert.match((r as { reason: string }).reason, /^connection failed \(/);
  slack.fault('/services/T0SEND3/B0SEND3/x', 'hang');
  assert.deepEqual(await sender.send({ address: `${url}/services/T0SEND3/B0SEND3/x` }, payload, 200), {
    kind: 'retry',
    reason: 'no answer within 200 ms',
  });
});

test('429 pauses for Retry-After, in seconds or as an HTTP date', async () => {
  const s = new FakeSlack({ burst: 1, perSecond: 0.001, retryAfterSeconds: 7 });
  const u = await s.start();
  try {
    await sender.send({ address: `${u}${HOOK}` }, payload, 2_000);
    assert.deepEqual(await sender.send({ address: `${u}${HOOK}` }, payload, 2_000), {
      kind: 'rate-limited',
      retryAfterMs: 7000,
    });
  } finally {
    await s.close();
  }
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', Date.parse('2026-01-01T00:00:00Z')), 30_000);
  assert.equal(retryAfterMs(null, 0), 1000);
});

/** A server that holds each POST until the test answers it: `held[i]` is the i-th, `arrived[i]` resolves when it came. */
async function holdingServer(n: number) {
  const held: ServerResponse[] = [];
  const arrived = Array.from({ length: n }, () => Promise.withResolvers<void>());
  const server = createServer((req, res) => {
    req.resume();
    held.push(res);
    arrived[held.length - 1]?.resolve();
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    held,
    arrived: arrived.map((a) => a.promise),
    at: `http://127.0.0.1:${(server.address() as AddressInfo).port}${HOOK}`,
    connections: () => connections,
    server,
    close: async (sender: SlackSender) => {
      await sender.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test("a POST's timeout starts when it has a connection, not while it waits for one", async () => {
  const h = await holdingServer(3);
  const timeouts: number[] = [];
  const sender = createSlackSender({
    connections: 2,
    timeoutSignal: (ms) => {
      timeouts.push(ms);
      return new AbortController().signal;
    },
    // The third's wait for a connection never runs out here (a real 300 ms one did under load, and
    // then it never arrived): what this pins is when the POST's own timeout starts.
    waitSignal: () => new AbortController().signal,
  });
  try {
    const sent = [1, 2, 3].map(() => sender.send({ address: h.at }, payload, 300));
    await Promise.all([h.arrived[0], h.arrived[1]]);
    assert.deepEqual(timeouts, [300, 300]); // the third waits for a connection, its timeout not started
    h.held[0]!.end('ok');
    await h.arrived[2];
    assert.deepEqual(timeouts, [300, 300, 300]);
    h.held[1]!.end('ok');
    h.held[2]!.end('ok');
    assert.deepEqual(await Promise.all(sent), [{ kind: 'ok' }, { kind: 'ok' }, { kind: 'ok' }]);
  } finally {
    await h.close(sender);
  }
});

test('more POSTs at once than the connections allowed to an origin wait for one, on the same sockets', async () => {
  const h = await holdingServer(3);
  const two = createSlackSender({ connections: 2 });
  try {
    const sent = [1, 2, 3].map(() => two.send({ address: h.at }, payload, 60_000));
    await Promise.all([h.arrived[0], h.arrived[1]]);
    h.held[0]!.end('ok');
    h.held[1]!.end('ok');
    await h.arrived[2];
    h.held[2]!.end('ok');
    assert.deepEqual(await Promise.all(sent), [{ kind: 'ok' }, { kind: 'ok' }, { kind: 'ok' }]);
    assert.equal(h.connections(), 2);
  } finally {
    await h.close(two);
  }
});

test('a send that waits a whole timeout for a connection is a retry that sent nothing, and loses no slot', async () => {
  const h = await holdingServer(2);
  const waits: { ms: number; end: AbortController }[] = [];
  const one = createSlackSender({
    connections: 1,
    waitSignal: (ms) => {
      const end = new AbortController();
      waits.push({ ms, end });
      return end.signal;
    },
  });
  try {
    const first = one.send({ address: h.at }, payload, 300);
    await h.arrived[0];
    const second = one.send({ address: h.at }, payload, 300);
    await Promise.resolve();
    assert.deepEqual(
      waits.map((w) => w.ms),
      [300],
      'only the send that waits starts a wait timer, of its own timeout',
    );
    waits[0]!.end.abort();
    assert.deepEqual(await second, { kind: 'retry', reason: 'no connection free within 300 ms (all 1 in use)' });
    assert.equal(h.held.length, 1, 'the send that gave up never reached Slack');
    h.held[0]!.end('ok');
    assert.deepEqual(await first, { kind: 'ok' });
    // The slot came back: the next send goes out without waiting, on the same connection.
    const third = one.send({ address: h.at }, payload, 300);
    await h.arrived[1];
    h.held[1]!.end('ok');
    assert.deepEqual(await third, { kind: 'ok' });
    assert.equal(waits.length, 1);
    assert.equal(h.connections(), 1);
  } finally {
    await h.close(one);
  }
});

test('over TLS, a server signed by the CA the sender is given is trusted, and one it was not given is a retry', async () => {
  const now = new Date();
  const ca = await createCA({ now, validityDays: 1 });
  const leaf = await createServingCertificate({ ca, now, validityDays: 1, hosts: ['127.0.0.1'] });
  const server = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const to = { address: `https://127.0.0.1:${(server.address() as AddressInfo).port}${HOOK}` };
  const trusting = createSlackSender({ ca: ca.certPem });
  const plain = createSlackSender();
  try {
    assert.deepEqual(await trusting.send(to, payload, 2_000), { kind: 'ok' });
    assert.deepEqual(await plain.send(to, payload, 2_000), {
      kind: 'retry',
      reason: 'connection failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    });
  } finally {
    await trusting.close();
    await plain.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('close lets a POST under way finish (a POST cut off may have reached Slack), then closes its connection', async () => {
  const h = await holdingServer(1);
  const sockets: Socket[] = [];
  h.server.on('connection', (s: Socket) => sockets.push(s));
  const one = createSlackSender();
  const sent = one.send({ address: h.at }, payload, 60_000);
  await h.arrived[0];
  let closed = false;
  const closing = one.close().then(() => (closed = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(closed, false, 'close waits for the POST under way');
  const socketClosed = new Promise((r) => sockets[0]!.once('close', r));
  h.held[0]!.end('ok');
  assert.deepEqual(await sent, { kind: 'ok' });
  await closing;
  await socketClosed;
  assert.equal(closed, true);
  await h.close(one);
});

test('once close begins nothing new is posted: a send waiting for a connection, or made later, is a retry that sent nothing', async () => {
  const h = await holdingServer(2);
  const one = createSlackSender({ connections: 1 });
  const first = one.send({ address: h.at }, payload, 60_000);
  await h.arrived[0];
  const waiting = one.send({ address: h.at }, payload, 60_000);
  const closing = one.close();
  const late = one.send({ address: h.at }, payload, 60_000);
  const closingRetry = { kind: 'retry', reason: 'the Slack sender is closing' };
  assert.deepEqual(await waiting, closingRetry);
  assert.deepEqual(await late, closingRetry);
  h.held[0]!.end('ok');
  assert.deepEqual(await first, { kind: 'ok' });
  await closing;
  assert.deepEqual(await one.send({ address: h.at }, payload, 60_000), closingRetry);
  assert.equal(h.held.length, 1, 'only the POST under way reached the server');
  assert.equal(h.connections(), 1);
  await h.close(one);
});
