/**
 * Which Secrets the live view watches. Watching every Secret of a large cluster costs memory
 * and a cluster-wide RBAC grant that admins may refuse, so it is configurable: all namespaces,
 * a list of namespaces, and/or a label selector. Secrets of types that are never notification
 * credentials (service-account tokens, Helm release state) are excluded server-side.
 */

/** The configured scope. */
export interface SecretScope {
  /** Namespaces to watch; empty means all namespaces. */
  readonly namespaces: readonly string[];
  readonly labelSelector: string | undefined;
}

/** Server-side filter applied to every Secret list and watch. */
export const SECRET_FIELD_SELECTOR = 'type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1';

/** The collection paths for a scope. */
export function secretPaths(scope: SecretScope): string[] {
  return scope.namespaces.length === 0
    ? ['/api/v1/secrets']
    : scope.namespaces.map((ns) => `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets`);
}

/** Parses `--secret-namespaces`: `all` (or empty) or a comma-separated list. */
export function parseSecretNamespaces(value: string): string[] {
  const v = value.trim();
  if (v === '' || v === 'all' || v === '*') return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
