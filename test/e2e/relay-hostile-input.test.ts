/**
 * The relay's event API under malformed input: a body that cannot be read is the client's
 * fault (400), never a 500, and nothing reaches the relay.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { StubbedRelayServer } from '../support/relay-handler-server.ts';
import { startStubbedRelayServer } from '../support/relay-handler-server.ts';

let s: StubbedRelayServer;
before(async () => {
  s = await startStubbedRelayServer();
});
after(() => s.close());

function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: s.port,
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('a gzip, deflate or br event body that does not decode gets 400, not 500', async () => {
  for (const encoding of ['gzip', 'deflate', 'br']) {
    const r = await post(Buffer.from('this is not compressed at all'), { 'content-encoding': encoding });
    assert.equal(r.status, 400, encoding);
    assert.match(
      JSON.parse(r.body).message,
      /^request body cannot be read \((Z_DATA_ERROR|ERR_\w+)\); send uncompressed UTF-8 JSON, or a valid gzip, deflate or br stream$/,
      encoding,
    );
  }
  assert.deepEqual(s.accepted, []);
  assert.deepEqual(
    s.logs.filter((l) => JSON.parse(l).level >= 50),
    [],
  );
});

test('a health probe is answered while half of a 3 MiB event has arrived', async () => {
  const body = Buffer.from(
    JSON.stringify({
      involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
      severity: 'info',
      message: 'm'.repeat(3_000_000),
      reason: 'r',
      reportingController: 'kc',
    }),
  );
  let eventDone = false;
  let secondHalf = () => undefined as unknown;
  const sent = new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: s.port,
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          eventDone = true;
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    // The first half now; the rest only once the probe has been answered.
    req.write(body.subarray(0, body.length >> 1));
    secondHalf = () => req.end(body.subarray(body.length >> 1));
  });
  const probe = await new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port: s.port, path: '/healthz' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
  assert.equal(probe, 200);
  assert.equal(eventDone, false);
  secondHalf();
  assert.equal(await sent, 202);
});

test('an event body of more than 100,000 objects and arrays gets 400 before it is parsed, plain or gzipped', async () => {
  const body = JSON.stringify({
    involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
    severity: 'info',
    message: 'm',
    reason: 'r',
    reportingController: 'kc',
    extra: [[]],
  }).replace('[[]]', `[${'[],'.repeat(100_000)}[]]`);
  const expected = {
    metadata: {},
    status: 'Failure',
    message: 'request body holds more than 100000 JSON objects and arrays; no review or event comes near that',
    reason: 'BadRequest',
    code: 400,
  };
  for (const [sent, headers] of [
    [body, {}],
    [gzipSync(body), { 'content-encoding': 'gzip' }],
  ] as const) {
    const r = await post(sent, headers);
    assert.deepEqual({ status: r.status, body: JSON.parse(r.body) }, { status: 400, body: expected });
  }
});
