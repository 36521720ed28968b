/**
 * The `notify-guard webhook` command as a user runs it: flags, generated certificates, the
 * embedded example, and startup failures that name the problem.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startWebhook } from '../../src/cli/webhook-command.ts';
import { parseWebhookArgs } from '../../src/cli/webhook-flags.ts';
import { certificateHosts } from '../../src/certs/certificates.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { review } from '../support/apiserver-client.ts';
import { tempDir } from '../support/temp-dir.ts';
import { writeTestCertDir } from '../support/webhook-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const quiet = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

/** A debug logger whose lines can be waited for: `next(fields)` resolves on a line carrying them. */
function logEvents() {
  const lines: Record<string, unknown>[] = [];
  const waiting: { fields: Record<string, unknown>; resolve: () => void }[] = [];
  const matches = (line: Record<string, unknown>, fields: Record<string, unknown>) =>
    Object.entries(fields).every(([k, v]) => line[k] === v);
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _e, cb) {
        const line = JSON.parse(chunk.toString()) as Record<string, unknown>;
        lines.push(line);
        for (const w of waiting.filter((x) => matches(line, x.fields))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve();
        }
        cb();
      },
    }),
  );
  const next = (fields: Record<string, unknown>) =>
    lines.some((l) => matches(l, fields))
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiting.push({ fields, resolve }));
  return { logger, next };
}

test('parses every flag, with defaults', () => {
  assert.deepEqual(parseWebhookArgs(['--cluster-dir', 'x']), {
    host: '127.0.0.1',
    port: 8443,
    certDir: 'certs',
    policyFile: undefined,
    auditIntervalMs: 300_000,
    certs: { reloadIntervalMs: 10_000, selfManaged: undefined },
    cluster: {
      clusterDir: 'x',
      kubeconfig: undefined,
      secretScope: { namespaces: [], labelSelector: undefined },
      watchdogMs: 180_000,
      liveLookupTimeoutMs: 500,
    },
    serviceName: 'notify-guard-webhook',
    serviceNamespace: 'notify-guard-system',
    logLevel: 'info',
    logFormat: 'auto',
  });
  assert.deepEqual(
    parseWebhookArgs([
      '--listen',
      '[::1]:9443',
      '--kubeconfig',
      'kc',
      '--cert-dir',
      'd',
      '--policy',
      'p.yaml',
      '--service-name',
      's',
      '--service-namespace',
      'n',
      '--log-level',
      'debug',
      '--log-format',
      'json',
      '--secret-namespaces',
      'flux-system, apps',
      '--secret-selector',
      'notify=true',
      '--watchdog-timeout',
      '60',
      '--live-lookup-timeout',
      '250',
      '--cert-reload-interval',
      '5',
      '--self-managed-certs',
      '--cert-secret',
      'tls',
      '--cert-lease',
      'lease',
      '--webhook-config-name',
      'ng',
      '--pod-name',
      'pod-0',
      '--ca-validity-days',
      '730',
      '--leaf-validity-days',
      '30',
      '--cert-renew-before-days',
      '10',
      '--audit-interval',
      '0',
    ]),
    {
      host: '::1',
      port: 9443,
      certDir: 'd',
      policyFile: 'p.yaml',
      auditIntervalMs: 0,
      certs: {
        reloadIntervalMs: 5_000,
        selfManaged: {
          secretName: 'tls',
          leaseName: 'lease',
          webhookConfigName: 'ng',
          identity: 'pod-0',
          caValidityDays: 730,
          leafValidityDays: 30,
          renewBeforeDays: 10,
        },
      },
      cluster: {
        clusterDir: undefined,
        kubeconfig: 'kc',
        secretScope: { namespaces: ['flux-system', 'apps'], labelSelector: 'notify=true' },
        watchdogMs: 60_000,
        liveLookupTimeoutMs: 250,
      },
      serviceName: 's',
      serviceNamespace: 'n',
      logLevel: 'debug',
      logFormat: 'json',
    },
  );
  assert.throws(() => parseWebhookArgs(['--cluster-dir', 'x', '--listen', '8443']), {
    message: '--listen "8443": expected HOST:PORT, e.g. 127.0.0.1:8443 or 0.0.0.0:8443',
  });
  assert.throws(() => parseWebhookArgs(['--cluster-dir', 'x', '--kubeconfig', 'y']), {
    message: '--cluster-dir and --kubeconfig exclude each other: state comes from manifests or from the API server',
  });
  assert.throws(() => parseWebhookArgs(['--live-lookup-timeout', '0']), {
    message: '--live-lookup-timeout "0": expected a whole number from 1 to 5000',
  });
  assert.throws(() => parseWebhookArgs(['--cluster-dir', 'x', '--self-managed-certs']), {
    message: '--self-managed-certs needs the API server; it cannot be used with --cluster-dir',
  });
});

test('generates CA and serving certificate (key 0600, SANs for the Service, localhost and 127.0.0.1) and serves the example', async () => {
  const certDir = join(tempDir('webhook'), 'certs');
  const options = parseWebhookArgs([
    '--listen',
    '127.0.0.1:0',
    '--cert-dir',
    certDir,
    '--cluster-dir',
    join(ROOT, 'examples', 'cluster'),
    '--policy',
    join(ROOT, 'examples', 'policy.yaml'),
  ]);
  assert.notEqual(options, 'help');
  if (options === 'help') return;
  const w = await startWebhook(options, quiet());
  try {
    assert.equal((await stat(join(certDir, 'tls.key'))).mode & 0o777, 0o600);
    assert.deepEqual(certificateHosts(await readFile(join(certDir, 'tls.crt'), 'utf8')), [
      'notify-guard-webhook',
      'notify-guard-webhook.notify-guard-system',
      'notify-guard-webhook.notify-guard-system.svc',
      'localhost',
      '127.0.0.1',
    ]);
    const ca = await readFile(join(certDir, 'ca.crt'), 'utf8');
    const sample = JSON.parse(await readFile(join(ROOT, 'examples', 'reviews', 'alert-missing-provider.json'), 'utf8'));
    const r = await review(w.port, ca, 'validate', {
      operation: 'CREATE',
      object: sample.request.object,
      uid: sample.request.uid,
    });
    assert.deepEqual(
      r.status?.details?.causes?.map((c) => c.field),
      ['spec.providerRef.name', 'spec.eventSources[1].namespace'],
    );
  } finally {
    await w.close();
  }
});

// main.ts prints a failed start as "notify-guard webhook: <message>" with exit 1 (startup-failure.test.ts
// pins that over the CLI); here the messages, from startWebhook in-process.
test('a broken policy file stops startup with a message naming the file and field', async () => {
  const dir = tempDir('webhook');
  const policy = join(dir, 'policy.yaml');
  await writeFile(
    policy,
    'apiVersion: notify-guard.fluxcd.community/v1alpha1\nkind: NotifyGuardPolicy\nspec:\n  rules:\n    alert-provider-exists: maybe\n',
  );
  const options = parseWebhookArgs([
    '--cluster-dir',
    join(ROOT, 'examples', 'cluster'),
    '--policy',
    policy,
    '--cert-dir',
    join(dir, 'certs'),
    '--listen',
    '127.0.0.1:0',
  ]);
  if (options === 'help') throw new Error('unexpected help');
  await assert.rejects(startWebhook(options, quiet()), {
    message: `${policy}: spec.rules.alert-provider-exists: Invalid option: expected one of "deny"|"warn"|"off"`,
  });
});

test('an unknown flag exits 2 with a pointer to --help', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'webhook', '--colour'], {
    encoding: 'utf8',
    timeout: 100_000,
  });
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    "notify-guard webhook: Unknown option '--colour'\nRun 'notify-guard webhook --help' for usage.\n",
  );
});

test('a manifest that is not YAML stops startup, naming file, line and column', async () => {
  const dir = tempDir('webhook');
  await writeFile(join(dir, 'bad.yaml'), 'kind: Alert\nmetadata: {name: a\n');
  const options = parseWebhookArgs(['--cluster-dir', dir, '--cert-dir', join(dir, 'certs'), '--listen', '127.0.0.1:0']);
  if (options === 'help') throw new Error('unexpected help');
  await assert.rejects(startWebhook(options, quiet()), {
    message: new RegExp(`^${join(dir, 'bad.yaml').replace(/[.]/g, '\\.')}:\\d+:\\d+: .+$`),
  });
});

test('with --kubeconfig it serves from the live view: ready once synced, cluster metrics exposed', async () => {
  const { FakeApiServer, fluxResources } = await import('../servers/fake-apiserver.ts');
  const { slackProvider } = await import('../support/objects.ts');
  const { get } = await import('../support/apiserver-client.ts');
  const api = new FakeApiServer(fluxResources());
  const url = await api.start();
  let w: Awaited<ReturnType<typeof startWebhook>> | undefined;
  try {
    api.apply(slackProvider('apps'));
    const dir = tempDir('webhook');
    const kubeconfig = join(dir, 'kubeconfig');
    // The test API server speaks plain HTTP on 127.0.0.1, which client-node allows only with this flag.
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: tester\n  user: {}\ncontexts:\n- name: fake\n  context: {cluster: fake, user: tester}\ncurrent-context: fake\n`,
    );
    await writeTestCertDir(join(dir, 'certs'));
    const options = parseWebhookArgs([
      '--listen',
      '127.0.0.1:0',
      '--cert-dir',
      join(dir, 'certs'),
      '--kubeconfig',
      kubeconfig,
    ]);
    if (options === 'help') throw new Error('unexpected help');
    const log = logEvents();
    w = await startWebhook(options, log.logger);
    const ca = await readFile(join(dir, 'certs', 'ca.crt'), 'utf8');
    // Ready once every required collection is listed: wait for those lists, not for the clock.
    await Promise.all(['Alert', 'Provider', 'Secret'].map((kind) => log.next({ msg: 'listed', kind })));
    assert.equal((await get(w.port, ca, '/readyz')).status, 200);
    const metrics = (await get(w.port, ca, '/metrics')).body;
    assert.match(metrics, /^notify_guard_cluster_objects\{kind="Provider"\} 1$/m);
    const r = await review(w.port, ca, 'validate', {
      operation: 'CREATE',
      object: {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Alert',
        metadata: { name: 'a', namespace: 'apps' },
        spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
      },
      uid: 'live',
    });
    assert.deepEqual(r, { uid: 'live', allowed: true });
  } finally {
    await w?.close();
    await api.close();
  }
});

test('without --cluster-dir, --kubeconfig or a cluster, startup says how to give it one', async () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'webhook', '--listen', '127.0.0.1:0'], {
    encoding: 'utf8',
    timeout: 100_000,
    env: { PATH: process.env['PATH'] ?? '', HOME: tempDir('home') },
  });
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    "notify-guard webhook: no cluster to read: run in a cluster, pass --kubeconfig FILE (or set KUBECONFIG), or pass --cluster-dir DIR for local use (try --cluster-dir examples/cluster)\nRun 'notify-guard webhook --help' for usage.\n",
  );
});

test('SIGTERM while start-up waits for the API server stops the webhook cleanly with exit code 0', async () => {
  // An API server that parks every request: start-up is then certainly still in progress.
  const parked: ServerResponse[] = [];
  let arrived!: () => void;
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const api = createHttpServer((_req, res) => {
    parked.push(res);
    arrived();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const { port } = api.address() as AddressInfo;
  const dir = tempDir('webhook');
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: held\n  cluster:\n    server: http://127.0.0.1:${port}\n    insecure-skip-tls-verify: true\nusers:\n- name: tester\n  user: {}\ncontexts:\n- name: held\n  context: {cluster: held, user: tester}\ncurrent-context: held\n`,
  );
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'src', 'cli', 'main.ts'),
      'webhook',
      '--kubeconfig',
      kubeconfig,
      '--cert-dir',
      join(dir, 'certs'),
      '--listen',
      '127.0.0.1:0',
      '--log-format',
      'json',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (code, signal) => resolve([code, signal])),
  );
  try {
    await firstRequest;
    child.kill('SIGTERM');
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      const entry = JSON.parse(line) as { msg?: string; signal?: string };
      if (entry.msg === 'shutting down') {
        assert.equal(entry.signal, 'SIGTERM');
        break;
      }
    }
    // The request start-up was waiting for now fails; the abandoned start ends there.
    for (const res of parked.splice(0)) res.destroy();
    api.on('request', (_req, res: ServerResponse) => res.destroy());
    assert.deepEqual(await exited, [0, null]);
  } finally {
    child.kill('SIGKILL');
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
  }
});
