/**
 * Starts the real admission app over HTTPS on 127.0.0.1 with a certificate for the webhook
 * Service, against a cluster built from objects. Logs are captured for assertions.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createAdmissionApp } from '../../src/admission/app.ts';
import { createAdmissionHandler } from '../../src/admission/handler.ts';
import { writeCertDir } from '../../src/certs/cert-dir.ts';
import { createCA, createServingCertificate, serviceHosts } from '../../src/certs/certificates.ts';
import type { CertificatePem } from '../../src/certs/certificates.ts';
import { servingContext } from '../../src/certs/serving-tls.ts';
import { DEFAULT_SERVER_LIMITS, capConnections, serverTimeouts } from '../../src/http/server-limits.ts';
import type { ServerLimits } from '../../src/http/server-limits.ts';
import { staticClusterView } from '../../src/cluster/static-view.ts';
import type { ClusterView } from '../../src/cluster/cluster-view.ts';
import type { LiveLookup } from '../../src/cluster/live-lookup.ts';
import type { Counter } from 'prom-client';
import type { KubeObject } from '../../src/flux/objects.ts';
import { createEngine } from '../../src/policy/engine.ts';
import type { Policy } from '../../src/policy/policy.ts';
import { defaultPolicy } from '../../src/policy/policy.ts';
import type { Rule } from '../../src/policy/rule.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createAdmissionMetrics } from '../../src/observability/metrics.ts';
import type { AdmissionMetrics } from '../../src/observability/metrics.ts';

let certs: Promise<{ ca: CertificatePem; leaf: CertificatePem }> | undefined;

/** One CA and serving certificate for the whole test process. */
export function testCertificates(): Promise<{ ca: CertificatePem; leaf: CertificatePem }> {
  certs ??= (async () => {
    const now = new Date();
    const ca = await createCA({ now, validityDays: 2 });
    const leaf = await createServingCertificate({
      ca,
      now,
      validityDays: 1,
      hosts: [...serviceHosts('notify-guard-webhook', 'notify-guard-system'), 'localhost', '127.0.0.1'],
    });
    return { ca, leaf };
  })();
  return certs;
}

/**
 * Writes those certificates into `dir` as `--cert-dir` holds them, so a webhook started on it
 * reads them instead of generating its own (generation is pinned by webhook-command.test.ts).
 */
export async function writeTestCertDir(dir: string): Promise<void> {
  const { ca, leaf } = await testCertificates();
  await writeCertDir(dir, ca, leaf);
}

export interface TestWebhook {
  readonly port: number;
  readonly caPem: string;
  readonly logs: string[];
  readonly metrics: AdmissionMetrics;
  close(): Promise<void>;
}

export interface TestWebhookOptions {
  readonly cluster?: readonly KubeObject[];
  readonly policy?: Policy;
  readonly rules?: readonly Rule[];
  readonly ready?: () => string | undefined;
  /** A view to serve instead of a static one built from `cluster`. */
  readonly view?: ClusterView;
  readonly liveLookup?: LiveLookup;
  readonly lookups?: Counter<'kind' | 'result'>;
  /** Server limits (timeouts, connections, body budget); default: the webhook's. */
  readonly limits?: ServerLimits;
}

export async function startTestWebhook(o: TestWebhookOptions = {}): Promise<TestWebhook> {
  const { ca, leaf } = await testCertificates();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger('debug', sink);
  const rules = o.rules ?? ALL_RULES;
  const policy = o.policy ?? defaultPolicy(rules);
  const metrics = createAdmissionMetrics({ processMetrics: false });
  const handler = createAdmissionHandler({
    engine: createEngine(rules, policy),
    cluster: o.view ?? staticClusterView(o.cluster ?? []),
    ...(o.liveLookup ? { liveLookup: o.liveLookup } : {}),
    ...(o.lookups ? { lookups: o.lookups } : {}),
    policy,
    metrics,
    logger,
  });
  const limits = o.limits ?? DEFAULT_SERVER_LIMITS;
  const app = createAdmissionApp({ handler, metrics, logger, notReadyReason: o.ready ?? (() => undefined), limits });
  const server = createServer({ ...servingContext(leaf), ...serverTimeouts(limits) }, app);
  capConnections(server, limits);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    caPem: ca.certPem,
    logs,
    metrics,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
