/**
 * What the relay benches that run the relay as a process of its own share (relay-storm-bench.ts,
 * relay-forward-bench.ts): its entry point and Node flags, starting it and waiting for "relay
 * listening", its memory as the kernel counts it, posting an event, reading one metric.
 * BENCH_RELAY_SOURCE=ts runs the sources, BENCH_RELAY_DIST=<dir> a build of another commit (the
 * "before" of a comparison), else dist/ is built once; BENCH_NODE_FLAGS overrides the image's NODE_OPTIONS.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { request } from 'node:http';
import type { Agent } from 'node:http';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
/** The relay runs with the Node options the image ships (Dockerfile ENV NODE_OPTIONS), unless BENCH_NODE_FLAGS overrides them. */
const NODE_FLAGS = (
  process.env['BENCH_NODE_FLAGS'] ??
  /^ENV NODE_OPTIONS=(.*)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ??
  ''
)
  .split(' ')
  .filter(Boolean);
/** The relay's entry point: the sources with BENCH_RELAY_SOURCE=ts, else the compiled JavaScript (built by `relayMain`). */
let relayEntry: string | undefined;

/** Builds dist/ (as the image's build stage does) once, and returns the entry point to run. */
export function relayMain(): string {
  if (relayEntry) return relayEntry;
  if (process.env['BENCH_RELAY_SOURCE'] === 'ts') return (relayEntry = join(ROOT, 'src', 'cli', 'main.ts'));
  const built = process.env['BENCH_RELAY_DIST'];
  if (built) return (relayEntry = join(built, 'src', 'cli', 'main.js'));
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  return (relayEntry = join(ROOT, 'dist', 'src', 'cli', 'main.js'));
}

/** A relay process started by `startRelay`. */
export interface Relay {
  readonly child: ChildProcess;
  readonly port: number;
  /** Spawn to "relay listening": start-up, replay included. */
  readonly startMs: number;
}

/** The kernel's figures for a process, in MB: RSS now and its high-water mark. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Spawns the relay over `dir` (its journal and cluster directory) with `flags`; resolves once it listens. */
export function startRelay(dir: string, flags: string[]): Promise<Relay> {
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, relayMain(), 'relay', '--listen', '127.0.0.1:0', '--journal', join(dir, 'relay.journal')]
      .concat(['--cluster-dir', join(dir, 'cluster'), '--allow-insecure-slack-destinations', '--drain-timeout', '0'])
      .concat(flags),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (c: Buffer) => {
      buffered = (buffered + c.toString()).slice(-4096);
      const m = /"listen":"127\.0\.0\.1:(\d+)"[^\n]*"msg":"relay listening"/.exec(buffered);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({ child, port: Number(m[1]), startMs: performance.now() - began });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`relay exited ${code} before listening`)));
  });
}

/** POSTs `body` to the relay; resolves to the status (0 when the connection failed). */
export function post(agent: Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { agent, host: '127.0.0.1', port, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** The value of metric `name` (its first series) at the relay's /metrics; NaN when it cannot be read. */
export async function metric(port: number, name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Destinations of the relay benchmarks: one namespace each, with its own Slack webhook. */
export const BENCH_DESTINATIONS = 500;

/** The cluster the relay reads (`--cluster-dir DIR/cluster`): per destination a Slack Secret, a Provider and an Alert on every Kustomization. */
export async function writeCluster(dir: string, slackUrl: string): Promise<void> {
  const docs: object[] = [];
  for (let i = 0; i < BENCH_DESTINATIONS; i++) {
    const ns = `team-${i}`;
    const address = `${slackUrl}/services/T0STORM${i}/B0STORM/abcdefghijklmnop`;
    docs.push(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slack-url', namespace: ns }, stringData: { address } },
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Provider',
        metadata: { name: 'slack', namespace: ns },
        spec: { type: 'slack', secretRef: { name: 'slack-url' } },
      },
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Alert',
        metadata: { name: 'all', namespace: ns },
        spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
      },
    );
  }
  await mkdir(join(dir, 'cluster'), { recursive: true });
  await writeFile(join(dir, 'cluster', 'cluster.yaml'), docs.map((d) => stringify(d)).join('---\n'));
}
