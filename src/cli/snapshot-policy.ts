/**
 * Reads the cluster snapshot and the policy to judge it by, for `audit` and `coverage`: the
 * policy file if given, else the cluster's NotifyGuardPolicy "default" (refused, exit 2, when it
 * cannot be used), else the defaults. Unreadable input is reported on stderr as exit code 2.
 */
import { ManifestError } from '../cluster/manifests.ts';
import { errorString } from '../policy/field-error.ts';
import type { Policy } from '../policy/policy.ts';
import { defaultPolicy } from '../policy/policy.ts';
import { PolicyFileError, loadPolicyFile } from '../policy/policy-file.ts';
import { CLUSTER_POLICY_NAME, readPolicyObject } from '../policy/policy-object.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import type { ClusterSnapshot } from './cluster-snapshot.ts';
import { snapshotFromCluster, snapshotFromDir } from './cluster-snapshot.ts';

/** The snapshot, the policy and where the policy came from. */
export interface SnapshotAndPolicy {
  readonly snapshot: ClusterSnapshot;
  readonly policy: Policy;
  readonly source: string;
}

/** Reads both, or writes why not and returns exit code 2. */
export async function readSnapshotAndPolicy(
  o: { clusterDir: string | undefined; kubeconfig: string | undefined; policyFile: string | undefined },
  io: { stderr: NodeJS.WritableStream; env?: NodeJS.ProcessEnv },
  command: string,
): Promise<SnapshotAndPolicy | number> {
  try {
    const snapshot = o.clusterDir
      ? await snapshotFromDir(o.clusterDir)
      : await snapshotFromCluster(o.kubeconfig, io.env ?? process.env);
    if (o.policyFile) return { snapshot, policy: await loadPolicyFile(o.policyFile, ALL_RULES), source: o.policyFile };
    if (!snapshot.clusterPolicy) return { snapshot, policy: defaultPolicy(ALL_RULES), source: 'the defaults' };
    const reading = readPolicyObject(snapshot.clusterPolicy, ALL_RULES);
    if (!reading.ok) {
      io.stderr.write(
        `notify-guard ${command}: NotifyGuardPolicy "${CLUSTER_POLICY_NAME}" cannot be used: ${reading.errors.map(errorString).join('; ')}\n`,
      );
      return 2;
    }
    return { snapshot, policy: reading.policy, source: `NotifyGuardPolicy "${CLUSTER_POLICY_NAME}"` };
  } catch (err) {
    if (err instanceof ManifestError || err instanceof PolicyFileError) {
      io.stderr.write(`notify-guard ${command}: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`notify-guard ${command}: cannot read the cluster: ${(err as Error).message}\n`);
    return 2;
  }
}
