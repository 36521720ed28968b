/**
 * The Secrets a Provider references that the cluster view does not hold: what
 * `provider-secret-exists` (deny) and `provider-secret-pending` (warn) divide between them, by
 * whether something will create the Secret.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { ProviderSecretRef, ProviderView } from '../flux/objects.ts';
import { PROVIDER_SECRET_REFS, providerSecretRef } from '../flux/objects.ts';

/** A reference (secretRef, certSecretRef, proxySecretRef) to a Secret the view does not hold. */
export interface MissingSecret {
  readonly ref: ProviderSecretRef;
  readonly name: string;
}

/** The Provider's Secret references whose Secret is not in its namespace, in field order. */
export function missingSecrets(p: ProviderView, cluster: ClusterView): MissingSecret[] {
  const out: MissingSecret[] = [];
  for (const ref of PROVIDER_SECRET_REFS) {
    const name = providerSecretRef(p, ref);
    if (name && !cluster.getSecret(p.namespace, name)) out.push({ ref, name });
  }
  return out;
}
