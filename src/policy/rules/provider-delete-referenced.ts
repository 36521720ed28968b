import type { Rule } from '../rule.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';

/**
 * Deleting a Provider silences every Alert that references it: notification-controller's
 * `getNotificationParams` fails to read it on every event. A warning: the Alerts may be next.
 */
export const providerDeleteReferenced: Rule = {
  id: 'provider-delete-referenced',
  kind: 'Provider',
  operations: ['DELETE'],
  defaultAction: 'warn',
  description: 'Deleting a Provider that Alerts still reference silences those Alerts.',
  remediation: 'Delete or repoint the Alerts first.',
  follows: '`getNotificationParams`',
  check({ namespace, name, cluster }) {
    const alerts = cluster
      .alertsReferencingProvider(namespace, name)
      .map((a) => a.metadata?.name ?? '')
      .sort();
    if (alerts.length === 0) return [];
    return [
      fieldError(
        'Forbidden',
        field('metadata', 'name'),
        undefined,
        `Provider ${quote(name)} is still referenced by Alert ${alerts.map(quote).join(', ')}, which will stop sending notifications; delete or repoint those Alerts first`,
      ),
    ];
  },
};
