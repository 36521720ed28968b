/**
 * A real Prometheus (Debian's package; skipped with the reason where it is absent) scrapes the
 * webhook (live view and self-managed certificates, against the test API server) and the relay
 * (live view, local Slack, --forward-to), with the alerting rules loaded, after some traffic. Its
 * HTTP API then shows that every metric the rules and the dashboard read is scraped with the
 * labels they read, every dashboard query evaluates, every rule evaluates, and docs/metrics.md
 * and what is scraped name the same metrics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'yaml';
import { startWebhook } from '../../src/cli/webhook-command.ts';
import type { RunningWebhook } from '../../src/cli/webhook-command.ts';
import { parseWebhookArgs } from '../../src/cli/webhook-flags.ts';
import { parseRelayArgs, startRelayServer } from '../../src/cli/relay-command.ts';
import type { RunningRelay } from '../../src/cli/relay-command.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeApiServer, certResources, fluxResources } from '../servers/fake-apiserver.ts';
import { FakeSlack } from '../servers/fake-slack.ts';
import { get, post, review } from '../support/apiserver-client.ts';
import { asSent, dashboardQueries } from '../support/dashboard.ts';
import { labelsUsedIn, metricsIn } from '../support/exported-metrics.ts';
import { eventually } from '../support/live-cluster.ts';
import { Prometheus } from '../support/prometheus.ts';
import { RULES_FILE } from '../support/monitoring-manifests.ts';
import { alert, secret, slackProvider } from '../support/objects.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const prometheusBinary = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
const skip =
  prometheusBinary.status !== 0
    ? 'prometheus is not installed (Debian: apt-get install prometheus; .ci/run installs it)'
    : false;
const silent = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const ruleExprs = (
  parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }
).groups.flatMap((g) => g.rules.map((r) => ({ name: r.alert, expr: r.expr })));

function kubeconfigFor(url: string): string {
  const path = join(tempDir('kc'), 'kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: t\n  user: {}\ncontexts:\n- name: fake\n  context: {cluster: fake, user: t}\ncurrent-context: fake\n`,
  );
  return path;
}

/** The test API server with Flux's and certificate self-management's resources, and a Slack route in `apps` and one to an archived channel in `gone`. */
async function cluster(slackUrl: string): Promise<FakeApiServer> {
  const resources = [
    ...fluxResources(),
    ...certResources().filter((r) => r.kind !== 'Secret'),
    { group: '', version: 'v1', kind: 'Event', plural: 'events' },
  ];
  const api = new FakeApiServer(resources, { bookmarkIntervalMs: 200 });
  await api.start();
  const hook = (name: string, path: string) => ({
    name,
    clientConfig: { service: { name: 'notify-guard-webhook', namespace: 'notify-guard-system', path } },
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
  });
  api.apply({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'notify-guard' },
    webhooks: [hook('flux.validate.notify-guard.io', '/validate')],
  });
  api.apply({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'notify-guard' },
    webhooks: [hook('alerts.mutate.notify-guard.io', '/mutate')],
  });
  for (const ns of ['apps', 'gone']) {
    api.apply(secret(ns, 'slack-url', { address: `${slackUrl}/services/T0MON${ns.toUpperCase()}/B0MON/abcdefgh` }));
    api.apply(slackProvider(ns));
    api.apply(
      alert(ns, 'all', {
        providerRef: { name: 'slack' },
        eventSeverity: 'info',
        eventSources: [{ kind: 'Kustomization', name: '*' }],
      }),
    );
  }
  // No Alert watches HelmReleases: the audit reports it as unwatched.
  api.apply({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'podinfo', namespace: 'apps' },
    spec: {},
  });
  return api;
}

type Stops = (() => Promise<void> | void)[];

/** The local Slack (one archived channel), a stand-in notification-controller, the test API server, the webhook and the relay. */
async function startServers(stops: Stops) {
  const slack = new FakeSlack();
  const slackUrl = await slack.start();
  stops.push(() => slack.close());
  slack.fault('/services/T0MONGONE/B0MON/abcdefgh', 'channel_is_archived');
  const forwarded = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  await new Promise<void>((r) => forwarded.listen(0, '127.0.0.1', r));
  stops.push(
    () =>
      new Promise<void>((r) => {
        forwarded.close(() => r());
        forwarded.closeAllConnections();
      }),
  );
  const api = await cluster(slackUrl);
  stops.push(() => api.close());
  const kubeconfig = kubeconfigFor(api.url);
  // A convention every Alert here violates, audited every second, so the audit's gauges have series.
  const policy = join(tempDir('policy'), 'policy.yaml');
  writeFileSync(
    policy,
    'apiVersion: notify-guard.fluxcd.community/v1alpha1\nkind: NotifyGuardPolicy\nmetadata: {name: default}\nspec:\n  conventions:\n  - {name: event-metadata, action: warn, eventMetadata: {required: [cluster]}}\n',
  );
  const webhookOptions = parseWebhookArgs([
    '--listen',
    '127.0.0.1:0',
    '--kubeconfig',
    kubeconfig,
    '--self-managed-certs',
    '--pod-name',
    'notify-guard-0',
    '--log-level',
    'silent',
    '--policy',
    policy,
    '--audit-interval',
    '1',
  ]);
  assert.ok(webhookOptions !== 'help');
  const webhook: RunningWebhook = await startWebhook(webhookOptions, silent());
  stops.push(() => webhook.close());
  const relayOptions = parseRelayArgs([
    '--listen',
    '127.0.0.1:0',
    '--kubeconfig',
    kubeconfig,
    '--journal',
    join(tempDir('scrape'), 'relay.journal'),
    '--forward-to',
    `http://127.0.0.1:${(forwarded.address() as AddressInfo).port}/`,
    '--allow-insecure-slack-destinations',
    '--drain-timeout',
    '0',
    '--log-level',
    'silent',
    // As the manifests run it: the sender election (its metrics), alone here, so it is the sender.
    ...['--sender-lease', 'notify-guard-relay-sender', '--pod-name', 'notify-guard-0', '--peer-listen', '127.0.0.1:0'],
  ]);
  assert.ok(relayOptions !== 'help');
  const relay: RunningRelay = await startRelayServer(relayOptions, silent());
  stops.push(() => relay.close());
  return { slack, api, webhook, relay };
}

/** Prometheus scraping both every second, as the PodMonitor would label them, with the rules loaded. */
async function startPrometheus(webhookPort: number, relayPort: number): Promise<Prometheus> {
  const dir = tempDir('prometheus');
  const target = (job: string, port: number, container: string, https: boolean) => ({
    job_name: job,
    scrape_interval: '1s',
    ...(https ? { scheme: 'https', tls_config: { insecure_skip_verify: true } } : {}),
    static_configs: [
      {
        targets: [`127.0.0.1:${port}`],
        labels: { namespace: 'notify-guard-system', pod: 'notify-guard-0', container },
      },
    ],
  });
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [RULES_FILE],
      scrape_configs: [
        target('notify-guard-webhook', webhookPort, 'webhook', true),
        target('notify-guard-relay', relayPort, 'relay', false),
      ],
    }),
  );
  return Prometheus.start(join(dir, 'prometheus.yml'), join(dir, 'data'));
}

/** A review of each outcome, a watch restart, an event of each outcome (one dead-lettered); returns once the relay is idle. */
async function driveTraffic({ slack, api, webhook, relay }: Awaited<ReturnType<typeof startServers>>): Promise<void> {
  const certSecret = () =>
    api.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'notify-guard-system', name: 'notify-guard-webhook-tls' });
  await eventually('the certificate Secret written', () => certSecret() !== undefined, 20_000);
  const caPem = Buffer.from((certSecret()!['data'] as Record<string, string>)['ca-bundle.crt']!, 'base64').toString();
  await eventually(
    'webhook ready',
    async () => (await get(webhook.port, caPem, '/readyz').catch(() => undefined))?.status === 200,
    20_000,
  );
  await eventually(
    'relay ready',
    async () => (await fetch(`http://127.0.0.1:${relay.port}/readyz`)).status === 200,
    20_000,
  );
  const sources = [{ kind: 'Kustomization', name: '*' }];
  assert.equal(
    (
      await review(webhook.port, caPem, 'validate', {
        operation: 'CREATE',
        object: alert('apps', 'ok', { providerRef: { name: 'slack' }, eventSources: sources }),
      })
    ).allowed,
    true,
  );
  assert.equal(
    (
      await review(webhook.port, caPem, 'validate', {
        operation: 'CREATE',
        object: alert('apps', 'broken', { providerRef: { name: 'nowhere' }, eventSources: sources }),
      })
    ).allowed,
    false,
  );
  const optedOut = { annotations: { 'notify-guard.fluxcd.community/ignore.alert-provider-exists': 'a test' } };
  assert.equal(
    (
      await review(webhook.port, caPem, 'validate', {
        operation: 'CREATE',
        object: alert('apps', 'opted-out', { providerRef: { name: 'nowhere' }, eventSources: sources }, optedOut),
      })
    ).allowed,
    true,
  );
  assert.equal(
    (
      await review(webhook.port, caPem, 'mutate', {
        operation: 'CREATE',
        object: alert('apps', 'defaulted', { providerRef: { name: 'slack' }, eventSources: sources }),
      })
    ).patchType,
    'JSONPatch',
  );
  assert.equal((await post(webhook.port, caPem, '/validate', '{"kind":"NotAReview"}')).status, 400);
  api.dropWatches();
  const event = (ns: string, message: string) =>
    JSON.stringify({
      involvedObject: {
        kind: 'Kustomization',
        namespace: ns,
        name: 'podinfo',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      },
      severity: 'error',
      timestamp: '2026-11-23T10:00:00Z',
      message,
      reason: 'HealthCheckFailed',
      reportingController: 'kustomize-controller',
    });
  const send = async (body: string) =>
    (
      await fetch(`http://127.0.0.1:${relay.port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
    ).status;
  assert.deepEqual(
    [
      await send(event('apps', 'delivered')),
      await send(event('apps', 'delivered')),
      await send(event('gone', 'archived')),
      await send('{'),
    ],
    [202, 429, 202, 400],
  );
  await eventually(
    'delivered and dead-lettered',
    () => relay.relay.pending() === 0 && slack.received.length === 1,
    20_000,
  );
}

describe('a real Prometheus scraping the webhook and the relay', { skip, timeout: 120_000 }, () => {
  const stops: Stops = [];
  let prometheus: Prometheus;

  before(async () => {
    const servers = await startServers(stops);
    prometheus = await startPrometheus(servers.webhook.port, servers.relay.port);
    stops.push(() => prometheus.stop());
    await driveTraffic(servers);
    // Prometheus has seen the end state in at least two scrapes, and evaluated every rule.
    await eventually(
      'scraped after the traffic',
      async () =>
        (
          await prometheus.query(
            'count_over_time(notify_guard_relay_deliveries_total{result="dead"}[1m]) >= 2 and on () count_over_time(notify_guard_cluster_watch_restarts_total{job="notify-guard-webhook"}[1m]) >= 2',
          )
        ).result.length > 0,
      30_000,
    );
    await eventually(
      'the periodic audit scraped',
      async () =>
        (
          await prometheus.query(
            'count(notify_guard_policy_violations) > 0 and on () count(notify_guard_unwatched_objects) > 0',
          )
        ).result.length > 0,
      30_000,
    );
    await eventually(
      'every rule evaluated',
      async () =>
        (await prometheus.api<{ groups: { rules: { health: string }[] }[] }>('/api/v1/rules')).groups
          .flatMap((g) => g.rules)
          .every((r) => r.health === 'ok'),
      20_000,
    );
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  /** Label names on the scraped series of `names`. */
  async function labelsOf(names: string[]): Promise<Set<string>> {
    const series = await prometheus.api<Record<string, string>[]>(
      `/api/v1/series?match[]=${encodeURIComponent(`{__name__=~"${names.join('|')}"}`)}`,
    );
    return new Set(series.flatMap((s) => Object.keys(s)));
  }

  async function assertScraped(what: string, expr: string): Promise<void> {
    const names = metricsIn(expr);
    const scraped = new Set(await prometheus.api<string[]>('/api/v1/label/__name__/values'));
    for (const n of names) assert.ok(scraped.has(n), `${what}: ${n} is not scraped`);
    const labels = await labelsOf(names);
    for (const l of labelsUsedIn(expr))
      assert.ok(labels.has(l), `${what}: no scraped series of ${names.join(', ')} has label ${l}`);
  }

  test('every rule loaded and evaluates without error, and every metric it reads is scraped with the labels it reads', async () => {
    const loaded = (
      await prometheus.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>(
        '/api/v1/rules',
      )
    ).groups.flatMap((g) => g.rules);
    // The API lists groups in its own order.
    assert.deepEqual(
      loaded.map((r) => `${r.name} ${r.health} ${r.lastError ?? ''}`).sort(),
      ruleExprs.map((r) => `${r.name} ok `).sort(),
    );
    for (const r of ruleExprs) await assertScraped(r.name, r.expr);
  });

  test('every dashboard query evaluates and finds series; every metric it reads is scraped with the labels it reads', async () => {
    for (const q of dashboardQueries()) {
      await assertScraped(q.panel, q.expr);
      const r = await prometheus.query(asSent(q.expr));
      assert.ok(r.result.length > 0, `${q.panel}: ${asSent(q.expr)} found nothing`);
    }
  });

  test('docs/metrics.md and the scrape name the same metrics', async () => {
    const documented = [
      ...readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8').matchAll(/^\| `(notify_guard_[a-z_]+)`/gm),
    ].map((m) => m[1]!);
    const scraped = new Set(await prometheus.api<string[]>('/api/v1/label/__name__/values'));
    const histograms = new Set(
      [...scraped].filter((n) => n.endsWith('_bucket')).map((n) => n.slice(0, -'_bucket'.length)),
    );
    const missing = documented.filter((n) => !scraped.has(n) && !histograms.has(n));
    assert.deepEqual(missing, [], 'documented but not scraped');
    const own = [...scraped]
      .filter((n) => n.startsWith('notify_guard_') && !/^notify_guard_(relay_)?(process|nodejs)_/.test(n))
      .map((n) => n.replace(/_(bucket|sum|count)$/, (s) => (histograms.has(n.slice(0, -s.length)) ? '' : s)));
    assert.deepEqual(
      [...new Set(own)].filter((n) => !documented.includes(n)),
      [],
      'scraped but not documented',
    );
    assert.ok(
      scraped.has('notify_guard_process_cpu_seconds_total') &&
        scraped.has('notify_guard_relay_nodejs_eventloop_lag_p99_seconds'),
      'process metrics of both',
    );
  });
});
