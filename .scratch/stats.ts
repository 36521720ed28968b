import fc from 'fast-check';
import { anyReviewBody } from '../test/fuzz/arbitraries.ts';
import { decodeReview } from '../src/admission/review.ts';
const counts: Record<string, number> = {};
for (const b of fc.sample(anyReviewBody, { numRuns: 5000, seed: 1 })) {
  const d = decodeReview(b);
  const k = d.ok ? `ok ${d.request.kind.kind} ${d.request.operation}` : `bad ${d.message.replace(/request\.\w+\./, 'request.X.').slice(0, 60)}`;
  counts[k] = (counts[k] ?? 0) + 1;
}
console.log(Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 30));
