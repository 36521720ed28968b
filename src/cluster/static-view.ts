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
import { readFile } from 'node:fs/promises';
import { eachManifest, manifestFiles } from './manifests.ts';
import { producerLabel } from '../flux/secret-producers.ts';

/** Builds an indexed view from objects; Secrets are reduced to facts as they are added. */
export function staticClusterView(objects: Iterable<KubeObject>): ObjectIndex {
  const index = new ObjectIndex();
  for (const obj of objects) {
    if (obj.kind && obj.kind in SOURCE_KIND_GROUPS) index.trackSourceKind(obj.kind);
    // kubectl applies an object without a namespace into "default"; the snapshot does the same.
    index.upsert(obj.metadata?.namespace ? obj : { ...obj, metadata: { ...obj.metadata, namespace: 'default' } });
  }
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

/**
 * Loads a view from a directory (or file) of manifests. Objects go into the index as each
 * document is parsed (the index keeps compact copies), so the parsed objects of a large file are
 * never all alive at once.
 */
export async function loadStaticClusterView(path: string): Promise<ObjectIndex> {
  const files = await manifestFiles(path);
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  return staticClusterView(
    (function* () {
      for (const [i, file] of files.entries()) for (const l of eachManifest(texts[i]!, file)) yield l.object;
    })(),
  );
}
