/**
 * CPU of the spill FIFO (src/relay/spill-fifo.ts): 1,000,000 refs pushed round-robin into 500
 * FIFOs (as a replay spills them), then shifted out destination by destination, and the same
 * through one FIFO; the process's CPU (user + system) per phase, and RSS and ArrayBuffer bytes once
 * pushed (after a GC). `node --expose-gc bench/spill-fifo-bench.ts [module]`: module defaults to
 * this tree's source; give a compiled spill-fifo.js (e.g. of the code before, built with `tsc -p
 * tsconfig.build.json --outDir`) to compare (both compiled, for like with like), each in a process
 * of its own, alternating; the load average is printed beside each figure (docs/relay.md "Storms").
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Ref = { offset: number; length: number; index: number; acceptedAt: number };
interface Fifo {
  push(ref: Ref): void;
  shift(): Ref | undefined;
}

const module = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : '../src/relay/spill-fifo.ts';
const { SpillFifo } = (await import(module)) as { SpillFifo: new () => Fifo };
const N = 1_000_000;

/** CPU ms (user + system) that `work` takes. */
function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** A full GC when the process runs with --expose-gc, so that each round starts clean and its bytes are its own. */
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function run(destinations: number): string {
  gc();
  const fifos = Array.from({ length: destinations }, () => new SpillFifo());
  const push = cpuMs(() => {
    for (let i = 0; i < N; i++)
      fifos[i % destinations]!.push({ offset: i * 533, length: 533, index: 0, acceptedAt: 1_800_000_000_000 + i });
  });
  gc();
  const m = process.memoryUsage();
  let sum = 0;
  const shift = cpuMs(() => {
    for (const fifo of fifos) for (let r = fifo.shift(); r; r = fifo.shift()) sum += r.length;
  });
  if (sum !== N * 533) throw new Error(`shifted ${sum / 533} refs, not ${N}`);
  const mb = (b: number) => (b / 1048576).toFixed(1);
  return `${destinations} FIFO(s): push ${push.toFixed(0)} ms CPU, shift ${shift.toFixed(0)} ms CPU (${(((push + shift) * 1000) / N).toFixed(3)} us a ref); once pushed RSS ${mb(m.rss)} MB, array buffers ${mb(m.arrayBuffers)} MB`;
}

console.log(`module: ${module}`);
for (const d of [500, 1, 500, 1, 500, 1])
  console.log(
    `  ${run(d)}; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
