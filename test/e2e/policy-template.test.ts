/**
 * The platform's message template (a `messages` convention of the NotifyGuardPolicy) through the
 * test API server and the real relay wiring (startRelayServer with --kubeconfig): the relay waits
 * for the policy before it is ready, renders the convention's template for Alerts in scope, follows
 * a change of the policy without a restart or a change to any Provider, keeps the last good
 * template while the policy is broken, and returns to the built-in layout once it is deleted.
 * Also: the CRD's schema for the field, and `lint --policy` refusing a template that does not parse.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'yaml';
import type { RunningRelay } from '../../src/cli/relay-command.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeApiServer, platformResources } from '../servers/fake-apiserver.ts';
import { FakeSlack } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { call, startLiveRelay } from '../support/live-relay.ts';
import { slackDestination } from '../support/objects.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RESOURCES = platformResources();
const POLICY = { apiVersion: 'notify-guard.fluxcd.community/v1alpha1', kind: 'NotifyGuardPolicy', name: 'default' };
const policy = (messages: Record<string, unknown>) => ({
  apiVersion: POLICY.apiVersion,
  kind: POLICY.kind,
  metadata: { name: 'default' },
  spec: {
    conventions: [{ name: 'prod-messages', namespaces: { selector: { matchLabels: { env: 'prod' } } }, messages }],
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The relay in live mode with its log lines kept. */
async function startRelay(apiUrl: string): Promise<{ relay: RunningRelay; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => {
      logs.push(c.toString());
      cb();
    },
  });
  const relay = await startLiveRelay(apiUrl, join(tempDir('policy-template'), 'relay.journal'), {
    logger: createLogger('info', sink),
    extra: { pacing: { perSecond: 50, burst: 50 } },
  });
  cleanups.push(() => relay.close());
  return { relay, logs };
}

const event = (ns: string, message: string) => ({
  involvedObject: { kind: 'Kustomization', namespace: ns, name: 'api', apiVersion: 'kustomize.toolkit.fluxcd.io/v1' },
  severity: 'error',
  timestamp: '2026-12-02T06:00:00Z',
  message,
  reason: 'HealthCheckFailed',
  reportingController: 'kustomize-controller',
});

test('the relay renders the policy template for Alerts in scope and follows policy changes without a restart', async () => {
  const slack = new FakeSlack({ perSecond: 100, burst: 100 });
  const slackUrl = await slack.start();
  cleanups.push(() => slack.close());
  const api = new FakeApiServer(RESOURCES, { bookmarkIntervalMs: 100 });
  const apiUrl = await api.start();
  cleanups.push(() => api.close());
  api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { env: 'prod' } } });
  api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'search', labels: { env: 'dev' } } });
  for (const ns of ['payments', 'search'])
    for (const o of slackDestination(ns, `${slackUrl}/services/T0${ns.toUpperCase()}/B0/secret`)) api.apply(o);
  api.apply(policy({ template: 'v1 *{{object.namespace}}/{{object.name}}*: {{message}}' }));
  const held = api.holdLists('notifyguardpolicies');
  const { relay, logs } = await startRelay(apiUrl);
  await held.arrived;
  await eventually(
    'not ready while the policy is not read',
    async () => (await call(relay.port, 'GET', '/readyz')).body.includes('NotifyGuardPolicy'),
    15_000,
  );
  held.release();
  await eventually('ready', async () => (await call(relay.port, 'GET', '/readyz')).status === 200, 15_000);

  let n = 0;
  /** Posts one event to `ns` and resolves the message section Slack received for it. */
  const shown = async (ns: string): Promise<string> => {
    const message = `probe ${++n}`;
    assert.equal((await call(relay.port, 'POST', '/', event(ns, message))).status, 202);
    const path = `/services/T0${ns.toUpperCase()}/B0/secret`;
    const find = () =>
      slack.received.find((m) => m.path === path && JSON.stringify(m.body['text']).includes(`${message}"`));
    await eventually(`delivery of ${message}`, () => find() !== undefined, 15_000);
    return (find()!.body['blocks'] as { text?: { text: string } }[])[1]!.text!.text;
  };
  assert.equal(await shown('payments'), 'v1 *payments/api*: probe 1');
  assert.equal(await shown('search'), 'probe 2', 'out of scope: the built-in layout');

  api.apply(policy({ template: 'v2 {{reason}}: {{message}}' }));
  let latest = '';
  await eventually('the changed template', async () => (latest = await shown('payments')).startsWith('v2 '), 15_000);
  assert.equal(latest, `v2 HealthCheckFailed: probe ${n}`);

  api.apply(policy({ template: 'v3 {{#metadata.cluster}}broken' }));
  await eventually(
    'the broken policy read',
    () => logs.some((l) => l.includes('the last good policy stays in force')),
    15_000,
  );
  latest = await shown('payments');
  assert.equal(latest, `v2 HealthCheckFailed: probe ${n}`, 'the last good template stays');

  api.remove(api.get(POLICY)!);
  await eventually('the built-in layout', async () => (latest = await shown('payments')) === `probe ${n}`, 15_000);
});

test("the CRD's schema takes a messages convention with a template of at most 4,096 characters", async () => {
  const { Ajv } = await import('ajv');
  const crd = parse(readFileSync(join(ROOT, 'manifests', 'base', 'crd.yaml'), 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: object } }[] };
  };
  const validate = new Ajv({ strict: false, logger: false }).compile(crd.spec.versions[0]!.schema.openAPIV3Schema);
  const valid = (messages: unknown) => validate(policy(messages as Record<string, unknown>));
  assert.equal(valid({ template: '{{message}}', require: true }), true);
  assert.equal(valid({ template: 'x'.repeat(4096) }), true);
  assert.equal(valid({ template: 'x'.repeat(4097) }), false);
  assert.equal(valid({ template: '' }), false);
  assert.equal(valid({ require: true }), false);
  assert.equal(valid({ template: 'x', require: 'yes' }), false);
});

test('lint --policy refuses a policy whose message template does not parse, naming the field, line and column', () => {
  const dir = tempDir('policy-template-lint');
  const file = join(dir, 'policy.yaml');
  writeFileSync(
    file,
    'apiVersion: notify-guard.fluxcd.community/v1alpha1\nkind: NotifyGuardPolicy\nspec:\n  conventions:\n    - name: house-style\n      messages:\n        template: "*{{object.name}}*\\n{{message"\n',
  );
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'src', 'cli', 'main.ts'), 'lint', '--policy', file, join(ROOT, 'examples', 'cluster')],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    `notify-guard lint: ${file}: spec.conventions[0].messages.template: Invalid value: "*{{object.name}}*\\n{{message": line 2, column 1: unclosed tag; close every {{tag}} and {{#section}}…{{/section}} at the line and column named\n`,
  );
});

test('the webhook denies a NotifyGuardPolicy whose message template does not parse: a 422 naming the field, line and column', async () => {
  const { withPolicyValidation } = await import('../../src/admission/policy-admission.ts');
  const { createAdmissionMetrics } = await import('../../src/observability/metrics.ts');
  const { ALL_RULES } = await import('../../src/policy/rules/index.ts');
  const quiet = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const handler = withPolicyValidation(
    { handle: () => Promise.reject(new Error('not a policy request')) },
    ALL_RULES,
    quiet,
    createAdmissionMetrics(),
  );
  const review = (template: string) =>
    handler.handle('validate', {
      uid: 'u1',
      kind: { group: 'notify-guard.fluxcd.community', version: 'v1alpha1', kind: 'NotifyGuardPolicy' },
      name: 'default',
      operation: 'CREATE',
      object: policy({ template, require: true }),
    });
  const r = await review('{{#metadata.cluster}}on {{.}}\n{{message}}');
  const cause =
    'line 1, column 1: unclosed section "metadata.cluster"; close every {{tag}} and {{#section}}…{{/section}} at the line and column named';
  assert.deepEqual(
    [r.allowed, r.status?.code, r.status?.reason, r.status?.details?.causes],
    [
      false,
      422,
      'Invalid',
      [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.conventions[0].messages.template',
          message: `Invalid value: "{{#metadata.cluster}}on {{.}}\\n{{message}}": ${cause}`,
        },
      ],
    ],
  );
  assert.deepEqual(await review('{{#metadata.cluster}}on {{.}}{{/metadata.cluster}}\n{{message}}'), {
    uid: 'u1',
    allowed: true,
  });
});
