/**
 * Minimal, authenticated access to the Kubernetes API: GET/PATCH/POST/PUT and watches, objects
 * kept as plain JSON. Two implementations: node-kube-api.ts (node:http(s), static credentials)
 * and client-node-kube-api.ts (@kubernetes/client-node, any credentials); kube-credentials.ts
 * chooses. This module loads neither, so importing it costs nothing.
 */

/** How long one connection pool is used before a fresh one is made (client certificates may rotate). */
export const DISPATCHER_LIFETIME_MS = 10 * 60 * 1000;

/** An HTTP answer from the API server. */
export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Content type for PartialObjectMetadata (metadata-only lists and watches). */
export const PARTIAL_METADATA_LIST =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

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

/** Requests and watches to the API server: what every reader and writer of the cluster goes through. */
export interface KubeApi {
  request(
    method: 'GET' | 'PATCH' | 'POST' | 'PUT',
    path: string,
    o?: { accept?: string; query?: Record<string, string>; body?: unknown; contentType?: string; timeoutMs?: number },
  ): Promise<KubeResponse>;
  /** Watches `path`; a stream silent for `inactivityMs` is aborted and ends with a TimeoutError. */
  watch(
    path: string,
    query: Record<string, string>,
    handlers: WatchHandlers,
    o?: { accept?: string; inactivityMs?: number },
  ): Promise<WatchHandle>;
}

/** The `code` of a Status body or the HTTP status, for error classification. */
export function statusCode(err: unknown): number | undefined {
  const e = err as { statusCode?: number; code?: number } | undefined;
  return e?.statusCode ?? (typeof e?.code === 'number' ? e.code : undefined);
}
