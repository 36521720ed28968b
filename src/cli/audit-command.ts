/**
 * `notify-guard audit`: the existing objects that violate the current policy (rules and the
 * platform's conventions, coverage gaps included), with the exemptions objects claim, in lint's
 * output formats. Reads the cluster once, from the API server or from `--cluster-dir`.
 * Exit codes as lint: 0 when nothing would be denied, 1 when something would, 2 when the cluster
 * or the policy cannot be read (or for a wrong flag).
 */
import { parseArgs } from 'node:util';
import type { LintFinding } from '../lint/lint-manifests.ts';
import { formatFinding, formatGithubAnnotation } from '../lint/lint-manifests.ts';
import { sarifLog } from '../lint/sarif.ts';
import type { SarifRuleInfo } from '../lint/sarif.ts';
import { audit } from '../policy/audit.ts';
import { CONVENTION_CHECKS } from '../policy/conventions/index.ts';
import { conventionRuleId } from '../policy/conventions/evaluate-conventions.ts';
import { createEngine } from '../policy/engine.ts';
import { deliveringAlerts } from '../policy/coverage.ts';
import type { Policy } from '../policy/policy.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import type { ClusterSnapshot } from './cluster-snapshot.ts';
import { UsageError } from './flag-values.ts';
import { readSnapshotAndPolicy } from './snapshot-policy.ts';

export const AUDIT_USAGE = `Usage: notify-guard audit [flags]

Lists the existing Alerts and Providers that violate the current policy (its rules and the
platform's conventions), the Flux objects that coverage conventions require watched but no Alert
watches, and the exemptions objects claim (from conventions, and opt-outs from rules). The policy is --policy FILE, else the NotifyGuardPolicy
"default" of the cluster, else the defaults. Exits 0 when nothing would be denied, 1 when
something would, 2 when the cluster or the policy cannot be read.

Flags:
  --cluster-dir DIR   read the cluster from the manifests under DIR instead of the API server
  --kubeconfig FILE   kubeconfig for the API server (default $KUBECONFIG or ~/.kube/config)
  --policy FILE       judge by this policy file instead of the cluster's NotifyGuardPolicy
  --output FORMAT     text, json, github or sarif, as for lint (default text)
  --strict            warnings fail too (exit 1)
  -h, --help          show this help
`;

const OUTPUTS = ['text', 'json', 'github', 'sarif'];

/** Where the command writes. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env?: NodeJS.ProcessEnv;
  cwd?(): string;
}

/** Runs the audit. */
export async function auditCommand(argv: readonly string[], io: CommandIo = process): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'cluster-dir': { type: 'string' },
      kubeconfig: { type: 'string' },
      policy: { type: 'string' },
      output: { type: 'string', default: 'text' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(AUDIT_USAGE);
    return 0;
  }
  if (!OUTPUTS.includes(values.output))
    throw new UsageError(`--output ${JSON.stringify(values.output)}: expected text, json, github or sarif`);
  if (values['cluster-dir'] && values.kubeconfig)
    throw new UsageError(
      '--cluster-dir and --kubeconfig exclude each other: the cluster comes from manifests or from the API server',
    );
  const read = await readSnapshotAndPolicy(
    { clusterDir: values['cluster-dir'], kubeconfig: values.kubeconfig, policyFile: values.policy },
    io,
    'audit',
  );
  if (typeof read === 'number') return read;
  const findings = auditFindings(read.snapshot, read.policy);
  if (values.output === 'json') io.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  else if (values.output === 'sarif')
    io.stdout.write(
      `${JSON.stringify(sarifLog(findings, sarifRules(read.policy), { cwd: io.cwd?.() ?? process.cwd() }), null, 2)}\n`,
    );
  else
    for (const f of findings)
      io.stdout.write(`${(values.output === 'github' ? formatGithubAnnotation : formatFinding)(f)}\n`);
  const errors = findings.filter((f) => f.action === 'deny').length;
  const warnings = findings.filter((f) => f.action === 'warn').length;
  const exemptions = findings.filter((f) => f.action === 'note').length;
  io.stderr.write(
    `${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'} and ${exemptions} ${exemptions === 1 ? 'exemption' : 'exemptions'} in ${read.snapshot.subjects.length + read.snapshot.fluxObjects.length} objects (policy: ${read.source})\n`,
  );
  return errors > 0 || (values.strict && warnings > 0) ? 1 : 0;
}

/** What an audit of `snapshot` judges with: built once, also when it is judged in slices. */
interface AuditTools {
  readonly delivering: ReturnType<typeof deliveringAlerts>;
  readonly engine: ReturnType<typeof createEngine>;
}

function auditTools(snapshot: ClusterSnapshot, policy: Policy): AuditTools {
  return { delivering: deliveringAlerts(snapshot.alerts, snapshot.providers), engine: createEngine(ALL_RULES, policy) };
}

/** The audit's findings in lint's shape, so lint's formatters print them. */
export function auditFindings(
  snapshot: ClusterSnapshot,
  policy: Policy,
  tools: AuditTools = auditTools(snapshot, policy),
): LintFinding[] {
  return audit({
    subjects: snapshot.subjects,
    fluxObjects: snapshot.fluxObjects,
    deliveringAlerts: tools.delivering,
    rules: tools.engine,
    policy,
    cluster: snapshot.view,
    namespaces: snapshot.namespaces,
  }).map((f) => ({
    source: f.at.source,
    line: f.at.line,
    ...(f.at.column !== undefined ? { column: f.at.column } : {}),
    kind: f.kind,
    namespace: f.namespace,
    name: f.name,
    rule: f.rule,
    action: f.action,
    message: f.message,
    ...(f.remediation ? { remediation: f.remediation } : {}),
    ...(f.ignored ? { ignored: f.ignored } : {}),
  }));
}

/** Objects judged between two turns of the event loop in `auditFindingsInSlices`. */
export const AUDIT_SLICE = 500;

/**
 * `auditFindings`, the same findings in the same order, judged AUDIT_SLICE objects at a time with
 * `yieldNow` between slices: the webhook's periodic audit of a large cluster then never holds the
 * event loop for longer than one slice, so reviews and probes are answered meanwhile.
 */
export async function auditFindingsInSlices(
  snapshot: ClusterSnapshot,
  policy: Policy,
  yieldNow: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
): Promise<LintFinding[]> {
  const tools = auditTools(snapshot, policy);
  const out: LintFinding[] = [];
  for (let i = 0; i < snapshot.subjects.length; i += AUDIT_SLICE) {
    const subjects = snapshot.subjects.slice(i, i + AUDIT_SLICE);
    out.push(...auditFindings({ ...snapshot, subjects, fluxObjects: [] }, policy, tools));
    await yieldNow();
  }
  out.push(...auditFindings({ ...snapshot, subjects: [] }, policy, tools));
  return out;
}

/** The rules in force and the policy's conventions, for SARIF. */
function sarifRules(policy: Policy): SarifRuleInfo[] {
  const levels = { deny: 'error', warn: 'warning' } as const;
  return [
    ...ALL_RULES.filter((r) => (policy.actions[r.id] ?? r.defaultAction) !== 'off').map((r) => ({
      id: r.id,
      description: r.description,
      remediation: r.remediation,
      level: levels[(policy.actions[r.id] ?? r.defaultAction) as 'deny' | 'warn'],
      ...(r.follows ? { follows: r.follows } : {}),
    })),
    ...conventionSarifRules(policy),
  ];
}

/** One SARIF rule entry per convention in force (lint lists them too). */
export function conventionSarifRules(policy: Policy): SarifRuleInfo[] {
  const levels = { deny: 'error', warn: 'warning' } as const;
  return policy.conventions
    .filter((c) => c.action !== 'off')
    .map((c) => ({
      id: conventionRuleId(c.name),
      description: CONVENTION_CHECKS.find((k) => c[k.key] !== undefined)?.description ?? 'a platform convention',
      remediation:
        'Change the object as the message says, or exempt it with annotations notify-guard.fluxcd.community/exempt and exempt-reason (docs/platform.md).',
      level: levels[c.action as 'deny' | 'warn'],
    }));
}
