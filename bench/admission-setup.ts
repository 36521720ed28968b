/**
 * What the admission benchmarks share: the compiled CLI (built once into .local/bench-build, as
 * the bin and the image run it), a generated cluster as a YAML file and as the test API server in
 * a process of its own, the bare https baseline in a process of its own, the CLI webhook started
 * with given Node flags, and wrk. Every child is killed when the benchmark exits, even on an error.
 */
import { execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LoadResult } from './load.ts';
import { startCliWebhook } from './cli-webhook.ts';
import type { Launch } from './cli-webhook.ts';
import { haveWrk, wrkRunner } from './wrk.ts';
import { syntheticCluster, syntheticReviews } from './synthetic-cluster.ts';

export const CONNECTIONS = 16;
export const NAMESPACES = 1_000;
const ROOT = join(import.meta.dirname, '..');
/** Where the benchmarks write their files. */
export const WORK = join(ROOT, '.local', 'bench');
export const BUILD = join(ROOT, '.local', 'bench-build');

/** Objects per kind (Alerts, Providers, Secrets) for a cluster of `objects`. */
export const perKind = (objects: number) => Math.ceil(objects / 3);
/** The load average over the last minute, for the report. */
export const load = () => loadavg()[0]!.toFixed(2);

/** Compiles the CLI and clears the work directory; returns the path of the compiled main.js. */
export function buildCli(): string {
  // Compiled, as the bin and the image run it (running .ts directly loads Node's type stripper,
  // about 17 MB of RSS production never has).
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', BUILD],
    { stdio: 'inherit' },
  );
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  return join(BUILD, 'src', 'cli', 'main.js');
}

const children = new Set<ChildProcess>();
/** Kills `child` when the benchmark exits. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.once('exit', () => {
  for (const c of children) c.kill();
});

/** Writes the synthetic cluster of `objects` as one multi-document YAML file. */
export function clusterFile(objects: number): string {
  const file = join(WORK, `cluster-${objects}.yaml`);
  writeFileSync(
    file,
    syntheticCluster(perKind(objects), NAMESPACES)
      .map((o) => stringify(o))
      .join('---\n'),
  );
  return file;
}

/** A child process that reports a value over IPC when ready and exits on 'stop'. */
async function ipcChild<T>(script: string, args: string[], execArgv: readonly string[] = []) {
  const child = track(
    fork(join(BUILD, 'bench', script), args, {
      execArgv: [...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const ready = await new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send('stop');
    });
  return { child, ready, stop };
}

/** The test API server serving the synthetic cluster of `objects`, and a kubeconfig for it. */
export async function startApiServer(objects: number) {
  const { ready, stop } = await ipcChild<{ url: string }>('fake-apiserver-process.js', [
    String(perKind(objects)),
    String(NAMESPACES),
  ]);
  const kubeconfig = join(WORK, `kubeconfig-${objects}`);
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'bench', cluster: { server: ready.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'bench', user: {} }],
      contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
      'current-context': 'bench',
    }),
  );
  return { kubeconfig, stop };
}

/** The bare Node https server answering a fixed AdmissionReview, with Node flags `flags`. */
export async function startBaseline(flags: readonly string[]) {
  const { child, ready, stop } = await ipcChild<{ port: number }>('bare-https-process.js', [], flags);
  return { port: ready.port, pid: child.pid, stop };
}

let certDirs = 0;
/**
 * The periodic audit is off in the measured webhooks (BENCH_AUDIT=1 keeps it at its default): its
 * first run, right after start, reads and judges the whole cluster on the event loop, which would
 * be measured instead of admission.
 */
export const AUDIT_ARGS = process.env['BENCH_AUDIT'] === '1' ? [] : ['--audit-interval', '0'];
/** The CLI webhook started as `launch` with `args`, in a fresh certificate directory. */
export const startWebhook = (launch: Launch, args: readonly string[]) =>
  startCliWebhook({ launch, args: [...args, ...AUDIT_ARGS], certDir: join(WORK, `certs-${certDirs++}`), track });

/** wrk at CONNECTIONS connections on POST /validate with the synthetic reviews; undefined without wrk. */
export function wrkLoad(): ((port: number, seconds: number) => LoadResult) | undefined {
  if (!haveWrk()) return undefined;
  const wrk = wrkRunner(
    WORK,
    syntheticReviews(NAMESPACES).map((r) => JSON.stringify(r)),
  );
  return (port, seconds) => wrk({ port, path: '/validate', connections: CONNECTIONS, seconds });
}
