import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { secretsMadeOutOfBand } from '../policy.ts';
import { missingSecrets } from '../missing-secrets.ts';

/**
 * secretRef, certSecretRef and proxySecretRef are local references that notification-controller's
 * `createNotifier` reads with `getSecret` when an event is sent: a missing Secret fails every send.
 * A Secret that a known producer (ExternalSecret, SealedSecret) will create, or that the policy
 * says is made out of band, is left to `provider-secret-pending` (a warning): Flux reads the Secret
 * only when it sends, so the order in which the two appear does not matter.
 */
export const providerSecretExists: Rule = {
  id: 'provider-secret-exists',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  reportsMissing: true,
  description:
    "Every Secret a Provider references (secretRef, certSecretRef, proxySecretRef) must exist in the Provider's namespace, or be made by an ExternalSecret or SealedSecret there.",
  remediation:
    "Create the Secret (or its ExternalSecret or SealedSecret) in the Provider's namespace, or correct the name; if something else makes it, list the namespace in the policy's spec.secrets.outOfBandNamespaces.",
  follows: '`createNotifier` → `getSecret` (at send time)',
  check({ provider: p, cluster, policy }) {
    const out: FieldError[] = [];
    for (const { ref, name } of missingSecrets(p, cluster)) {
      if (cluster.secretProducers(p.namespace, name).length > 0 || secretsMadeOutOfBand(policy, p.namespace)) continue;
      const elsewhere = cluster.secretNamespaces(name).filter((ns) => ns !== p.namespace);
      const hint =
        elsewhere.length > 0
          ? `; a Secret of that name exists in namespace ${elsewhere.map(quote).join(', ')}, but Secret references are local: create it in ${quote(p.namespace)}`
          : `; create it in ${quote(p.namespace)} or correct the name`;
      out.push(
        fieldError(
          'NotFound',
          field('spec', ref, 'name'),
          name,
          `no Secret ${quote(name)} in namespace ${quote(p.namespace)}${hint}`,
        ),
      );
    }
    return out;
  },
};
