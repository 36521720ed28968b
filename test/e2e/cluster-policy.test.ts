/**
 * The policy as a NotifyGuardPolicy object, through the test API server and the real webhook
 * wiring (startWebhook with --kubeconfig): applied, changed, broken (the last good one stays in
 * force, the status says why), deleted; conventions filled from Namespace labels; the webhook
 * denying an invalid NotifyGuardPolicy with exact field errors.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startWebhook } from '../../src/cli/webhook-command.ts';
import type { RunningWebhook } from '../../src/cli/webhook-command.ts';
import { parseWebhookArgs } from '../../src/cli/webhook-flags.ts';
import type { KubeObject } from '../../src/flux/objects.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeApiServer, platformResources } from '../servers/fake-apiserver.ts';
import { get, review } from '../support/apiserver-client.ts';
import { eventually } from '../support/live-cluster.ts';
import { alert, provider } from '../support/objects.ts';
import { loadManifests } from '../../src/cluster/manifests.ts';
import { parse, parseAllDocuments } from 'yaml';
import { spawnSync } from 'node:child_process';
import { tempDir } from '../support/temp-dir.ts';
import { writeTestCertDir } from '../support/webhook-server.ts';

const quiet = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const RESOURCES = platformResources();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(
  extraArgs: string[] = [],
  o: { prepare?: (api: FakeApiServer) => void; waitReady?: boolean } = {},
): Promise<{ api: FakeApiServer; w: RunningWebhook; ca: string }> {
  const api = new FakeApiServer(RESOURCES, { bookmarkIntervalMs: 100 });
  const url = await api.start();
  o.prepare?.(api);
  cleanups.push(() => api.close());
  api.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'payments', labels: { team: 'payments', env: 'prod' } },
  });
  api.apply(
    provider('payments', 'slack', {
      type: 'slack',
      channel: 'team-payments-alerts',
      address: 'https://slack.com/api/chat.postMessage',
    }),
  );
  const dir = tempDir('cluster-policy');
  const kubeconfig = join(dir, 'kubeconfig');
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
    ...extraArgs,
  ]);
  if (options === 'help') throw new Error('unexpected help');
  const w = await startWebhook(options, quiet());
  cleanups.push(() => w.close());
  const ca = await readFile(join(dir, 'certs', 'ca.crt'), 'utf8');
  if (o.waitReady !== false)
    await eventually('ready', async () => (await get(w.port, ca, '/readyz')).status === 200, 15_000);
  return { api, w, ca };
}

const policy = (generation: number, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'notify-guard.fluxcd.community/v1alpha1',
  kind: 'NotifyGuardPolicy',
  metadata: { name: 'default', generation },
  spec,
});
const prodErrors = (action: string) => ({
  conventions: [
    {
      name: 'prod-errors',
      action,
      namespaces: { selector: { matchLabels: { env: 'prod' } } },
      severity: { required: 'error' },
    },
  ],
});
const infoAlert = alert('payments', 'a', {
  providerRef: { name: 'slack' },
  eventSources: [{ kind: 'Kustomization', name: '*' }],
  eventSeverity: 'info',
});
const DENIAL =
  'Alert.notification.toolkit.fluxcd.io "a" is invalid: spec.eventSeverity: Invalid value: "info": Alerts in namespace "payments" must have eventSeverity "error": set spec.eventSeverity: error';
const readyOf = (api: FakeApiServer) =>
  (
    api.get({ apiVersion: 'notify-guard.fluxcd.community/v1alpha1', kind: 'NotifyGuardPolicy', name: 'default' })?.[
      'status'
    ] as { conditions?: { status: string; message: string; observedGeneration?: number }[] } | undefined
  )?.conditions?.[0];

test('a NotifyGuardPolicy is applied, changed, broken (last good kept, status says why) and deleted, without a restart', async () => {
  const { api, w, ca } = await start();
  const validate = () => review(w.port, ca, 'validate', { operation: 'CREATE', object: infoAlert });
  assert.deepEqual((await validate()).allowed, true, 'no policy object: the defaults, as before');

  api.apply(policy(1, prodErrors('deny')));
  await eventually('the convention denies', async () => (await validate()).status?.message === DENIAL, 15_000);
  await eventually('status Ready', () => readyOf(api)?.status === 'True', 15_000);
  assert.deepEqual(
    { ...readyOf(api), lastTransitionTime: undefined },
    {
      type: 'Ready',
      status: 'True',
      reason: 'Accepted',
      message: 'the policy is in force',
      observedGeneration: 1,
      lastTransitionTime: undefined,
    },
  );

  api.apply(
    policy(2, { conventions: [{ name: 'prod-errors', action: 'warn', channels: { patterns: ['team-{team}-*'] } }] }),
  );
  await eventually('status says it is invalid', () => readyOf(api)?.status === 'False', 15_000);
  assert.equal(
    readyOf(api)?.message,
    'spec.conventions[0].channels.patterns[0]: Invalid value: "team-{team}-*": unknown placeholder {team}: use {namespace} or {label:KEY} with a label key such as team or example.com/team; the webhook keeps using NotifyGuardPolicy "default" generation 1',
  );
  assert.equal((await validate()).status?.message, DENIAL, 'the last good policy stays in force');

  api.apply(policy(3, prodErrors('warn')));
  await eventually('warned, not denied', async () => (await validate()).allowed === true, 15_000);
  assert.deepEqual((await validate()).warnings, [
    'spec.eventSeverity: Invalid value: "info": Alerts in namespace "payments" must have eventSeverity "error": set spec.eventSeverity: error',
  ]);
  await eventually(
    'status Ready again',
    () => readyOf(api)?.status === 'True' && readyOf(api)?.observedGeneration === 3,
    15_000,
  );

  api.remove(policy(3, {}));
  await eventually('back to the defaults', async () => (await validate()).warnings === undefined, 15_000);
});

test('conventions read Namespace labels: eventMetadata defaults filled from them by /mutate', async () => {
  const { api, w, ca } = await start();
  api.apply(
    policy(1, {
      conventions: [
        {
          name: 'metadata',
          eventMetadata: { required: ['cluster', 'team'], defaults: { cluster: 'prod-eu-1', team: '{label:team}' } },
        },
      ],
    }),
  );
  const mutate = () =>
    review(w.port, ca, 'mutate', {
      operation: 'CREATE',
      object: {
        ...infoAlert,
        spec: { ...(infoAlert['spec'] as object), eventSeverity: 'error', eventMetadata: { team: 'checkout' } },
      },
    });
  await eventually('defaulted', async () => (await mutate()).patch !== undefined, 15_000);
  const r = await mutate();
  assert.deepEqual(JSON.parse(Buffer.from(r.patch!, 'base64').toString()), [
    { op: 'add', path: '/spec/eventMetadata/cluster', value: 'prod-eu-1' },
  ]);
  assert.deepEqual(r.warnings, [
    'spec.eventMetadata: added cluster: "prod-eu-1" from the platform\'s policy; set a key yourself to choose its value',
  ]);
});

test('the webhook denies an invalid NotifyGuardPolicy with exact field errors, and warns about one not named default', async () => {
  const { w, ca } = await start();
  const bad = policy(1, {
    rules: { 'alert-provider-exist': 'deny' },
    conventions: [
      {
        name: 'x',
        namespaces: { selector: { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['prod'] }] } },
        severity: { required: 'error' },
      },
    ],
  });
  const r = await review(w.port, ca, 'validate', { operation: 'CREATE', object: bad });
  assert.equal(r.allowed, false);
  assert.equal(r.status?.code, 422);
  assert.deepEqual(
    r.status?.details?.causes?.map((c) => `${c.field}: ${c.message}`),
    [
      `spec.rules[alert-provider-exist]: Unsupported value: "alert-provider-exist": unknown rule; known rules: ${(await import('../../src/policy/rules/index.ts')).ALL_RULES.map((x) => x.id).join(', ')}`,
      'spec.conventions[0].namespaces.selector.matchExpressions[0]: Invalid value: values must be empty when operator is Exists',
    ],
  );
  assert.match(
    r.status!.message!,
    /^NotifyGuardPolicy\.notify-guard\.fluxcd\.community "default" is invalid: \[spec\.rules\[alert-provider-exist\]: Unsupported value/,
  );
  const other = await review(w.port, ca, 'validate', {
    operation: 'CREATE',
    object: { ...policy(1, {}), metadata: { name: 'team-a' } },
  });
  assert.deepEqual(
    { allowed: other.allowed, warnings: other.warnings },
    { allowed: true, warnings: ['only the NotifyGuardPolicy named "default" is read; "team-a" has no effect'] },
  );
  const metrics = (await get(w.port, ca, '/metrics')).body;
  assert.match(
    metrics,
    /^notify_guard_admission_requests_total\{webhook="validate",kind="NotifyGuardPolicy",operation="CREATE",outcome="denied"\} 1$/m,
  );
  assert.match(
    metrics,
    /^notify_guard_admission_requests_total\{webhook="validate",kind="NotifyGuardPolicy",operation="CREATE",outcome="allowed"\} 1$/m,
  );
});

test("the periodic audit publishes violations and coverage per namespace, and writes the counts into the policy's status", async () => {
  const { api, w, ca } = await start(['--audit-interval', '1']);
  const root = join(import.meta.dirname, '..', '..', 'examples', 'platform');
  for (const { object } of await loadManifests(join(root, 'cluster'))) api.apply(object);
  api.apply({
    ...(parse(await readFile(join(root, 'policy.yaml'), 'utf8')) as KubeObject),
    metadata: { name: 'default', generation: 1 },
  });
  const violations = () =>
    (
      api.get({ apiVersion: 'notify-guard.fluxcd.community/v1alpha1', kind: 'NotifyGuardPolicy', name: 'default' })?.[
        'status'
      ] as { violations?: { byConvention: Record<string, number>; total: number } } | undefined
    )?.violations;
  await eventually('violations in the status', () => violations()?.total === 5, 15_000);
  assert.deepEqual(violations()?.byConvention, {
    'event-metadata': 1,
    'team-channels': 1,
    'prod-errors': 1,
    'incident-channels': 1,
    'prod-coverage': 1,
  });
  const metrics = (await get(w.port, ca, '/metrics')).body;
  assert.deepEqual(
    metrics
      .split('\n')
      .filter((l) => l.startsWith('notify_guard_policy_violations{') || l.startsWith('notify_guard_unwatched_objects{'))
      .sort(),
    [
      'notify_guard_policy_violations{convention="event-metadata",namespace="data"} 1',
      'notify_guard_policy_violations{convention="incident-channels",namespace="search"} 1',
      'notify_guard_policy_violations{convention="prod-coverage",namespace="payments"} 1',
      'notify_guard_policy_violations{convention="prod-errors",namespace="search"} 1',
      'notify_guard_policy_violations{convention="team-channels",namespace="search"} 1',
      'notify_guard_unwatched_objects{kind="HelmRelease",namespace="data"} 1',
      'notify_guard_unwatched_objects{kind="HelmRelease",namespace="payments"} 1',
    ],
  );
});

test(
  'the policy and Namespace calls are exactly what the rendered ClusterRole grants',
  { skip: spawnSync('kubectl', ['version', '--client']).status !== 0 ? 'kubectl is not installed' : false },
  async () => {
    const rendered = spawnSync('kubectl', ['kustomize', join(import.meta.dirname, '..', '..', 'manifests')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(rendered.status, 0, rendered.stderr);
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
    const role = parseAllDocuments(rendered.stdout)
      .map((d) => d.toJS() as { kind: string; rules?: Rule[] })
      .find((o) => o.kind === 'ClusterRole')!;
    const mine = ['notifyguardpolicies', 'notifyguardpolicies/status', 'namespaces'];
    const grants = role
      .rules!.filter((r) => r.resources.some((x) => mine.includes(x)))
      .flatMap((r) =>
        r.apiGroups.flatMap((g) =>
          r.resources.flatMap((res) =>
            r.verbs.flatMap((v) => (r.resourceNames ?? ['']).map((n) => `${g}/${res} ${v}${n ? ` ${n}` : ''}`)),
          ),
        ),
      )
      .sort();

    const { api, w, ca } = await start(['--audit-interval', '1']);
    api.apply(policy(1, prodErrors('warn')));
    await eventually('status written', () => readyOf(api)?.status === 'True', 15_000);
    const audits = api.calls.filter((c) => c.resource === 'namespaces' && c.verb === 'list').length;
    await eventually(
      'another periodic audit',
      () => api.calls.filter((c) => c.resource === 'namespaces' && c.verb === 'list').length > audits + 1,
      10_000,
    );
    assert.ok((await get(w.port, ca, '/readyz')).status === 200);
    const used = [
      ...new Set(
        api.calls
          .filter((c) => mine.includes(c.resource))
          .map((c) => `${c.group}/${c.resource} ${c.verb}${c.name ? ` ${c.name}` : ''}`),
      ),
    ].sort();
    assert.deepEqual(used, grants);
  },
);

test('the webhook is not ready until it has read the NotifyGuardPolicy, so it never serves the fallback policy first', async () => {
  let held: ReturnType<FakeApiServer['holdLists']> | undefined;
  const { api, w, ca } = await start([], {
    waitReady: false,
    prepare: (a) => {
      held = a.holdLists('notifyguardpolicies');
    },
  });
  await held!.arrived;
  api.apply(policy(1, prodErrors('deny')));
  await eventually(
    'only the policy list is awaited',
    async () =>
      JSON.parse((await get(w.port, ca, '/readyz')).body).reason ===
      'waiting for the initial list of NotifyGuardPolicy',
    15_000,
  );
  assert.equal((await get(w.port, ca, '/readyz')).status, 503);
  held!.release();
  await eventually('ready', async () => (await get(w.port, ca, '/readyz')).status === 200, 15_000);
  assert.equal(
    (await review(w.port, ca, 'validate', { operation: 'CREATE', object: infoAlert })).status?.message,
    DENIAL,
  );
});
