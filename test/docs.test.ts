/**
 * The documentation names every rule with its default action, every metric, and every flag of
 * the webhook command, so that a user-facing change cannot land undocumented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES } from '../src/policy/rules/index.ts';
import { createAdmissionMetrics } from '../src/observability/metrics.ts';
import { createClusterMetrics } from '../src/observability/cluster-metrics.ts';
import { createCertMetrics } from '../src/observability/cert-metrics.ts';
import { WEBHOOK_USAGE } from '../src/cli/webhook-flags.ts';
import { CERTS_USAGE } from '../src/cli/certs-command.ts';
import { RELAY_USAGE } from '../src/cli/relay-command.ts';
import { LINT_USAGE } from '../src/cli/lint-command.ts';
import { createRelayMetrics } from '../src/observability/relay-metrics.ts';

const read = (p: string) => readFileSync(join(import.meta.dirname, '..', p), 'utf8');

test('docs/rules.md has a row for every rule with its kind and default action', () => {
  const doc = read('docs/rules.md');
  for (const r of ALL_RULES) {
    assert.ok(
      doc.includes(`| \`${r.id}\` | ${r.kind} | ${r.operations.join(', ')} | ${r.defaultAction} |`),
      `docs/rules.md lacks ${r.id}`,
    );
  }
});

test('docs/metrics.md names every metric the webhook and the cluster view register', async () => {
  const doc = read('docs/metrics.md');
  const metrics = createAdmissionMetrics({ processMetrics: false });
  createClusterMetrics(metrics.registry);
  createCertMetrics(metrics.registry, () => 1);
  for (const m of await metrics.registry.getMetricsAsJSON())
    assert.ok(doc.includes(`\`${m.name}\``), `docs/metrics.md lacks ${m.name}`);
});

test('docs/certificates.md documents every flag of notify-guard certs', () => {
  const doc = read('docs/certificates.md');
  const flags = [...CERTS_USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(flags.length >= 9);
  for (const f of flags) assert.ok(doc.includes(`\`${f}`), `docs/certificates.md lacks ${f}`);
});

test('README documents every flag of notify-guard relay, and docs/metrics.md every relay metric', async () => {
  const readme = read('README.md');
  const flags = [...RELAY_USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(flags.length >= 10);
  for (const f of flags) assert.ok(readme.includes(`\`${f}`), `README lacks ${f}`);
  const doc = read('docs/metrics.md');
  for (const m of await createRelayMetrics({ processMetrics: false }).registry.getMetricsAsJSON())
    assert.ok(doc.includes(`\`${m.name}\``), `docs/metrics.md lacks ${m.name}`);
});

test('README documents every flag of notify-guard webhook', () => {
  const readme = read('README.md');
  const flags = [...WEBHOOK_USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(flags.length >= 7);
  for (const f of flags) assert.ok(readme.includes(`\`${f}`), `README lacks ${f}`);
});

test('README documents every flag of notify-guard lint', () => {
  const readme = read('README.md');
  const flags = [...LINT_USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!);
  assert.deepEqual(flags, ['--policy', '--namespace', '--context', '--flux-version', '--output', '--strict']);
  for (const f of flags) assert.ok(readme.includes(`\`${f}`), `README lacks ${f}`);
});
