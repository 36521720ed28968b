/**
 * Runs as a short-lived child process (argv[2]: the kubeconfig path, or empty): reads the
 * kubeconfig with @kubernetes/client-node (as `loadKubeConfig` does) and sends back its current
 * cluster and user as static credentials, or `{ dynamic: reason }` when the user's credentials
 * come from a plugin (exec, an auth provider other than a token file), a proxy or basic auth:
 * those keep client-node in the webhook's process. The child then exits and the library's memory
 * goes with it (a worker thread's did not: its allocator kept about 50 MB of RSS).
 */
import { loadKubeConfig } from './client-node-kube-api.ts';
import type { StaticCredentials } from './node-kube-api.ts';

/** What the worker posts. */
export type CredentialsMessage =
  { readonly credentials: StaticCredentials } | { readonly dynamic: string } | { readonly error: string };

process.send!(read(process.argv[2] || undefined), () => process.disconnect());

function read(kubeconfigPath: string | undefined): CredentialsMessage {
  let kc;
  try {
    kc = loadKubeConfig(kubeconfigPath, process.env);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) return { dynamic: 'no current cluster' };
  if (cluster.proxyUrl) return { dynamic: 'proxy-url' };
  if (user?.exec) return { dynamic: 'exec credential plugin' };
  const provider = user?.authProvider as { name?: string; config?: { tokenFile?: string } } | undefined;
  if (provider && provider.name !== 'tokenFile') return { dynamic: `auth provider ${provider.name}` };
  if (user?.username || user?.password || user?.impersonateUser) return { dynamic: 'basic auth or impersonation' };
  const tokenFile = provider?.config?.tokenFile;
  const credentials: StaticCredentials = {
    server: cluster.server,
    skipTLSVerify: cluster.skipTLSVerify === true,
    ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}),
    ...(cluster.caFile ? { caFile: cluster.caFile } : cluster.caData ? { caData: cluster.caData } : {}),
    ...(user?.certFile ? { certFile: user.certFile } : user?.certData ? { certData: user.certData } : {}),
    ...(user?.keyFile ? { keyFile: user.keyFile } : user?.keyData ? { keyData: user.keyData } : {}),
    ...(user?.token ? { token: user.token } : {}),
    ...(tokenFile ? { tokenFile } : {}),
  };
  return { credentials };
}
