/** The policy engine's cost per request in-process (no network), against the cluster's size. */
import { staticClusterView } from '../src/cluster/static-view.ts';
import { guardedKind } from '../src/flux/api.ts';
import { createEngine } from '../src/policy/engine.ts';
import { defaultPolicy } from '../src/policy/policy.ts';
import { ALL_RULES } from '../src/policy/rules/index.ts';
import type { AdmissionRequest } from '../src/admission/review.ts';
import { syntheticCluster, syntheticReviews } from './synthetic-cluster.ts';

/** Microseconds per evaluation of the synthetic reviews against `objects` objects in `namespaces`. */
export function evaluationCost(objects: number, namespaces: number): number {
  const engine = createEngine(ALL_RULES, defaultPolicy(ALL_RULES));
  const view = staticClusterView(syntheticCluster(Math.ceil(objects / 3), namespaces));
  const requests = syntheticReviews(namespaces).map((r) => (r as { request: AdmissionRequest }).request);
  const inputs = requests.map((q) => ({
    kind: guardedKind(q.kind)!,
    operation: q.operation,
    namespace: q.namespace ?? '',
    name: q.name ?? '',
    object: q.object ?? undefined,
    oldObject: q.oldObject ?? undefined,
  }));
  for (let i = 0; i < 2000; i++) engine.evaluate(inputs[i % inputs.length]!, view);
  const n = 20_000;
  const t = performance.now();
  for (let i = 0; i < n; i++) engine.evaluate(inputs[i % inputs.length]!, view);
  return ((performance.now() - t) * 1000) / n;
}
