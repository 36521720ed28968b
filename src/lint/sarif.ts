/**
 * The findings as SARIF 2.1.0, as GitHub code scanning reads it: one run of the tool
 * `notify-guard`, one rule entry per rule id (the webhook's rules and the linter's own) with its
 * description and remediation as help text, and one result per finding with its file, line and
 * column. Paths under the working directory are given relative to it, as code scanning expects.
 */
import { isAbsolute, relative, sep } from 'node:path';
import type { LintFinding } from './lint-manifests.ts';
import { level } from './lint-manifests.ts';

/** What SARIF needs to know of a rule. */
export interface SarifRuleInfo {
  readonly id: string;
  readonly description: string;
  readonly remediation: string;
  /** The level a finding of this rule has unless the policy says otherwise. */
  readonly level: 'error' | 'warning' | 'note';
  /** The notification-controller function the rule follows, when it is one of the webhook's. */
  readonly follows?: string;
}

/** The SARIF log for findings; `cwd` is where relative paths are taken from. */
export function sarifLog(
  findings: readonly LintFinding[],
  rules: readonly SarifRuleInfo[],
  o: { cwd: string },
): object {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'notify-guard',
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: r.description },
              help: {
                text: `${r.description} Fix: ${r.remediation}`,
                markdown: `${r.description}\n\n**Fix:** ${r.remediation}${r.follows ? `\n\nFollows notification-controller: ${r.follows}.` : ''}`,
              },
              defaultConfiguration: { level: r.level },
            })),
          },
        },
        columnKind: 'unicodeCodePoints',
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
          level: level(f),
          ...(f.ignored ? { suppressions: [{ kind: 'inSource', justification: f.ignored.reason }] } : {}),
          message: {
            text: `${f.kind} ${JSON.stringify(f.name)} in namespace ${JSON.stringify(f.namespace)}: ${f.message}`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(f.source, o.cwd) },
                region: { startLine: f.line, startColumn: f.column ?? 1 },
              },
            },
          ],
        })),
      },
    ],
  };
}

/** A file path as a SARIF artifact URI: relative to `cwd` when under it, `/` separators, percent-encoded. */
export function artifactUri(source: string, cwd: string): string {
  if (source === '<stdin>') return 'stdin';
  const rel = isAbsolute(source) ? relative(cwd, source) : source;
  const inside = !rel.startsWith('..') && !isAbsolute(rel);
  const path = (inside ? rel : source).split(sep).join('/');
  const encoded = path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  return inside ? encoded : `file://${encoded.startsWith('/') ? '' : '/'}${encoded}`;
}
