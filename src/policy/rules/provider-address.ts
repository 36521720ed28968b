import type { Rule } from '../rule.ts';
import type { FieldError } from '../field-error.ts';
import { fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import { providerView } from '../../flux/objects.ts';
import { addressFacts, addressProblem } from '../../flux/address.ts';

/** The address (spec or Secret) is an https URL on an allowed host, and not a placeholder. */
export const providerAddress: Rule = {
  id: 'provider-address',
  kind: 'Provider',
  operations: ['CREATE', 'UPDATE'],
  defaultAction: 'deny',
  description: 'A checked Provider\'s address (spec.address or Secret key "address") must be an absolute https URL of at most 2048 bytes on an allowed host, and not a placeholder.',
  remediation: 'Use the real webhook URL from Slack; ask the platform team to allow other hosts in the policy.',
  check({ object, cluster, policy }) {
    const p = providerView(object);
    if (!policy.checkedProviderTypes.includes(p.type)) return [];
    const out: FieldError[] = [];
    if (p.address) {
      const problem = addressProblem(addressFacts(p.address), policy.allowedHosts);
      // spec.address is not secret (it is stored in the Provider), so the value may be shown.
      if (problem) out.push(fieldError('Invalid', field('spec', 'address'), p.address, problem));
    }
    const secret = p.secretRef ? cluster.getSecret(p.namespace, p.secretRef) : undefined;
    if (p.secretRef && secret?.address) {
      const problem = addressProblem(secret.address, policy.allowedHosts);
      if (problem) out.push(fieldError('Invalid', field('spec', 'secretRef', 'name'), p.secretRef, `in Secret ${quote(p.secretRef)} key "address": ${problem}`));
    }
    return out;
  },
};
