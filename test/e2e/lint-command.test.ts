/**
 * `notify-guard lint` as a user runs it on a GitOps repository: exact findings on stdout, the
 * summary on stderr, and the exit code a CI job acts on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LINT_USAGE, lintCommand } from '../../src/cli/lint-command.ts';
import { alert, REAL_URL, secret, slackProvider } from '../support/objects.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const lint = (args: string[], input?: string) => spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'lint', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, ...(input === undefined ? {} : { input }) });
const yamlOf = (...objects: object[]) => objects.map((o) => stringify(o)).join('---\n');

const SECRET_FINDING = 'examples/tutorial/notifications.yaml:4: error: Secret "slack-url" in namespace "flux-system": data[address]: Required value: needed by Provider "slack" (spec.secretRef): Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address" [secret-keys-kept]';
const PROVIDER_FINDING = 'examples/tutorial/notifications.yaml:12: error: Provider.notification.toolkit.fluxcd.io "slack" in namespace "flux-system": spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address" [provider-secret-keys]';

test('the tutorial as developers copy it: two errors, each at its line, and exit 1', () => {
  const r = lint(['examples/tutorial']);
  assert.equal(r.stdout, `${SECRET_FINDING}\n${PROVIDER_FINDING}\n`);
  assert.equal(r.stderr, '2 errors and 0 warnings in 2 of 3 objects\n');
  assert.equal(r.status, 1);
});

test('--output json gives the same findings as data', () => {
  const r = lint(['--output', 'json', 'examples/tutorial/notifications.yaml']);
  assert.equal(r.status, 1);
  assert.deepEqual(JSON.parse(r.stdout), [
    {
      source: 'examples/tutorial/notifications.yaml', line: 4, kind: 'Secret', namespace: 'flux-system', name: 'slack-url', rule: 'secret-keys-kept', action: 'deny',
      message: 'data[address]: Required value: needed by Provider "slack" (spec.secretRef): Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
    },
    {
      source: 'examples/tutorial/notifications.yaml', line: 12, kind: 'Provider', namespace: 'flux-system', name: 'slack', rule: 'provider-secret-keys', action: 'deny',
      message: 'spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
    },
  ]);
});

test('--output github writes one annotation per finding, on the line it concerns', () => {
  const r = lint(['--output', 'github', 'examples/tutorial']);
  assert.equal(r.status, 1);
  const annotation = (finding: string) => {
    const [, file, line, level, rest, rule] = /^(.+?):(\d+): (error|warning): (.*) \[([a-z-]+)\]$/.exec(finding)!;
    return `::${level} file=${file},line=${line},title=${rule}::${rest}`;
  };
  assert.equal(r.stdout, `${annotation(SECRET_FINDING)}\n${annotation(PROVIDER_FINDING)}\n`);
  assert.match(r.stdout, /^::error file=examples\/tutorial\/notifications\.yaml,line=4,title=secret-keys-kept::Secret "slack-url" in namespace "flux-system": data\[address\]: Required value: /);
});

test('rendered manifests on stdin (kustomize build | notify-guard lint -): a clean set exits 0 and prints nothing on stdout', () => {
  const r = lint(['-'], yamlOf(secret('apps', 'slack-url', { address: REAL_URL }), slackProvider('apps'), alert('apps', 'all', { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] })));
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'no findings in 3 objects\n');
  assert.equal(r.status, 0);
});

test('warnings pass unless --strict; --context supplies a Secret kept out of the repository', () => {
  const dir = tempDir('lint');
  mkdirSync(join(dir, 'repo'));
  mkdirSync(join(dir, 'cluster'));
  writeFileSync(join(dir, 'repo', 'notify.yaml'), yamlOf(slackProvider('apps'), alert('apps', 'infra', { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*', namespace: 'flux-system' }] })));
  writeFileSync(join(dir, 'cluster', 'secret.yaml'), yamlOf(secret('apps', 'slack-url', { address: REAL_URL })));
  const warning = `${join(dir, 'repo', 'notify.yaml')}:11: warning: Alert.notification.toolkit.fluxcd.io "infra" in namespace "apps": spec.eventSources[0].namespace: Forbidden: source namespace "flux-system" differs from the Alert's namespace "apps": events from other namespaces are dropped if Flux runs with --no-cross-namespace-refs; create this Alert (and its Provider) in "flux-system" [alert-cross-namespace-source]`;

  const relaxed = lint([join(dir, 'repo'), '--context', join(dir, 'cluster')]);
  assert.equal(relaxed.stdout, `${warning}\n`);
  assert.equal(relaxed.stderr, '0 errors and 1 warning in 1 of 2 objects\n');
  assert.equal(relaxed.status, 0);
  assert.equal(lint([join(dir, 'repo'), '--context', join(dir, 'cluster'), '--strict']).status, 1);

  const withoutContext = lint([join(dir, 'repo')]);
  assert.equal(withoutContext.status, 1);
  assert.match(withoutContext.stdout, /^.*notify\.yaml:1: error: Provider\.notification\.toolkit\.fluxcd\.io "slack" in namespace "apps": spec\.secretRef\.name: Not found: "slack-url": .*\[provider-secret-exists\]\n/);
});

test('what cannot be read exits 2 and says why; a usage mistake points to --help', () => {
  const broken = lint(['-'], 'kind: [\n');
  assert.equal(broken.status, 2);
  assert.equal(broken.stderr, 'notify-guard lint: <stdin>:2:1: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:\n');
  const missing = lint(['no-such-dir']);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, 'notify-guard lint: no-such-dir: no such file or directory\n');
  const none = lint([]);
  assert.equal(none.status, 2);
  assert.equal(none.stderr, "notify-guard lint: no manifests to lint: give one or more files or directories, or - for stdin\nRun 'notify-guard lint --help' for usage.\n");
  const format = lint(['--output', 'yaml', 'examples/tutorial']);
  assert.equal(format.status, 2);
  assert.equal(format.stderr, 'notify-guard lint: --output "yaml": expected text, json or github\nRun \'notify-guard lint --help\' for usage.\n');
  const help = lint(['--help']);
  assert.equal(help.status, 0);
  assert.equal(help.stdout, LINT_USAGE);
});

test('--namespace must be a namespace name', async () => {
  await assert.rejects(lintCommand(['--namespace', 'Team_A', 'examples/tutorial']), { name: 'UsageError', message: '--namespace "Team_A": expected a namespace name (lowercase letters, digits and \'-\')' });
});
