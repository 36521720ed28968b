/**
 * `notify-guard lint PATH...`: the webhook's checks, offline, over manifests (a GitOps repository
 * before it is merged). Findings on stdout, notes and a summary on stderr; exit 0 when nothing
 * would be denied, 1 when something would, 2 when the manifests or the policy cannot be read.
 */
import { stat } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import type { LoadedObject } from '../cluster/manifests.ts';
import { ManifestError, parseManifests } from '../cluster/manifests.ts';
import { createEngine } from '../policy/engine.ts';
import { withConventions } from '../policy/conventions/convention-engine.ts';
import { namespaceLabelsFrom } from '../policy/conventions/evaluate-conventions.ts';
import { defaultPolicy } from '../policy/policy.ts';
import type { Policy } from '../policy/policy.ts';
import { loadPolicyFile, PolicyFileError } from '../policy/policy-file.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import type { LintFinding } from '../lint/lint-manifests.ts';
import { formatFinding, formatGithubAnnotation, lintManifests } from '../lint/lint-manifests.ts';
import type { FluxRelease } from '../lint/api-versions.ts';
import { parseFluxVersion } from '../lint/api-versions.ts';
import { loadPath } from '../lint/load-path.ts';
import { LINT_RULES } from '../lint/lint-rules.ts';
import { sarifLog } from '../lint/sarif.ts';
import { UsageError } from './flag-values.ts';
import { conventionSarifRules } from './audit-command.ts';

export const LINT_USAGE = `Usage: notify-guard lint [flags] PATH...

Checks the Flux Alerts, Providers and Secrets in PATH (YAML or JSON files, or directories of them;
- reads stdin, e.g. from kustomize build) as the webhook checks them when they are created, against
the other objects in the same manifests. A directory holding a kustomization.yaml is rendered with
kustomize (or kubectl kustomize) when one is on PATH. Exits 0 when nothing would be denied, 1 when
something would, 2 when a manifest or the policy cannot be read.

Flags:
  --policy FILE               the policy the webhook runs with (default: every rule at its default action)
  --namespace NS              namespace of objects that set none (default "default", as kubectl apply)
  --context PATH              objects that exist but are not in PATH (Secrets kept elsewhere, say): read, not checked; repeatable
  --flux-version VERSION      the Flux release the manifests target, e.g. 2.6 (default current: 2.9); API versions it no longer serves are reported
  --output FORMAT             text (one line per finding), json, github (annotations for GitHub Actions) or sarif (SARIF 2.1.0, for code scanning) (default text)
  --strict                    warnings fail too (exit 1)
  -h, --help                  show this help
`;

const OUTPUTS = ['text', 'json', 'github', 'sarif'];
/** How long a kustomize render may take. */
const RENDER_TIMEOUT_MS = 60_000;

/** What the command reads and writes. */
export interface LintIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** PATH (for kustomize or kubectl) and the environment they run with. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where SARIF paths are relative to. */
  cwd?(): string;
}

/** Runs the linter; `stdin` is read for the path "-". */
export async function lintCommand(argv: readonly string[], io: LintIo = process): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      namespace: { type: 'string', default: 'default' },
      context: { type: 'string', multiple: true, default: [] },
      'flux-version': { type: 'string', default: 'current' },
      output: { type: 'string', default: 'text' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(LINT_USAGE);
    return 0;
  }
  const fluxRelease = checkFlags(positionals, values);
  await checkContextPaths(values.context);

  let checked: LoadedObject[];
  let context: LoadedObject[];
  let policy: Policy;
  try {
    const load = loader(io);
    checked = (await Promise.all(positionals.map((p) => load(p, false)))).flat();
    context = (await Promise.all(values.context.map((p) => load(p, true)))).flat();
    policy = values.policy ? await loadPolicyFile(values.policy, ALL_RULES) : defaultPolicy(ALL_RULES);
  } catch (err) {
    if (!(err instanceof ManifestError || err instanceof PolicyFileError)) throw err;
    io.stderr.write(`notify-guard lint: ${err.message}\n`);
    return 2;
  }

  const engine = withConventions(
    createEngine(ALL_RULES, policy),
    policy.conventions,
    namespaceLabelsFrom([...checked, ...context].map((l) => l.object)),
  );
  const findings = lintManifests({ checked, context, engine, defaultNamespace: values.namespace, fluxRelease });
  write(findings, values.output, io, policy);
  return summarise(findings, checked.length, values.strict, io);
}

function checkFlags(
  positionals: readonly string[],
  values: { namespace: string; output: string; 'flux-version': string },
): FluxRelease {
  if (positionals.length === 0)
    throw new UsageError('no manifests to lint: give one or more files or directories, or - for stdin');
  if (!OUTPUTS.includes(values.output))
    throw new UsageError(`--output ${JSON.stringify(values.output)}: expected text, json, github or sarif`);
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.namespace))
    throw new UsageError(
      `--namespace ${JSON.stringify(values.namespace)}: expected a namespace name (lowercase letters, digits and '-')`,
    );
  const release = parseFluxVersion(values['flux-version']);
  if (!release)
    throw new UsageError(
      `--flux-version ${JSON.stringify(values['flux-version'])}: expected a Flux v2 release such as 2.6 or v2.6.3, or current`,
    );
  return release;
}

/** A --context path must be a directory or a file: anything else is a usage mistake. */
async function checkContextPaths(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (!s) throw new UsageError(`--context ${JSON.stringify(p)}: no such file or directory`);
    if (!s.isDirectory() && !s.isFile())
      throw new UsageError(`--context ${JSON.stringify(p)}: not a directory or file`);
  }
}

/** Loads one PATH: stdin, or a file or directory as Flux would apply it (src/lint/load-path.ts). */
function loader(io: LintIo): (path: string, context: boolean) => Promise<LoadedObject[]> {
  const env = io.env ?? process.env;
  const note = (message: string) => io.stderr.write(`notify-guard lint: note: ${message}\n`);
  return async (path, context) =>
    path === '-'
      ? parseManifests(await text(io.stdin), '<stdin>')
      : loadPath(path, { context, env, renderTimeoutMs: RENDER_TIMEOUT_MS, note });
}

function write(findings: readonly LintFinding[], output: string, io: LintIo, policy: Policy): void {
  if (output === 'json') io.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  else if (output === 'sarif')
    io.stdout.write(
      `${JSON.stringify(sarifLog(findings, sarifRules(policy), { cwd: io.cwd?.() ?? process.cwd() }), null, 2)}\n`,
    );
  else
    for (const f of findings) io.stdout.write(`${(output === 'github' ? formatGithubAnnotation : formatFinding)(f)}\n`);
}

/** Every rule, at the level the policy gives it (rules turned off are left out). */
function sarifRules(policy: Policy) {
  const levels = { deny: 'error', warn: 'warning', note: 'note' } as const;
  return [
    ...ALL_RULES.filter((r) => (policy.actions[r.id] ?? r.defaultAction) !== 'off').map((r) => ({
      id: r.id,
      description: r.description,
      remediation: r.remediation,
      level: levels[(policy.actions[r.id] ?? r.defaultAction) as 'deny' | 'warn'],
      ...(r.follows ? { follows: r.follows } : {}),
    })),
    ...LINT_RULES.map((r) => ({
      id: r.id,
      description: r.description,
      remediation: r.remediation,
      level: levels[r.action],
    })),
    ...conventionSarifRules(policy),
  ];
}

function summarise(findings: readonly LintFinding[], objectCount: number, strict: boolean, io: LintIo): number {
  const errors = findings.filter((f) => f.action === 'deny').length;
  const warnings = findings.filter((f) => f.action === 'warn').length;
  const ignored = findings.filter((f) => f.ignored).length;
  const notes = findings.length - errors - warnings - ignored;
  const objects = new Set(findings.map((f) => `${f.kind}/${f.namespace}/${f.name}`)).size;
  const parts = [`${errors} ${plural(errors, 'error')}`, `${warnings} ${plural(warnings, 'warning')}`];
  if (notes > 0) parts.push(`${notes} ${plural(notes, 'note')}`);
  if (ignored > 0) parts.push(`${ignored} ignored by annotation`);
  const counts = `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  io.stderr.write(
    findings.length === 0
      ? `no findings in ${objectCount} ${plural(objectCount, 'object')}\n`
      : `${counts} in ${objects} of ${objectCount} ${plural(objectCount, 'object')}\n`,
  );
  return errors > 0 || (strict && warnings > 0) ? 1 : 0;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
