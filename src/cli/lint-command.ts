/**
 * `notify-guard lint PATH...`: the webhook's checks, offline, over manifests (a GitOps repository
 * before it is merged). Findings on stdout, a summary on stderr; exit 0 when nothing would be
 * denied, 1 when something would, 2 when the manifests or the policy cannot be read.
 */
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import type { LoadedObject } from '../cluster/manifests.ts';
import { loadManifests, ManifestError, parseManifests } from '../cluster/manifests.ts';
import { createEngine } from '../policy/engine.ts';
import { defaultPolicy } from '../policy/policy.ts';
import type { Policy } from '../policy/policy.ts';
import { loadPolicyFile, PolicyFileError } from '../policy/policy-file.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import { formatFinding, formatGithubAnnotation, lintManifests } from '../lint/lint-manifests.ts';
import { UsageError } from './flag-values.ts';

export const LINT_USAGE = `Usage: notify-guard lint [flags] PATH...

Checks the Flux Alerts, Providers and Secrets in PATH (YAML or JSON files, or directories of them;
- reads stdin, e.g. from kustomize build) as the webhook checks them when they are created, against
the other objects in the same manifests. Exits 0 when nothing would be denied, 1 when something
would, 2 when a manifest or the policy cannot be read.

Flags:
  --policy FILE               the policy the webhook runs with (default: every rule at its default action)
  --namespace NS              namespace of objects that set none (default "default", as kubectl apply)
  --context PATH              objects that exist but are not in PATH (Secrets kept elsewhere, say): read, not checked; repeatable
  --output FORMAT             text (one line per finding), json, or github (annotations for GitHub Actions) (default text)
  --strict                    warnings fail too (exit 1)
  -h, --help                  show this help
`;

/** Runs the linter; `stdin` is read for the path "-". */
export async function lintCommand(argv: readonly string[], io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv], strict: true, allowPositionals: true,
    options: {
      policy: { type: 'string' },
      namespace: { type: 'string', default: 'default' },
      context: { type: 'string', multiple: true, default: [] },
      output: { type: 'string', default: 'text' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(LINT_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no manifests to lint: give one or more files or directories, or - for stdin');
  if (!['text', 'json', 'github'].includes(values.output)) throw new UsageError(`--output ${JSON.stringify(values.output)}: expected text, json or github`);
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.namespace)) throw new UsageError(`--namespace ${JSON.stringify(values.namespace)}: expected a namespace name (lowercase letters, digits and '-')`);

  let checked: LoadedObject[];
  let context: LoadedObject[];
  let policy: Policy;
  try {
    const load = async (path: string) => (path === '-' ? parseManifests(await text(io.stdin), '<stdin>') : loadManifests(path));
    checked = (await Promise.all(positionals.map(load))).flat();
    context = (await Promise.all(values.context.map(load))).flat();
    policy = values.policy ? await loadPolicyFile(values.policy, ALL_RULES) : defaultPolicy(ALL_RULES);
  } catch (err) {
    if (!(err instanceof ManifestError || err instanceof PolicyFileError)) throw err;
    io.stderr.write(`notify-guard lint: ${err.message}\n`);
    return 2;
  }

  const findings = lintManifests({ checked, context, engine: createEngine(ALL_RULES, policy), defaultNamespace: values.namespace });
  if (values.output === 'json') io.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  else for (const f of findings) io.stdout.write(`${(values.output === 'github' ? formatGithubAnnotation : formatFinding)(f)}\n`);
  const errors = findings.filter((f) => f.action === 'deny').length;
  const warnings = findings.length - errors;
  const objects = new Set(findings.map((f) => `${f.kind}/${f.namespace}/${f.name}`)).size;
  io.stderr.write(findings.length === 0
    ? `no findings in ${checked.length} ${plural(checked.length, 'object')}\n`
    : `${errors} ${plural(errors, 'error')} and ${warnings} ${plural(warnings, 'warning')} in ${objects} of ${checked.length} ${plural(checked.length, 'object')}\n`);
  return errors > 0 || (values.strict && warnings > 0) ? 1 : 0;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
