/**
 * The alerting rules (manifests/monitoring/notify-guard.rules.yaml) with Prometheus's own tools:
 * `promtool check rules`, and `promtool test rules` on *.promtool.yaml here, which show each
 * alert firing and staying quiet. Without promtool those two are skipped (Debian: apt-get install
 * prometheus; .ci/run installs it); the checks of the files themselves always run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROMETHEUS_RULE_FILE, RULES_FILE, prometheusRuleFor } from '../support/monitoring-manifests.ts';
import { TARGET_LABELS, exportedSamples, labelsUsedIn, metricsIn } from '../support/exported-metrics.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const UNIT_TESTS = ['webhook-alerts.promtool.yaml', 'relay-alerts.promtool.yaml'].map((f) =>
  join(import.meta.dirname, f),
);
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const skip =
  promtool.status !== 0 ? 'promtool is not installed (Debian: apt-get install prometheus; .ci/run installs it)' : false;

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (
  parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] }
).groups.flatMap((g) => g.rules);

describe('promtool', { skip }, () => {
  test('check rules: every rule of the rules file is valid', () => {
    // Timeouts: hang guards only (promtool took over 60 s beside a loaded machine's other test runs).
    const r = spawnSync('promtool', ['check', 'rules', RULES_FILE], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, `Checking ${RULES_FILE}\n  SUCCESS: ${rules.length} rules found\n\n`);
  });

  test('test rules: each alert fires, with its exact labels and annotations, and stays quiet, on the series of the unit tests', () => {
    const r = spawnSync('promtool', ['test', 'rules', ...UNIT_TESTS], { encoding: 'utf8', timeout: 110_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, UNIT_TESTS.map((f) => `Unit Testing:  ${f}\n  SUCCESS\n\n`).join(''));
  });
});

test('the unit tests cover every alert both firing and quiet', () => {
  type Case = { alertname: string; exp_alerts?: unknown[] };
  const cases = UNIT_TESTS.flatMap((f) =>
    (parse(readFileSync(f, 'utf8')) as { tests: { alert_rule_test: Case[] }[] }).tests.flatMap(
      (t) => t.alert_rule_test,
    ),
  );
  for (const name of new Set(rules.map((r) => r.alert))) {
    assert.ok(
      cases.some((c) => c.alertname === name && (c.exp_alerts?.length ?? 0) > 0),
      `${name} never fires in the unit tests`,
    );
    assert.ok(
      cases.some((c) => c.alertname === name && (c.exp_alerts?.length ?? 0) === 0),
      `${name} is never shown quiet in the unit tests`,
    );
  }
});

test('every alert has a severity, a summary, a description and a runbook section in docs/operations.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
  const anchors = new Set(
    [...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );
  for (const r of rules) {
    assert.ok(['warning', 'critical'].includes(r.labels.severity ?? ''), `${r.alert}: severity`);
    assert.ok(
      (r.annotations.summary ?? '').length > 20 && (r.annotations.description ?? '').length > 80,
      `${r.alert}: summary and description`,
    );
    assert.equal(
      r.annotations.runbook_url,
      `https://github.com/example/flux-notify-guard/blob/main/docs/operations.md#${r.alert.toLowerCase()}`,
    );
    assert.ok(anchors.has(r.alert.toLowerCase()), `docs/operations.md has no section "${r.alert}"`);
  }
});

test('prometheusrule.yaml is generated from the rules file (npm run monitoring:generate)', () => {
  const generated = readFileSync(PROMETHEUS_RULE_FILE, 'utf8');
  assert.equal(generated, prometheusRuleFor(readFileSync(RULES_FILE, 'utf8')), 'run npm run monitoring:generate');
  assert.deepEqual((parse(generated) as { spec: unknown }).spec, parse(readFileSync(RULES_FILE, 'utf8')));
});

test('the rules use only metrics the code exports, with label names those metrics have', async () => {
  const exported = await exportedSamples();
  for (const r of rules) {
    const names = metricsIn(r.expr);
    assert.ok(names.length > 0, r.alert);
    const labels = new Set([...TARGET_LABELS, 'le', ...names.flatMap((n) => exported.get(n) ?? [])]);
    for (const n of names) assert.ok(n === 'up' || exported.has(n), `${r.alert}: ${n} is not exported`);
    for (const l of labelsUsedIn(r.expr))
      assert.ok(labels.has(l), `${r.alert}: label ${l} is on none of ${names.join(', ')}`);
  }
});
