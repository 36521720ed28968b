/**
 * `npm run bench:certs`: time to produce a CA plus a serving certificate, and the largest
 * event-loop delay while doing it (targets: <= 1 s, <= 50 ms); then Lease takeover times
 * (election-sim.ts). The baseline, measured in the same run, is node-forge's own synchronous RSA
 * key generation, which blocks the event loop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import forge from 'node-forge';
import { createCA, createServingCertificate, serviceHosts } from '../src/certs/certificates.ts';
import { CRASH_BOUND_MS, takeoverLine, takeoverTimes } from './election-sim.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

/** Runs `work` while a 1 ms timer measures how late the event loop answers. */
async function measure(work: () => Promise<unknown>): Promise<{ ms: number; maxDelayMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let maxGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const t = performance.now();
    maxGap = Math.max(maxGap, t - last - 1);
    last = t;
  }, 1);
  histogram.enable();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  await new Promise((r) => setTimeout(r, 5));
  histogram.disable();
  clearInterval(ticker);
  return { ms, maxDelayMs: Math.max(maxGap, histogram.max / 1e6) };
}

const hosts = serviceHosts('notify-guard-webhook', 'notify-guard-system');
const ours = async () => {
  const now = new Date();
  const ca = await createCA({ now, validityDays: 1825 });
  await createServingCertificate({ ca, now, validityDays: 90, hosts });
};
const baseline = async () => {
  // Two synchronous 2048-bit keys, as a CA plus a leaf made with forge alone would need.
  forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
};

const summary = (name: string, xs: { ms: number; maxDelayMs: number }[]) => {
  const ms = xs.map((x) => x.ms).sort((a, b) => a - b);
  const delay = xs.map((x) => x.maxDelayMs).sort((a, b) => a - b);
  return {
    name,
    medianMs: ms[Math.floor(ms.length / 2)]!,
    maxMs: ms.at(-1)!,
    medianDelayMs: delay[Math.floor(delay.length / 2)]!,
    maxDelayMs: delay.at(-1)!,
  };
};

await measure(ours);
const oursRuns = [];
for (let i = 0; i < RUNS; i++) oursRuns.push(await measure(ours));
const baseRuns = [];
for (let i = 0; i < Math.min(RUNS, 3); i++) baseRuns.push(await measure(baseline));

console.log(`certificate benchmark: CA + serving certificate (RSA 2048), ${RUNS} runs\n`);
for (const s of [summary('notify-guard (async keygen)', oursRuns), summary('baseline: forge sync keygen', baseRuns)]) {
  console.log(
    `${s.name.padEnd(30)} median ${s.medianMs.toFixed(0).padStart(6)} ms  max ${s.maxMs.toFixed(0).padStart(6)} ms   event-loop delay median ${s.medianDelayMs.toFixed(1).padStart(7)} ms  max ${s.maxDelayMs.toFixed(1).padStart(7)} ms`,
  );
}
const o = summary('', oursRuns);
console.log(
  `\ntime to produce CA + leaf: max ${o.maxMs.toFixed(0)} ms (target <= 1000 ms) ${o.maxMs <= 1000 ? 'PASS' : 'FAIL'}`,
);
console.log(
  `largest event-loop delay: ${o.maxDelayMs.toFixed(1)} ms (target <= 50 ms) ${o.maxDelayMs <= 50 ? 'PASS' : 'FAIL'}`,
);

console.log(
  '\nLease takeover at client-go timing (15 s lease, 10 s renew deadline, 2 s retry), virtual clock, test API server',
);
for (const replicas of [2, 3]) {
  console.log(
    takeoverLine(
      `${replicas} replicas, holder crashes`,
      await takeoverTimes({ runs: 100, replicas, graceful: false }),
      CRASH_BOUND_MS,
    ),
  );
  console.log(
    takeoverLine(
      `${replicas} replicas, holder stops`,
      await takeoverTimes({ runs: 100, replicas, graceful: true }),
      4_400,
    ),
  );
}
