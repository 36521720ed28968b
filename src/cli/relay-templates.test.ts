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
import { openRelayTemplates } from './relay-templates.ts';

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: payments, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: search, labels: {env: dev}}
---
apiVersion: notify-guard.fluxcd.community/v1alpha1
kind: NotifyGuardPolicy
metadata: {name: default}
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

async function open(manifests: string) {
  const dir = tempDir('relay-templates');
  writeFileSync(join(dir, 'all.yaml'), manifests);
  const logs: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write: (c: Buffer, _e, cb) => {
        logs.push(JSON.parse(c.toString()).msg as string);
        cb();
      },
    }),
  );
  const view = staticClusterView([]);
  const source = { view, api: undefined, clusterMetrics: undefined } as unknown as ClusterSource;
  return { templates: await openRelayTemplates(source, dir, logger), logs, view };
}

test('--cluster-dir: the NotifyGuardPolicy and Namespace labels among the manifests give the template, by namespace', async () => {
  const { templates, logs, view } = await open(MANIFESTS.replace('TEMPLATE', '*{{object.name}}* {{message}}'));
  assert.deepEqual(templates.templateFor(undefined, provider('payments')), {
    template: '*{{object.name}}* {{message}}',
    required: true,
  });
  assert.equal(templates.templateFor(undefined, provider('search')), undefined);
  assert.equal(templates.notReadyReason(), undefined);
  assert.equal(templates.wiring(view).cluster.synced(), true);
  assert.deepEqual(logs, ['platform message templates in force']);
});

test('--cluster-dir: a policy whose template does not parse gives no template and says why', async () => {
  const { templates, logs } = await open(MANIFESTS.replace('TEMPLATE', '{{message'));
  assert.equal(templates.templateFor(undefined, provider('payments')), undefined);
  assert.deepEqual(logs, ['NotifyGuardPolicy cannot be used; the last good message templates stay in force']);
});
