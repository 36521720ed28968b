/**
 * Wiring for tests of the live view: a fake API server, a KubeApi pointing at it, the
 * informer view, and captured logs.
 */
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { createKubeApi } from '../../src/cluster/client-node-kube-api.ts';
import { createNodeKubeApi } from '../../src/cluster/node-kube-api.ts';
import type { KubeApi } from '../../src/cluster/kube-api.ts';
import type { InformerView } from '../../src/cluster/informer-view.ts';
import { startInformerView } from '../../src/cluster/informer-view.ts';
import type { SecretScope } from '../../src/cluster/secret-scope.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createClusterMetrics } from '../../src/observability/cluster-metrics.ts';
import type { ClusterMetrics } from '../../src/observability/cluster-metrics.ts';
import type { FakeResource } from '../servers/fake-apiserver.ts';
import { FakeApiServer, fluxResources } from '../servers/fake-apiserver.ts';

/**
 * A KubeApi for a server URL, without credentials: over node:http(s), as the webhook talks to the
 * API server for static credentials, or (`transport: 'client-node'`) through
 * @kubernetes/client-node, as it does for plugin credentials. NOTIFY_GUARD_TEST_TRANSPORT=client-node
 * runs every live test through the latter.
 */
export function kubeApiFor(url: string, transport = process.env['NOTIFY_GUARD_TEST_TRANSPORT']): KubeApi {
  if (transport !== 'client-node') return createNodeKubeApi({ server: url, skipTLSVerify: true });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'tester' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
    currentContext: 'fake',
  });
  return createKubeApi(kc);
}

export interface LiveCluster {
  readonly server: FakeApiServer;
  readonly api: KubeApi;
  readonly view: InformerView;
  readonly registry: Registry;
  readonly metrics: ClusterMetrics;
  readonly logs: string[];
  close(): Promise<void>;
}

export interface LiveClusterOptions {
  readonly resources?: readonly FakeResource[];
  readonly secretScope?: SecretScope;
  readonly watchdogMs?: number;
  readonly bookmarkIntervalMs?: number;
  /** Called before the view starts, to seed objects or faults. */
  readonly prepare?: (server: FakeApiServer) => void;
  /** The view's clock (InformerViewOptions.now). */
  readonly now?: () => number;
}

export async function startLiveCluster(o: LiveClusterOptions = {}): Promise<LiveCluster> {
  const server = new FakeApiServer(o.resources ?? fluxResources(), { bookmarkIntervalMs: o.bookmarkIntervalMs ?? 100 });
  const url = await server.start();
  o.prepare?.(server);
  const logs: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(c: Buffer, _e, cb) {
        logs.push(c.toString('utf8'));
        cb();
      },
    }),
  );
  const registry = new Registry();
  const metrics = createClusterMetrics(registry);
  const api = kubeApiFor(url);
  const view = await startInformerView({
    api,
    logger,
    metrics,
    secretScope: o.secretScope ?? { namespaces: [], labelSelector: undefined },
    watchdogMs: o.watchdogMs ?? 5_000,
    backoff: { initialMs: 20, maxMs: 200 },
    ...(o.now ? { now: o.now } : {}),
  });
  return {
    server,
    api,
    view,
    registry,
    metrics,
    logs,
    close: async () => {
      view.stop();
      await server.close();
    },
  };
}

/**
 * Polls `check` until it returns true, or fails after `timeoutMs` with `what`. The deadline only
 * turns a hang into a failure that names what never happened: it is generous, since on a 2-core
 * machine shared by several test runs a correct relay can take many times its usual time.
 */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The value of one metric series in Prometheus text, or 0 when absent. */
export async function metricValue(registry: Registry, series: string): Promise<number> {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
