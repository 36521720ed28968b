/**
 * `npm run bench -- --flags`: the Node flag settings compared on both paths, as `node <flags>
 * main.js` (a flag given is kept, so the program adds nothing). For each path, one webhook per
 * setting runs at once, each synced from the same cluster, and the load rounds alternate the bare
 * baseline and every setting (admission-rounds.ts). Prints, per setting: RSS after sync, after
 * load and peak against the path's target, throughput against bare, p99, CPU per request, and
 * (live) the view's sync time. BENCH_FLAG_SETS replaces the settings (`;` between settings).
 */
import type { LoadResult } from './load.ts';
import type { CliWebhook } from './cli-webhook.ts';
import { load, startApiServer, startBaseline, startWebhook } from './admission-setup.ts';
import { alternateRounds, median, versusBaseline } from './admission-rounds.ts';

/** The settings compared: the program's own first, then without --optimize-for-size, and V8's defaults. */
const DEFAULT_SETS = [
  '--max-semi-space-size=2 --optimize-for-size',
  '--max-semi-space-size=2 --no-optimize-for-size',
  '--max-semi-space-size=2 --no-optimize-for-size --heap-growing-percent=20',
  // The closest to the live target without --optimize-for-size in this round (docs/admission.md).
  '--max-semi-space-size=4 --no-optimize-for-size --heap-growing-percent=20',
  '--max-semi-space-size=8 --no-optimize-for-size',
  '--max-semi-space-size=0 --no-optimize-for-size',
];

/** Runs the comparison; `run` is the wrk load (undefined: memory and sync only). */
export async function compareFlags(o: {
  main: string;
  file30k: string;
  run: ((port: number, seconds: number) => LoadResult) | undefined;
  rounds: number;
  seconds: number;
}): Promise<void> {
  const sets = (process.env['BENCH_FLAG_SETS']?.split(';') ?? DEFAULT_SETS).map((s) => s.trim());
  const api = await startApiServer(30_000);
  for (const [path, args, target] of [
    ['--cluster-dir', ['--cluster-dir', o.file30k], 200],
    ['live view', ['--kubeconfig', api.kubeconfig], 150],
  ] as const) {
    const baseline = await startBaseline([]);
    const hooks: CliWebhook[] = [];
    for (const s of sets)
      hooks.push(
        await startWebhook({ command: [process.execPath, ...s.split(' '), o.main], nodeOptions: undefined }, args),
      );
    const synced = hooks.map((h) => h.memory().rssMB);
    const servers = Object.fromEntries([['bare', baseline], ...hooks.map((h, i) => [String(i), h])]);
    const rounds = o.run
      ? alternateRounds({ servers, rounds: o.rounds, seconds: o.seconds, run: o.run, load })
      : undefined;
    console.log(`== ${path}, Node flags compared (load average per round: ${rounds?.loads.join(', ') ?? 'n/a'})`);
    if (rounds) console.log(`  bare: CPU per request median ${median(rounds.byServer['bare']!.cpuUs).toFixed(0)} us`);
    for (const [i, h] of hooks.entries()) {
      const m = h.memory();
      const rss = Math.max(synced[i]!, m.rssMB, m.peakMB);
      const v = rounds ? versusBaseline(rounds.byServer[String(i)]!, rounds.byServer['bare']!) : undefined;
      const sync = h.syncMs();
      console.log(
        `  ${sets[i]}: RSS ${synced[i]!.toFixed(0)} / ${m.rssMB.toFixed(0)} / ${m.peakMB.toFixed(0)} MB (after sync / after load / peak; <= ${target} ${rss <= target ? 'PASS' : 'FAIL'})` +
          (v
            ? `; ${v.ratio.toFixed(2)}x bare (rounds ${v.ratios.map((x) => x.toFixed(2)).join(', ')}), p99 ${v.p99.toFixed(2)} ms (bare ${v.bareP99.toFixed(2)}), CPU ${v.cpuUs.toFixed(0)} us per request`
            : '') +
          `; ready ${(h.readyMs / 1000).toFixed(2)} s${sync === undefined ? '' : `, sync ${(sync / 1000).toFixed(2)} s`}`,
      );
    }
    console.log('');
    await Promise.all([baseline.stop(), ...hooks.map((h) => h.stop())]);
  }
  await api.stop();
}
