/**
 * `notify-guard certs` as an admin runs it: files and modes, SANs, the printed caBundle, the
 * injection into webhook configurations (comments kept), and CA reuse on the next run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { certificateHosts } from '../../src/certs/certificates.ts';
import { certsCommand } from '../../src/cli/certs-command.ts';
import { tlsClientProblem } from '../support/tls-client-check.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = (args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'certs', ...args], {
    encoding: 'utf8',
    timeout: 100_000,
  });

const MANIFEST = `# Webhook registration; caBundle is filled in by notify-guard certs --inject.
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: notify-guard
webhooks:
  - name: flux.validate.notify-guard.io # Alerts and Providers
    clientConfig:
      service: {name: notify-guard-webhook, namespace: notify-guard-system, path: /validate}
  - name: secrets.validate.notify-guard.io
    clientConfig:
      service: {name: notify-guard-webhook, namespace: notify-guard-system, path: /validate}
---
apiVersion: v1
kind: Service
metadata:
  name: notify-guard-webhook
`;

test('writes the files, prints the caBundle, injects it keeping comments, and reuses the CA next time', async () => {
  const dir = tempDir('certs');
  const out = join(dir, 'certs');
  const manifests = join(dir, 'manifests');
  await mkdir(manifests);
  await writeFile(join(manifests, 'webhooks.yaml'), MANIFEST);

  const first = run(['--out', out, '--extra-san', 'webhook.example.org', '--print-ca-bundle', '--inject', manifests]);
  assert.equal(first.status, 0, first.stderr);
  const ca = await readFile(join(out, 'ca.crt'), 'utf8');
  const leaf = await readFile(join(out, 'tls.crt'), 'utf8');
  assert.equal(first.stdout, `${Buffer.from(ca).toString('base64')}\n`);
  assert.equal(
    first.stderr,
    `created a CA and wrote a serving certificate for notify-guard-webhook, notify-guard-webhook.notify-guard-system, notify-guard-webhook.notify-guard-system.svc, webhook.example.org into ${out}/\ninjected the caBundle into ValidatingWebhookConfiguration notify-guard (2 webhooks) in ${join(manifests, 'webhooks.yaml')}\n`,
  );
  for (const f of ['tls.key', 'ca.key']) assert.equal((await stat(join(out, f))).mode & 0o777, 0o600, f);
  assert.deepEqual(certificateHosts(leaf), [
    'notify-guard-webhook',
    'notify-guard-webhook.notify-guard-system',
    'notify-guard-webhook.notify-guard-system.svc',
    'webhook.example.org',
  ]);
  assert.equal(
    tlsClientProblem(leaf, { caPem: ca, at: new Date(), host: 'notify-guard-webhook.notify-guard-system.svc' }),
    undefined,
  );

  const text = await readFile(join(manifests, 'webhooks.yaml'), 'utf8');
  assert.ok(text.startsWith('# Webhook registration; caBundle is filled in by notify-guard certs --inject.\n'));
  assert.ok(text.includes('- name: flux.validate.notify-guard.io # Alerts and Providers'));
  const [config, service] = parseAllDocuments(text).map((d) => d.toJS());
  assert.deepEqual(
    config.webhooks.map((w: { clientConfig: { caBundle: string } }) => w.clientConfig.caBundle),
    [first.stdout.trim(), first.stdout.trim()],
  );
  assert.deepEqual(service, parse('apiVersion: v1\nkind: Service\nmetadata:\n  name: notify-guard-webhook\n'));

  const second = run(['--out', out]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /^reused the CA and wrote a serving certificate for /);
  assert.equal(await readFile(join(out, 'ca.crt'), 'utf8'), ca);
  assert.notEqual(await readFile(join(out, 'tls.crt'), 'utf8'), leaf);
});

test('a wrong number of days is a usage error', () => {
  const r = run(['--out', join(tmpdir(), 'never'), '--leaf-validity-days', 'soon']);
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    `notify-guard certs: --leaf-validity-days "soon": expected a whole number of days from 1 to 36500\nRun 'notify-guard certs --help' for usage.\n`,
  );
});

// main.ts's exit code 2 and pointer to --help are pinned above over the CLI; here the messages, in-process.
test('lifetimes that cannot work together are usage errors naming the flags', async () => {
  const cases: [string[], string][] = [
    [
      ['--ca-validity-days', '365', '--leaf-validity-days', '400'],
      '--leaf-validity-days 400 must not exceed --ca-validity-days 365: a serving certificate cannot outlive the CA that signs it',
    ],
    [
      ['--ca-validity-days', '20', '--leaf-validity-days', '10'],
      '--renew-before-days 30 must be less than --ca-validity-days 20: a new CA would be replaced on every run',
    ],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(certsCommand(['--out', join(tmpdir(), 'never'), ...args]), { name: 'UsageError', message });
  }
});
