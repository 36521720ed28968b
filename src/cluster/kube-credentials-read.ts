/**
 * What the child (kube-credentials-child.ts) computes: the kubeconfig read by
 * @kubernetes/client-node (as `loadKubeConfig` does, from `process.env`), its current cluster and
 * user as static credentials, or `{ dynamic: reason }` when the user's credentials come from a
 * plugin (exec, an auth provider other than a token file), a proxy or basic auth. Also the oracle
 * that kubeconfig-static.test.ts compares the in-process reader with.
 */
import { loadKubeConfig } from './client-node-kube-api.ts';
import type { StaticCredentials } from './node-kube-api.ts';

/** What the child posts. */
export type CredentialsMessage =
  { readonly credentials: StaticCredentials } | { readonly dynamic: string } | { readonly error: string };

/** Reads the kubeconfig with client-node; never throws. */
export function readWithClientNode(kubeconfigPath: string | undefined): CredentialsMessage {
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
