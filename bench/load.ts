/**
 * A closed-loop HTTPS load generator: `connections` keep-alive connections, each sending the
 * next request as soon as the previous answer arrives, for `seconds`. Returns throughput and
 * latency percentiles.
 */
import { Agent, request } from 'node:https';

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
}

export async function runLoad(o: {
  port: number;
  caPem: string;
  path: string;
  bodies: readonly string[];
  connections: number;
  seconds: number;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections, ca: o.caPem });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + o.seconds * 1000;
  const one = (body: string) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request(
        {
          host: '127.0.0.1',
          port: o.port,
          path: o.path,
          method: 'POST',
          agent,
          servername: 'localhost',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - started);
            else errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (performance.now() < deadline) await one(o.bodies[next++ % o.bodies.length]!);
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50ms: pct(0.5), p99ms: pct(0.99) };
}
