import type { Rule } from '../rule.ts';
import { fieldError } from '../field-error.ts';
import { field } from '../field-path.ts';

/**
 * An empty providerRef.name passes the CRD schema; notification-controller's
 * `getNotificationParams` then fails to read a Provider named "" and never sends anything.
 */
export const alertProviderRefNonempty: Rule = {
  id: 'alert-provider-ref-nonempty',
  kind: 'Alert',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description: 'spec.providerRef.name must not be empty: the schema admits "", and such an Alert never notifies.',
  remediation: "Set spec.providerRef.name to the name of a Provider in the Alert's namespace.",
  follows: '`getNotificationParams` (Provider Get by name)',
  check({ alert }) {
    if (alert.providerName.trim() !== '') return [];
    return [
      fieldError(
        'Required',
        field('spec', 'providerRef', 'name'),
        undefined,
        'name the Provider in this namespace that should send these events',
      ),
    ];
  },
};
