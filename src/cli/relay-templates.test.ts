import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { staticClusterView } from '../cluster/static-view.ts';
import type { KubeObject } from '../flux/objects.ts';
import { createLogger } from '../observability/logger.ts';
import { tempDir } from '../../test/support/temp-dir.ts';
import type { ClusterSource } from './cluster-source.ts';
import { openDirCluster } from '../../test/support/dir-cluster.ts';
import { openRelayTemplates } from './relay-templates.ts';

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata: {name: payments, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: search, labels: {env: dev}}
`;

const POLICY = `apiVersion: notify-guard.fluxcd.community/v1alpha1
kind: NotifyGuardPolicy
metadata: {name: platform}
spec:
  conventions:
    - name: prod-messages
      namespaces: {selector: {matchLabels: {env: prod}}}
      messages: {template: "TEMPLATE", require: true}
`;

const provider = (ns: string): KubeObject => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Provider',
  metadata: { namespace: ns, name: 'slack' },
  spec: { type: 'slack' },
});

/** The relay's templates over `--cluster-dir` (Namespaces) and `--policy` (the conventions), with the log kept. */
async function open(policy: string) {
  const dir = tempDir('relay-templates');
  writeFileSync(join(dir, 'namespaces.yaml'), NAMESPACES);
  const policyFile = join(tempDir('relay-templates-policy'), 'policy.yaml');
  writeFileSync(policyFile, policy);
  const logs: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write: (c: Buffer, _e, cb) => {
        logs.push(c.toString());
        cb();
      },
    }),
  );
  const cluster = await openDirCluster(dir, logger);
  const templates = await openRelayTemplates({ cluster, flags: { policyFile }, watchdogMs: 180_000, logger });
  return { templates, logs, view: cluster.view };
}

test('--policy and --cluster-dir: the policy file gives the template, scoped by the Namespaces labels among the manifests', async () => {
  const { templates, view } = await open(POLICY.replace('TEMPLATE', '*{{object.name}}* {{message}}'));
  try {
    assert.deepEqual(templates.templateFor(undefined, provider('payments')), {
      template: '*{{object.name}}* {{message}}',
      required: true,
    });
    assert.equal(templates.templateFor(undefined, provider('search')), undefined);
    assert.equal(templates.notReadyReason(), undefined);
    assert.equal(templates.wiring(view).cluster.synced(), true);
  } finally {
    templates.stop();
  }
});

test('a policy file whose template does not parse fails the relay start with the field error', async () => {
  await assert.rejects(open(POLICY.replace('TEMPLATE', '{{message')), (err: Error) => {
    assert.equal(
      err.message.replace(/^.*policy\.yaml: /, ''),
      'spec.conventions[0].messages.template: Invalid value: "{{message": line 1, column 1: unclosed tag; close every {{tag}} and {{#section}}…{{/section}} at the line and column named',
    );
    return true;
  });
});

test('without a policy file or a cluster policy, no template applies and the relay is ready', async () => {
  const view = staticClusterView([]);
  const cluster = {
    view,
    api: undefined,
    clusterMetrics: undefined,
    namespaces: undefined,
  } as unknown as ClusterSource;
  const logger = createLogger('error', new Writable({ write: (_c, _e, cb) => cb() }));
  const templates = await openRelayTemplates({
    cluster,
    flags: {},
    watchdogMs: 180_000,
    logger,
  });
  assert.equal(templates.templateFor(undefined, provider('payments')), undefined);
  assert.equal(templates.notReadyReason(), undefined);
  assert.equal(templates.wiring(view).cluster.synced(), true);
  templates.stop();
});
