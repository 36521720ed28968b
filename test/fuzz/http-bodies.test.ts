/**
 * Property, over the wire: whatever bytes a client posts, with whatever Content-Type and
 * Content-Encoding, both servers answer with JSON and a status other than 500: the webhook 200
 * (an AdmissionReview), 400, 413 or 415; the relay 202, 400, 413, 415 or 429. Bodies are valid
 * JSON, broken JSON, or random bytes, each sent plain or compressed (gzip, deflate, br: valid,
 * truncated or corrupted), so that body-parser's and zlib's errors are all reached. Fewer cases
 * than the in-process properties: each is an HTTP request.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { post } from '../support/apiserver-client.ts';
import type { StubbedRelayServer } from '../support/relay-handler-server.ts';
import { startStubbedRelayServer } from '../support/relay-handler-server.ts';
import type { TestWebhook } from '../support/webhook-server.ts';
import { startTestWebhook } from '../support/webhook-server.ts';
import { anyEventBody, anyReviewBody } from './arbitraries.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

/** 300 requests per server in `npm test`; a tenth of FUZZ_RUNS with `npm run fuzz` (10,000). */
const RUNS = Math.max(300, Math.floor(fuzzRuns(300) / 10));

const ENCODERS: Record<string, (b: Buffer) => Buffer> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};

/** A body as bytes, maybe compressed (and maybe damaged), with the headers that go with it. */
const wire = (json: fc.Arbitrary<unknown>) =>
  fc
    .record({
      text: fc.oneof(
        json.map((v) => JSON.stringify(v) ?? 'null'),
        json.map((v) => (JSON.stringify(v) ?? '').slice(0, -1)),
        fc.string({ maxLength: 50 }),
      ),
      encoding: fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'compress', 'GZIP', ''),
      damage: fc.constantFrom('none', 'truncate', 'flip'),
      contentType: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        'text/plain',
        '',
      ),
    })
    .map(({ text, encoding, damage, contentType }) => {
      let body = Buffer.from(text, 'utf8');
      const encode = ENCODERS[encoding.toLowerCase()];
      if (encode) body = Buffer.from(encode(body));
      if (damage === 'truncate') body = body.subarray(0, Math.floor(body.length / 2));
      if (damage === 'flip' && body.length > 2) {
        body = Buffer.from(body);
        body[Math.floor(body.length / 2)]! ^= 0xff;
      }
      const headers: Record<string, string> = {
        ...(encoding === '' ? {} : { 'content-encoding': encoding }),
        ...(contentType === '' ? {} : { 'content-type': contentType }),
      };
      return { body, headers };
    });

function postPlain(
  port: number,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

let w: TestWebhook;
let relay: StubbedRelayServer;
before(async () => {
  w = await startTestWebhook();
  relay = await startStubbedRelayServer();
});
after(async () => {
  await w.close();
  await relay.close();
});

test('the webhook answers any posted bytes with JSON and 200, 400, 413 or 415, never 500', async (t) => {
  const seed = fuzzSeed(t);
  await fc.assert(
    fc.asyncProperty(wire(anyReviewBody), fc.constantFrom('/validate', '/mutate'), async ({ body, headers }, path) => {
      const r = await post(w.port, w.caPem, path, body, undefined, headers);
      assert.ok([200, 400, 413, 415].includes(r.status), `${r.status} ${r.body}`);
      assert.match(r.contentType, /^application\/json/);
      JSON.parse(r.body);
    }),
    { numRuns: RUNS, seed },
  );
  assert.deepEqual(
    w.logs.filter((l) => JSON.parse(l).level >= 50),
    [],
  );
});

test('the relay answers any posted bytes with JSON and 202, 400, 413, 415 or 429, never 500', async (t) => {
  const seed = fuzzSeed(t);
  await fc.assert(
    fc.asyncProperty(wire(anyEventBody), async ({ body, headers }) => {
      const r = await postPlain(relay.port, body, headers);
      assert.ok([202, 400, 413, 415, 429].includes(r.status), `${r.status} ${r.body}`);
      assert.match(r.contentType, /^application\/json/);
      JSON.parse(r.body);
    }),
    { numRuns: RUNS, seed },
  );
  assert.deepEqual(
    relay.logs.filter((l) => JSON.parse(l).level >= 50),
    [],
  );
});
