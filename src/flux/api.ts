/**
 * What Flux's notification API is: its group, the kinds this project guards and the versions
 * that Flux has served them under (v1beta3 today; v1beta2 and v1beta1 on older releases).
 */

/** The notification API group. */
export const NOTIFICATION_GROUP = 'notification.toolkit.fluxcd.io';

/** Versions of Alert and Provider that Flux has served, newest first. */
export const NOTIFICATION_VERSIONS = ['v1beta3', 'v1beta2', 'v1beta1'] as const;

/** The kinds this project inspects. */
export type GuardedKind = 'Alert' | 'Provider' | 'Secret';

/** Group/version/kind as an AdmissionReview carries it. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/**
 * Maps a request's GVK to the kind this project guards, or undefined for anything else
 * (those are allowed untouched).
 */
export function guardedKind(gvk: GroupVersionKind): GuardedKind | undefined {
  if (gvk.group === '' && gvk.version === 'v1' && gvk.kind === 'Secret') return 'Secret';
  if (gvk.group !== NOTIFICATION_GROUP) return undefined;
  if (!(NOTIFICATION_VERSIONS as readonly string[]).includes(gvk.version)) return undefined;
  return gvk.kind === 'Alert' || gvk.kind === 'Provider' ? gvk.kind : undefined;
}

/** Splits an apiVersion: `notification.toolkit.fluxcd.io/v1beta3` into group and version; `v1` is the core group "". */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return { group: slash < 0 ? '' : apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `Alert.notification.toolkit.fluxcd.io`, or `Secret` for the core group, as apimachinery prints a GroupKind. */
export function qualifiedKind(kind: GuardedKind): string {
  return kind === 'Secret' ? 'Secret' : `${kind}.${NOTIFICATION_GROUP}`;
}

/** Flux source kinds an Alert's eventSources may name, with their API groups. */
export const SOURCE_KIND_GROUPS: Readonly<Record<string, string>> = {
  Bucket: 'source.toolkit.fluxcd.io',
  GitRepository: 'source.toolkit.fluxcd.io',
  HelmChart: 'source.toolkit.fluxcd.io',
  HelmRepository: 'source.toolkit.fluxcd.io',
  OCIRepository: 'source.toolkit.fluxcd.io',
  ExternalArtifact: 'source.toolkit.fluxcd.io',
  ArtifactGenerator: 'source.extensions.fluxcd.io',
  Kustomization: 'kustomize.toolkit.fluxcd.io',
  HelmRelease: 'helm.toolkit.fluxcd.io',
  ImageRepository: 'image.toolkit.fluxcd.io',
  ImagePolicy: 'image.toolkit.fluxcd.io',
  ImageUpdateAutomation: 'image.toolkit.fluxcd.io',
};
