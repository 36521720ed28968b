/**
 * `notify-guard coverage`: which Flux objects (Kustomizations, HelmReleases and sources) no
 * delivering Alert watches, per namespace, as a table or JSON. Reads the cluster once, from the
 * API server or from `--cluster-dir`. Exit 0 (it reports; `audit` enforces coverage conventions),
 * 2 when the cluster cannot be read or for a wrong flag.
 */
import { parseArgs } from 'node:util';
import type { CoverageEntry } from '../policy/coverage.ts';
import { COVERAGE_KINDS, coverage, deliveringAlerts } from '../policy/coverage.ts';
import { metaOf } from '../policy/audit.ts';
import type { CommandIo } from './audit-command.ts';
import { snapshotFromCluster, snapshotFromDir } from './cluster-snapshot.ts';
import { UsageError } from './flag-values.ts';

export const COVERAGE_USAGE = `Usage: notify-guard coverage [flags]

Shows, per namespace, which Kustomizations, HelmReleases and sources no Alert watches (an Alert
counts when it is not suspended and its Provider exists and is not suspended, as Flux routes).

Flags:
  --cluster-dir DIR   read the cluster from the manifests under DIR instead of the API server
  --kubeconfig FILE   kubeconfig for the API server (default $KUBECONFIG or ~/.kube/config)
  --output FORMAT     table (per namespace and kind) or json (every object with the Alerts watching it) (default table)
  -h, --help          show this help
`;

/** Runs the coverage report. */
export async function coverageCommand(argv: readonly string[], io: CommandIo = process): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'cluster-dir': { type: 'string' },
      kubeconfig: { type: 'string' },
      output: { type: 'string', default: 'table' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(COVERAGE_USAGE);
    return 0;
  }
  if (values.output !== 'table' && values.output !== 'json')
    throw new UsageError(`--output ${JSON.stringify(values.output)}: expected table or json`);
  if (values['cluster-dir'] && values.kubeconfig)
    throw new UsageError(
      '--cluster-dir and --kubeconfig exclude each other: the cluster comes from manifests or from the API server',
    );
  let entries: CoverageEntry[];
  try {
    const s = values['cluster-dir']
      ? await snapshotFromDir(values['cluster-dir'])
      : await snapshotFromCluster(values.kubeconfig, io.env ?? process.env);
    entries = sortEntries(
      coverage(
        s.fluxObjects.map((f) => metaOf(f.object)),
        deliveringAlerts(s.alerts, s.providers),
      ),
    );
  } catch (err) {
    io.stderr.write(`notify-guard coverage: cannot read the cluster: ${(err as Error).message}\n`);
    return 2;
  }
  io.stdout.write(values.output === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : coverageTable(entries));
  return 0;
}

function sortEntries(entries: CoverageEntry[]): CoverageEntry[] {
  const order = (k: string) => (COVERAGE_KINDS as readonly string[]).indexOf(k);
  return entries.sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || order(a.kind) - order(b.kind) || a.name.localeCompare(b.name),
  );
}

/** One row per namespace and kind: watched of total, and the names no Alert watches. */
export function coverageTable(entries: readonly CoverageEntry[]): string {
  const rows: string[][] = [['NAMESPACE', 'KIND', 'WATCHED', 'NOT WATCHED']];
  const groups = new Map<string, CoverageEntry[]>();
  for (const e of entries)
    groups.set(`${e.namespace}\u0000${e.kind}`, [...(groups.get(`${e.namespace}\u0000${e.kind}`) ?? []), e]);
  for (const [key, group] of groups) {
    const [namespace, kind] = key.split('\u0000') as [string, string];
    const unwatched = group.filter((e) => e.alerts.length === 0).map((e) => e.name);
    rows.push([namespace, kind, `${group.length - unwatched.length}/${group.length}`, unwatched.join(', ') || '-']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
