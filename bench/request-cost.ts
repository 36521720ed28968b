/**
 * The webhook's own work per review in-process, without TLS or HTTP: the body parsed as the fast
 * path parses it, answered by the handler as the webhook wires it (NotifyGuardPolicy validation,
 * the policy holder's engine, metrics, an info-level logger), the answer serialized. Run under the
 * program's Node flags (`node --max-semi-space-size=2 --optimize-for-size bench/request-cost.ts`);
 * prints microseconds per review and the garbage collections it caused.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import { answerReview } from '../src/admission/app.ts';
import { createAdmissionHandler } from '../src/admission/handler.ts';
import { withPolicyValidation } from '../src/admission/policy-admission.ts';
import { staticClusterView } from '../src/cluster/static-view.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createAdmissionMetrics } from '../src/observability/metrics.ts';
import { namespaceLabelsFrom } from '../src/policy/conventions/evaluate-conventions.ts';
import { createPolicyHolder } from '../src/policy/policy-holder.ts';
import { defaultPolicy } from '../src/policy/policy.ts';
import { ALL_RULES } from '../src/policy/rules/index.ts';
import { syntheticCluster, syntheticReviews } from './synthetic-cluster.ts';

const objects = syntheticCluster(10_000, 1_000);
const view = staticClusterView(objects);
const holder = createPolicyHolder(ALL_RULES, defaultPolicy(ALL_RULES), '(defaults)', namespaceLabelsFrom(objects));
const metrics = createAdmissionMetrics();
const logger = createLogger('info', { write: () => {} } as never);

const handler = withPolicyValidation(
  createAdmissionHandler({ engine: holder.engine, cluster: view, policy: holder.policy, metrics, logger }),
  ALL_RULES,
  logger,
  metrics,
);
const bodies = syntheticReviews(1_000).map((r) => Buffer.from(JSON.stringify(r)));

async function one(i: number): Promise<number> {
  const body = bodies[i % bodies.length]!;
  const a = await answerReview({ handler, metrics }, 'validate', JSON.parse(body.toString('utf8')));
  return JSON.stringify(a.body).length;
}

let gcs = 0;
let gcMs = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) {
    gcs++;
    gcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
for (let i = 0; i < 20_000; i++) await one(i);
for (let run = 0; run < 5; run++) {
  const n = 50_000;
  gcs = 0;
  gcMs = 0;
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) await one(i);
  const used = process.cpuUsage(cpu);
  await new Promise((r) => setImmediate(r));
  console.log(
    `${((used.user + used.system) / n).toFixed(1)} us CPU per review; ${gcs} GCs (${((gcMs * 1000) / n).toFixed(1)} us per review)`,
  );
}
