/**
 * Which notification API versions a Flux release serves, and the finding for an Alert or Provider
 * whose apiVersion the targeted release no longer serves. Flux v2.N ships notification-controller
 * v1.N: v1beta1 was removed in v1.7 (Flux v2.7), v1beta2 in v1.9 (Flux v2.9); v1beta3 has the
 * same spec field names as both (compare test/fixtures/flux-crds), so apiVersion is all to change.
 */
import { NOTIFICATION_GROUP } from '../flux/api.ts';
import { parseApiVersion } from '../flux/api.ts';
import type { KubeObject } from '../flux/objects.ts';

/** A Flux release, by its minor version of Flux v2. */
export interface FluxRelease {
  readonly minor: number;
}

/** The release this project's rules follow (notification-controller v1.9). */
export const CURRENT_FLUX: FluxRelease = { minor: 9 };

/** Removed notification versions, with the Flux v2 minor that removed them. */
const REMOVED: readonly { readonly version: string; readonly removedIn: number }[] = [
  { version: 'v1beta1', removedIn: 7 },
  { version: 'v1beta2', removedIn: 9 },
];

/** Parses `--flux-version`: `current`, `2.8`, `v2.8` or `v2.8.3`; undefined when it is none of these. */
export function parseFluxVersion(s: string): FluxRelease | undefined {
  if (s === 'current') return CURRENT_FLUX;
  const m = /^v?2\.(\d{1,3})(\.\d{1,4})?$/.exec(s);
  return m ? { minor: Number(m[1]) } : undefined;
}

/**
 * What is wrong with the apiVersion of an Alert or Provider for a release, as a message, or
 * undefined when the release serves it.
 */
export function removedApiVersionMessage(o: KubeObject, release: FluxRelease): string | undefined {
  if (typeof o.apiVersion !== 'string' || (o.kind !== 'Alert' && o.kind !== 'Provider')) return undefined;
  const { group, version } = parseApiVersion(o.apiVersion);
  if (group !== NOTIFICATION_GROUP) return undefined;
  const removed = REMOVED.find((r) => r.version === version && r.removedIn <= release.minor);
  if (!removed) return undefined;
  const current = `${NOTIFICATION_GROUP}/v1beta3`;
  return `apiVersion: Unsupported value: ${JSON.stringify(o.apiVersion)}: Flux v2.${release.minor} does not serve ${version} (removed in Flux v2.${removed.removedIn}), so applying this ${o.kind} fails; change apiVersion to ${current} (the spec fields keep their names), or pass --flux-version with the release the cluster runs`;
}
