/**
 * Leader-election takeover at client-go's production timing, on a virtual clock against the test
 * API server (part of `npm run bench:certs`): replicas' tries are events on one timeline, so a
 * hundred crashes take a second. Figures are in docs/certificates.md.
 */
import { createElector, CLIENT_GO_TIMING, takeoverBoundMs } from '../src/cluster/leader-election.ts';
import type { Elector } from '../src/cluster/leader-election.ts';
import { FakeApiServer, certResources } from '../test/servers/fake-apiserver.ts';
import { kubeApiFor } from '../test/support/live-cluster.ts';

interface Replica {
  readonly id: string;
  readonly elector: Elector;
  next: number;
  on: boolean;
}

/** Deterministic jitter (a Park-Miller generator), so a run can be replayed. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** Milliseconds from the holder's last renewal (crash) or its release (graceful) until another leads. */
export async function takeoverTimes(o: {
  runs: number;
  replicas: number;
  graceful: boolean;
  seed?: number;
}): Promise<number[]> {
  const server = new FakeApiServer(certResources());
  await server.start();
  const api = kubeApiFor(server.url);
  const random = prng(o.seed ?? 1);
  const out: number[] = [];
  try {
    for (let run = 0; run < o.runs; run++) {
      let t = Date.parse('2026-12-01T00:00:00Z');
      const name = `bench-${run}`;
      const replica = (i: number): Replica => ({
        id: `pod-${i}`,
        next: t + (i === 0 ? 0 : 100 + random() * 2_000),
        on: true,
        elector: createElector({
          api,
          namespace: 'bench',
          name,
          identity: `pod-${i}`,
          timing: CLIENT_GO_TIMING,
          now: () => t + i * 60_000,
          random,
        }),
      });
      const rs = Array.from({ length: o.replicas }, (_, i) => replica(i));
      const runUntil = async (until: number, done: () => boolean = () => false) => {
        for (;;) {
          const r = rs.filter((x) => x.on).sort((a, b) => a.next - b.next)[0];
          if (!r || r.next > until) return;
          t = r.next;
          r.next = t + (await r.elector.step());
          if (done()) return;
        }
      };
      await runUntil(t + 60_000 + random() * 10_000);
      const holder = rs[0]!;
      holder.on = false;
      const spec = server.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'bench', name })![
        'spec'
      ] as { renewTime: string };
      if (o.graceful) await holder.elector.release();
      const from = o.graceful ? t : Date.parse(spec.renewTime);
      await runUntil(t + 60_000, () => rs.some((r) => r !== holder && r.elector.isLeader()));
      out.push(t - from);
    }
  } finally {
    await server.close();
  }
  return out.sort((a, b) => a - b);
}

/** One line of figures, checked against the documented bound. */
export function takeoverLine(name: string, xs: readonly number[], boundMs: number): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const max = xs.at(-1)!;
  return `${name.padEnd(34)} n ${xs.length}  min ${s(xs[0]!)}  median ${s(xs[xs.length >> 1]!)}  max ${s(max)}  (bound ${s(boundMs)}) ${max <= boundMs ? 'PASS' : 'FAIL'}`;
}

export const CRASH_BOUND_MS = takeoverBoundMs(CLIENT_GO_TIMING);
