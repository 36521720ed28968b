import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, createServingCertificate } from '../certs/certificates.ts';
import { createNodeKubeApi, TOKEN_FILE_REFRESH_MS } from './node-kube-api.ts';
import { openKubeApi } from './kube-credentials.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

test('a request sends the query, Accept, the body as JSON and the token read from its file, re-read once the refresh interval has passed', async () => {
  const seen: { url: string; accept: string; auth: string; type: string; body: string }[] = [];
  const s = await serve((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        url: req.url!,
        accept: req.headers.accept!,
        auth: req.headers.authorization ?? '',
        type: req.headers['content-type'] ?? '',
        body,
      });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"kind":"Lease"}');
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'node-kube-api-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'first\n');
  let now = 1_000;
  try {
    const api = createNodeKubeApi({ server: s.url + '/', skipTLSVerify: false, tokenFile }, () => now);
    assert.deepEqual(
      await api.request('POST', '/apis/x/v1/leases', {
        query: { fieldSelector: 'a=b' },
        body: { a: 1 },
        accept: 'application/yaml',
      }),
      { status: 201, body: { kind: 'Lease' } },
    );
    writeFileSync(tokenFile, 'second\n');
    now += TOKEN_FILE_REFRESH_MS;
    await api.request('GET', '/api/v1/secrets');
    now += 1;
    await api.request('GET', '/api/v1/secrets');
    assert.deepEqual(seen, [
      {
        url: '/apis/x/v1/leases?fieldSelector=a%3Db',
        accept: 'application/yaml',
        auth: 'Bearer first',
        type: 'application/json',
        body: '{"a":1}',
      },
      { url: '/api/v1/secrets', accept: 'application/json', auth: 'Bearer first', type: '', body: '' },
      { url: '/api/v1/secrets', accept: 'application/json', auth: 'Bearer second', type: '', body: '' },
    ]);
  } finally {
    await s.close();
  }
});

test('a request answered with text keeps the text; one not answered in time rejects with a TimeoutError', async () => {
  const s = await serve((req, res) => {
    if (req.url === '/text') res.writeHead(500).end('boom');
  });
  try {
    const api = createNodeKubeApi({ server: s.url, skipTLSVerify: false, token: 't' });
    assert.deepEqual(await api.request('GET', '/text'), { status: 500, body: 'boom' });
    await assert.rejects(api.request('GET', '/never', { timeoutMs: 50 }), { name: 'TimeoutError' });
  } finally {
    await s.close();
  }
});

test('a watch delivers each JSON line as an event, skips lines that do not parse, and ends with null when the server closes', async () => {
  const s = await serve((req, res) => {
    assert.equal(req.url, '/api/v1/secrets?resourceVersion=5&watch=true');
    res.writeHead(200);
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\nnot json\n{"type":"DELE');
    res.end('TED","object":{"metadata":{"name":"a"}}}\n');
  });
  try {
    const api = createNodeKubeApi({ server: s.url, skipTLSVerify: false });
    const events: string[] = [];
    const done = await new Promise<unknown>((resolve) => {
      void api.watch(
        '/api/v1/secrets',
        { resourceVersion: '5' },
        { onEvent: (type, o) => events.push(`${type} ${(o['metadata'] as { name: string }).name}`), onDone: resolve },
      );
    });
    assert.deepEqual([events, done], [['ADDED a', 'DELETED a'], null]);
  } finally {
    await s.close();
  }
});

test('a watch answered 410 ends with statusCode 410; a silent one ends with a TimeoutError', async () => {
  const s = await serve((req, res) => {
    if (req.url!.startsWith('/gone')) res.writeHead(410).end('{}');
    else res.writeHead(200).write('\n');
  });
  try {
    const api = createNodeKubeApi({ server: s.url, skipTLSVerify: false });
    const ended = (path: string) =>
      new Promise<unknown>(
        (resolve) => void api.watch(path, {}, { onEvent: () => undefined, onDone: resolve }, { inactivityMs: 100 }),
      );
    const gone = (await ended('/gone')) as { statusCode: number; message: string };
    assert.deepEqual([gone.statusCode, gone.message], [410, 'Gone']);
    assert.equal(((await ended('/silent')) as Error).name, 'TimeoutError');
  } finally {
    await s.close();
  }
});

test('over TLS the server is verified against the kubeconfig CA; without it the request fails', async () => {
  const now = new Date();
  const ca = await createCA({ now, validityDays: 1 });
  const leaf = await createServingCertificate({ ca, now, validityDays: 1, hosts: ['localhost', '127.0.0.1'] });
  const server = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) =>
    res.writeHead(200).end('{"ok":true}'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const trusted = createNodeKubeApi({
      server: url,
      skipTLSVerify: false,
      caData: Buffer.from(ca.certPem).toString('base64'),
    });
    assert.deepEqual(await trusted.request('GET', '/x'), { status: 200, body: { ok: true } });
    await assert.rejects(
      createNodeKubeApi({ server: url, skipTLSVerify: false }).request('GET', '/x'),
      /self-signed|unable to verify/,
    );
  } finally {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }
});

test('a kubeconfig with static credentials is served over node:https; an exec plugin keeps client-node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-credentials-'));
  const config = (user: string) =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: ${user}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n`;
  writeFileSync(join(dir, 'token'), config('{token: abc}'));
  writeFileSync(join(dir, 'exec'), config('{exec: {apiVersion: client.authentication.k8s.io/v1, command: get-token}}'));
  assert.equal((await openKubeApi(join(dir, 'token'))).transport, 'node:https');
  assert.equal((await openKubeApi(join(dir, 'exec'))).transport, '@kubernetes/client-node (exec credential plugin)');
  await assert.rejects(openKubeApi(join(dir, 'missing')), /ENOENT/);
});
