/**
 * A ClusterView loaded once from manifests (`--cluster-dir`, the linter, tests). The directory
 * stands for the whole cluster: a source kind that appears in it is tracked, so a missing
 * source of that kind is reported as missing.
 */
import { ObjectIndex } from './object-index.ts';
import type { KubeObject } from '../flux/objects.ts';
import { SOURCE_KIND_GROUPS } from '../flux/api.ts';
import { loadManifests } from './manifests.ts';

/** Builds an indexed view from objects; Secrets are reduced to facts as they are added. */
export function staticClusterView(objects: Iterable<KubeObject>): ObjectIndex {
  const index = new ObjectIndex();
  for (const obj of objects) {
    if (obj.kind && obj.kind in SOURCE_KIND_GROUPS) index.trackSourceKind(obj.kind);
    // kubectl applies an object without a namespace into "default"; the snapshot does the same.
    index.upsert(obj.metadata?.namespace ? obj : { ...obj, metadata: { ...obj.metadata, namespace: 'default' } });
  }
  return index;
}

/** Loads a view from a directory (or file) of manifests. */
export async function loadStaticClusterView(path: string): Promise<ObjectIndex> {
  const loaded = await loadManifests(path);
  return staticClusterView(loaded.map((l) => l.object));
}
