import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import { JournalFullError } from './accept-refusal.ts';
import { createHandoffHandler } from './handoff-endpoint.ts';
import type { PeerHandlers } from './handoff-endpoint.ts';
import type { Handover } from './sender-handover.ts';
import type { AdoptOutcome } from './sender-adopt.ts';
import { PODINFO_ERROR } from '../../test/support/flux-events.ts';

const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const handed = {
  id: 'e1',
  at: 1,
  key: 'k',
  event: PODINFO_ERROR,
  deliveries: [{ alert: 'apps/all', provider: 'apps/slack', metadata: {} }],
};

async function serve(adopt: () => Promise<AdoptOutcome>, more: Partial<PeerHandlers> = {}) {
  const server = createServer(createHandoffHandler({ adopt, logger, ...more }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const call = (method: string, path: string, body?: string, authorization?: string) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const headers = authorization ? { authorization } : {};
      const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { call, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const failure = (code: number, reason: string, message: string) => ({
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

test('the handoff endpoint answers each outcome as the other replica must take it', async () => {
  const outcomes: (AdoptOutcome | Error)[] = ['adopted', 'duplicate', 'not-sender', new JournalFullError(5)];
  const s = await serve(async () => {
    const o = outcomes.shift()!;
    if (o instanceof Error) throw o;
    return o;
  });
  try {
    const body = JSON.stringify(handed);
    assert.deepEqual(await s.call('POST', '/handoff', body), { status: 202, body: { status: 'adopted' } });
    assert.deepEqual(await s.call('POST', '/handoff', body), { status: 200, body: { status: 'duplicate' } });
    assert.deepEqual(await s.call('POST', '/handoff', body), {
      status: 503,
      body: failure(503, 'ServiceUnavailable', 'this replica is not the sender; retry'),
    });
    assert.deepEqual(await s.call('POST', '/handoff', body), {
      status: 503,
      body: failure(503, 'ServiceUnavailable', 'the sender cannot store events right now; retry'),
    });
    assert.deepEqual(await s.call('POST', '/handoff', '{'), {
      status: 400,
      body: failure(400, 'BadRequest', 'invalid handoff: body is not JSON'),
    });
    assert.deepEqual(await s.call('POST', '/handoff', JSON.stringify({ ...handed, deliveries: [] })), {
      status: 400,
      body: failure(
        400,
        'BadRequest',
        'invalid handoff: deliveries: expected a non-empty list of {alert, provider, metadata}',
      ),
    });
    assert.deepEqual(await s.call('GET', '/handoff'), {
      status: 404,
      body: failure(404, 'NotFound', 'no endpoint GET /handoff'),
    });
  } finally {
    await s.close();
  }
});

test("the peer endpoint takes the other replica's threads and status, and answers its own status table", async () => {
  const taken: Handover[] = [];
  const answers: ('taken' | 'not-sender')[] = ['taken', 'not-sender'];
  const s = await serve(async () => 'adopted', {
    takeOver: async (h) => {
      taken.push(h);
      return answers.shift()!;
    },
    deliveries: () => [{ alert: 'apps/all', lastDelivered: '2026-12-02T00:00:00.000Z' }],
  });
  try {
    const handover = {
      episodes: [
        { key: 'apps/slack Kustomization/apps/podinfo', episode: { since: 5, reason: 'r', ts: '1.2', extra: 1 } },
      ],
      statuses: [{ alert: 'apps/all', delivered: 7, announced: 7 }],
    };
    assert.deepEqual(await s.call('POST', '/handover', JSON.stringify(handover)), {
      status: 200,
      body: { status: 'taken' },
    });
    assert.deepEqual(taken, [
      {
        episodes: [{ key: 'apps/slack Kustomization/apps/podinfo', episode: { since: 5, reason: 'r', ts: '1.2' } }],
        statuses: [{ alert: 'apps/all', delivered: 7, announced: 7 }],
      },
    ]);
    assert.deepEqual(await s.call('POST', '/handover', JSON.stringify(handover)), {
      status: 503,
      body: failure(503, 'ServiceUnavailable', 'this replica is not the sender; retry'),
    });
    assert.deepEqual(await s.call('POST', '/handover', JSON.stringify({ episodes: [{ key: 'k' }], statuses: [] })), {
      status: 400,
      body: failure(
        400,
        'BadRequest',
        'invalid handover: episodes: expected at most 10000 of {key, episode: {since, reason, ts?, channel?}} (key at most 1024 characters, ts and channel 64)',
      ),
    });
    assert.deepEqual(await s.call('GET', '/deliveries'), {
      status: 200,
      body: { items: [{ alert: 'apps/all', lastDelivered: '2026-12-02T00:00:00.000Z' }] },
    });
  } finally {
    await s.close();
  }
});

test('with authentication, a peer request is refused before anything is read', async () => {
  const s = await serve(async () => 'adopted', {
    auth: async (a) =>
      a === 'Bearer ok' ? { ok: true } : { ok: false, status: 401, message: 'a peer request needs the bearer token' },
  });
  try {
    assert.deepEqual(await s.call('POST', '/handoff', JSON.stringify(handed)), {
      status: 401,
      body: failure(401, 'Unauthorized', 'a peer request needs the bearer token'),
    });
    assert.deepEqual(await s.call('GET', '/deliveries'), {
      status: 401,
      body: failure(401, 'Unauthorized', 'a peer request needs the bearer token'),
    });
    assert.deepEqual(await s.call('POST', '/handoff', JSON.stringify(handed), 'Bearer ok'), {
      status: 202,
      body: { status: 'adopted' },
    });
  } finally {
    await s.close();
  }
});

test('a peer check that fails answers 503 and the endpoint keeps serving', async () => {
  let fail = true;
  const s = await serve(async () => 'adopted', {
    auth: async () => {
      if (fail) throw new TypeError("Cannot read properties of undefined (reading 'status')");
      return { ok: true };
    },
  });
  try {
    assert.deepEqual(await s.call('POST', '/handoff', JSON.stringify(handed), 'Bearer ok'), {
      status: 503,
      body: failure(503, 'ServiceUnavailable', 'cannot review the token now; retry'),
    });
    fail = false;
    assert.deepEqual(await s.call('POST', '/handoff', JSON.stringify(handed), 'Bearer ok'), {
      status: 202,
      body: { status: 'adopted' },
    });
  } finally {
    await s.close();
  }
});

test('a handover is answered 200 only once the journal holds it, and 503 when it cannot', async () => {
  const journal = Promise.withResolvers<void>();
  const started = Promise.withResolvers<void>();
  let fail = false;
  const s = await serve(async () => 'adopted', {
    takeOver: async () => {
      if (fail) throw new Error('ENOSPC');
      started.resolve();
      await journal.promise;
      return 'taken';
    },
  });
  try {
    let answered = false;
    const call = s.call('POST', '/handover', JSON.stringify({ episodes: [], statuses: [] })).then((a) => {
      answered = true;
      return a;
    });
    await started.promise;
    assert.equal(answered, false, 'no answer before the journal write');
    journal.resolve();
    assert.deepEqual(await call, { status: 200, body: { status: 'taken' } });
    fail = true;
    assert.deepEqual(await s.call('POST', '/handover', JSON.stringify({ episodes: [], statuses: [] })), {
      status: 503,
      body: failure(503, 'ServiceUnavailable', 'the sender cannot store the handover now; retry'),
    });
  } finally {
    await s.close();
  }
});
