/**
 * Runs as a short-lived child process (argv[2]: the kubeconfig path, or empty): reads the
 * kubeconfig with @kubernetes/client-node (kube-credentials-read.ts) and sends back its current
 * cluster and user as static credentials, or `{ dynamic: reason }` for credentials that keep
 * client-node in the webhook's process. The child then exits and the library's memory goes with it
 * (a worker thread's did not: its allocator kept about 50 MB of RSS).
 */
import { readWithClientNode } from './kube-credentials-read.ts';

export type { CredentialsMessage } from './kube-credentials-read.ts';

process.send!(readWithClientNode(process.argv[2] || undefined), () => process.disconnect());
