/**
 * Slow, stalled and numerous clients against both servers, with the timeouts shortened to 2 s for
 * headers and 4 s for a whole request (the defaults are 10 s and 30 s): each is cut off at its
 * timeout (never before, as measured from when it started), while a good client is served
 * meanwhile, which is judged by what completes first, not by how fast.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SERVER_LIMITS } from '../../src/http/server-limits.ts';
import type { ServerLimits } from '../../src/http/server-limits.ts';
import { get, review } from '../support/apiserver-client.ts';
import { eventually } from '../support/live-cluster.ts';
import { alert, slackProvider } from '../support/objects.ts';
import { dribbleHeaders, rawClient, stalledUpload } from '../support/raw-client.ts';
import type { StubbedRelayServer } from '../support/relay-handler-server.ts';
import { startStubbedRelayServer } from '../support/relay-handler-server.ts';
import type { TestWebhook } from '../support/webhook-server.ts';
import { startTestWebhook } from '../support/webhook-server.ts';

const LIMITS: ServerLimits = {
  ...DEFAULT_SERVER_LIMITS,
  handshakeTimeoutMs: 2_000,
  headersTimeoutMs: 2_000,
  requestTimeoutMs: 4_000,
  maxConnections: 40,
  maxInflightBodyBytes: 1024 * 1024,
  smallBodyBytes: 64 * 1024,
};

const SPEC = { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] };
const goodReview = { operation: 'CREATE' as const, object: alert('apps', 'fine', SPEC), uid: 'good' };

describe('webhook', () => {
  let w: TestWebhook;
  before(async () => {
    w = await startTestWebhook({ cluster: [slackProvider('apps')], limits: LIMITS });
  });
  after(() => w.close());

  test('a client dribbling its headers gets 408 at the headers timeout; a review is answered meanwhile', async () => {
    const slow = await rawClient(w.port, w.caPem);
    const started = performance.now();
    void dribbleHeaders(slow, 100);
    let served = false;
    const good = review(w.port, w.caPem, 'validate', goodReview).then((r) => {
      served = !slow.isClosed();
      return r;
    });
    assert.deepEqual(await good, { uid: 'good', allowed: true });
    await slow.closed;
    assert.equal(served, true, 'the review was answered before the slow client was cut off');
    assert.ok(performance.now() - started >= LIMITS.headersTimeoutMs - 50, 'not cut off before its timeout');
    assert.match(slow.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  test('a connection that never starts its TLS handshake is dropped at the handshake timeout', async () => {
    const silent = await rawClient(w.port);
    const started = performance.now();
    await silent.closed;
    assert.ok(performance.now() - started >= LIMITS.handshakeTimeoutMs - 50, 'not dropped before its timeout');
    assert.equal(silent.received(), '');
  });

  test('an upload stalled halfway gets 408 at the request timeout; healthz is answered meanwhile', async () => {
    const slow = await rawClient(w.port, w.caPem);
    const started = performance.now();
    stalledUpload(slow, '/validate', 600_000, 300_000);
    const health = await get(w.port, w.caPem, '/healthz');
    assert.equal(slow.isClosed(), false);
    assert.deepEqual({ status: health.status, body: health.body }, { status: 200, body: '{"status":"ok"}' });
    await slow.closed;
    assert.ok(performance.now() - started >= LIMITS.requestTimeoutMs - 50, 'not cut off before its timeout');
    assert.match(slow.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  test('uploads past the in-flight budget get 503 at once; small reviews are still served; the budget frees on close', async () => {
    const first = await rawClient(w.port, w.caPem);
    stalledUpload(first, '/validate', 700_000, 1_000);
    // The first is admitted once its headers are read: wait for that by seeing the second refused.
    let refused = '';
    for (let i = 0; i < 100 && !refused.startsWith('HTTP/1.1 503'); i++) {
      const second = await rawClient(w.port, w.caPem);
      stalledUpload(second, '/validate', 700_000, 0);
      refused = await second.waitFor(/^HTTP\/1\.1 \d{3} [^]*"code":\d{3}\}$/).catch((e: Error) => e.message);
      second.socket.destroy();
    }
    assert.match(refused, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(refused, /\r\nretry-after: 1\r\n/i);
    assert.ok(
      refused.endsWith(
        '{"metadata":{},"status":"Failure","message":"the webhook is already receiving 700000 bytes of request bodies, and 700000 more would pass its limit of 1048576; retry shortly","reason":"ServiceUnavailable","code":503}',
      ),
    );
    assert.deepEqual(await review(w.port, w.caPem, 'validate', goodReview), { uid: 'good', allowed: true });
    first.socket.destroy();
    await first.closed;
    const big = {
      operation: 'CREATE' as const,
      object: alert('apps', 'big', { ...SPEC, pad: 'x'.repeat(700_000) }),
      uid: 'big',
    };
    let answer: unknown;
    await eventually(
      'the budget freed',
      async () =>
        typeof (answer = await review(w.port, w.caPem, 'validate', big).catch((e: Error) => e.message)) === 'object',
    );
    assert.deepEqual(answer, { uid: 'big', allowed: true });
  });

  test('connections beyond the cap are refused; below it they are served again', async () => {
    const idle = await Promise.all(
      Array.from({ length: LIMITS.maxConnections }, () => rawClient(w.port, w.caPem).catch(() => undefined)),
    );
    const refused = await rawClient(w.port, w.caPem).then(
      async (c) => {
        c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        await c.closed;
        return c.received();
      },
      (e: Error) => e.message,
    );
    assert.doesNotMatch(refused, /^HTTP\/1\.1 200/);
    for (const c of idle) c?.socket.destroy();
    await Promise.all(idle.map((c) => c?.closed));
    // The server counts a connection gone once it has seen it close: poll until it has.
    await eventually(
      'served again below the cap',
      async () =>
        (await get(w.port, w.caPem, '/healthz').then(
          (r) => r.status,
          () => 0,
        )) === 200,
    );
  });
});

describe('relay', () => {
  let s: StubbedRelayServer;
  before(async () => {
    s = await startStubbedRelayServer(LIMITS);
  });
  after(() => s.close());

  test('a client dribbling its headers, and an upload stalled halfway, get 408 at their timeouts', async () => {
    const dribbling = await rawClient(s.port);
    const stalled = await rawClient(s.port);
    const started = performance.now();
    void dribbleHeaders(dribbling, 100);
    stalledUpload(stalled, '/', 600_000, 300_000);
    await dribbling.closed;
    assert.ok(performance.now() - started >= LIMITS.headersTimeoutMs - 50);
    assert.equal(stalled.isClosed(), false, 'the stalled upload has until the request timeout');
    await stalled.closed;
    assert.ok(performance.now() - started >= LIMITS.requestTimeoutMs - 50);
    assert.match(dribbling.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(stalled.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.deepEqual(s.accepted, []);
  });
});
