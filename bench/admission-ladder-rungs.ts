/**
 * The ladder's synthetic rungs (admission-ladder.ts), shared by the bare server and the ladder's
 * webhook: a listener answering a fixed AdmissionReview with or without parsing the body, and a
 * count of garbage collections by kind.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { GCProfiler } from 'node:v8';

export const FIXED_REVIEW = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'fixed', allowed: true },
});

/** The two synthetic rungs' listeners: `parse` decodes and parses the body, `fixed` drops it. */
export function fixedListener(parse: boolean): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    if (parse) req.on('data', (c: Buffer) => chunks.push(c));
    else req.resume();
    req.on('end', () => {
      if (parse) JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(FIXED_REVIEW) });
      res.end(FIXED_REVIEW);
    });
  };
}

/** What a scavenge moved: bytes left in the young generation (survived) and added to the old (promoted). */
export interface Promotion {
  survivedBytes: number;
  promotedBytes: number;
}

interface GcEntry {
  gcType: string;
  beforeGC: { heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] };
  afterGC: { heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] };
}

/** Sums what the scavenges in a GCProfiler's entries survived and promoted. */
function promotion(entries: readonly GcEntry[]): Promotion {
  const used = (s: GcEntry['afterGC'], name: string) =>
    s.heapSpaceStatistics.find((x) => x.spaceName === name)?.spaceUsedSize ?? 0;
  const r = { survivedBytes: 0, promotedBytes: 0 };
  for (const e of entries) {
    if (e.gcType !== 'Scavenge') continue;
    r.survivedBytes += used(e.afterGC, 'new_space');
    r.promotedBytes += Math.max(0, used(e.afterGC, 'old_space') - used(e.beforeGC, 'old_space'));
  }
  return r;
}

/** Collections since the last reset: count and pause per kind, the longest pause, what scavenges kept. */
export function gcCounter() {
  const names: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
  };
  let byKind: Record<string, { n: number; ms: number; maxMs: number }> = {};
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      const kind = names[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
      const k = (byKind[kind] ??= { n: 0, ms: 0, maxMs: 0 });
      k.n++;
      k.ms += e.duration;
      k.maxMs = Math.max(k.maxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let profiler = new GCProfiler();
  profiler.start();
  return {
    take: (): { byKind: typeof byKind; promotion: Promotion } => {
      const r = byKind;
      byKind = {};
      const entries = (profiler.stop()?.statistics ?? []) as unknown as GcEntry[];
      profiler = new GCProfiler();
      profiler.start();
      return { byKind: r, promotion: promotion(entries) };
    },
  };
}
