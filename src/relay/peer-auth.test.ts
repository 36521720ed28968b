import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPeerAuth } from './peer-auth.ts';

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
