/**
 * KubeApi on top of @kubernetes/client-node: GET/PATCH/POST with the KubeConfig's credentials
 * and TLS, and watches through the library's `Watch` (which parses the JSON-lines stream and
 * aborts a connection that stays silent). Loading the library costs about 80 MB of RSS (every
 * generated API model); the webhook uses it only for plugin credentials (kube-credentials.ts).
 */
import { HttpMethod, KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { fetch } from 'undici';
import type { Dispatcher } from 'undici';
import type { KubeApi, WatchHandle, WatchHandlers } from './kube-api.ts';
import { DISPATCHER_LIFETIME_MS } from './kube-api.ts';

/** Loads a KubeConfig: an explicit file, else in-cluster service account, else $KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(kubeconfigPath: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else if (env['KUBERNETES_SERVICE_HOST']) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** Creates the API access for a KubeConfig. */
export function createKubeApi(kc: KubeConfig): KubeApi {
  const server = () => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server.replace(/\/$/, '');
  };
  const dispatcher = sharedDispatcher();
  return {
    async request(method, path, o = {}) {
      const url = new URL(server() + path);
      for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
      const ctx = new RequestContext(url.toString(), HttpMethod[method]);
      await kc.applySecurityAuthentication(ctx);
      const headers: Record<string, string> = { ...ctx.getHeaders(), accept: o.accept ?? 'application/json' };
      if (o.body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
      const d = dispatcher(ctx.getDispatcher() as Dispatcher | undefined);
      const response = await fetch(url, {
        method,
        headers,
        ...(d ? { dispatcher: d } : {}),
        signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      return { status: response.status, body: parseBody(await response.text()) };
    },
    watch: (path, query, handlers, o = {}) => watchWith(kc, path, query, handlers, o),
  };
}

/**
 * applySecurityAuthentication builds a new connection pool on every call; using each once would
 * open a new (TLS) connection per request and leave idle pools behind. Headers are taken fresh
 * per request (service-account tokens rotate); the pool is shared and renewed periodically.
 */
function sharedDispatcher(): (fresh: Dispatcher | undefined) => Dispatcher | undefined {
  let pool: { dispatcher: Dispatcher; created: number } | undefined;
  return (fresh) => {
    if (!fresh) return pool?.dispatcher;
    if (!pool || Date.now() - pool.created > DISPATCHER_LIFETIME_MS) {
      const old = pool?.dispatcher;
      pool = { dispatcher: fresh, created: Date.now() };
      if (old) void old.close().catch(() => undefined);
      return fresh;
    }
    if (fresh !== pool.dispatcher) void fresh.close().catch(() => undefined);
    return pool.dispatcher;
  };
}

async function watchWith(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  handlers: WatchHandlers,
  o: { accept?: string; inactivityMs?: number },
): Promise<WatchHandle> {
  // The library's Watch has no Accept parameter; a KubeConfig view that adds it after
  // authentication lets metadata-only watches use the same code path.
  const config = o.accept
    ? Object.assign(Object.create(kc) as KubeConfig, {
        applySecurityAuthentication: async (ctx: RequestContext) => {
          await kc.applySecurityAuthentication(ctx);
          ctx.setHeaderParam('Accept', o.accept!);
        },
      })
    : kc;
  const w = new Watch(config);
  // The inactivity timeout is declared private but is a plain field (default 30 s); the
  // watchdog tests in test/e2e/informer-view.test.ts fail if a library update changes that.
  if (o.inactivityMs) (w as unknown as { requestTimeoutMs: number }).requestTimeoutMs = o.inactivityMs;
  const controller = await w.watch(
    path,
    query,
    (type, object) => handlers.onEvent(type, object as Record<string, unknown>),
    handlers.onDone,
  );
  return { abort: () => controller.abort() };
}

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    // Keep the text: the caller reports the status code.
    return text;
  }
}
