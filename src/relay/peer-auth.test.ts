import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeApi, KubeResponse } from '../cluster/kube-api.ts';
import { createPeerAuth, tokenReviewer } from './peer-auth.ts';

const SA = 'system:serviceaccount:notify-guard-system:notify-guard';

test("the peer endpoint accepts only the relay's own ServiceAccount, reviewing each token once a minute", async () => {
  const reviewed: string[] = [];
  let down = false;
  let now = 0;
  const users: Record<string, string> = { mine: SA, theirs: SA, other: 'system:serviceaccount:apps:default' };
  const auth = createPeerAuth({
    readToken: () => 'mine',
    review: async (token) => {
      reviewed.push(token);
      if (down) return { error: 'TokenReview: HTTP 0' };
      return users[token] ? { username: users[token] } : {};
    },
    now: () => now,
  });
  assert.deepEqual(auth.headers(), { authorization: 'Bearer mine' });
  assert.deepEqual(await auth.check(undefined), {
    ok: false,
    status: 401,
    message: 'a peer request needs the bearer token of the relay',
  });
  assert.deepEqual(await auth.check('Bearer forged'), {
    ok: false,
    status: 401,
    message: 'the token is not valid for notify-guard-relay-peer',
  });
  assert.deepEqual(await auth.check('Bearer other'), {
    ok: false,
    status: 403,
    message: "system:serviceaccount:apps:default is not the relay's ServiceAccount",
  });
  assert.deepEqual(await auth.check('Bearer theirs'), { ok: true });
  assert.deepEqual(await auth.check('Bearer theirs'), { ok: true });
  assert.deepEqual(reviewed, ['forged', 'mine', 'other', 'theirs'], 'each token reviewed once within the minute');
  now = 60_000;
  down = true;
  assert.deepEqual(await auth.check('Bearer theirs'), {
    ok: false,
    status: 503,
    message: 'cannot review the token now; retry',
  });
});

test('a replica whose token is not mounted sends no token and answers 503', async () => {
  const auth = createPeerAuth({
    readToken: () => {
      throw new Error('ENOENT');
    },
    review: async () => ({ username: SA }),
    now: () => 0,
  });
  assert.deepEqual(auth.headers(), {});
  assert.deepEqual(await auth.check('Bearer theirs'), {
    ok: false,
    status: 503,
    message: 'this replica cannot read its own token; retry',
  });
});

test('tokenReviewer takes only an authenticated review for the peer audience; anything else is no user or an error', async () => {
  const review = (status: object) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', status });
  const cases: { name: string; reply: KubeResponse | Error; want: object }[] = [
    {
      name: 'authenticated for the peer audience',
      reply: {
        status: 201,
        body: review({ authenticated: true, audiences: ['notify-guard-relay-peer'], user: { username: SA } }),
      },
      want: { username: SA },
    },
    {
      name: 'authenticated without audiences',
      reply: { status: 201, body: review({ authenticated: true, user: { username: SA } }) },
      want: {},
    },
    {
      name: 'authenticated for another audience',
      reply: {
        status: 201,
        body: review({ authenticated: true, audiences: ['https://kubernetes.default.svc'], user: { username: SA } }),
      },
      want: {},
    },
    {
      name: 'not authenticated',
      reply: {
        status: 201,
        body: review({ authenticated: false, audiences: ['notify-guard-relay-peer'], user: { username: SA } }),
      },
      want: {},
    },
    {
      name: 'authenticated without a username',
      reply: { status: 200, body: review({ authenticated: true, audiences: ['notify-guard-relay-peer'] }) },
      want: {},
    },
    { name: 'an empty 201', reply: { status: 201, body: undefined }, want: {} },
    { name: 'a null 200', reply: { status: 200, body: null }, want: {} },
    { name: 'HTTP 500', reply: { status: 500, body: { kind: 'Status' } }, want: { error: 'TokenReview: HTTP 500' } },
    { name: 'no connection', reply: new Error('connect ECONNREFUSED'), want: { error: 'TokenReview: HTTP 0' } },
  ];
  for (const c of cases) {
    const sent: unknown[] = [];
    const api = {
      request: async (method: string, path: string, o?: { body?: unknown; timeoutMs?: number }) => {
        sent.push({ method, path, body: o?.body, timeoutMs: o?.timeoutMs });
        if (c.reply instanceof Error) throw c.reply;
        return c.reply;
      },
    } as unknown as KubeApi;
    assert.deepEqual(await tokenReviewer(api, 1234)('tok'), c.want, c.name);
    assert.deepEqual(
      sent,
      [
        {
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/tokenreviews',
          body: {
            apiVersion: 'authentication.k8s.io/v1',
            kind: 'TokenReview',
            spec: { token: 'tok', audiences: ['notify-guard-relay-peer'] },
          },
          timeoutMs: 1234,
        },
      ],
      c.name,
    );
  }
});
