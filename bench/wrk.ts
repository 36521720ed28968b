/**
 * Load from wrk (Debian: `apt-get install wrk`), a C load generator that leaves the CPU to the
 * server: `connections` keep-alive TLS connections on one thread, cycling through the given
 * AdmissionReview bodies. Returns undefined when wrk is not installed.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';

const SCRIPT = `
local bodies = {}
for line in io.lines(os.getenv("WRK_BODIES")) do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, e.status + e.connect + e.read + e.write + e.timeout, summary.duration, latency:percentile(50), latency:percentile(99), latency.max))
end
`;

/** True when wrk can be run. */
export function haveWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** Writes the script and bodies wrk reads into `dir`; returns a runner. */
export function wrkRunner(dir: string, bodies: readonly string[]) {
  const script = join(dir, 'admission.lua');
  const bodiesFile = join(dir, 'bodies.jsonl');
  writeFileSync(script, SCRIPT);
  writeFileSync(bodiesFile, bodies.join('\n') + '\n');
  return (o: { port: number; path: string; connections: number; seconds: number }): LoadResult => {
    const r = spawnSync(
      'wrk',
      [
        '-t1',
        `-c${o.connections}`,
        `-d${o.seconds}s`,
        '--timeout',
        '5s',
        '-s',
        script,
        `https://127.0.0.1:${o.port}${o.path}`,
      ],
      { env: { ...process.env, WRK_BODIES: bodiesFile }, encoding: 'utf8' },
    );
    const m = /^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/m.exec(r.stdout ?? '');
    if (!m) throw new Error(`wrk gave no result: ${r.stderr || r.stdout}`);
    const [requests, errors, durationUs, p50, p99] = m.slice(1).map(Number) as [number, number, number, number, number];
    return { requests, errors, rps: requests / (durationUs / 1e6), p50ms: p50 / 1000, p99ms: p99 / 1000 };
  };
}
