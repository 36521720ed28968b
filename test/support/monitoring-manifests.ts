/**
 * manifests/monitoring/prometheusrule.yaml is generated from the plain Prometheus rules file
 * beside it (one source of truth): `npm run monitoring:generate` writes it, and
 * test/monitoring/rules.test.ts fails when the committed file differs from what this makes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MONITORING_DIR = join(import.meta.dirname, '..', '..', 'manifests', 'monitoring');
export const RULES_FILE = join(MONITORING_DIR, 'notify-guard.rules.yaml');
export const PROMETHEUS_RULE_FILE = join(MONITORING_DIR, 'prometheusrule.yaml');

/** The PrometheusRule for a rules file's text: its `groups:` section, comments kept, under `spec:`. */
export function prometheusRuleFor(rulesText: string): string {
  const at = rulesText.search(/^groups:/m);
  if (at < 0) throw new Error('the rules file has no top-level "groups:"');
  const groups = rulesText
    .slice(at)
    .trimEnd()
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
  return [
    '# Generated from notify-guard.rules.yaml by `npm run monitoring:generate`: edit that file, not this one.',
    'apiVersion: monitoring.coreos.com/v1',
    'kind: PrometheusRule',
    'metadata:',
    '  name: notify-guard',
    '  namespace: notify-guard-system',
    'spec:',
    groups,
    '',
  ].join('\n');
}

if (import.meta.main) {
  writeFileSync(PROMETHEUS_RULE_FILE, prometheusRuleFor(readFileSync(RULES_FILE, 'utf8')));
  process.stdout.write(`wrote ${PROMETHEUS_RULE_FILE}\n`);
}
