import type { Rule } from '../rule.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';

/**
 * Deleting a Secret that Providers read breaks their notifications: notification-controller's
 * `createNotifier` fails to read it on every event. A warning: the Providers may be next.
 */
export const secretDeleteReferenced: Rule = {
  id: 'secret-delete-referenced',
  kind: 'Secret',
  operations: ['DELETE'],
  defaultAction: 'warn',
  description: 'Deleting a Secret that Providers reference breaks their notifications.',
  remediation: 'Repoint or delete the Providers first.',
  follows: '`createNotifier` → `getSecret`',
  check({ namespace, name, cluster }) {
    const refs = cluster
      .providersReferencingSecret(namespace, name)
      .map((r) => `${quote(providerView(r.provider).name)} (spec.${r.field})`)
      .sort();
    if (refs.length === 0) return [];
    return [
      fieldError(
        'Forbidden',
        field('metadata', 'name'),
        undefined,
        `Secret ${quote(name)} is still referenced by Provider ${refs.join(', ')}, which will stop sending notifications; repoint or delete those Providers first`,
      ),
    ];
  },
};
