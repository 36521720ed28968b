import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRelayArgs } from './relay-flags.ts';
import { UsageError } from './flag-values.ts';

test('--sender-lease and its companions: the election settings, with client-go timing by default', () => {
  const o = parseRelayArgs(['--sender-lease', 'sender', '--sender-lease-namespace', 'ns', '--pod-name', 'pod-1']);
  assert.ok(o !== 'help');
  assert.deepEqual(o.sender, {
    leaseName: 'sender',
    namespace: 'ns',
    identity: 'pod-1',
    timing: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    peerUrl: 'http://{identity}.notify-guard:9293/handoff',
    peerHost: '127.0.0.1',
    peerPort: 9293,
  });
  const short = parseRelayArgs([
    ...['--sender-lease', 's', '--sender-lease-timing', '3,2,0.5', '--peer-listen', ':9400'],
    ...['--peer-token-file', '/var/run/secrets/peer/token'],
  ]);
  assert.ok(short !== 'help');
  assert.deepEqual(short.sender?.timing, { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 });
  assert.deepEqual([short.sender?.peerHost, short.sender?.peerPort], ['0.0.0.0', 9400]);
  for (const listen of ['127.0.0.2:9293', '[::1]:9293', 'localhost:9293']) {
    const local = parseRelayArgs(['--sender-lease', 's', '--peer-listen', listen]);
    assert.ok(local !== 'help' && local.sender, `${listen}: only this pod reaches it, no token needed`);
  }
  const without = parseRelayArgs([]);
  assert.ok(without !== 'help');
  assert.equal(without.sender, undefined, 'without the flag the relay sends alone');
});

test('a sender setting that cannot work is a usage error naming the flag', () => {
  const cases: [string[], string][] = [
    [
      ['--sender-lease-timing', '15,10,9'],
      '--sender-lease-timing "15,10,9": the renew deadline must be greater than the retry period times 1.2',
    ],
    [
      ['--sender-lease-timing', '15,10'],
      '--sender-lease-timing "15,10": expected three positive numbers of seconds, e.g. 15,10,2',
    ],
    [
      ['--sender-lease-timing', '2.5,2,1'],
      '--sender-lease-timing "2.5,2,1": the lease duration must be whole seconds (the Lease stores seconds)',
    ],
    [['--peer-url', 'http://sender/'], '--peer-url "http://sender/": expected an http(s) URL containing {identity}'],
    [['--cluster-dir', 'd'], '--sender-lease needs the API server, not --cluster-dir'],
    [
      ['--peer-listen', '0.0.0.0:9293'],
      '--peer-listen "0.0.0.0:9293": a peer endpoint other pods can reach needs --peer-token-file (anyone could hand it events)',
    ],
    [
      ['--peer-listen', ':9293'],
      '--peer-listen ":9293": a peer endpoint other pods can reach needs --peer-token-file (anyone could hand it events)',
    ],
  ];
  for (const [flags, message] of cases)
    assert.throws(
      () => parseRelayArgs(['--sender-lease', 's', ...flags]),
      (err: Error) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.message, message);
        return true;
      },
    );
});
