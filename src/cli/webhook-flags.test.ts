/**
 * Certificate flags of `notify-guard webhook`: settings that cannot run are refused at startup
 * with a message naming the flags (exit 2), before anything touches the cluster.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseWebhookArgs } from './webhook-flags.ts';

const SELF = ['--self-managed-certs', '--pod-name', 'pod-0'];
const lifetimes = (argv: string[]) => {
  const o = parseWebhookArgs([...SELF, ...argv]);
  assert.notEqual(o, 'help');
  const m = o === 'help' ? undefined : o.certs.selfManaged;
  return m && [m.caValidityDays, m.leafValidityDays, m.renewBeforeDays];
};

test('accepts the defaults and the tightest settings that can run', () => {
  assert.deepEqual(lifetimes([]), [1825, 90, 30]);
  assert.deepEqual(
    lifetimes(['--ca-validity-days', '2', '--leaf-validity-days', '2', '--cert-renew-before-days', '1']),
    [2, 2, 1],
  );
  assert.deepEqual(
    lifetimes(['--ca-validity-days', '90', '--leaf-validity-days', '90', '--cert-renew-before-days', '89']),
    [90, 90, 89],
  );
});

test('refuses every degenerate combination with an exact message naming the flags', () => {
  const cases: [string[], string][] = [
    [
      ['--ca-validity-days', '20'],
      '--cert-renew-before-days 30 must be less than --ca-validity-days 20: every new CA would be due for rotation as soon as it is made',
    ],
    [
      ['--ca-validity-days', '30', '--leaf-validity-days', '10', '--cert-renew-before-days', '30'],
      '--cert-renew-before-days 30 must be less than --ca-validity-days 30: every new CA would be due for rotation as soon as it is made',
    ],
    [
      ['--leaf-validity-days', '1', '--cert-renew-before-days', '2'],
      '--cert-renew-before-days 2 must be less than --leaf-validity-days 1: every new serving certificate would be due for renewal as soon as it is made',
    ],
    [
      ['--leaf-validity-days', '30'],
      '--cert-renew-before-days 30 must be less than --leaf-validity-days 30: every new serving certificate would be due for renewal as soon as it is made',
    ],
    [
      ['--ca-validity-days', '60', '--leaf-validity-days', '90', '--cert-renew-before-days', '10'],
      '--leaf-validity-days 90 must not exceed --ca-validity-days 60: a serving certificate cannot outlive the CA that signs it',
    ],
    [['--cert-renew-before-days', '0'], '--cert-renew-before-days "0": expected a whole number from 1 to 3650'],
    [['--cert-renew-before-days=-5'], '--cert-renew-before-days "-5": expected a whole number from 1 to 3650'],
    [['--leaf-validity-days', '0'], '--leaf-validity-days "0": expected a whole number from 1 to 3650'],
    [['--ca-validity-days', '0'], '--ca-validity-days "0": expected a whole number from 2 to 36500'],
    [['--ca-validity-days', '1.5'], '--ca-validity-days "1.5": expected a whole number from 2 to 36500'],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseWebhookArgs([...SELF, ...argv]), { name: 'UsageError', message }, argv.join(' '));
  }
});

test('certificate lifetimes are checked only where they are used (with --self-managed-certs)', () => {
  const o = parseWebhookArgs(['--ca-validity-days', '20', '--cluster-dir', 'x']);
  assert.notEqual(o, 'help');
  assert.equal(o === 'help' ? 'help' : o.certs.selfManaged, undefined);
});

test('the command exits 2 before starting, naming the flags (the rotation loop of issue 20)', () => {
  const main = join(import.meta.dirname, 'main.ts');
  const r = spawnSync(process.execPath, [main, 'webhook', '--self-managed-certs', '--ca-validity-days', '20'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    'notify-guard webhook: --cert-renew-before-days 30 must be less than --ca-validity-days 20: every new CA would be due for rotation as soon as it is made\n' +
      "Run 'notify-guard webhook --help' for usage.\n",
  );
});
