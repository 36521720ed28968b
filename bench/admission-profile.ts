/**
 * `npm run bench -- --profile`: where the webhook's CPU goes under load, both paths. The compiled
 * CLI is started as the bin is (its flags) plus `--cpu-prof`, synced from a 30,000-object
 * cluster, loaded with wrk as the benchmark loads it, then stopped (SIGTERM: the profile is
 * written at exit). Prints the functions with the most self time, and the share of garbage
 * collection, and leaves the .cpuprofile files (Chrome DevTools reads them) in .local/bench/profiles.
 * BENCH_PROFILE_TOP sets how many functions are printed (30).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';
import { startApiServer, startWebhook, WORK } from './admission-setup.ts';
import { cpuMs } from './proc-cpu.ts';

/** A V8 CPU profile, as far as it is read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name, file and line) in the profile's last `lastMs`, in ms, most first. */
export function selfTimes(p: CpuProfile, lastMs: number): { name: string; ms: number }[] {
  const byNode = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
  let left = lastMs * 1000;
  let first = p.samples.length;
  while (first > 0 && left > 0) left -= p.timeDeltas[--first] ?? 0;
  for (let i = first; i < p.samples.length; i++) {
    const f = byNode.get(p.samples[i]!)!;
    const file = f.url.slice(f.url.lastIndexOf('/') + 1);
    const key = `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

/** Profiles both paths under `run`'s load for `seconds`. */
export async function profilePaths(o: {
  main: string;
  file30k: string;
  flags: readonly string[];
  run: (port: number, seconds: number) => LoadResult;
  seconds: number;
}): Promise<void> {
  const api = await startApiServer(30_000);
  const top = Number(process.env['BENCH_PROFILE_TOP'] ?? 30);
  for (const [path, args] of [
    ['--cluster-dir', ['--cluster-dir', o.file30k]],
    ['live view', ['--kubeconfig', api.kubeconfig]],
  ] as const) {
    const dir = join(WORK, 'profiles', path === 'live view' ? 'live' : 'dir');
    const w = await startWebhook(
      {
        command: [process.execPath, ...o.flags, '--cpu-prof', `--cpu-prof-dir=${dir}`, o.main],
        nodeOptions: undefined,
      },
      args,
    );
    o.run(w.port, 1);
    const cpuBefore = cpuMs(w.pid);
    const x = o.run(w.port, o.seconds);
    const cpuUs = ((cpuMs(w.pid) - cpuBefore) * 1000) / Math.max(1, x.requests);
    await w.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile written in ${dir}`);
    // The load phase is the profile's end (the stop adds a few ms); the start and the sync are left out.
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const times = selfTimes(profile, o.seconds * 1000);
    const total = times.reduce((s, t) => s + t.ms, 0);
    console.log(
      `== ${path}: ${x.rps.toFixed(0)} req/s, p99 ${x.p99ms.toFixed(2)} ms, CPU ${cpuUs.toFixed(0)} us per request (last ${o.seconds} s of the profile; ${join(dir, file)})`,
    );
    for (const t of times.slice(0, top))
      console.log(`  ${((100 * t.ms) / total).toFixed(1).padStart(5)} %  ${t.ms.toFixed(0).padStart(6)} ms  ${t.name}`);
  }
  await api.stop();
}
