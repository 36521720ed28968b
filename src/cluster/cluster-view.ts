/**
 * The read-only view of the cluster that the rules and the relay consult. Implementations:
 * `staticClusterView` (manifests on disk, tests) and the informer-backed live view
 * (informer-view.ts). Every lookup is O(1) or O(matches): rules run on the admission hot path.
 */
import type { KubeObject, ObjectMeta, ProviderSecretRef } from '../flux/objects.ts';
import type { SecretFacts } from '../flux/secret-facts.ts';
import type { SecretProducer } from '../flux/secret-producers.ts';

/** A Provider that names a Secret, and through which field. */
export interface SecretReference {
  readonly provider: KubeObject;
  readonly field: ProviderSecretRef;
}

/** Read-only cluster state. Objects returned must not be mutated. */
export interface ClusterView {
  /** True once the view reflects the cluster (a static view always is). */
  synced(): boolean;
  /** The Alert `namespace/name`, if it exists. */
  getAlert(namespace: string, name: string): KubeObject | undefined;
  /** The Provider `namespace/name`, if it exists. */
  getProvider(namespace: string, name: string): KubeObject | undefined;
  /** Namespaces holding a Provider called `name` (to explain that references are local). */
  providerNamespaces(name: string): readonly string[];
  /** Facts about Secret `namespace/name`, if it exists (never its values). */
  getSecret(namespace: string, name: string): SecretFacts | undefined;
  /** Objects in `namespace` (ExternalSecret, SealedSecret) that create a Secret called `secretName`. */
  secretProducers(namespace: string, secretName: string): readonly SecretProducer[];
  /** Namespaces holding a Secret called `name`. */
  secretNamespaces(name: string): readonly string[];
  /** Alerts in `namespace` whose providerRef names `providerName`. */
  alertsReferencingProvider(namespace: string, providerName: string): readonly KubeObject[];
  /** Alerts with an event source of `kind` in `namespace` (the source's namespace, defaulting to the Alert's). */
  alertsWatching(kind: string, namespace: string): readonly KubeObject[];
  /** Providers in `namespace` whose secretRef, certSecretRef or proxySecretRef names `secretName`. */
  providersReferencingSecret(namespace: string, secretName: string): readonly SecretReference[];
  /** True when this view knows the objects of a Flux source kind (so absence means absent). */
  tracksSourceKind(kind: string): boolean;
  /**
   * True when a miss for `kind` in `namespace` is authoritative: the view holds every such
   * object (a Secret scope limited by namespace list or label selector does not).
   */
  covers(kind: 'Provider' | 'Secret', namespace: string): boolean;
  /** Metadata of the Flux object `kind` `namespace/name`, if it exists. */
  getSource(kind: string, namespace: string, name: string): ObjectMeta | undefined;
  /**
   * The Git URL behind the Flux object `kind` `namespace/name`: a GitRepository's `spec.url`, or
   * that of the GitRepository a Kustomization's sourceRef names (source-origin.ts). Optional:
   * views that do not keep it answer nothing.
   */
  gitUrlOf?(kind: string, namespace: string, name: string): string | undefined;
}
