/**
 * Where a Flux object's revision comes from, kept so that the relay can link a revision to its
 * commit: a GitRepository's `spec.url`, and the `spec.sourceRef` of a Kustomization (its
 * revision is that of the source it applies). Only these fields are kept; nothing else of the
 * object. A Kustomization's sourceRef namespace defaults to its own, as kustomize-controller
 * reads it.
 */
import type { KubeObject } from '../flux/objects.ts';
import { asRecord } from '../flux/objects.ts';

/** The kinds listed in full (not as metadata only) so that their origin can be kept. */
export const ORIGIN_KINDS: ReadonlySet<string> = new Set(['GitRepository', 'Kustomization']);

/** A GitRepository's URL, or the source a Kustomization applies. */
export type SourceOrigin =
  | { readonly url: string }
  | { readonly sourceRef: { readonly kind: string; readonly namespace: string; readonly name: string } };

/** The origin of `obj` (of kind `kind`), or undefined when it has none worth keeping. */
export function sourceOrigin(kind: string, obj: KubeObject): SourceOrigin | undefined {
  const spec = asRecord(obj['spec']);
  if (kind === 'GitRepository') {
    const url = spec['url'];
    return typeof url === 'string' && url !== '' ? { url } : undefined;
  }
  if (kind === 'Kustomization') {
    const ref = asRecord(spec['sourceRef']);
    const [refKind, name, ns] = [ref['kind'], ref['name'], ref['namespace']];
    if (typeof refKind !== 'string' || typeof name !== 'string') return undefined;
    return {
      sourceRef: {
        kind: refKind,
        name,
        namespace: typeof ns === 'string' && ns !== '' ? ns : (obj.metadata?.namespace ?? ''),
      },
    };
  }
  return undefined;
}
