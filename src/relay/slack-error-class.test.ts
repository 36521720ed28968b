import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeliveryResult } from './slack-delivery.ts';
import { SLACK_ERROR_CLASSES, slackErrorClass } from './slack-error-class.ts';

const cases: [DeliveryResult, string | undefined][] = [
  [{ kind: 'ok' }, undefined],
  [{ kind: 'skipped', reason: 'Provider suspended' }, undefined],
  [{ kind: 'rate-limited', retryAfterMs: 1000 }, 'rate_limited'],
  [{ kind: 'retry', reason: 'ratelimited' }, 'rate_limited'],
  [{ kind: 'retry', reason: 'HTTP 503' }, '5xx'],
  [{ kind: 'retry', reason: 'internal_error' }, '5xx'],
  [{ kind: 'retry', reason: 'fatal_error' }, '5xx'],
  [{ kind: 'retry', reason: 'service_unavailable' }, '5xx'],
  [{ kind: 'retry', reason: 'no answer within 15000 ms' }, 'timeout'],
  [{ kind: 'retry', reason: 'request_timeout' }, 'timeout'],
  [{ kind: 'retry', reason: 'no connection free within 15000 ms (all 128 in use)' }, 'timeout'],
  [{ kind: 'retry', reason: 'connection failed (ECONNREFUSED)' }, 'connection'],
  [{ kind: 'permanent', reason: 'HTTP 404 channel_not_found' }, 'channel_not_found'],
  [{ kind: 'permanent', reason: 'HTTP 404 no_service' }, 'no_service'],
  [{ kind: 'permanent', reason: 'HTTP 403 invalid_token' }, 'invalid_token'],
  [{ kind: 'permanent', reason: 'HTTP 410 channel_is_archived' }, 'channel_is_archived'],
  [{ kind: 'permanent', reason: 'HTTP 400 invalid_payload' }, 'invalid_payload'],
  [{ kind: 'permanent', reason: 'not_in_channel' }, 'not_in_channel'],
  [{ kind: 'permanent', reason: 'invalid_auth' }, 'invalid_auth'],
  [{ kind: 'permanent', reason: 'HTTP 404' }, 'other'],
  [{ kind: 'permanent', reason: 'HTTP 400 some_new_error' }, 'other'],
  [{ kind: 'permanent', reason: 'Provider ns/slack not found' }, 'other'],
  [{ kind: 'retry', reason: 'Secret ns/slack-url not found' }, 'other'],
];
for (const [result, expected] of cases)
  test(`an attempt answered ${JSON.stringify(result)} is classed ${expected ?? 'as no error'}`, () => {
    assert.equal(slackErrorClass(result), expected);
  });

test('the classes are a fixed list of words (bounded label values)', () => {
  assert.deepEqual(SLACK_ERROR_CLASSES, [
    'rate_limited',
    '5xx',
    'timeout',
    'connection',
    'invalid_token',
    'invalid_auth',
    'token_revoked',
    'account_inactive',
    'channel_not_found',
    'channel_is_archived',
    'not_in_channel',
    'no_service',
    'action_prohibited',
    'invalid_payload',
    'other',
  ]);
});
