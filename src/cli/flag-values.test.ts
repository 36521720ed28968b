import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListenAddress, parseLogFormat, parseLogLevel, parseWholeNumber } from './flag-values.ts';
import { parseRelayArgs } from './relay-command.ts';

test('listen addresses: HOST:PORT, :PORT (all interfaces) and [IPv6]:PORT', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:8443'), { host: '127.0.0.1', port: 8443 });
  assert.deepEqual(parseListenAddress(':9292'), { host: '0.0.0.0', port: 9292 });
  assert.deepEqual(parseListenAddress('[::1]:8443'), { host: '::1', port: 8443 });
  assert.throws(() => parseListenAddress('127.0.0.1:70000'), {
    message: '--listen "127.0.0.1:70000": expected HOST:PORT, e.g. 127.0.0.1:8443 or 0.0.0.0:8443',
  });
});

test('whole numbers and log levels say what they expect', () => {
  assert.equal(parseWholeNumber('--x', '5', 1, 10), 5);
  assert.throws(() => parseWholeNumber('--x', '1.5', 1, 10, 'days'), {
    message: '--x "1.5": expected a whole number of days from 1 to 10',
  });
  assert.equal(parseLogLevel('debug'), 'debug');
  assert.throws(() => parseLogLevel('loud'), {
    message: '--log-level "loud": expected trace, debug, info, warn or error',
  });
});

test('relay flags parse with their defaults', () => {
  assert.deepEqual(parseRelayArgs([]), {
    host: '127.0.0.1',
    port: 9292,
    journalPath: 'relay.journal',
    journalCompactAtBytes: 64 * 1024 * 1024,
    journalMaxBytes: 640 * 1024 * 1024,
    clusterDir: undefined,
    policyFile: undefined,
    kubeconfig: undefined,
    secretNamespaces: [],
    dedupWindowMs: 300_000,
    digest: { maxQueued: 5, maxSendMs: 10_000 },
    forwardTo: undefined,
    noCrossNamespaceRefs: false,
    maxDeliveryAgeMs: 3_600_000,
    retryMaxIntervalMs: 60_000,
    drainTimeoutMs: 10_000,
    allowInsecureDestinations: false,
    slackFormat: 'blocks',
    logLevel: 'info',
    logFormat: 'auto',
  });
  assert.throws(() => parseRelayArgs(['--forward-to', 'notification-controller']), {
    message:
      '--forward-to "notification-controller": expected an http(s) URL, e.g. http://notification-controller.flux-system.svc.cluster.local./',
  });
  assert.throws(() => parseRelayArgs(['--log-level', 'loud']), {
    message: '--log-level "loud": expected trace, debug, info, warn or error',
  });
  assert.equal((parseRelayArgs(['--slack-format', 'legacy']) as { slackFormat: string }).slackFormat, 'legacy');
  assert.throws(() => parseRelayArgs(['--slack-format', 'fancy']), {
    message: '--slack-format "fancy": expected blocks or legacy',
  });
  assert.deepEqual((parseRelayArgs(['--digest-after', '0', '--digest-window', '2m']) as { digest: object }).digest, {
    maxQueued: 0,
    maxSendMs: 120_000,
  });
  assert.throws(() => parseRelayArgs(['--digest-window', '10']), {
    message: '--digest-window "10": expected a duration such as 500ms, 10s or 2m (at most 1h)',
  });
});

test('log formats: auto, json or text', () => {
  assert.deepEqual(['auto', 'json', 'text'].map(parseLogFormat), ['auto', 'json', 'text']);
  assert.throws(() => parseLogFormat('pretty'), { message: '--log-format "pretty": expected auto, json or text' });
});
