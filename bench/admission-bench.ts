/**
 * `npm run bench`: the admission webhook as users run it, the compiled CLI in a process of its
 * own (`node dist/src/cli/main.js webhook ...`), against a baseline measured in the same run.
 *
 * 1. Paths: `--cluster-dir` on a generated 30,000-object YAML file, and the live view
 *    (`--kubeconfig`) synced from the test API server in a process of its own. Each is started
 *    as the bin (its shebang's flags), as the image starts it (NODE_OPTIONS from the Dockerfile)
 *    and as plain `node main.js` with no flag.
 * 2. Load: wrk (`apt-get install wrk`; without it the load phases are skipped), 16 keep-alive
 *    TLS connections, POST /validate with 256 realistic AdmissionReviews; baseline: a bare Node
 *    https server answering a fixed AdmissionReview. Short rounds alternate baseline, cluster-dir
 *    and live (admission-rounds.ts); the medians of the per-round ratios, p99s and CPU per
 *    request are judged (the machine is shared).
 * 3. Sync: the live view's own figure (discovery and initial lists, from its "cluster view
 *    synced" log) and spawn to ready (module loading and certificate generation included).
 * 4. Memory: RSS after sync, after the load and the peak (VmHWM), from /proc; the slope of RSS
 *    against cached objects at 10k, 30k and 100k objects, on both paths.
 * 5. Evaluation cost in-process at 300 vs 30,000 objects: flat (indexes, not scans).
 * `npm run bench -- --ladder` measures the rungs from the bare server to the webhook (admission-ladder.ts).
 * `npm run bench -- --flags` compares Node flag settings instead (admission-flags.ts); `npm run bench
 * -- --ab [REF]` this build against git REF's (default main), side by side (admission-ab.ts).
 * Targets (issue 18): live RSS <= 150 MB after sync and load, sync <= 3 s; cluster-dir RSS <= 200
 * MB; both >= 0.6x bare, p99 <= 5 ms; slope <= 1 MB per 1,000 objects.
 *
 * Env: BENCH_SECONDS (per load phase, default 3), BENCH_ROUNDS (7), BENCH_NODE_FLAGS (only
 * `node <flags> main.js`), BENCH_STARTS (ways of starting, default `bin,image,plain`), BENCH_SLOPE=0 (skip the slope, which runs the first way of starting),
 * BENCH_AUDIT=1 (keep the periodic audit on; off by default, see AUDIT_ARGS).
 */
import { readFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Launch } from './cli-webhook.ts';
import type { CliWebhook } from './cli-webhook.ts';
import {
  AUDIT_ARGS,
  CONNECTIONS,
  NAMESPACES,
  buildCli,
  clusterFile,
  load,
  perKind,
  startApiServer,
  startBaseline,
  startWebhook,
  wrkLoad,
} from './admission-setup.ts';
import { alternateRounds, versusBaseline } from './admission-rounds.ts';
import type { Rounds } from './admission-rounds.ts';
import { evaluationCost } from './evaluation-cost.ts';

export const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
export const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const SIZES = [10_000, 30_000, 100_000];

const MAIN = buildCli();
const flagsMode = process.argv.includes('--flags');

// Three ways to start it: the bin as npm installs it (executable, its shebang's flags), the image
// (`node main.js` with the Dockerfile's NODE_OPTIONS), and plain `node main.js` with no flag at all.
chmodSync(MAIN, 0o755);
const IMAGE_NODE_OPTIONS =
  /^ENV NODE_OPTIONS=(.*)$/m.exec(readFileSync(join(import.meta.dirname, '..', 'Dockerfile'), 'utf8'))?.[1] ?? '';
const SHEBANG_FLAGS = (/^#!\/usr\/bin\/env -S node (.*)$/m.exec(readFileSync(MAIN, 'utf8').split('\n')[0]!)?.[1] ?? '')
  .split(' ')
  .filter(Boolean);
interface FlagSet {
  name: string;
  launch: Launch;
  flags: string[];
}
const envFlags = process.env['BENCH_NODE_FLAGS']?.split(' ').filter(Boolean);
const starts = (process.env['BENCH_STARTS'] ?? 'bin,image,plain').split(',');
const flagSets: FlagSet[] = envFlags
  ? [
      {
        name: `node ${envFlags.join(' ')} main.js`,
        launch: { command: [process.execPath, ...envFlags, MAIN], nodeOptions: undefined },
        flags: envFlags,
      },
    ]
  : [
      {
        name: `the bin (shebang flags: ${SHEBANG_FLAGS.join(' ') || 'none'})`,
        launch: { command: [MAIN], nodeOptions: undefined },
        flags: SHEBANG_FLAGS,
      },
      {
        name: `the image (node main.js, NODE_OPTIONS=${IMAGE_NODE_OPTIONS || ''})`,
        launch: { command: [process.execPath, MAIN], nodeOptions: IMAGE_NODE_OPTIONS },
        flags: IMAGE_NODE_OPTIONS.split(' ').filter(Boolean),
      },
      {
        name: 'plain node main.js, no flags',
        launch: { command: [process.execPath, MAIN], nodeOptions: undefined },
        flags: [],
      },
    ].filter((_, i) => starts.includes(['bin', 'image', 'plain'][i]!));

const mb = (x: number) => `${x.toFixed(0)} MB`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const run = wrkLoad();

console.log(`admission benchmark through the CLI (${MAIN})`);
console.log(`machine: 2 cores shared; load average (1 min) at start ${load()}`);
if (!run)
  console.log(
    'wrk is not installed (Debian: apt-get install wrk): load phases skipped, memory and sync still measured',
  );
const file30k = clusterFile(30_000);
console.log(
  `cluster: ${perKind(30_000)} each of Alerts/Providers/Secrets in ${NAMESPACES} namespaces (+ 2 Flux sources each); load: wrk, ${CONNECTIONS} keep-alive TLS connections, ${ROUNDS} rounds of ${SECONDS}s per server, baseline first in each; periodic audit ${AUDIT_ARGS.length ? 'off (--audit-interval 0)' : 'on (default)'}\n`,
);

async function comparePaths(f: FlagSet) {
  const api = await startApiServer(30_000);
  const baseline = await startBaseline(f.flags);
  const dir = await startWebhook(f.launch, ['--cluster-dir', file30k]);
  const live = await startWebhook(f.launch, ['--kubeconfig', api.kubeconfig]);
  const synced = { dir: dir.memory(), live: live.memory() };
  const rounds = run
    ? alternateRounds({ servers: { bare: baseline, dir, live }, rounds: ROUNDS, seconds: SECONDS, run, load })
    : undefined;
  const after = { dir: dir.memory(), live: live.memory() };
  await Promise.all([baseline.stop(), dir.stop(), live.stop()]);
  await api.stop();
  console.log(`== ${f.name} (load average per round: ${rounds?.loads.join(', ') ?? 'n/a'})`);
  if (rounds) printRounds(rounds.byServer);
  for (const [k, label, rssTarget] of [
    ['dir', '--cluster-dir', 200],
    ['live', 'live view', 150],
  ] as const) {
    const s = { dir, live }[k];
    const rss = Math.max(synced[k].rssMB, after[k].rssMB, after[k].peakMB);
    console.log(
      `  ${label}: ready in ${(s.readyMs / 1000).toFixed(2)} s from spawn (listening at ${(s.listeningMs / 1000).toFixed(2)} s); RSS ${mb(synced[k].rssMB)} after sync, ${mb(after[k].rssMB)} after load, peak ${mb(after[k].peakMB)} (<= ${rssTarget} MB ${verdict(rss <= rssTarget)})`,
    );
    if (rounds) printVersus(rounds.byServer[k], rounds.byServer.bare);
    if (k === 'live') printSync(live);
  }
  console.log('');
}

function printRounds(byServer: Record<string, Rounds>) {
  for (const [k, r] of Object.entries(byServer))
    for (const [i, x] of r.results.entries())
      console.log(
        `  ${k.padEnd(5)} round ${i + 1}: ${x.rps.toFixed(0).padStart(6)} req/s  p50 ${x.p50ms.toFixed(2)} ms  p99 ${x.p99ms.toFixed(2)} ms  CPU ${r.cpuUs[i]!.toFixed(0)} us/request  (${x.requests} requests, ${x.errors} errors)`,
      );
}

function printVersus(it: Rounds, bare: Rounds) {
  const v = versusBaseline(it, bare);
  console.log(
    `    throughput vs bare: median ${v.ratio.toFixed(2)}x of rounds ${v.ratios.map((x) => x.toFixed(2)).join(', ')} (>= 0.60x ${verdict(v.ratio >= 0.6)}); p99 median ${v.p99.toFixed(2)} ms, bare ${v.bareP99.toFixed(2)} ms (<= 5 ms ${verdict(v.p99 <= 5)}); CPU per request median ${v.cpuUs.toFixed(0)} us, bare ${v.bareCpuUs.toFixed(0)} us (bare/it ${(v.bareCpuUs / v.cpuUs).toFixed(2)}x)`,
  );
}

function printSync(live: CliWebhook) {
  const sync = live.syncMs();
  console.log(
    `    initial sync (the view's own: discovery and lists) ${sync === undefined ? 'not logged' : `${(sync / 1000).toFixed(2)} s (<= 3 s ${verdict(sync <= 3000)})`}; spawn to ready (module loading, certificate generation, sync) ${(live.readyMs / 1000).toFixed(2)} s (<= 3 s ${verdict(live.readyMs <= 3000)})`,
  );
}

async function memorySlope(f: FlagSet) {
  console.log(`== memory slope, ${f.name} (RSS after sync / after ${SECONDS}s of load)`);
  const points: Record<'dir' | 'live', { objects: number; synced: number; loaded: number }[]> = { dir: [], live: [] };
  for (const objects of SIZES) {
    const file = objects === 30_000 ? file30k : clusterFile(objects);
    const api = await startApiServer(objects);
    for (const [k, args] of [
      ['dir', ['--cluster-dir', file]],
      ['live', ['--kubeconfig', api.kubeconfig]],
    ] as const) {
      const w = await startWebhook(f.launch, args);
      const synced = w.memory().rssMB;
      run?.(w.port, SECONDS);
      points[k].push({ objects, synced, loaded: w.memory().rssMB });
      await w.stop();
    }
    await api.stop();
  }
  for (const k of ['dir', 'live'] as const) {
    const p = points[k];
    const slope = (f: 'synced' | 'loaded', a: number, b: number) =>
      (p[b]![f] - p[a]![f]) / ((p[b]!.objects - p[a]!.objects) / 1000);
    console.log(
      `  ${k === 'dir' ? '--cluster-dir' : 'live view'}: ${p.map((x) => `${x.objects / 1000}k ${mb(x.synced)} / ${mb(x.loaded)}`).join('; ')}`,
    );
    const worst = Math.max(slope('synced', 0, 2), slope('loaded', 0, 2));
    console.log(
      `    slope 10k->30k ${slope('synced', 0, 1).toFixed(2)} / ${slope('loaded', 0, 1).toFixed(2)} MB per 1,000 objects; 30k->100k ${slope('synced', 1, 2).toFixed(2)} / ${slope('loaded', 1, 2).toFixed(2)}; 10k->100k ${slope('synced', 0, 2).toFixed(2)} / ${slope('loaded', 0, 2).toFixed(2)} (<= 1 ${verdict(worst <= 1)})`,
    );
  }
  console.log('');
}

const abAt = process.argv.indexOf('--ab');
if (abAt >= 0) {
  const { compareBuilds } = await import('./admission-ab.ts');
  const ref = process.argv[abAt + 1]?.startsWith('-') === false ? process.argv[abAt + 1]! : 'main';
  if (run) await compareBuilds({ main: MAIN, ref, file30k, run, rounds: ROUNDS, seconds: SECONDS });
} else if (process.argv.includes('--ladder')) {
  const { ladder } = await import('./admission-ladder.ts');
  if (run) await ladder({ file30k, flags: SHEBANG_FLAGS, run, rounds: ROUNDS, seconds: SECONDS });
} else if (process.argv.includes('--profile')) {
  const { profilePaths } = await import('./admission-profile.ts');
  if (run) await profilePaths({ main: MAIN, file30k, flags: SHEBANG_FLAGS, run, seconds: SECONDS });
} else if (flagsMode) {
  const { compareFlags } = await import('./admission-flags.ts');
  await compareFlags({ main: MAIN, file30k, run, rounds: ROUNDS, seconds: SECONDS });
} else {
  for (const f of flagSets) await comparePaths(f);
  if (process.env['BENCH_SLOPE'] !== '0') await memorySlope(flagSets[0]!);
  const small = evaluationCost(300, 10);
  const large = evaluationCost(30_000, NAMESPACES);
  console.log(
    `evaluation cost: ${small.toFixed(1)} us/request at 300 objects, ${large.toFixed(1)} us/request at 30,000 objects (ratio ${(large / small).toFixed(2)}, flat means ~1)`,
  );
}
console.log(`load average (1 min) at the end ${load()}`);
