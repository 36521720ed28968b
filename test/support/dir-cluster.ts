/** The cluster source of `--cluster-dir DIR` as the commands open it, for tests of what reads it. */
import { Registry } from 'prom-client';
import { openClusterSource } from '../../src/cli/cluster-source.ts';
import type { ClusterSource } from '../../src/cli/cluster-source.ts';
import type { Logger } from '../../src/observability/logger.ts';

export function openDirCluster(dir: string, logger: Logger): Promise<ClusterSource> {
  return openClusterSource(
    {
      clusterDir: dir,
      kubeconfig: undefined,
      secretScope: { namespaces: [], labelSelector: undefined },
      watchdogMs: 0,
      liveLookupTimeoutMs: 0,
    },
    new Registry(),
    logger,
  );
}
