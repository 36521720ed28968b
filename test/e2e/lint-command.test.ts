/**
 * `notify-guard lint` as a user runs it on a GitOps repository: exact findings on stdout, the
 * summary on stderr, and the exit code a CI job acts on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { LINT_USAGE, lintCommand } from '../../src/cli/lint-command.ts';
import { alert, REAL_URL, secret, slackProvider } from '../support/objects.ts';
import { runInProcess } from '../support/in-process-command.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// Paths in the findings are as given, relative to the repository root, as a user in it runs them.
process.chdir(ROOT);
/** The executable as users run it: one process per path through main.ts (argv, exit code). */
const lintCli = (args: string[], o: { cwd?: string } = {}) =>
  spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), 'lint', ...args], {
    cwd: o.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: 100_000,
  });
/** The same command in this process: what it writes and the exit code main.ts would set. */
const lint = (args: string[], input = '', env?: NodeJS.ProcessEnv) =>
  runInProcess(lintCommand, args, { input, ...(env ? { env } : {}) });
const yamlOf = (...objects: object[]) => objects.map((o) => stringify(o)).join('---\n');

const SECRET_FIX = 'Keep key "address" while Providers reference the Secret, or repoint the Providers first.';
const PROVIDER_FIX =
  'Rename the Secret key to "address", or set spec.address; with a bot token and chat.postMessage, set spec.channel.';
const SECRET_FINDING =
  'examples/tutorial/notifications.yaml:4: error: Secret "slack-url" in namespace "flux-system": data[address]: Required value: needed by Provider "slack" (spec.secretRef): Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address" [secret-keys-kept]';
const PROVIDER_FINDING =
  'examples/tutorial/notifications.yaml:12: error: Provider.notification.toolkit.fluxcd.io "slack" in namespace "flux-system": spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address" [provider-secret-keys]';

test('the tutorial as developers copy it: two errors, each at its line, and exit 1', () => {
  const r = lintCli(['examples/tutorial']);
  assert.equal(r.stdout, `${SECRET_FINDING}\n  fix: ${SECRET_FIX}\n${PROVIDER_FINDING}\n  fix: ${PROVIDER_FIX}\n`);
  assert.equal(r.stderr, '2 errors and 0 warnings in 2 of 3 objects\n');
  assert.equal(r.status, 1);
});

test('--output json gives the same findings as data', async () => {
  const r = await lint(['--output', 'json', 'examples/tutorial/notifications.yaml']);
  assert.equal(r.status, 1);
  assert.deepEqual(JSON.parse(r.stdout), [
    {
      source: 'examples/tutorial/notifications.yaml',
      line: 4,
      column: 1,
      kind: 'Secret',
      namespace: 'flux-system',
      name: 'slack-url',
      rule: 'secret-keys-kept',
      action: 'deny',
      message:
        'data[address]: Required value: needed by Provider "slack" (spec.secretRef): Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
      remediation: SECRET_FIX,
    },
    {
      source: 'examples/tutorial/notifications.yaml',
      line: 12,
      column: 1,
      kind: 'Provider',
      namespace: 'flux-system',
      name: 'slack',
      rule: 'provider-secret-keys',
      action: 'deny',
      message:
        'spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
      remediation: PROVIDER_FIX,
    },
  ]);
});

test('--output github writes one annotation per finding, on the line it concerns', async () => {
  const r = await lint(['--output', 'github', 'examples/tutorial']);
  assert.equal(r.status, 1);
  const annotation = (finding: string, fix: string) => {
    const [, file, line, level, rest, rule] = /^(.+?):(\d+): (error|warning): (.*) \[([a-z-]+)\]$/.exec(finding)!;
    return `::${level} file=${file},line=${line},title=${rule}::${rest}%0Afix: ${fix}`;
  };
  assert.equal(r.stdout, `${annotation(SECRET_FINDING, SECRET_FIX)}\n${annotation(PROVIDER_FINDING, PROVIDER_FIX)}\n`);
  assert.match(
    r.stdout,
    /^::error file=examples\/tutorial\/notifications\.yaml,line=4,title=secret-keys-kept::Secret "slack-url" in namespace "flux-system": data\[address\]: Required value: /,
  );
});

test('rendered manifests on stdin (kustomize build | notify-guard lint -): a clean set exits 0 and prints nothing on stdout', async () => {
  const r = await lint(
    ['-'],
    yamlOf(
      secret('apps', 'slack-url', { address: REAL_URL }),
      slackProvider('apps'),
      alert('apps', 'all', { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] }),
    ),
  );
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'no findings in 3 objects\n');
  assert.equal(r.status, 0);
});

test('warnings pass unless --strict; --context supplies a Secret kept out of the repository', async () => {
  const dir = tempDir('lint');
  mkdirSync(join(dir, 'repo'));
  mkdirSync(join(dir, 'cluster'));
  writeFileSync(
    join(dir, 'repo', 'notify.yaml'),
    yamlOf(
      slackProvider('apps'),
      alert('apps', 'infra', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'Kustomization', name: '*', namespace: 'flux-system' }],
      }),
    ),
  );
  writeFileSync(join(dir, 'cluster', 'secret.yaml'), yamlOf(secret('apps', 'slack-url', { address: REAL_URL })));
  const warning = `${join(dir, 'repo', 'notify.yaml')}:11: warning: Alert.notification.toolkit.fluxcd.io "infra" in namespace "apps": spec.eventSources[0].namespace: Forbidden: source namespace "flux-system" differs from the Alert's namespace "apps": events from other namespaces are dropped if Flux runs with --no-cross-namespace-refs; create this Alert (and its Provider) in "flux-system" [alert-cross-namespace-source]\n  fix: Put the Alert in the namespace of the objects it watches, or remove the namespace.`;

  const relaxed = await lint([join(dir, 'repo'), '--context', join(dir, 'cluster')]);
  assert.equal(relaxed.stdout, `${warning}\n`);
  assert.equal(relaxed.stderr, '0 errors and 1 warning in 1 of 2 objects\n');
  assert.equal(relaxed.status, 0);
  assert.equal((await lint([join(dir, 'repo'), '--context', join(dir, 'cluster'), '--strict'])).status, 1);

  const withoutContext = await lint([join(dir, 'repo')]);
  assert.equal(withoutContext.status, 1);
  assert.match(
    withoutContext.stdout,
    /^.*notify\.yaml:1: error: Provider\.notification\.toolkit\.fluxcd\.io "slack" in namespace "apps": spec\.secretRef\.name: Not found: "slack-url": .*\[provider-secret-exists\]\n/,
  );
});

test('what cannot be read exits 2 and says why; a usage mistake points to --help', async () => {
  const broken = await lint(['-'], 'kind: [\n');
  assert.equal(broken.status, 2);
  assert.equal(
    broken.stderr,
    'notify-guard lint: <stdin>:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]\n',
  );
  const missing = await lint(['no-such-dir']);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, 'notify-guard lint: no-such-dir: no such file or directory\n');
  // main.ts turns a usage mistake into exit 2 and a pointer to --help: once over the CLI, then the messages in-process.
  const none = lintCli([]);
  assert.equal(none.status, 2);
  assert.equal(
    none.stderr,
    "notify-guard lint: no manifests to lint: give one or more files or directories, or - for stdin\nRun 'notify-guard lint --help' for usage.\n",
  );
  const usage = (message: string) => ({ name: 'UsageError', message });
  await assert.rejects(
    lint(['--output', 'yaml', 'examples/tutorial']),
    usage('--output "yaml": expected text, json, github or sarif'),
  );
  await assert.rejects(
    lint(['examples/tutorial', '--context', '/dev/null']),
    usage('--context "/dev/null": not a directory or file'),
  );
  await assert.rejects(
    lint(['examples/tutorial', '--context', 'examples/tutorial/notifications.yaml/more']),
    usage('--context "examples/tutorial/notifications.yaml/more": no such file or directory'),
  );
  await assert.rejects(
    lint(['--flux-version', '3', 'examples/tutorial']),
    usage('--flux-version "3": expected a Flux v2 release such as 2.6 or v2.6.3, or current'),
  );
  const help = await lint(['--help']);
  assert.equal(help.status, 0);
  assert.equal(help.stdout, LINT_USAGE);
});

test('--namespace must be a namespace name', async () => {
  await assert.rejects(lintCommand(['--namespace', 'Team_A', 'examples/tutorial']), {
    name: 'UsageError',
    message: '--namespace "Team_A": expected a namespace name (lowercase letters, digits and \'-\')',
  });
});

const v1beta2Alert = {
  ...alert('apps', 'old', { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] }),
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta2',
};

test('a v1beta2 object is a warning with what to change, unless --flux-version names a release that serves it', async () => {
  const input = yamlOf(secret('apps', 'slack-url', { address: REAL_URL }), slackProvider('apps'), v1beta2Alert);
  const current = await lint(['-'], input);
  assert.equal(
    current.stdout,
    '<stdin>:20: warning: Alert.notification.toolkit.fluxcd.io "old" in namespace "apps": apiVersion: Unsupported value: "notification.toolkit.fluxcd.io/v1beta2": Flux v2.9 does not serve v1beta2 (removed in Flux v2.9), so applying this Alert fails; change apiVersion to notification.toolkit.fluxcd.io/v1beta3 (the spec fields keep their names), or pass --flux-version with the release the cluster runs [lint-removed-api-version]\n' +
      '  fix: Change apiVersion to notification.toolkit.fluxcd.io/v1beta3 (the spec fields keep their names), or pass the Flux release the cluster runs with --flux-version.\n',
  );
  assert.equal(current.status, 0);
  assert.equal((await lint(['-', '--strict'], input)).status, 1);
  const older = await lint(['-', '--flux-version', 'v2.8.4'], input);
  assert.equal(older.stdout, '');
  assert.equal(older.stderr, 'no findings in 3 objects\n');
});

test('duplicate objects across the inputs are reported at each copy, naming the other; a file in both PATH and --context is one', async () => {
  const dir = tempDir('lint-dup');
  writeFileSync(join(dir, 'a.yaml'), yamlOf(secret('apps', 'slack-url', { address: REAL_URL }), slackProvider('apps')));
  writeFileSync(join(dir, 'b.yaml'), yamlOf(slackProvider('apps', { timeout: '30s' })));
  const r = await lint([join(dir, 'a.yaml'), join(dir, 'b.yaml'), '--context', dir]);
  const finding = (at: string, other: string) =>
    `${join(dir, at)}: warning: Provider.notification.toolkit.fluxcd.io "slack" in namespace "apps": metadata.name: Duplicate value: "slack": also defined at ${join(dir, other)}; applied together, one replaces the other, and these findings read the last one: keep one definition [lint-duplicate-object]\n  fix: Keep one definition of the object, or give the copies different names or namespaces.\n`;
  assert.equal(r.stdout, finding('a.yaml:10', 'b.yaml:1') + finding('b.yaml:1', 'a.yaml:10'));
  assert.equal(r.status, 0);
});

test('--output sarif is valid SARIF 2.1.0 (the OASIS schema), with one rule entry per rule and file, line and column per result', async () => {
  const dir = tempDir('lint-sarif');
  writeFileSync(
    join(dir, 'notify.yaml'),
    yamlOf(slackProvider('apps', { address: REAL_URL }), v1beta2Alert, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'slack-url', namespace: 'apps' },
      spec: { dataFrom: [{ extract: { key: 'slack' } }] },
    }),
  );
  const r = await lint(['--output', 'sarif', 'examples/tutorial', join(dir, 'notify.yaml')]);
  assert.equal(r.status, 1);
  const log = JSON.parse(r.stdout) as {
    runs: {
      tool: { driver: { rules: { id: string; help: { text: string } }[] } };
      results: {
        ruleIndex: number;
        ruleId: string;
        level: string;
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: object } }[];
      }[];
    }[];
  };
  const { Ajv } = await import('ajv');
  const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'));
  // Draft-04's top-level `id` is draft-07's `$id`; the schema uses no other draft-04 keyword.
  const { id, $schema: _draft04, ...rest } = schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///'));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile({ ...rest, $id: id });
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.equal(validate({ ...log, version: '2.0.0' }), false, 'the schema does reject what is not SARIF 2.1.0');

  const run = log.runs[0]!;
  const ids = run.tool.driver.rules.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'one rule entry per rule id');
  assert.ok(
    ids.includes('provider-secret-keys') &&
      ids.includes('lint-removed-api-version') &&
      ids.includes('lint-secret-keys-unknown'),
  );
  assert.equal(
    run.tool.driver.rules[ids.indexOf('provider-secret-keys')]!.help.text,
    'A slack Provider needs its address in Secret key "address" or spec.address (a "url" or "webhook" key is never read), and a channel when a bot token posts to chat.postMessage. Fix: Rename the Secret key to "address", or set spec.address; with a bot token and chat.postMessage, set spec.channel.',
  );
  assert.deepEqual(
    run.results.map((x) => [
      x.ruleId,
      x.level,
      x.locations[0]!.physicalLocation.artifactLocation.uri,
      x.locations[0]!.physicalLocation.region,
    ]),
    [
      ['secret-keys-kept', 'error', 'examples/tutorial/notifications.yaml', { startLine: 4, startColumn: 1 }],
      ['provider-secret-keys', 'error', 'examples/tutorial/notifications.yaml', { startLine: 12, startColumn: 1 }],
      ['lint-secret-keys-unknown', 'note', `file://${join(dir, 'notify.yaml')}`, { startLine: 1, startColumn: 1 }],
      ['lint-removed-api-version', 'warning', `file://${join(dir, 'notify.yaml')}`, { startLine: 12, startColumn: 1 }],
    ],
  );
  assert.equal(run.results[0]!.ruleIndex, ids.indexOf('secret-keys-kept'));
});

test('kustomizations are rendered by kustomize (or kubectl) on PATH, saying which, other files read as they are; without either, plain files with a note', async () => {
  const dir = tempDir('lint-kustomize');
  const app = join(dir, 'app');
  mkdirSync(join(app, 'base'), { recursive: true });
  writeFileSync(join(app, 'kustomization.yaml'), 'resources: [base]\nnamespace: apps\n');
  writeFileSync(join(app, 'base', 'kustomization.yaml'), 'resources: [provider.yaml]\n');
  writeFileSync(join(app, 'base', 'provider.yaml'), yamlOf({ ...slackProvider('apps'), metadata: { name: 'slack' } }));
  writeFileSync(
    join(dir, 'alert.yaml'),
    yamlOf(
      alert('apps', 'on-call', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'Kustomization', name: '*' }],
      }),
    ),
  );
  // A stand-in for kustomize that prints what `kustomize build app` would: the Provider in namespace "apps".
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'kustomize'),
    `#!/bin/sh\nPATH=/usr/bin:/bin\n[ "$1" = build ] || exit 3\ncat <<'YAML'\n${yamlOf(slackProvider('apps'))}YAML\n`,
    { mode: 0o755 },
  );
  const run = (path: string) => lint([dir], '', { ...process.env, PATH: path });
  const rendered = await run(bin);
  assert.equal(
    rendered.stdout,
    `${join(app, 'base', 'provider.yaml')}:1: error: Provider.notification.toolkit.fluxcd.io "slack" in namespace "apps": spec.secretRef.name: Not found: "slack-url": no Secret "slack-url" in namespace "apps"; create it in "apps" or correct the name [provider-secret-exists]\n  fix: Create the Secret (or its ExternalSecret or SealedSecret) in the Provider's namespace, or correct the name; if something else makes it, list the namespace in the policy's spec.secrets.outOfBandNamespaces.\n`,
  );
  assert.equal(
    rendered.stderr,
    `notify-guard lint: note: rendered with kustomize (${join(bin, 'kustomize')} build <dir>): ${app}\n1 error and 0 warnings in 1 of 2 objects\n`,
  );

  const plain = await run(join(dir, 'nothing-here'));
  assert.equal(
    plain.stderr.split('\n')[0],
    `notify-guard lint: note: ${dir} holds ${join(app, 'kustomization.yaml')}, but neither kustomize nor kubectl is on PATH: linted as plain files, so patches are read as objects and overlays are not applied`,
  );
  assert.match(
    plain.stdout,
    /provider\.yaml:1: error: .* in namespace "default": spec\.secretRef\.name: Not found: "slack-url"/,
  );

  writeFileSync(join(bin, 'kustomize'), '#!/bin/sh\necho "Error: accumulating resources: no such file" >&2\nexit 1\n', {
    mode: 0o755,
  });
  const failing = await run(bin);
  assert.equal(
    failing.stderr.split('\n')[0],
    `notify-guard lint: note: ${app}: kustomize build ${app} failed: Error: accumulating resources: no such file; its files are linted as plain files`,
  );
  assert.equal(failing.status, 1);
});

test('as the pre-commit hook runs it: the changed files, the repository as context, files that are not manifests skipped with a note', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as {
    id: string;
    entry: string;
    language: string;
  }[];
  assert.deepEqual(
    hooks.map((h) => [h.id, h.language, h.entry]),
    [
      ['notify-guard-lint', 'docker', 'node /app/dist/src/cli/main.js lint --context .'],
      ['notify-guard-lint-system', 'system', 'notify-guard lint --context .'],
    ],
  );
  const repo = tempDir('lint-precommit');
  mkdirSync(join(repo, 'apps'));
  writeFileSync(join(repo, 'apps', 'secret.yaml'), yamlOf(secret('apps', 'slack-url', { address: REAL_URL })));
  writeFileSync(join(repo, 'apps', 'provider.yaml'), yamlOf(slackProvider('apps')));
  writeFileSync(join(repo, 'hooks.yaml'), '- id: not-a-manifest\n');
  const r = lintCli(['--context', '.', 'apps/provider.yaml'], { cwd: repo });
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    'notify-guard lint: note: --context .: skipped 1 file that is not a Kubernetes manifest (first: hooks.yaml:1: a document is not a Kubernetes object)\nno findings in 1 object\n',
  );
  assert.equal(r.status, 0);
});
