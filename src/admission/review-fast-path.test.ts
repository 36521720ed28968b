/**
 * The review fast path: which requests it takes, and that it answers each body exactly as the
 * express app does (status, content type and JSON body), the express path reached through
 * `/validate/` (express matches a trailing slash; the fast path takes exact paths only).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createAdmissionApp, MAX_BODY_BYTES } from './app.ts';
import { createAdmissionHandler } from './handler.ts';
import { fastPathWebhook } from './review-fast-path.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import { createEngine } from '../policy/engine.ts';
import { resolvePolicy } from '../policy/policy.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import { createLogger } from '../observability/logger.ts';
import { createAdmissionMetrics } from '../observability/metrics.ts';

const incoming = (method: string, url: string, headers: Record<string, string>) =>
  ({ method, url, headers }) as unknown as IncomingMessage;

describe('fastPathWebhook: the requests the fast path takes', () => {
  const json = { 'content-length': '2', 'content-type': 'application/json' };
  const cases: [string, IncomingMessage, string | undefined][] = [
    ['POST /validate', incoming('POST', '/validate', json), 'validate'],
    ['POST /mutate?timeout=10s', incoming('POST', '/mutate?timeout=10s', json), 'mutate'],
    ['chunked', incoming('POST', '/validate', { 'transfer-encoding': 'chunked' }), 'validate'],
    [
      'charset=UTF-8',
      incoming('POST', '/validate', { ...json, 'content-type': 'application/json; charset=UTF-8' }),
      'validate',
    ],
    ['identity encoding', incoming('POST', '/validate', { ...json, 'content-encoding': 'Identity' }), 'validate'],
    ['GET', incoming('GET', '/validate', json), undefined],
    ['another path', incoming('POST', '/validate/', json), undefined],
    ['gzip', incoming('POST', '/validate', { ...json, 'content-encoding': 'gzip' }), undefined],
    [
      'charset=utf-16',
      incoming('POST', '/validate', { ...json, 'content-type': 'application/json; charset=utf-16' }),
      undefined,
    ],
    [
      'charset=utf8',
      incoming('POST', '/validate', { ...json, 'content-type': 'application/json; charset=utf8' }),
      undefined,
    ],
    ['no body declared', incoming('POST', '/validate', {}), undefined],
    [
      'declared over the limit',
      incoming('POST', '/validate', { 'content-length': String(MAX_BODY_BYTES + 1) }),
      undefined,
    ],
  ];
  for (const [name, req, want] of cases)
    test(name, () => {
      assert.equal(fastPathWebhook(req, MAX_BODY_BYTES), want);
    });
});

function deps() {
  const policy = resolvePolicy(ALL_RULES, {});
  const metrics = createAdmissionMetrics({ processMetrics: false });
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const cluster = staticClusterView([]);
  const handler = createAdmissionHandler({ engine: createEngine(ALL_RULES, policy), cluster, policy, metrics, logger });
  return { handler, metrics, logger, notReadyReason: () => undefined };
}

interface Reply {
  status: number;
  type: string | undefined;
  body: unknown;
}

function post(port: number, path: string, body: Buffer, headers: OutgoingHttpHeaders): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          type: res.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const REVIEW = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'fp-1',
    kind: { group: 'notification.toolkit.fluxcd.io', version: 'v1beta3', kind: 'Alert' },
    name: 'a',
    namespace: 'apps',
    operation: 'CREATE',
    object: {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: { name: 'a', namespace: 'apps' },
      spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
    },
  },
};

describe('the fast path answers as the express app does', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer(createAdmissionApp(deps()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const bodies: [string, Buffer, OutgoingHttpHeaders, number][] = [
    ['a review (denied: the Provider is missing)', Buffer.from(JSON.stringify(REVIEW)), {}, 200],
    ['a review after a UTF-8 byte order mark', Buffer.from(`\ufeff${JSON.stringify(REVIEW)}`), {}, 200],
    ['an empty body', Buffer.alloc(0), {}, 400],
    ['not JSON', Buffer.from('{"apiVersion":'), {}, 400],
    ['JSON that is not a review', Buffer.from('[1,2]'), {}, 400],
    ['too many containers', Buffer.from(`[${'[],'.repeat(100_001)}[]]`), {}, 400],
    ['a chunked body over the limit', Buffer.alloc(MAX_BODY_BYTES + 1, 0x20), { 'transfer-encoding': 'chunked' }, 413],
  ];
  for (const [name, body, headers, status] of bodies)
    test(name, async () => {
      const fast = await post(port, '/validate?timeout=10s', body, headers);
      const slow = await post(port, '/validate/', body, headers);
      assert.equal(fast.status, status);
      assert.equal(fast.type, 'application/json; charset=utf-8');
      assert.deepEqual(fast, slow);
    });

  test('a denial carries the uid and the 422 Status the express path gives', async () => {
    const fast = await post(port, '/validate', Buffer.from(JSON.stringify(REVIEW)), {});
    const response = (fast.body as { response: { uid: string; allowed: boolean; status: { code: number } } }).response;
    assert.deepEqual([response.uid, response.allowed, response.status.code], ['fp-1', false, 422]);
  });
});
