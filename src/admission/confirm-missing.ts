/**
 * Before a denial that says "this Provider/Secret does not exist" is sent, the misses are
 * confirmed: each is looked up live (bounded by a timeout). A found object joins the view and
 * the request is evaluated again; a miss that the view cannot vouch for (not synced, or outside
 * the watched Secret scope) and that no lookup confirmed is not a denial but a warning.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { LiveLookup, MissingRef } from '../cluster/live-lookup.ts';
import { recordMisses, withFound } from '../cluster/view-wrappers.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { SecretFacts } from '../flux/secret-facts.ts';
import type { Engine, EvaluationInput, Finding } from '../policy/engine.ts';
import type { Counter } from 'prom-client';

/** What confirmation needs. */
export interface ConfirmDeps {
  readonly engine: Engine;
  readonly cluster: ClusterView;
  readonly liveLookup: LiveLookup | undefined;
  readonly lookups: Counter<'kind' | 'result'> | undefined;
}

/** Evaluates a request, confirming missing-reference denials before they stand. */
export async function evaluateConfirmed(input: EvaluationInput, d: ConfirmDeps): Promise<Finding[]> {
  const recorded = recordMisses(d.cluster);
  const findings = d.engine.evaluate(input, recorded.view);
  if (!findings.some((f) => f.action === 'deny' && f.reportsMissing)) return findings;
  const misses = recorded.misses();
  if (misses.length === 0) return findings;

  const found: (KubeObject | SecretFacts)[] = [];
  const unconfirmed: MissingRef[] = [];
  await Promise.all(
    misses.map(async (ref) => {
      const authoritative = d.cluster.synced() && d.cluster.covers(ref.kind, ref.namespace);
      if (!d.liveLookup) {
        if (!authoritative) unconfirmed.push(ref);
        return;
      }
      const r = await d.liveLookup.lookup(ref);
      d.lookups?.inc({ kind: ref.kind, result: r.result });
      if (r.result === 'found') found.push(r.object);
      else if (r.result === 'unknown' && !authoritative) unconfirmed.push(ref);
    }),
  );

  const again = found.length > 0 ? d.engine.evaluate(input, withFound(d.cluster, found)) : findings;
  if (unconfirmed.length === 0) return again;
  const names = unconfirmed.map((u) => `${u.kind} ${u.namespace}/${u.name}`).join(', ');
  return again.map((f) =>
    f.action === 'deny' && f.reportsMissing
      ? {
          ...f,
          action: 'warn',
          detail: `${f.detail} (not confirmed: the webhook's view of ${names} is incomplete, so this is a warning)`,
        }
      : f,
  );
}
