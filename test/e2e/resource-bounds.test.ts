/**
 * Hostile input cannot bloat or freeze the webhook: memory after many costly reviews and stalled
 * uploads stays within a bound of memory before (heap after a full GC), and a health probe is
 * answered while a large review is still arriving. Responsiveness is judged by what completes
 * first, not by how fast: a machine shared by parallel test runs is slow in unpredictable ways.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_SERVER_LIMITS } from '../../src/http/server-limits.ts';
import { buildReview, get, post, SERVICE_HOST } from '../support/apiserver-client.ts';
import { alert, slackProvider } from '../support/objects.ts';
import { rawClient, stalledUpload } from '../support/raw-client.ts';
import type { TestWebhook } from '../support/webhook-server.ts';
import { startTestWebhook } from '../support/webhook-server.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const MiB = 1024 * 1024;

let w: TestWebhook;
before(async () => {
  w = await startTestWebhook({
    cluster: [slackProvider('apps')],
    limits: { ...DEFAULT_SERVER_LIMITS, requestTimeoutMs: 1_000, headersTimeoutMs: 1_000 },
  });
});
after(() => w.close());

const spec = (inclusionList: string[]) => ({
  providerRef: { name: 'slack' },
  eventSources: [{ kind: 'Kustomization', name: '*' }],
  inclusionList,
});

test('30 reviews with 20 distinct costly patterns each (dry-run too) leave the heap within 32 MiB of before', async () => {
  await post(
    w.port,
    w.caPem,
    '/validate',
    JSON.stringify(buildReview({ operation: 'CREATE', object: alert('apps', 'warm', spec(['warm-up'])) })),
  );
  const before = heapAfterGc();
  for (let r = 0; r < 30; r++) {
    // 20 x \pL{1000}: within one object's budget of repeats (20,000 instructions) and Unicode classes (32).
    const patterns = Array.from({ length: 20 }, (_, i) => `\\pL{1000}${r}-${i}`);
    const answer = await post(
      w.port,
      w.caPem,
      '/validate',
      JSON.stringify(
        buildReview({ operation: 'CREATE', object: alert('apps', `a${r}`, spec(patterns)), dryRun: r % 2 === 0 }),
      ),
    );
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).response.allowed, true);
  }
  const grown = heapAfterGc() - before;
  // 600 programs of ~85 KB each: ~50 MB if kept (as the memo bounded by count kept them); the memo holds at most 16 MiB by
  // a conservative estimate (about 8 MiB in fact). Few enough compiles not to starve tests running alongside.
  assert.ok(grown < 32 * MiB, `heap grew ${(grown / MiB).toFixed(1)} MiB`);
});

test('20 uploads stalled at 2 of 3 MB are cut off, and their memory is released', async () => {
  const before = heapAfterGc();
  const clients = await Promise.all(Array.from({ length: 20 }, () => rawClient(w.port, w.caPem)));
  for (const c of clients) stalledUpload(c, '/validate', 3_000_000, 2_000_000);
  await Promise.all(clients.map((c) => c.closed));
  const answers = clients.map((c) => c.received().split('\r\n')[0]);
  // The first ones fit the in-flight budget (32 MiB) and wait for the request timeout; the rest are refused at once.
  for (const a of answers) assert.match(a!, /^HTTP\/1\.1 (408 Request Timeout|503 Service Unavailable)$/);
  const grown = heapAfterGc() - before;
  assert.ok(grown < 16 * MiB, `heap grew ${(grown / MiB).toFixed(1)} MiB`);
});

test('a health probe is answered while half of a 6 MiB UPDATE review has arrived', async () => {
  const pad = 'x'.repeat(3 * MiB);
  const body = Buffer.from(
    JSON.stringify(
      buildReview({
        operation: 'UPDATE',
        object: alert('apps', 'big', { ...spec([]), pad }),
        oldObject: alert('apps', 'big', { ...spec([]), pad }),
        uid: 'big',
      }),
    ),
  );
  let reviewDone = false;
  let secondHalf = () => undefined as unknown;
  const review = new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: w.port,
        path: '/validate',
        method: 'POST',
        ca: w.caPem,
        servername: SERVICE_HOST,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          reviewDone = true;
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    // Sent in 64 KiB pieces, the next only once the previous has been handed to the socket.
    // The first half now; the rest only once the probe has been answered.
    req.write(body.subarray(0, body.length >> 1));
    secondHalf = () => req.end(body.subarray(body.length >> 1));
  });
  const probe = await get(w.port, w.caPem, '/healthz');
  assert.equal(probe.status, 200);
  assert.equal(reviewDone, false);
  secondHalf();
  assert.equal(await review, 200);
});
