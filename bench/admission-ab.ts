/**
 * `npm run bench -- --ab [REF]`: this build against the build of git REF (default `main`), both
 * as the bin runs them, side by side on each path. REF's src, bench and test are exported with
 * `git archive` into .local/before-src and compiled into .local/before-build (node_modules shared).
 * For each path one webhook of each build runs at once, synced from the same 30,000-object
 * cluster, and the rounds alternate the bare server and the two builds, the order of the builds
 * swapped every round (so neither always runs right after the baseline). Prints, per path: CPU
 * per request of each build (median), the median of the per-round ratios this/REF, throughput
 * against bare, p99, and RSS after load. CPU per request is the figure to judge on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';
import type { CliWebhook } from './cli-webhook.ts';
import { load, startApiServer, startBaseline, startWebhook } from './admission-setup.ts';
import { alternateRounds, median } from './admission-rounds.ts';
import type { Rounds } from './admission-rounds.ts';

const ROOT = join(import.meta.dirname, '..');

/** Exports and compiles `ref`; returns the path of its main.js. */
export function buildRef(ref: string): string {
  const src = join(ROOT, '.local', 'before-src');
  const out = join(ROOT, '.local', 'before-build');
  rmSync(src, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  const archive = execFileSync(
    'git',
    ['-C', ROOT, 'archive', ref, 'src', 'bench', 'test', 'tsconfig.json', 'package.json'],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  execFileSync('tar', ['-x', '-C', src], { input: archive });
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', src, '--outDir', out], {
    stdio: 'inherit',
  });
  const main = join(out, 'src', 'cli', 'main.js');
  chmodSync(main, 0o755);
  return main;
}

type Build = 'before' | 'after';

/** Runs the comparison of `main` (this build) against `ref`'s. */
export async function compareBuilds(o: {
  main: string;
  ref: string;
  file30k: string;
  run: (port: number, seconds: number) => LoadResult;
  rounds: number;
  seconds: number;
}): Promise<void> {
  const mains: Record<Build, string> = { before: buildRef(o.ref), after: o.main };
  const api = await startApiServer(30_000);
  for (const [path, args] of [
    ['--cluster-dir', ['--cluster-dir', o.file30k]],
    ['live view', ['--kubeconfig', api.kubeconfig]],
  ] as const) {
    const bare = await startBaseline([]);
    const hooks = {} as Record<Build, CliWebhook>;
    for (const b of ['before', 'after'] as const)
      hooks[b] = await startWebhook({ command: [mains[b]], nodeOptions: undefined }, args);
    const byServer: Record<'bare' | Build, Rounds> = {
      bare: { results: [], cpuUs: [] },
      before: { results: [], cpuUs: [] },
      after: { results: [], cpuUs: [] },
    };
    const loads: string[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const order: Build[] = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
      const servers = { bare, [order[0]!]: hooks[order[0]!], [order[1]!]: hooks[order[1]!] };
      const one = alternateRounds({ servers, rounds: 1, seconds: o.seconds, run: o.run, load });
      loads.push(...one.loads);
      for (const k of ['bare', 'before', 'after'] as const) {
        byServer[k].results.push(...one.byServer[k]!.results);
        byServer[k].cpuUs.push(...one.byServer[k]!.cpuUs);
      }
    }
    printComparison(path, o.ref, byServer, hooks, loads);
    await Promise.all([bare.stop(), hooks.before.stop(), hooks.after.stop()]);
  }
  await api.stop();
}

function printComparison(
  path: string,
  ref: string,
  byServer: Record<'bare' | Build, Rounds>,
  hooks: Record<Build, CliWebhook>,
  loads: readonly string[],
) {
  const f = (x: number) => x.toFixed(0);
  console.log(`== ${path}: this build against ${ref} (load average per round: ${loads.join(', ')})`);
  const bare = byServer.bare;
  console.log(
    `  bare: CPU ${f(median(bare.cpuUs))} us/request (rounds ${bare.cpuUs.map(f).join(', ')}), p99 median ${median(bare.results.map((x) => x.p99ms)).toFixed(2)} ms`,
  );
  for (const b of ['before', 'after'] as const) {
    const r = byServer[b];
    const m = hooks[b].memory();
    const ratios = r.results.map((x, i) => x.rps / bare.results[i]!.rps);
    console.log(
      `  ${b === 'before' ? ref : 'this build'}: CPU ${f(median(r.cpuUs))} us/request (rounds ${r.cpuUs.map(f).join(', ')}); ${median(ratios).toFixed(2)}x bare (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')}); p99 median ${median(r.results.map((x) => x.p99ms)).toFixed(2)} ms; RSS after load ${m.rssMB.toFixed(0)} MB, peak ${m.peakMB.toFixed(0)} MB`,
    );
  }
  const perRound = byServer.after.cpuUs.map((c, i) => c / byServer.before.cpuUs[i]!);
  console.log(
    `  CPU per request, this build / ${ref}: median of rounds ${median(perRound).toFixed(2)} (rounds ${perRound.map((x) => x.toFixed(2)).join(', ')})\n`,
  );
}
