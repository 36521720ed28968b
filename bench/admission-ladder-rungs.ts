/**
 * The ladder's synthetic rungs (admission-ladder.ts), shared by the bare server and the ladder's
 * webhook: a listener answering a fixed AdmissionReview with or without parsing the body, and a
 * count of garbage collections by kind.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { PerformanceObserver, constants } from 'node:perf_hooks';

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

/** Collections since the last reset: count and pause per kind, the longest pause. */
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
  return {
    take: () => {
      const r = byKind;
      byKind = {};
      return r;
    },
  };
}
