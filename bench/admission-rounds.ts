/**
 * Load rounds for the admission benchmarks: several short wrk phases per server, the bare
 * baseline first in every round and the servers after it in turn, so that each ratio compares
 * phases a few seconds apart (the machine is shared, and what else runs on it moves from one
 * minute to the next). Medians of the per-round figures are judged.
 */
import type { LoadResult } from './load.ts';
import { cpuMs } from './proc-cpu.ts';

/** A server under load: its port and process id (for CPU per request). */
export interface LoadedServer {
  readonly port: number;
  readonly pid: number | undefined;
}

/** One server's rounds. */
export interface Rounds {
  readonly results: LoadResult[];
  /** Microseconds of CPU (user + system) per request answered, per round. */
  readonly cpuUs: number[];
}

/** The median (the mean of the two middle values for an even count; NaN when empty). */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN;
};

/**
 * Runs `rounds` rounds: in each, every server (the baseline first) takes a 1 s warm-up then a
 * `seconds` phase. Returns each server's rounds, by name, and the load average at each round.
 */
export function alternateRounds<K extends string>(o: {
  servers: Record<K, LoadedServer>;
  rounds: number;
  seconds: number;
  run: (port: number, seconds: number) => LoadResult;
  load: () => string;
}): { byServer: Record<K, Rounds>; loads: string[] } {
  const names = Object.keys(o.servers) as K[];
  const byServer = Object.fromEntries(names.map((k): [K, Rounds] => [k, { results: [], cpuUs: [] }])) as Record<
    K,
    Rounds
  >;
  const loads: string[] = [];
  for (let r = 0; r < o.rounds; r++) {
    loads.push(o.load());
    for (const k of names) {
      const server = o.servers[k];
      o.run(server.port, 1);
      const before = cpuMs(server.pid);
      const x = o.run(server.port, o.seconds);
      byServer[k].results.push(x);
      byServer[k].cpuUs.push(((cpuMs(server.pid) - before) * 1000) / Math.max(1, x.requests));
    }
  }
  return { byServer, loads };
}

/** A server's figures against the baseline's, round by round: the ratios, and the medians judged. */
export function versusBaseline(it: Rounds, bare: Rounds) {
  const ratios = it.results.map((x, i) => x.rps / bare.results[i]!.rps);
  return {
    ratios,
    ratio: median(ratios),
    p99: median(it.results.map((x) => x.p99ms)),
    bareP99: median(bare.results.map((x) => x.p99ms)),
    cpuUs: median(it.cpuUs),
    bareCpuUs: median(bare.cpuUs),
  };
}
