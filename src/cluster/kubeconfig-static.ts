/**
 * Reads static credentials in-process, without @kubernetes/client-node, for the common cases: the
 * in-cluster service account, and a single kubeconfig file whose current context's user has only a
 * token (inline, or an absolute `token-file`), a client certificate and key, and whose cluster has a
 * server, a CA and `insecure-skip-tls-verify` / `tls-server-name`. The result is exactly what the
 * client-node child (kube-credentials-read.ts) returns for the same input, the tests compare them:
 * paths are resolved as client-node's `KubeConfig.loadFromFile` / `makePathsAbsolute` do, the
 * server as `newClusters` does, a `token-file` read once as `findToken` does, the service account
 * as `loadFromCluster` builds it. Anything else (several $KUBECONFIG files, exec, auth providers,
 * basic auth, impersonation, proxy-url, an unknown field, a malformed entry, a value of an
 * unexpected type) returns undefined: the child reads it, as before. Errors name the file, never
 * a value from it.
 */
import { accessSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parseDocument } from 'yaml';
import type { StaticCredentials } from './node-kube-api.ts';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const CLUSTER_FIELDS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
  'extensions',
]);
const USER_FIELDS = new Set([
  'token',
  'token-file',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'extensions',
]);

type Entry = Record<string, unknown>;
const isEntry = (v: unknown): v is Entry => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/**
 * The credentials `loadKubeConfig(kubeconfigPath, env)` would give when they are static and plain,
 * else undefined. Throws when the kubeconfig file cannot be read or is not valid YAML.
 */
export function readStaticCredentials(
  kubeconfigPath: string | undefined,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): StaticCredentials | undefined {
  if (kubeconfigPath) return fromFile(kubeconfigPath);
  if (env['KUBERNETES_SERVICE_HOST']) return inCluster(env['KUBERNETES_SERVICE_HOST'], env['KUBERNETES_SERVICE_PORT']);
  if (platform === 'win32') return undefined;
  if (env['KUBECONFIG']) {
    const files = env['KUBECONFIG'].split(delimiter).filter((f) => f);
    return files.length === 1 ? fromFile(files[0]!) : undefined;
  }
  const home = env['HOME'];
  const config = home ? join(home, '.kube', 'config') : undefined;
  return config && exists(home!) && exists(config) ? fromFile(config) : undefined;
}

function exists(path: string): boolean {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}

/** As client-node's `loadFromCluster`: the token file is read again as it rotates. */
function inCluster(host: string, port: string | undefined): StaticCredentials | undefined {
  if (!port) return undefined;
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  return {
    server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    skipTLSVerify: false,
    caFile: `${SERVICE_ACCOUNT}/ca.crt`,
    tokenFile: `${SERVICE_ACCOUNT}/token`,
  };
}

function fromFile(file: string): StaticCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  const doc = parseDocument(text, { schema: 'core', customTags: ['timestamp'], merge: true });
  const [error] = doc.errors;
  if (error) {
    // The error's own message quotes the line, which may hold a token: give its position only.
    const at = error.linePos?.[0];
    throw new Error(
      `the kubeconfig ${file} is not valid YAML (${error.code}${at ? ` at line ${at.line}, column ${at.col}` : ''})`,
    );
  }
  // An unknown tag, or a %YAML 1.1 directive (`yes` a boolean), which client-node's js-yaml would read otherwise.
  if (doc.warnings.length > 0 || doc.directives?.yaml.explicit) return undefined;
  const config: unknown = doc.toJS({ maxAliasCount: 100 });
  return isEntry(config) ? fromConfig(config, dirname(file)) : undefined;
}

/** The current context's cluster and user, looked up as client-node's `findObject` does (first by name). */
function fromConfig(config: Entry, root: string): StaticCredentials | undefined {
  const named = (list: unknown, key: string, fields: Set<string>) => {
    if (!Array.isArray(list)) return undefined;
    const ok = list.every(
      (e) => isEntry(e) && typeof e['name'] === 'string' && e['name'] && isEntry(e[key]) && withOnly(e[key], fields),
    );
    return ok ? (list as Entry[]) : undefined;
  };
  const clusters = named(config['clusters'], 'cluster', CLUSTER_FIELDS);
  const users = named(config['users'], 'user', USER_FIELDS);
  const contexts = named(config['contexts'], 'context', new Set(['cluster', 'user', 'namespace', 'extensions']));
  const current = config['current-context'];
  if (!clusters || !users || !contexts || typeof current !== 'string') return undefined;
  const context = contexts.find((c) => c['name'] === current)?.['context'] as Entry | undefined;
  if (!context || typeof context['cluster'] !== 'string' || typeof context['user'] !== 'string') return undefined;
  if (!contexts.every((c) => (c['context'] as Entry)['cluster'])) return undefined;
  const cluster = clusters.find((c) => c['name'] === context['cluster'])?.['cluster'] as Entry | undefined;
  const user = users.find((u) => u['name'] === context['user'])?.['user'] as Entry | undefined;
  if (!cluster || !user || !clusters.every((c) => (c['cluster'] as Entry)['server'])) return undefined;
  return credentials(cluster, user, root);
}

/** Every field known and, but for the skip flag and extensions, a string. */
function withOnly(entry: Entry, fields: Set<string>): boolean {
  return Object.entries(entry).every(
    ([k, v]) =>
      fields.has(k) &&
      (k === 'extensions' || (k === 'insecure-skip-tls-verify' ? typeof v === 'boolean' : optionalString(v))),
  );
}

function credentials(cluster: Entry, user: Entry, root: string): StaticCredentials | undefined {
  const s = (e: Entry, k: string) => (e[k] as string | null | undefined) || undefined;
  const path = (f: string | undefined) => f && (isAbsolute(f) ? f : join(root, f));
  const token = s(user, 'token') ?? tokenFromFile(s(user, 'token-file'));
  if (token === null) return undefined;
  const [caFile, certFile, keyFile] = [
    path(s(cluster, 'certificate-authority')),
    path(s(user, 'client-certificate')),
    path(s(user, 'client-key')),
  ];
  const [caData, certData, keyData] = [
    s(cluster, 'certificate-authority-data'),
    s(user, 'client-certificate-data'),
    s(user, 'client-key-data'),
  ];
  const tlsServerName = s(cluster, 'tls-server-name');
  return {
    server: (cluster['server'] as string).replace(/\/$/, ''),
    skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    ...(tlsServerName ? { tlsServerName } : {}),
    ...(caFile ? { caFile } : caData ? { caData } : {}),
    ...(certFile ? { certFile } : certData ? { certData } : {}),
    ...(keyFile ? { keyFile } : keyData ? { keyData } : {}),
    ...(token ? { token } : {}),
  };
}

/**
 * client-node reads a `token-file` once, as it is, relative to the working directory: only an
 * absolute one that can be read is taken here (null: let the child decide).
 */
function tokenFromFile(file: string | undefined): string | undefined | null {
  if (!file) return undefined;
  if (!isAbsolute(file)) return null;
  try {
    return readFileSync(file).toString();
  } catch {
    return null;
  }
}
