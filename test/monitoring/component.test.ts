/**
 * manifests/monitoring, rendered with `kubectl kustomize` through manifests/overlays/monitoring
 * (skipped where kubectl is absent): the base unchanged plus the monitoring objects, valid against
 * prometheus-operator's schemas, scraping the ports and job names the containers and the rules use.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PodMonitor, PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { RULES_FILE } from '../support/monitoring-manifests.ts';
import { kustomizeSkip, renderKustomization } from '../support/kustomize.ts';
import type { Obj } from '../support/kustomize.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const skip = kustomizeSkip;
const render = renderKustomization;

describe('manifests/monitoring (kustomize component)', { skip }, () => {
  const base = skip ? [] : render('manifests');
  const objects = skip ? [] : render('manifests/overlays/monitoring');
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
  const container = (name: string) =>
    find('StatefulSet', 'notify-guard').spec.template.spec.containers.find((c: Obj) => c.name === name);

  test('adds a PrometheusRule, a PodMonitor, a NetworkPolicy and the dashboard ConfigMap in notify-guard-system, and changes nothing of the install', () => {
    const added = objects.filter((o) => !base.some((b) => b.kind === o.kind && b.metadata.name === o.metadata.name));
    assert.deepEqual(added.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort(), [
      'ConfigMap/notify-guard-system/notify-guard-dashboard',
      'NetworkPolicy/notify-guard-system/notify-guard-metrics',
      'PodMonitor/notify-guard-system/notify-guard',
      'PrometheusRule/notify-guard-system/notify-guard',
    ]);
    assert.deepEqual(
      objects.filter((o) => !added.includes(o)),
      base,
    );
  });

  test('the PrometheusRule holds exactly the plain rules file, and both custom resources validate against prometheus-operator schemas', () => {
    const rule = find('PrometheusRule', 'notify-guard');
    assert.deepEqual(rule.spec, parse(readFileSync(RULES_FILE, 'utf8')));
    new PrometheusRule(rule as ConstructorParameters<typeof PrometheusRule>[0]).validate();
    new PodMonitor(find('PodMonitor', 'notify-guard') as ConstructorParameters<typeof PodMonitor>[0]).validate();
  });

  test("the PodMonitor scrapes both containers' ports, as the two jobs the rules name; Prometheus may reach the relay port", () => {
    const monitor = find('PodMonitor', 'notify-guard');
    assert.deepEqual(monitor.spec.selector.matchLabels, find('StatefulSet', 'notify-guard').spec.selector.matchLabels);
    const endpoints = (monitor.spec.podMetricsEndpoints as Obj[]).map((e) => [
      e.port,
      e.scheme,
      e.path,
      e.relabelings[0].targetLabel,
      e.relabelings[0].replacement,
    ]);
    assert.deepEqual(endpoints, [
      [container('webhook').ports[0].name, 'https', '/metrics', 'job', 'notify-guard-webhook'],
      [container('relay').ports[0].name, 'http', '/metrics', 'job', 'notify-guard-relay'],
    ]);
    assert.match(readFileSync(RULES_FILE, 'utf8'), /up\{job=~"notify-guard-webhook\|notify-guard-relay"\}/);
    const policy = find('NetworkPolicy', 'notify-guard-metrics');
    assert.deepEqual(policy.spec.ingress[0].ports, [
      { port: container('relay').ports[0].containerPort, protocol: 'TCP' },
    ]);
    assert.deepEqual(policy.spec.podSelector, find('NetworkPolicy', 'notify-guard').spec.podSelector);
  });

  test("the dashboard ConfigMap carries dashboard.json as it is, with the label Grafana's sidecar reads", () => {
    const cm = find('ConfigMap', 'notify-guard-dashboard');
    assert.deepEqual(cm.metadata.labels, { grafana_dashboard: '1' });
    assert.deepEqual(Object.keys(cm.data), ['notify-guard.json']);
    assert.equal(
      cm.data['notify-guard.json'],
      readFileSync(join(ROOT, 'manifests', 'monitoring', 'dashboard.json'), 'utf8'),
    );
  });
});
