/**
 * The RBAC of certificate self-management is exactly what the code calls: two replicas run the
 * whole life (create, inject, watch, hand over the Lease, renew) against the test API server with
 * the settings the rendered StatefulSet passes, and the verbs they used are compared with the
 * rendered Role and the ClusterRole's webhook-configuration rule (skipped where kubectl is absent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { serviceHosts } from '../../src/certs/certificates.ts';
import { startSelfManagedCerts } from '../../src/certs/self-managed.ts';
import { createServingTls } from '../../src/certs/serving-tls.ts';
import { parseWebhookArgs } from '../../src/cli/webhook-flags.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeApiServer, certResources } from '../servers/fake-apiserver.ts';
import type { FakeApiCall } from '../servers/fake-apiserver.ts';
import { eventually, kubeApiFor } from '../support/live-cluster.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const skip =
  spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status !== 0 ? 'kubectl is not installed' : false;
const quiet = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
type Obj = { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[]; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** "group/resource verb [name]" for each grant; a rule without resourceNames grants every name. */
function grants(rules: readonly Rule[]): string[] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((g) =>
      r.resources.flatMap((res) =>
        r.verbs.flatMap((v) => (r.resourceNames ?? ['']).map((n) => `${g}/${res} ${v}${n ? ` ${n}` : ''}`)),
      ),
    ),
  );
}

/** The same form for calls; `create` never carries a name (RBAC cannot know it beforehand). */
function used(calls: readonly FakeApiCall[], resources: readonly string[]): string[] {
  return [
    ...new Set(
      calls
        .filter((c) => resources.includes(c.resource))
        .map((c) => `${c.group}/${c.resource} ${c.verb}${c.verb !== 'create' && c.name ? ` ${c.name}` : ''}`),
    ),
  ].sort();
}

test('self-managed certificates call exactly the verbs the rendered Role and ClusterRole grant', { skip }, async () => {
  const rendered = spawnSync('kubectl', ['kustomize', join(ROOT, 'manifests')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(rendered.status, 0, rendered.stderr);
  const objects = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as Obj);
  const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'notify-guard-certs')!;
  const clusterRole = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'notify-guard')!;
  const args = objects
    .find((o) => o.kind === 'StatefulSet')!
    .spec.template.spec.containers.find((c: { name: string }) => c.name === 'webhook').args as string[];
  const flags = parseWebhookArgs([...args.slice(1), '--pod-name', 'notify-guard-0']);
  assert.ok(flags !== 'help' && flags.certs.selfManaged);
  const m = flags.certs.selfManaged;
  assert.equal(role.metadata.namespace, flags.serviceNamespace);

  const api = new FakeApiServer(certResources(), { bookmarkIntervalMs: 100 });
  await api.start();
  const config = (kind: string) => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: { name: m.webhookConfigName },
    webhooks: [{ name: 'w', clientConfig: { service: { name: 's', namespace: 'n' } } }],
  });
  api.apply(config('ValidatingWebhookConfiguration'));
  api.apply(config('MutatingWebhookConfiguration'));
  const hosts = serviceHosts(flags.serviceName, flags.serviceNamespace);
  const start = (identity: string, extraHosts: string[] = []) =>
    startSelfManagedCerts({
      api: kubeApiFor(api.url),
      logger: quiet(),
      tls: createServingTls(),
      namespace: flags.serviceNamespace,
      secretName: m.secretName,
      leaseName: m.leaseName,
      identity,
      webhookConfigName: m.webhookConfigName,
      hosts: [...hosts, ...extraHosts],
      caValidityDays: m.caValidityDays,
      leafValidityDays: m.leafValidityDays,
      renewBeforeMs: m.renewBeforeDays * 86_400_000,
      intervalMs: 200,
      election: { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400 },
    });
  const first = start('notify-guard-0');
  let second: ReturnType<typeof start> | undefined;
  try {
    // Certificates are generated on the way (RSA keys, node-forge signatures): slow on a busy machine.
    await eventually('created and injected', () => first.isLeader() && first.notReadyReason() === undefined, 30_000);
    // Started once the first leads, so the Lease cannot go to it first (under load its first try could
    // arrive first): its extra host is what makes the handover a renewal.
    second = start('notify-guard-1', ['notify-guard-webhook.example']);
    await first.stop();
    // The new leader renews the serving certificate for its extra host (an update of the Secret).
    await eventually(
      'handed over and renewed',
      () =>
        second!.isLeader() &&
        second!.notReadyReason() === undefined &&
        api.calls.some((c) => c.verb === 'update' && c.resource === 'secrets'),
      30_000,
    );
  } finally {
    await first.stop();
    await second?.stop();
    await api.close();
  }
  const namespaced = api.calls.filter((c) => c.namespace !== undefined);
  assert.ok(
    namespaced.every((c) => c.namespace === role.metadata.namespace),
    "every Secret and Lease call is in the Role's namespace",
  );
  assert.deepEqual(used(api.calls, ['secrets', 'leases']), grants(role.rules!).sort());
  const webhookRules = clusterRole.rules!.filter((r) => r.resources.includes('validatingwebhookconfigurations'));
  assert.deepEqual(
    used(api.calls, ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']),
    grants(webhookRules).sort(),
  );
});
