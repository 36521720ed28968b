/**
 * Turns a manifest into the object the API server hands a webhook for `kubectl apply`:
 * the last-applied annotation of client-side apply, Secret stringData merged into data,
 * and CRD defaults applied.
 */
import type { KubeObject } from '../../src/flux/objects.ts';
import { applyCrdDefaults, crdSchema } from './crd-schema.ts';

/** The object as stored after `kubectl apply` (client-side) of `manifest`. */
export function asApplied(manifest: KubeObject, release = 'current'): KubeObject {
  const annotations = {
    ...(manifest.metadata?.annotations ?? {}),
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest),
  };
  let obj: KubeObject = { ...manifest, metadata: { ...manifest.metadata, annotations } };
  if (obj.kind === 'Secret') {
    const data: Record<string, string> = { ...((obj['data'] as Record<string, string> | undefined) ?? {}) };
    for (const [k, v] of Object.entries((obj['stringData'] as Record<string, string> | undefined) ?? {}))
      data[k] = Buffer.from(v).toString('base64');
    const { stringData: _dropped, ...rest } = obj;
    obj = { ...rest, type: obj['type'] ?? 'Opaque', data };
  } else if (obj.kind === 'Alert' || obj.kind === 'Provider') {
    const version = obj.apiVersion!.split('/')[1]!;
    obj = applyCrdDefaults(crdSchema(release, obj.kind, version), obj) as KubeObject;
  }
  return obj;
}
