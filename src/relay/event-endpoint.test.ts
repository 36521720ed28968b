import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import { createRelayMetrics } from '../observability/relay-metrics.ts';
import { EventTooLargeError, JournalFullError } from './accept-refusal.ts';
import { answerEvent } from './event-endpoint.ts';
import type { Relay } from './relay.ts';

const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const event = {
  involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
  severity: 'error',
  timestamp: '',
  message: 'm',
  reason: 'r',
  reportingController: 'kc',
};
/** A relay whose accept rejects with `err`. */
const refusing = (err: Error) => ({ accept: () => Promise.reject(err) }) as unknown as Relay;

test('an event that can never be stored is answered 413, which Flux does not retry', async () => {
  const metrics = createRelayMetrics({ processMetrics: false });
  const a = await answerEvent(
    { relay: refusing(new EventTooLargeError(5_000_000, 4_194_304)), metrics, logger },
    event,
  );
  assert.deepEqual(a, {
    status: 413,
    body: {
      metadata: {},
      status: 'Failure',
      message:
        'the event needs 5000000 bytes in the journal, even cut to what Slack shows; at most 4194304 can be stored: send it with fewer or shorter metadata entries',
      reason: 'RequestEntityTooLarge',
      code: 413,
    },
  });
  assert.match(await metrics.registry.metrics(), /notify_guard_relay_events_total\{outcome="too_large"\} 1/);
});

test('a full journal is answered 503 with Retry-After, counted as journal_full', async () => {
  const metrics = createRelayMetrics({ processMetrics: false });
  const a = await answerEvent({ relay: refusing(new JournalFullError(10)), metrics, logger }, event);
  assert.deepEqual(a, {
    status: 503,
    headers: { 'retry-after': '10' },
    body: {
      metadata: {},
      status: 'Failure',
      message: "the relay's journal is at its disk budget (--journal-max-bytes); retry later",
      reason: 'ServiceUnavailable',
      code: 503,
    },
  });
  assert.match(await metrics.registry.metrics(), /notify_guard_relay_events_total\{outcome="journal_full"\} 1/);
});
