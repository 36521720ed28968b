/**
 * A ClusterView loaded once from manifests (`--cluster-dir`, the linter, tests). The directory
 * stands for the whole cluster: a source kind that appears in it is tracked, so a missing
 * source of that kind is reported as missing. An ExternalSecret or SealedSecret in it counts as
 * the Secret it creates, with the keys it declares (when the directory holds no such Secret):
 * applied together, the Secret will exist, and Flux reads it only when it sends.
 */
import { ObjectIndex } from './object-index.ts';
import type { KubeObject } from '../flux/objects.ts';
import { SOURCE_KIND_GROUPS } from '../flux/api.ts';
import { eachManifestInFile, manifestFiles } from './manifests.ts';
import { producerLabel } from '../flux/secret-producers.ts';

/** Builds an indexed view from objects; Secrets are reduced to facts as they are added. */
export function staticClusterView(objects: Iterable<KubeObject>): ObjectIndex {
  const index = new ObjectIndex();
  for (const obj of objects) add(index, obj);
  return withProducedSecrets(index);
}

/**
 * Loads a view from a directory (or file) of manifests. Each file is read as a stream and each
 * object goes into the index as its document is parsed (manifests.ts `eachManifestInFile`; the
 * index keeps compact copies), so neither a large file's text nor its parsed objects are ever all
 * alive at once.
 */
export async function loadStaticClusterView(path: string): Promise<ObjectIndex> {
  const index = new ObjectIndex();
  for (const file of await manifestFiles(path)) for await (const l of eachManifestInFile(file)) add(index, l.object);
  return withProducedSecrets(index);
}

function add(index: ObjectIndex, obj: KubeObject): void {
  if (obj.kind && obj.kind in SOURCE_KIND_GROUPS) index.trackSourceKind(obj.kind);
  // kubectl applies an object without a namespace into "default"; the snapshot does the same.
  index.upsert(obj.metadata?.namespace ? obj : { ...obj, metadata: { ...obj.metadata, namespace: 'default' } });
}

/** An ExternalSecret or SealedSecret stands for the Secret it creates, when the manifests hold no such Secret. */
function withProducedSecrets(index: ObjectIndex): ObjectIndex {
  for (const p of index.allSecretProducers()) {
    if (index.getSecret(p.namespace, p.secretName)) continue;
    index.putSecret({
      namespace: p.namespace,
      name: p.secretName,
      type: 'Opaque',
      labels: {},
      keys: p.keys ?? [],
      address: undefined,
      producedBy: producerLabel(p),
      ...(p.keys ? {} : { keysKnown: false as const }),
    });
  }
  return index;
}
