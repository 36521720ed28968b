/**
 * The kustomize base, rendered with `kubectl kustomize` (skipped where kubectl is absent), against
 * the rules an admin relies on: webhooks that cannot take the cluster down, least-privilege RBAC, a
 * restricted pod, and ports, paths and flags that match what the binaries serve.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { serviceHosts } from '../src/certs/certificates.ts';
import { parsePolicy } from '../src/policy/policy-file.ts';
import { defaultPolicy } from '../src/policy/policy.ts';
import { ALL_RULES } from '../src/policy/rules/index.ts';
import { parseWebhookArgs } from '../src/cli/webhook-flags.ts';
import { parseRelayArgs } from '../src/cli/relay-command.ts';
import { kustomizeSkip, renderKustomization } from './support/kustomize.ts';
import type { Obj } from './support/kustomize.ts';

const ROOT = join(import.meta.dirname, '..');
const skip = kustomizeSkip;
const render = renderKustomization;

describe('manifests/ (kustomize base)', { skip }, () => {
  const objects = skip ? [] : render('manifests');
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const pod = () => byKind('StatefulSet')[0]!.spec.template.spec;
  const container = (name: string) => pod().containers.find((c: Obj) => c.name === name);

  test('renders the whole install', () => {
    // ConfigMaps carry kustomize's content hash as a name suffix; compare without it.
    assert.deepEqual(
      objects
        .map(
          (o) =>
            `${o.kind}/${o.kind === 'ConfigMap' ? o.metadata.name.replace(/-[a-z0-9]{10}$/, '') : o.metadata.name}`,
        )
        .sort(),
      [
        'ClusterRole/notify-guard',
        'ClusterRoleBinding/notify-guard',
        'ConfigMap/notify-guard-policy',
        'CustomResourceDefinition/notifyguardpolicies.notify-guard.fluxcd.community',
        'MutatingWebhookConfiguration/notify-guard',
        'Namespace/notify-guard-system',
        'NetworkPolicy/notify-guard',
        'PodDisruptionBudget/notify-guard',
        'Role/notify-guard-certs',
        'Role/notify-guard-relay-sender',
        'RoleBinding/notify-guard-certs',
        'RoleBinding/notify-guard-relay-sender',
        'Service/notify-guard',
        'Service/notify-guard-relay',
        'Service/notify-guard-webhook',
        'ServiceAccount/notify-guard',
        'StatefulSet/notify-guard',
        'ValidatingWebhookConfiguration/notify-guard',
      ],
    );
  });

  test('every webhook: v1 reviews, no side effects, Equivalent matching, timeout <= 5 s, excludes kube-system, kube-node-lease and its own namespace', () => {
    const hooks = [...byKind('ValidatingWebhookConfiguration'), ...byKind('MutatingWebhookConfiguration')].flatMap(
      (c) => c.webhooks as Obj[],
    );
    assert.equal(hooks.length, 4);
    for (const h of hooks) {
      assert.deepEqual(h.admissionReviewVersions, ['v1'], h.name);
      assert.equal(h.sideEffects, 'None', h.name);
      assert.equal(h.matchPolicy, 'Equivalent', h.name);
      assert.ok(h.timeoutSeconds <= 5, h.name);
      const excluded = h.namespaceSelector.matchExpressions.find(
        (e: Obj) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn',
      ).values;
      for (const ns of ['kube-system', 'kube-node-lease', 'notify-guard-system'])
        assert.ok(excluded.includes(ns), `${h.name} excludes ${ns}`);
    }
  });

  test('Alerts and Providers of every served version fail closed; Secrets and mutation fail open', () => {
    const [flux, secrets] = byKind('ValidatingWebhookConfiguration')[0]!.webhooks as Obj[];
    assert.deepEqual(flux!.rules[0].apiVersions, ['v1beta3', 'v1beta2', 'v1beta1']);
    assert.equal(flux!.failurePolicy, 'Fail');
    assert.deepEqual(secrets!.rules[0].resources, ['secrets']);
    assert.equal(secrets!.failurePolicy, 'Ignore');
    assert.equal(byKind('MutatingWebhookConfiguration')[0]!.webhooks[0].failurePolicy, 'Ignore');
  });

  test('NotifyGuardPolicy: a cluster-scoped CRD with a status subresource, validated by the webhook (failing open)', () => {
    const crd = byKind('CustomResourceDefinition')[0]!;
    assert.equal(crd.spec.scope, 'Cluster');
    assert.deepEqual(
      crd.spec.versions.map((v: Obj) => [v.name, v.served, v.storage, v.subresources]),
      [['v1alpha1', true, true, { status: {} }]],
    );
    const hook = (byKind('ValidatingWebhookConfiguration')[0]!.webhooks as Obj[]).find(
      (h) => h.name === 'policy.validate.notify-guard.fluxcd.community',
    )!;
    assert.deepEqual(
      [hook.rules, hook.failurePolicy],
      [
        [
          {
            apiGroups: [crd.spec.group],
            apiVersions: ['v1alpha1'],
            operations: ['CREATE', 'UPDATE'],
            resources: [crd.spec.names.plural],
            scope: 'Cluster',
          },
        ],
        'Ignore',
      ],
    );
  });

  test('RBAC: no wildcards; Secret and Lease writes only in its own namespace; webhook configuration patch only on its own', () => {
    for (const role of [...byKind('ClusterRole'), ...byKind('Role')]) {
      for (const rule of role.rules as Obj[])
        for (const f of ['apiGroups', 'resources', 'verbs'])
          assert.ok(!rule[f].includes('*'), `${role.metadata.name} ${f}`);
    }
    const cluster = byKind('ClusterRole')[0]!.rules as Obj[];
    const writes = cluster.filter((r) => r.verbs.some((v: string) => !['get', 'list', 'watch'].includes(v)));
    assert.deepEqual(
      writes.map((r) => [r.resources, r.verbs, r.resourceNames ?? []]),
      [
        [
          ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
          ['get', 'list', 'watch', 'patch'],
          ['notify-guard'],
        ],
        [['events'], ['create'], []],
        [['tokenreviews'], ['create'], []],
        [['notifyguardpolicies/status'], ['patch'], ['default']],
      ],
    );
    assert.equal(byKind('Role')[0]!.metadata.namespace, 'notify-guard-system');
  });

  test('a restricted pod: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, requests and limits', () => {
    assert.equal(pod().securityContext.runAsNonRoot, true);
    assert.equal(pod().securityContext.seccompProfile.type, 'RuntimeDefault');
    for (const c of pod().containers as Obj[]) {
      assert.deepEqual(
        c.securityContext,
        { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        c.name,
      );
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, c.name);
    }
    assert.ok(byKind('StatefulSet')[0]!.spec.replicas >= 2);
    assert.equal(byKind('PodDisruptionBudget')[0]!.spec.minAvailable, 1);
  });

  test('ports, paths and flags match what the binaries serve', () => {
    const webhook = parseWebhookArgs(container('webhook').args.slice(1));
    const relay = parseRelayArgs(container('relay').args.slice(1));
    assert.ok(webhook !== 'help' && relay !== 'help');
    assert.equal(webhook.port, container('webhook').ports[0].containerPort);
    assert.equal(relay.port, container('relay').ports[0].containerPort);
    assert.equal(
      relay.journalPath.startsWith(container('relay').volumeMounts[0].mountPath + '/'),
      true,
      'the journal is on the volume',
    );
    for (const c of [container('webhook'), container('relay')]) {
      assert.deepEqual([c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path], ['/readyz', '/healthz']);
    }
    const paths = [...byKind('ValidatingWebhookConfiguration'), ...byKind('MutatingWebhookConfiguration')].flatMap(
      (c) =>
        c.webhooks.map((w: Obj) => [
          w.clientConfig.service.name,
          w.clientConfig.service.path,
          w.clientConfig.service.port,
        ]),
    );
    assert.deepEqual(paths, [
      ['notify-guard-webhook', '/validate', 443],
      ['notify-guard-webhook', '/validate', 443],
      ['notify-guard-webhook', '/validate', 443],
      ['notify-guard-webhook', '/mutate', 443],
    ]);
    const svc = byKind('Service').find((s) => s.metadata.name === 'notify-guard-webhook')!;
    assert.deepEqual([svc.spec.ports[0].port, svc.spec.ports[0].targetPort], [443, 'webhook']);
    const relaySvc = byKind('Service').find((s) => s.metadata.name === 'notify-guard-relay')!;
    assert.deepEqual([relaySvc.spec.ports[0].port, relaySvc.spec.ports[0].targetPort], [80, 'events']);
    // One sender per destination (docs/relay-replicas.md): the Lease the relay's Role grants, the
    // peer port, the holder's pod reached through the governing headless Service.
    const sender = relay.sender!;
    const role = byKind('Role').find((r) => r.metadata.name === 'notify-guard-relay-sender')!;
    assert.deepEqual(role.rules[1].resourceNames, [sender.leaseName]);
    const peerPort = container('relay').ports.find((p: Obj) => p.name === 'peer').containerPort;
    assert.equal(sender.peerPort, peerPort);
    const headless = byKind('StatefulSet')[0]!.spec.serviceName;
    assert.equal(sender.peerUrl, `http://{identity}.${headless}:${peerPort}/handoff`);
    const env = Object.fromEntries(container('relay').env.map((e: Obj) => [e.name, e.valueFrom.fieldRef.fieldPath]));
    assert.deepEqual(env, { POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace' });
  });
});

describe('manifests/overlays and manifests/flux', { skip }, () => {
  const find = (objs: Obj[], kind: string, name?: string) =>
    objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))!;
  const args = (objs: Obj[], container: string) =>
    find(objs, 'StatefulSet')
      .spec.template.spec.containers.find((c: Obj) => c.name === container)
      .args.slice(1) as string[];
  const policyOf = (objs: Obj[]) => parsePolicy(find(objs, 'ConfigMap').data['policy.yaml'], 'policy.yaml', ALL_RULES);

  test('the base and the self-managed overlay are the same install, with the default policy', () => {
    const base = render('manifests');
    assert.deepEqual(render('manifests/overlays/self-managed'), base);
    assert.deepEqual(policyOf(base), defaultPolicy(ALL_RULES));
    const webhook = parseWebhookArgs(args(base, 'webhook'));
    assert.ok(
      webhook !== 'help' &&
        webhook.certs.selfManaged?.webhookConfigName === 'notify-guard' &&
        webhook.policyFile === '/etc/notify-guard/policy.yaml',
    );
  });

  test('cert-manager: files from the issued Secret, CA injected by cert-manager, no Secret or Lease writes', () => {
    const objs = render('manifests/overlays/cert-manager');
    const webhook = parseWebhookArgs(args(objs, 'webhook'));
    assert.ok(webhook !== 'help');
    assert.equal(webhook.certs.selfManaged, undefined);
    assert.equal(webhook.certDir, '/certs');
    const cert = find(objs, 'Certificate', 'notify-guard-webhook');
    assert.deepEqual(cert.spec.dnsNames, serviceHosts(webhook.serviceName, webhook.serviceNamespace));
    const volume = find(objs, 'StatefulSet').spec.template.spec.volumes.find((v: Obj) => v.name === 'certs');
    assert.equal(volume.secret.secretName, cert.spec.secretName);
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      assert.equal(
        find(objs, kind).metadata.annotations['cert-manager.io/inject-ca-from'],
        `notify-guard-system/${cert.metadata.name}`,
      );
    }
    assert.deepEqual(
      objs.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding').map((o) => `${o.kind}/${o.metadata.name}`),
      ['Role/notify-guard-relay-sender', 'RoleBinding/notify-guard-relay-sender'],
      "only the relay's sender Lease",
    );
  });

  test('relay mode: the relay forwards to notification-controller and the policy marks Slack Providers', () => {
    const objs = render('manifests/overlays/relay');
    const relay = parseRelayArgs(args(objs, 'relay'));
    assert.ok(relay !== 'help');
    assert.equal(relay.forwardTo, 'http://notification-controller.flux-system.svc.cluster.local./');
    assert.equal(policyOf(objs).relayDeliversSlack, true);
  });

  test('the Flux patch points the controllers at the relay Service as rendered, and the GitOps Kustomization at an existing overlay', () => {
    const patch = parseAllDocuments(
      readFileSync(join(ROOT, 'manifests', 'flux', 'events-addr-patch.yaml'), 'utf8'),
    )[0]!.toJS() as Obj;
    const op = parse(patch.patches[0].patch)[0];
    const svc = find(render('manifests'), 'Service', 'notify-guard-relay');
    assert.equal(op.value, `--events-addr=http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local./`);
    assert.equal(svc.spec.ports[0].port, 80);
    const ks = parseAllDocuments(readFileSync(join(ROOT, 'manifests', 'flux', 'notify-guard.yaml'), 'utf8'))
      .map((d) => d.toJS() as Obj)
      .find((o) => o.kind === 'Kustomization')!;
    assert.ok(existsSync(join(ROOT, ks.spec.path, 'kustomization.yaml')), ks.spec.path);
  });
});

/** Validates an object against the OpenAPI schema of its kind (kubernetes-models, cert-manager models). */
async function openApiProblems(o: Obj): Promise<string | undefined> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const module =
    group === 'cert-manager.io'
      ? `@kubernetes-models/cert-manager/${group}/${version}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  const Model = (await import(module))[o.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return `no schema for ${o.apiVersion} ${o.kind}`;
  try {
    new Model(o).validate();
    return undefined;
  } catch (e) {
    return `${o.kind}/${o.metadata.name}: ${(e as Error).message}`;
  }
}

describe('every rendered object validates against the Kubernetes OpenAPI schemas', { skip }, () => {
  for (const dir of ['manifests', 'manifests/overlays/cert-manager', 'manifests/overlays/relay']) {
    test(dir, async () => {
      const problems = (await Promise.all(render(dir).map(openApiProblems))).filter((p) => p !== undefined);
      assert.deepEqual(problems, []);
    });
  }
});
