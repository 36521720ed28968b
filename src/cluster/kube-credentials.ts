/**
 * Opens the API access for a kubeconfig (an explicit file, else the in-cluster service account,
 * else $KUBECONFIG / ~/.kube/config). The service account and a single kubeconfig file with plain
 * static credentials are read in-process (kubeconfig-static.ts); anything else is read by
 * @kubernetes/client-node in a short-lived child process (kube-credentials-child.ts). Static
 * credentials (token, token file, client certificate, CA) are then used over node:https
 * (node-kube-api.ts) and client-node never stays loaded: about 80 MB less RSS. Credentials from plugins (exec, OIDC, cloud auth providers), a
 * proxy or basic auth load client-node in the process, as before.
 */
import { fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeApi } from './kube-api.ts';
import type { CredentialsMessage } from './kube-credentials-read.ts';
import { readStaticCredentials } from './kubeconfig-static.ts';
import { createNodeKubeApi } from './node-kube-api.ts';

const CHILD = fileURLToPath(new URL(`./kube-credentials-child${extname(import.meta.url)}`, import.meta.url));

/** The API access and which transport serves it (for the startup log). */
export interface OpenedKubeApi {
  readonly api: KubeApi;
  /** `node:https`, or `@kubernetes/client-node (<why>)`. */
  readonly transport: string;
}

/** Reads the kubeconfig (in-process, else in a child) and returns the API access; throws what loading it throws. */
export async function openKubeApi(
  kubeconfigPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenedKubeApi> {
  const plain = readStaticCredentials(kubeconfigPath, env);
  if (plain) return { api: createNodeKubeApi(plain), transport: 'node:https' };
  const message = await readInChild(kubeconfigPath, env);
  if ('error' in message) throw new Error(message.error);
  if ('credentials' in message) return { api: createNodeKubeApi(message.credentials), transport: 'node:https' };
  const { createKubeApi, loadKubeConfig } = await import('./client-node-kube-api.ts');
  return {
    api: createKubeApi(loadKubeConfig(kubeconfigPath, env)),
    transport: `@kubernetes/client-node (${message.dynamic})`,
  };
}

/** What the child reads with client-node (the in-process reader's fallback, and its tests' oracle). */
export function readInChild(kubeconfigPath: string | undefined, env: NodeJS.ProcessEnv): Promise<CredentialsMessage> {
  return new Promise((resolve, reject) => {
    let message: CredentialsMessage | undefined;
    const child = fork(CHILD, [kubeconfigPath ?? ''], {
      env: { ...env, NODE_OPTIONS: '' },
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 2000) stderr += c.toString();
    });
    child.once('message', (m) => {
      message = m as CredentialsMessage;
    });
    child.once('error', (err) => reject(new Error(`reading the kubeconfig failed: ${err.message}`, { cause: err })));
    child.once('exit', (code) =>
      message
        ? resolve(message)
        : reject(new Error(`reading the kubeconfig failed: its process exited with ${code}: ${stderr.trim()}`)),
    );
  });
}
