/**
 * `notify-guard audit` and `coverage` on the three-team example (examples/platform), from
 * manifests and from the test API server: exact output in every format, exit codes as lint's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadManifests } from '../../src/cluster/manifests.ts';
import { FakeApiServer, platformResources } from '../servers/fake-apiserver.ts';
import { auditCommand } from '../../src/cli/audit-command.ts';
import { coverageCommand } from '../../src/cli/coverage-command.ts';
import { lintCommand } from '../../src/cli/lint-command.ts';
import { runInProcess } from '../support/in-process-command.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// Paths in the findings are as given, relative to the repository root, as a user in it runs them.
process.chdir(ROOT);
/** The executable as users run it (main.ts, argv, exit code). */
const runCli = (args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
const COMMANDS = { audit: auditCommand, lint: lintCommand, coverage: coverageCommand };
/** The same subcommand in this process. */
const run = ([command, ...args]: string[]) => runInProcess(COMMANDS[command as keyof typeof COMMANDS], args);
const AUDIT = ['audit', '--cluster-dir', 'examples/platform/cluster', '--policy', 'examples/platform/policy.yaml'];

const A = 'Alert.notification.toolkit.fluxcd.io';
const P = 'Provider.notification.toolkit.fluxcd.io';
const FINDINGS = [
  [
    'data.yaml',
    3,
    'note',
    `${P} "discord" in namespace "data"`,
    'exempt from convention "provider-types": PLAT-142: the data team\'s on-call lives in Discord until Q3',
    'convention:provider-types',
  ],
  [
    'data.yaml',
    20,
    'warning',
    `${A} "pipelines" in namespace "data"`,
    'spec.eventMetadata: Required value: Alerts in namespace "data" must carry eventMetadata "team": add team: <value> under spec.eventMetadata',
    'convention:event-metadata',
  ],
  [
    'search.yaml',
    12,
    'error',
    `${P} "general" in namespace "search"`,
    'spec.channel: Invalid value: "general": namespace "search" may notify channels matching "team-search-*", "platform-alerts": use one of them, or ask the platform team',
    'convention:team-channels',
  ],
  [
    'search.yaml',
    35,
    'warning',
    `${A} "incidents" in namespace "search"`,
    'spec.eventSeverity: Invalid value: "info": Alerts in namespace "search" must have eventSeverity "error": set spec.eventSeverity: error',
    'convention:prod-errors',
  ],
  [
    'search.yaml',
    35,
    'error',
    `${A} "incidents" in namespace "search"`,
    'spec.eventSeverity: Invalid value: "info": Provider "incidents" posts to channel "team-search-incidents", which takes only error events: set spec.eventSeverity: error, or use another Provider',
    'convention:incident-channels',
  ],
  [
    'payments.yaml',
    30,
    'warning',
    'HelmRelease "api" in namespace "payments"',
    'metadata.name: Required value: no Alert sends events of HelmRelease "api": the platform requires HelmRelease objects in namespace "payments" to be watched; add an Alert with an eventSource of kind HelmRelease for it',
    'convention:prod-coverage',
  ],
] as const;
const SUMMARY = '2 errors, 3 warnings and 1 exemption in 12 objects (policy: examples/platform/policy.yaml)\n';

test('audit --cluster-dir: every violation, coverage gap and exemption at its line; exit 1 for the denials', () => {
  const r = runCli(AUDIT);
  assert.equal(
    r.stdout,
    FINDINGS.map(
      ([file, line, level, subject, message, rule]) =>
        `examples/platform/cluster/${file}:${line}: ${level}: ${subject}: ${message} [${rule}]\n`,
    ).join(''),
  );
  assert.equal(r.stderr, SUMMARY);
  assert.equal(r.status, 1);
});

test('audit --output json, github and sarif carry the same findings', async () => {
  const json = await run([...AUDIT, '--output', 'json']);
  const actions = { note: 'note', warning: 'warn', error: 'deny' } as const;
  assert.deepEqual(
    JSON.parse(json.stdout),
    FINDINGS.map(([file, line, level, subject, message, rule]) => ({
      source: `examples/platform/cluster/${file}`,
      line,
      column: 1,
      kind: subject.split(/[ .]/)[0],
      namespace: subject.split('"')[3],
      name: subject.split('"')[1],
      rule,
      action: actions[level],
      message,
    })),
  );
  const github = await run([...AUDIT, '--output', 'github']);
  assert.equal(
    github.stdout,
    FINDINGS.map(
      ([file, line, level, subject, message, rule]) =>
        `::${level === 'note' ? 'notice' : level} file=examples/platform/cluster/${file},line=${line},title=${rule.replace(':', '%3A')}::${subject}: ${message}\n`,
    ).join(''),
  );
  const sarif = JSON.parse((await run([...AUDIT, '--output', 'sarif'])).stdout) as {
    runs: {
      tool: { driver: { rules: { id: string }[] } };
      results: {
        ruleId: string;
        level: string;
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      }[];
    }[];
  };
  const ids = sarif.runs[0]!.tool.driver.rules.map((r) => r.id);
  assert.deepEqual(
    ids.filter((id) => id.startsWith('convention:')),
    [
      'convention:team-channels',
      'convention:prod-errors',
      'convention:incident-channels',
      'convention:event-metadata',
      'convention:provider-types',
      'convention:prod-coverage',
      'convention:house-messages',
    ],
  );
  assert.deepEqual(
    sarif.runs[0]!.results.map((x) => [
      x.ruleId,
      x.level,
      x.locations[0]!.physicalLocation.artifactLocation.uri,
      x.locations[0]!.physicalLocation.region.startLine,
    ]),
    FINDINGS.map(([file, line, level, , , rule]) => [rule, level, `examples/platform/cluster/${file}`, line]),
  );
});

test('lint --policy runs the conventions too (namespace labels from the manifests), SARIF listing them as rules', async () => {
  const r = await run(['lint', '--policy', 'examples/platform/policy.yaml', 'examples/platform/cluster']);
  // Lint checks Alerts and Providers as written; coverage and exemptions are audit's.
  assert.equal(
    r.stdout,
    FINDINGS.filter(([, , level, , , rule]) => level !== 'note' && rule !== 'convention:prod-coverage')
      .map(
        ([file, line, level, subject, message, rule]) =>
          `examples/platform/cluster/${file}:${line}: ${level}: ${subject}: ${message} [${rule}]\n`,
      )
      .join(''),
  );
  assert.equal(r.status, 1);
  const sarif = JSON.parse(
    (await run(['lint', '--policy', 'examples/platform/policy.yaml', '--output', 'sarif', 'examples/platform/cluster']))
      .stdout,
  ) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex?: number }[] }[] };
  assert.ok(
    sarif.runs[0]!.results.every(
      (x) => x.ruleIndex !== undefined && sarif.runs[0]!.tool.driver.rules[x.ruleIndex]!.id === x.ruleId,
    ),
  );
});

test('coverage --cluster-dir: a table per namespace and kind, and json with the Alerts watching each object', async () => {
  const table = await run(['coverage', '--cluster-dir', 'examples/platform/cluster']);
  assert.equal(
    table.stdout,
    [
      'NAMESPACE  KIND           WATCHED  NOT WATCHED',
      'data       HelmRelease    0/1      spark',
      'payments   Kustomization  1/1      -',
      'payments   HelmRelease    0/1      api',
      'search     Kustomization  1/1      -',
      '',
    ].join('\n'),
  );
  assert.equal(table.status, 0);
  const json = JSON.parse(
    (await run(['coverage', '--cluster-dir', 'examples/platform/cluster', '--output', 'json'])).stdout,
  );
  assert.deepEqual(json, [
    { kind: 'HelmRelease', namespace: 'data', name: 'spark', labels: {}, alerts: [] },
    { kind: 'Kustomization', namespace: 'payments', name: 'app', labels: {}, alerts: ['payments/deploys'] },
    { kind: 'HelmRelease', namespace: 'payments', name: 'api', labels: {}, alerts: [] },
    { kind: 'Kustomization', namespace: 'search', name: 'web', labels: {}, alerts: ['search/incidents'] },
  ]);
});

test('audit against the API server reads the cluster\'s NotifyGuardPolicy "default"; an unusable one is refused (exit 2)', async () => {
  const api = new FakeApiServer(platformResources());
  const url = await api.start();
  try {
    for (const { object } of await loadManifests(join(ROOT, 'examples', 'platform', 'cluster'))) api.apply(object);
    api.apply(parse(readFileSync(join(ROOT, 'examples', 'platform', 'policy.yaml'), 'utf8')));
    const kubeconfig = join(tempDir('audit'), 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: tester\n  user: {}\ncontexts:\n- name: fake\n  context: {cluster: fake, user: tester}\ncurrent-context: fake\n`,
    );
    const live = await runAsync(['audit', '--kubeconfig', kubeconfig]);
    const where = (s: string) =>
      s.replace(
        /^([A-Za-z.]+) "([^"]+)" in namespace "([^"]+)"$/,
        (_, k: string, n: string, ns: string) => `cluster/${ns}/${k.split('.')[0]}/${n}`,
      );
    // Listed kind by kind (Alerts, Providers, then Flux objects) rather than file by file.
    assert.deepEqual(
      live.stdout.split('\n').filter(Boolean).sort(),
      FINDINGS.map(
        ([, , level, subject, message, rule]) => `${where(subject)}:1: ${level}: ${subject}: ${message} [${rule}]`,
      ).sort(),
    );
    assert.equal(
      live.stderr,
      '2 errors, 3 warnings and 1 exemption in 12 objects (policy: NotifyGuardPolicy "default")\n',
    );
    api.apply({
      ...parse(readFileSync(join(ROOT, 'examples', 'platform', 'policy.yaml'), 'utf8')),
      spec: { conventions: [{ name: 'x', channels: { patterns: ['{team}'] } }] },
    });
    const bad = await run(['audit', '--kubeconfig', kubeconfig]);
    assert.equal(
      bad.stderr,
      'notify-guard audit: NotifyGuardPolicy "default" cannot be used: spec.conventions[0].channels.patterns[0]: Invalid value: "{team}": unknown placeholder {team}: use {namespace} or {label:KEY} with a label key such as team or example.com/team\n',
    );
    assert.equal(bad.status, 2);
  } finally {
    await api.close();
  }
});

/** Runs the CLI without blocking the event loop (the test API server answers it). */
async function runAsync(args: string[]): Promise<{ stdout: string; stderr: string; status: number | null }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { stdout, stderr, status };
}

test("the example policies are valid for the CRD's schema and for the webhook", async () => {
  const { Ajv } = await import('ajv');
  const { readPolicyObject } = await import('../../src/policy/policy-object.ts');
  const { ALL_RULES } = await import('../../src/policy/rules/index.ts');
  const crd = parse(readFileSync(join(ROOT, 'manifests', 'base', 'crd.yaml'), 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: object } }[] };
  };
  const validate = new Ajv({ strict: false, allErrors: true }).compile(crd.spec.versions[0]!.schema.openAPIV3Schema);
  for (const file of ['examples/platform/policy.yaml', 'examples/policy.yaml', 'manifests/base/policy.yaml']) {
    const doc = parse(readFileSync(join(ROOT, file), 'utf8')) as unknown;
    assert.equal(validate(doc), true, `${file}: ${JSON.stringify(validate.errors)}`);
    assert.equal(readPolicyObject(doc, ALL_RULES).ok, true, file);
  }
  assert.equal(
    validate({
      apiVersion: 'notify-guard.fluxcd.community/v1alpha1',
      kind: 'NotifyGuardPolicy',
      spec: { conventions: [{ name: 'x', action: 'block' }] },
    }),
    false,
  );
});

test('docs/platform.md shows the example policy exactly as examples/platform/policy.yaml holds it', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'platform.md'), 'utf8');
  assert.ok(
    doc.includes(`\`\`\`yaml\n${readFileSync(join(ROOT, 'examples', 'platform', 'policy.yaml'), 'utf8')}\`\`\``),
  );
});
