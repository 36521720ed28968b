import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { secretsMadeOutOfBand } from '../policy.ts';
import { missingSecrets } from '../missing-secrets.ts';
import { producerLabel } from '../../flux/secret-producers.ts';

/**
 * A referenced Secret that does not exist yet but that something will create: an ExternalSecret
 * or SealedSecret in the namespace, or whatever makes Secrets in a namespace the policy lists as
 * out of band. notification-controller's `createNotifier` reads the Secret when it sends, so the
 * Provider works once the Secret appears and sends nothing until then: a warning, never a denial.
 */
export const providerSecretPending: Rule = {
  id: 'provider-secret-pending',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description:
    'A referenced Secret does not exist yet, and an ExternalSecret or SealedSecret (or, per the policy, something out of band) will create it; until then the Provider sends nothing.',
  remediation:
    'Check that the ExternalSecret or SealedSecret syncs (kubectl describe it); nothing to change in the Provider.',
  follows: '`createNotifier` → `getSecret` (at send time)',
  check({ provider: p, cluster, policy }) {
    const out: FieldError[] = [];
    // Outside the watched Secret scope a miss says nothing: the Secret may well exist.
    if (!cluster.covers('Secret', p.namespace)) return out;
    for (const { ref, name } of missingSecrets(p, cluster)) {
      const producers = cluster.secretProducers(p.namespace, name);
      const maker =
        producers.length > 0
          ? `${producers.map(producerLabel).join(' and ')} will create it`
          : secretsMadeOutOfBand(policy, p.namespace)
            ? `the policy says Secrets in namespace ${quote(p.namespace)} are made out of band`
            : undefined;
      if (!maker) continue;
      out.push(
        fieldError(
          'NotFound',
          field('spec', ref, 'name'),
          name,
          `Secret ${quote(name)} does not exist yet; ${maker}; the Provider sends nothing until it does`,
        ),
      );
    }
    return out;
  },
};
