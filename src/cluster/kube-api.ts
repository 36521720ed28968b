/**
 * Minimal, authenticated access to the Kubernetes API on top of @kubernetes/client-node:
 * GET/PATCH/POST with the KubeConfig's credentials and TLS, and watches through the library's
 * `Watch` (which parses the JSON-lines stream and aborts a connection that stays silent).
 * Objects stay plain JSON; nothing is turned into generated model classes.
 */
import { HttpMethod, KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { fetch } from 'undici';
import type { Dispatcher } from 'undici';

/** How long one connection pool is used before a fresh one is made (client certificates may rotate). */
export const DISPATCHER_LIFETIME_MS = 10 * 60 * 1000;

/** An HTTP answer from the API server. */
export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Content type for PartialObjectMetadata (metadata-only lists and watches). */
export const PARTIAL_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** What a watch delivers and how it ends. */
export interface WatchHandlers {
  onEvent(type: string, object: Record<string, unknown>): void;
  /** Called once: `err` is null when the server closed the stream normally. */
  onDone(err: unknown): void;
}

/** A watch in progress. */
export interface WatchHandle {
  abort(): void;
}

/** API access used by reflectors, live lookups and (later) certificate injection. */
export interface KubeApi {
  request(method: 'GET' | 'PATCH' | 'POST' | 'PUT', path: string, o?: { accept?: string; query?: Record<string, string>; body?: unknown; contentType?: string; timeoutMs?: number }): Promise<KubeResponse>;
  /** Watches `path`; a stream silent for `inactivityMs` is aborted and ends with a TimeoutError. */
  watch(path: string, query: Record<string, string>, handlers: WatchHandlers, o?: { accept?: string; inactivityMs?: number }): Promise<WatchHandle>;
}

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

  // applySecurityAuthentication builds a new connection pool on every call; using each once would
  // open a new (TLS) connection per request and leave idle pools behind. Headers are taken fresh
  // per request (service-account tokens rotate); the pool is shared and renewed periodically.
  let pool: { dispatcher: Dispatcher; created: number } | undefined;
  const sharedDispatcher = (fresh: Dispatcher | undefined): Dispatcher | undefined => {
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

  return {
    async request(method, path, o = {}) {
      const url = new URL(server() + path);
      for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
      const ctx = new RequestContext(url.toString(), HttpMethod[method]);
      await kc.applySecurityAuthentication(ctx);
      const headers: Record<string, string> = { ...ctx.getHeaders(), accept: o.accept ?? 'application/json' };
      if (o.body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
      const dispatcher = sharedDispatcher(ctx.getDispatcher() as Dispatcher | undefined);
      const response = await fetch(url, {
        method,
        headers,
        ...(dispatcher ? { dispatcher } : {}),
        signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Keep the text: the caller reports the status code.
      }
      return { status: response.status, body };
    },

    async watch(path, query, handlers, o = {}) {
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
      const controller = await w.watch(path, query, (type, object) => handlers.onEvent(type, object as Record<string, unknown>), handlers.onDone);
      return { abort: () => controller.abort() };
    },
  };
}

/** The `code` of a Status body or the HTTP status, for error classification. */
export function statusCode(err: unknown): number | undefined {
  const e = err as { statusCode?: number; code?: number } | undefined;
  return e?.statusCode ?? (typeof e?.code === 'number' ? e.code : undefined);
}
