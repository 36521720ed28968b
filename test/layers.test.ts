/**
 * The folders of src/ import one another in one direction only (README.md "Layout"). Reads the
 * import graph of src/ with TypeScript's own parser (`ts.preProcessFile`: imports, `import type`,
 * re-exports and `import()`, never text in strings or comments) and fails, naming each
 * file -> import, on a break of the rules below. Tests beside the code (`*.test.ts`) are left out:
 * they may reach across folders and into test/. ESLint's import-x/no-cycle catches file cycles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

/** One import: the importing file and the file it names, both relative to the repository root. */
interface Edge {
  readonly from: string;
  readonly to: string;
  /** As written: `../kube/status.ts`. */
  readonly spec: string;
}

const ROOT = join(import.meta.dirname, '..');

/** Folders that import nothing in src/ outside themselves: what Flux is, Kubernetes' wire types, the template parser. */
const LEAVES = ['flux', 'kube', 'templates'];
/**
 * What a rule may import: policy/ and flux/, and templates/ (the one Mustache parser, a pure leaf:
 * `slack-template-parses` checks templates with it).
 */
const RULE_IMPORTS = ['policy', 'flux', 'templates'];
/** What the defaulter writes on a Provider the relay delivers, and the relay reads. */
const RELAY_MODE = 'src/policy/defaults/relay-mode.ts';

/** `src/relay/routing.ts` -> `relay`; `src/policy/rules/x.ts` -> `policy/rules`; outside src/: `test`, `bench`. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  if (parts[1] === 'policy' && parts[2] === 'rules') return 'policy/rules';
  return parts.length > 2 ? parts[1]! : '.';
}

/** The top-level folder: rules belong to policy. */
function layerOf(file: string): string {
  return folderOf(file).split('/')[0]!;
}

/** The relative imports of every source file under src/ (tests left out). */
function readGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles('src')) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      if (spec.startsWith('./') || spec.startsWith('../'))
        edges.push({ from: file, to: posix.normalize(posix.join(posix.dirname(file), spec)), spec });
    }
  }
  return edges;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => posix.join(dir, f.split('\\').join('/')))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
}

const show = (e: Edge) => `${e.from} -> ${e.spec}`;

/** Every break of the one-way rules, one line each, naming the import. */
function layerViolations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const rule = edgeRule(e);
    if (rule) out.push(`${show(e)}: ${rule}`);
  }
  return [...out, ...folderCycles(edges)];
}

/** The rule an import breaks, if any. */
function edgeRule(e: Edge): string | undefined {
  const [from, to] = [layerOf(e.from), layerOf(e.to)];
  if (from === to) return undefined;
  if (!e.to.startsWith('src/')) return 'src/ must not import test/, bench/ or anything else outside src/';
  if (to === 'cli' && from !== 'cli') return 'only cli/ imports cli/';
  if ((from === 'relay' || from === 'http') && to === 'admission') return `${from}/ must not import admission/`;
  if (from === 'relay' && to === 'policy' && e.to !== RELAY_MODE)
    return `relay/ imports from policy/ only the relay-mode annotations, ${RELAY_MODE.slice(4)}`;
  if (folderOf(e.from) === 'policy/rules' && !RULE_IMPORTS.includes(to))
    return `a rule imports only ${RULE_IMPORTS.join('/, ')}/`;
  if (LEAVES.includes(from) && to !== from) return `${from}/ imports nothing from src/ outside ${from}/`;
  return undefined;
}

/** Sets of folders that import one another (strongly connected components), with the imports that join them. */
function folderCycles(edges: readonly Edge[]): string[] {
  const between = edges.filter((e) => layerOf(e.from) !== layerOf(e.to) && e.to.startsWith('src/'));
  const next = new Map<string, Set<string>>();
  for (const e of between) {
    const set = next.get(layerOf(e.from)) ?? new Set<string>();
    next.set(layerOf(e.from), set.add(layerOf(e.to)));
  }
  return components(next)
    .filter((c) => c.length > 1)
    .map((c) => {
      const inside = between.filter((e) => c.includes(layerOf(e.from)) && c.includes(layerOf(e.to)));
      return `folders ${c.join(', ')} import one another: ${[...new Set(inside.map(show))].join('; ')}`;
    });
}

/** Tarjan's strongly connected components, each sorted, in order of their first folder. */
function components(next: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) visit(w);
      if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const c: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      c.push(w);
      if (w === v) break;
    }
    out.push(c.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

test('the folders of src/ import one another in one direction only (README.md "Layout")', () => {
  assert.deepEqual(layerViolations(readGraph()), []);
});

test('the import graph is read from the source: every folder, static and dynamic imports, type imports', () => {
  const edges = readGraph().map(show);
  const folders = new Set(sourceFiles('src').map(folderOf));
  const expected = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory());
  for (const d of expected) assert.ok(folders.has(d.name), `no source file read in src/${d.name}`);
  for (const e of [
    'src/admission/app.ts -> ../kube/status.ts',
    'src/cli/cluster-source.ts -> ../cluster/informer-view.ts',
    'src/policy/rule.ts -> ../cluster/cluster-view.ts',
  ])
    assert.ok(edges.includes(e), `${e} not read`);
});

test('the detector names each forbidden import and each set of folders importing one another', () => {
  const edge = (from: string, spec: string): Edge => ({
    from,
    spec,
    to: posix.normalize(posix.join(posix.dirname(from), spec)),
  });
  const graph = [
    edge('src/relay/relay-app.ts', '../admission/status.ts'),
    edge('src/http/body-budget.ts', '../admission/status.ts'),
    edge('src/policy/rules/r.ts', '../../cluster/cluster-view.ts'),
    edge('src/policy/rules/r.ts', '../rule.ts'),
    edge('src/policy/rules/r.ts', './other-rule.ts'),
    edge('src/policy/rules/r.ts', '../../flux/objects.ts'),
    edge('src/flux/objects.ts', '../relay/relay-mode.ts'),
    edge('src/flux/api.ts', './objects.ts'),
    edge('src/cluster/x.ts', '../../test/support/objects.ts'),
    edge('src/cli/x.ts', '../../bench/synthetic-cluster.ts'),
    edge('src/relay/routing.ts', '../policy/defaults/relay-mode.ts'),
    edge('src/relay/routing.ts', '../policy/engine.ts'),
    edge('src/policy/rules/t.ts', '../../templates/message-template.ts'),
    edge('src/http/body-budget.ts', '../kube/status.ts'),
    edge('src/admission/app.ts', '../cli/main.ts'),
    edge('src/cli/main.ts', './webhook-command.ts'),
    edge('src/cluster/informer-view.ts', '../observability/cluster-metrics.ts'),
    edge('src/observability/cluster-metrics.ts', '../cluster/reflector.ts'),
    edge('src/admission/handler.ts', '../policy/engine.ts'),
  ];
  assert.deepEqual(layerViolations(graph), [
    'src/relay/relay-app.ts -> ../admission/status.ts: relay/ must not import admission/',
    'src/http/body-budget.ts -> ../admission/status.ts: http/ must not import admission/',
    'src/policy/rules/r.ts -> ../../cluster/cluster-view.ts: a rule imports only policy/, flux/, templates/',
    'src/flux/objects.ts -> ../relay/relay-mode.ts: flux/ imports nothing from src/ outside flux/',
    'src/cluster/x.ts -> ../../test/support/objects.ts: src/ must not import test/, bench/ or anything else outside src/',
    'src/cli/x.ts -> ../../bench/synthetic-cluster.ts: src/ must not import test/, bench/ or anything else outside src/',
    'src/relay/routing.ts -> ../policy/engine.ts: relay/ imports from policy/ only the relay-mode annotations, policy/defaults/relay-mode.ts',
    'src/admission/app.ts -> ../cli/main.ts: only cli/ imports cli/',
    'folders admission, flux, policy, relay import one another: src/relay/relay-app.ts -> ../admission/status.ts; ' +
      'src/policy/rules/r.ts -> ../../flux/objects.ts; src/flux/objects.ts -> ../relay/relay-mode.ts; ' +
      'src/relay/routing.ts -> ../policy/defaults/relay-mode.ts; src/relay/routing.ts -> ../policy/engine.ts; ' +
      'src/admission/handler.ts -> ../policy/engine.ts',
    'folders cluster, observability import one another: ' +
      'src/cluster/informer-view.ts -> ../observability/cluster-metrics.ts; ' +
      'src/observability/cluster-metrics.ts -> ../cluster/reflector.ts',
  ]);
});
