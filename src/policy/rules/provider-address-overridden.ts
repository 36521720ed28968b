import type { Rule } from '../rule.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { addressInUse } from '../../flux/address-in-use.ts';

/**
 * notification-controller's `createNotifier` replaces spec.address with the secretRef Secret's key
 * `address` when the Secret has one: spec.address is then never used, whatever it says.
 */
export const providerAddressOverridden: Rule = {
  id: 'provider-address-overridden',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'warn',
  description: 'spec.address is unused when the secretRef Secret has key "address", which overrides it.',
  remediation: 'Remove spec.address (or the Secret\'s key "address") so that one address is in play.',
  follows: '`createNotifier` (key `address` over `spec.address`)',
  check({ provider: p, cluster }) {
    if (!p.address || !p.secretRef) return [];
    if (addressInUse(p, cluster.getSecret(p.namespace, p.secretRef)).from !== 'secret') return [];
    return [
      fieldError(
        'Invalid',
        field('spec', 'address'),
        undefined,
        `unused: key "address" of Secret ${quote(p.secretRef)} overrides spec.address, and Flux sends to that one; remove spec.address`,
      ),
    ];
  },
};
