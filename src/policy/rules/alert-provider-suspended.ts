import type { Rule } from '../rule.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';
import { userSuspended } from '../defaults/relay-mode.ts';

/**
 * An Alert whose Provider is suspended sends nothing: notification-controller's
 * `getNotificationParams` skips a Provider with spec.suspend. A warning: resuming it is enough.
 */
export const alertProviderSuspended: Rule = {
  id: 'alert-provider-suspended',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description: "The Alert's Provider is suspended, so the Alert sends nothing.",
  remediation: 'Resume the Provider (spec.suspend: false) or point the Alert at another one.',
  follows: '`getNotificationParams` (skips a suspended Provider)',
  check({ alert: a, cluster }) {
    const p = cluster.getProvider(a.namespace, a.providerName);
    if (!p || !userSuspended(providerView(p))) return [];
    return [
      fieldError(
        'Invalid',
        field('spec', 'providerRef', 'name'),
        a.providerName,
        `Provider ${quote(a.providerName)} is suspended, so this Alert sends nothing until it is resumed`,
      ),
    ];
  },
};
