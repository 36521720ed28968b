/**
 * `npm run bench -- --ladder`: where the webhook's CPU per review goes beyond the bare server's, as a
 * ladder of rungs each loaded by wrk the same way, in rounds that alternate them (the machine is
 * shared: compare rungs within a round): the bare server (bare-https-process.ts); the bare server
 * reading and JSON.parse'ing the body; the webhook's own process and server (synced, 30,000
 * objects) answering a fixed review without parsing; the same parsing the body; the webhook
 * (admission-ladder-process.ts). Per rung: CPU per request (median of the rounds), p50/p99, and
 * its garbage collections per 1,000 requests (count, pause, longest pause, by kind).
 * Env: BENCH_LADDER_PATH (live, the default, or dir), BENCH_LADDER_FLAGS (Node flags of both
 * processes; default the bin's), BENCH_LADDER_STDOUT (file, the default, or pipe: see STDOUT),
 * BENCH_LADDER_PROFILE=1 (then CPU-profile the last two rungs, and sample what they allocate and hold).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';
import { BUILD, WORK, load, startApiServer, track } from './admission-setup.ts';
import { median } from './admission-rounds.ts';
import { cpuMs } from './proc-cpu.ts';
import type { Promotion } from './admission-ladder-rungs.ts';
import { selfTimes } from './admission-profile.ts';
import type { CpuProfile } from './admission-profile.ts';

type GcStats = Record<string, { n: number; ms: number; maxMs: number }>;
interface Child {
  readonly pid: number | undefined;
  readonly port: number;
  ask(m: unknown): Promise<{ byKind?: GcStats; promotion?: Promotion; profile?: CpuProfile; heap?: HeapProfile }>;
  stop(): Promise<void>;
}

/**
 * The children's stdout (the webhook's JSON logs): a file, as a container runtime drains it, or with
 * BENCH_LADDER_STDOUT=pipe a pipe that this process, blocked in wrk during each phase, does not
 * read then (as cli-webhook.ts read it before round 8: the logs then piled up in the webhook's memory).
 */
const STDOUT = process.env['BENCH_LADDER_STDOUT'] === 'pipe' ? 'pipe' : 'file';

async function startChild(script: string, args: string[], flags: readonly string[]): Promise<Child> {
  const out = STDOUT === 'pipe' ? 'pipe' : openSync(join(WORK, `${script}.stdout`), 'w');
  const child: ChildProcess = track(
    fork(join(BUILD, 'bench', script), args, { execArgv: [...flags], stdio: ['ignore', out, 'inherit', 'ipc'] }),
  );
  child.stdout?.resume();
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) => child.once('message', (m) => resolve(m as never)));
  const { port } = (await next()) as { port: number };
  return {
    pid: child.pid,
    port,
    ask: (m) => {
      const reply = next();
      child.send(m as never);
      return reply;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

interface Rung {
  readonly name: string;
  readonly server: Child;
  readonly mode: string;
}
interface RungFigures {
  cpuUs: number[];
  p50: number[];
  p99: number[];
  rps: number[];
  gc: GcStats[];
  promotion: Promotion[];
  requests: number[];
}

/** Runs the ladder on one path. */
export async function ladder(o: {
  file30k: string;
  flags: readonly string[];
  run: (port: number, seconds: number) => LoadResult;
  rounds: number;
  seconds: number;
}): Promise<void> {
  const path = process.env['BENCH_LADDER_PATH'] ?? 'live';
  const flags = process.env['BENCH_LADDER_FLAGS']?.split(' ').filter(Boolean) ?? o.flags;
  const api = path === 'live' ? await startApiServer(30_000) : undefined;
  const bare = await startChild('bare-https-process.js', ['--count-gc'], flags);
  const source = api ? ['--kubeconfig', api.kubeconfig] : ['--cluster-dir', o.file30k];
  const args = [...source, '--cert-dir', join(WORK, 'certs-ladder'), '--audit-interval', '0'];
  const hook = await startChild('admission-ladder-process.js', args, flags);
  const rungs: Rung[] = [
    { name: 'bare', server: bare, mode: 'fixed' },
    { name: 'bare + parse', server: bare, mode: 'parse' },
    { name: 'webhook process, fixed answer', server: hook, mode: 'fixed' },
    { name: 'webhook process, parse + fixed', server: hook, mode: 'parse' },
    { name: 'webhook', server: hook, mode: 'full' },
  ];
  const figures = rungs.map((): RungFigures => ({
    cpuUs: [],
    p50: [],
    p99: [],
    rps: [],
    gc: [],
    promotion: [],
    requests: [],
  }));
  const loads: string[] = [];
  for (let r = 0; r < o.rounds; r++) {
    loads.push(load());
    for (const [i, rung] of rungs.entries()) await measureRung(rung, figures[i]!, o.run, o.seconds);
  }
  console.log(
    `== ladder, ${path === 'live' ? 'live view' : '--cluster-dir'}, Node flags ${flags.join(' ') || 'none'}, stdout ${STDOUT === 'pipe' ? 'a pipe not read during load' : 'a file'}`,
  );
  console.log(`   load average per round: ${loads.join(', ')}`);
  for (const [i, rung] of rungs.entries()) printRung(rung.name, figures[i]!, figures[0]!);
  if (process.env['BENCH_LADDER_PROFILE'] === '1')
    for (const rung of rungs.slice(3)) await profileRung(rung, o.run, o.seconds);
  await Promise.all([bare.stop(), hook.stop()]);
  await api?.stop();
}

/** One phase of one rung: a 1 s warm-up, then `seconds` measured into `f`. */
async function measureRung(
  rung: Rung,
  f: RungFigures,
  run: (port: number, seconds: number) => LoadResult,
  seconds: number,
): Promise<void> {
  await rung.server.ask({ mode: rung.mode });
  run(rung.server.port, 1);
  await rung.server.ask('stats');
  const before = cpuMs(rung.server.pid);
  const x = run(rung.server.port, seconds);
  const cpu = cpuMs(rung.server.pid) - before;
  const stats = await rung.server.ask('stats');
  f.gc.push(stats.byKind ?? {});
  f.promotion.push(stats.promotion ?? { survivedBytes: NaN, promotedBytes: NaN });
  f.cpuUs.push((cpu * 1000) / Math.max(1, x.requests));
  f.p50.push(x.p50ms);
  f.p99.push(x.p99ms);
  f.rps.push(x.rps);
  f.requests.push(x.requests);
}

/** Profiles the webhook's process on one rung (BENCH_LADDER_PROFILE=1): its top self times, in us per request. */
async function profileRung(rung: Rung, run: (port: number, seconds: number) => LoadResult, seconds: number) {
  await rung.server.ask({ mode: rung.mode });
  run(rung.server.port, 1);
  await rung.server.ask('profile-start');
  const x = run(rung.server.port, seconds);
  const { profile } = await rung.server.ask('profile-stop');
  run(rung.server.port, 1);
  await rung.server.ask('heap-start');
  const h = run(rung.server.port, seconds);
  const { heap } = await rung.server.ask('heap-stop');
  const times = selfTimes(profile!, seconds * 1000 + 1000);
  const top = Number(process.env['BENCH_PROFILE_TOP'] ?? 30);
  console.log(`  profile of "${rung.name}" (${x.requests} requests, load ${load()}):`);
  for (const t of times.slice(0, top))
    console.log(`    ${((t.ms * 1000) / x.requests).toFixed(2).padStart(6)} us/request  ${t.name}`);
  console.log(`  allocations still held at the end of a ${seconds} s phase (${h.requests} requests), by function:`);
  for (const [name, bytes] of heldBySite(heap!).slice(0, top))
    console.log(`    ${(bytes / 1024).toFixed(0).padStart(7)} KB  ${name}`);
}

/** A sampling heap profile, as far as it is read here. */
interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
}

/** Bytes held per allocating function (name, file and line), most first. */
function heldBySite(p: HeapProfile): [string, number][] {
  const sizes = new Map<string, number>();
  const walk = (n: HeapNode) => {
    const f = n.callFrame;
    const file = f.url.slice(f.url.lastIndexOf('/') + 1);
    const key = `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
    if (n.selfSize) sizes.set(key, (sizes.get(key) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(p.head);
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

function printRung(name: string, f: RungFigures, bare: RungFigures) {
  const ratios = f.rps.map((x, i) => x / bare.rps[i]!);
  console.log(
    `  ${name.padEnd(32)} CPU ${median(f.cpuUs).toFixed(0).padStart(4)} us/request (rounds ${f.cpuUs.map((x) => x.toFixed(0)).join(', ')}); ${median(ratios).toFixed(2)}x bare; p50 ${median(f.p50).toFixed(2)} ms, p99 ${median(f.p99).toFixed(2)} ms`,
  );
  const total = f.requests.reduce((s, x) => s + x, 0) / 1000;
  const kinds = [...new Set(f.gc.flatMap((g) => Object.keys(g)))].sort();
  const parts = kinds.map((k) => {
    const all = f.gc.map((g) => g[k] ?? { n: 0, ms: 0, maxMs: 0 });
    const n = all.reduce((s, x) => s + x.n, 0);
    const ms = all.reduce((s, x) => s + x.ms, 0);
    const maxMs = Math.max(...all.map((x) => x.maxMs));
    return `${k} ${(n / total).toFixed(1)}/1k requests, ${((ms * 1000) / (total * 1000)).toFixed(1)} us/request, mean ${(ms / Math.max(1, n)).toFixed(2)} ms, max ${maxMs.toFixed(1)} ms`;
  });
  console.log(`  ${''.padEnd(32)} GC: ${parts.join('; ') || 'none'}`);
  const per = (k: keyof Promotion) => (f.promotion.reduce((s, x) => s + x[k], 0) / (total * 1000)).toFixed(0);
  console.log(
    `  ${''.padEnd(32)} scavenges kept ${per('survivedBytes')} bytes/request in the young generation, promoted ${per('promotedBytes')} bytes/request`,
  );
}
